package org.fer4j.datasets;

import java.util.List;

/**
 * How a source was read.
 *
 * @param source       the path as the user gave it
 * @param format       e.g. {@code FER2013 CSV (gzip)} or {@code image folders <root>/{train,test}/<class>/*}
 * @param badCount     bad rows or files skipped (0 unless skipping was asked for: otherwise the first stops the load)
 * @param badMessages  the first {@value BadInput#KEPT} of them, one line each
 * @param ignoredFiles files in the class folders that are not images (e.g. {@code .txt}); hidden files not counted
 * @param decodeSeconds how long decoding the source took when it was decoded (also when it now comes from the cache)
 */
public record LoadReport(String source, String format, int badCount, List<String> badMessages, int ignoredFiles,
                         double decodeSeconds) {
    public LoadReport {
        badMessages = List.copyOf(badMessages);
    }
}
