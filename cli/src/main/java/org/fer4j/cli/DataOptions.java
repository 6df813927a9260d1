package org.fer4j.cli;

import java.nio.file.Path;
import org.fer4j.datasets.DataConfig;
import org.fer4j.datasets.Images;
import org.fer4j.datasets.LoadOptions;
import org.fer4j.datasets.NormalizationSpec;
import picocli.CommandLine.Option;

/** How a data source is read and split: shared by train and eval. */
final class DataOptions {
    @Option(names = "--data", paramLabel = "SOURCE", description = "FER2013 .csv, .csv.gz or .tar.gz, or a folder of class folders")
    Path data;

    @Option(names = "--classes", paramLabel = "LIST", description = "keep only these classes, in this order, e.g. happy,sad,surprise,neutral")
    String classes;

    @Option(names = "--merge", paramLabel = "MAP", description = "merge classes, e.g. contempt->disgust,anger->angry")
    String merge;

    @Option(names = "--dedup", description = "keep one image of each group of identical images (the one in the earliest split: train, val, test), "
            + "so that no validation or test face is also a training face")
    boolean dedup;

    @Option(names = "--skip-bad", description = "skip malformed rows or images (counted in the report) instead of stopping")
    boolean skipBad;

    @Option(names = "--normalize", paramLabel = "KIND", description = "unit (pixels/255), dataset (mean/std of training), none "
            + "(default: unit)")
    String normalize;

    @Option(names = "--max-pixels", paramLabel = "N", description = "refuse data images with more pixels, from their "
            + "header before decoding, 1..2147483647 (default: 16777216, 4096x4096)")
    long maxPixels = Images.DEFAULT_MAX_PIXELS;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "where decoded datasets are cached (default: $FER4J_CACHE_DIR or ~/.cache/fer4j/datasets)")
    Path cacheDir;

    @Option(names = "--no-cache", description = "decode the source every time")
    boolean noCache;

    /**
     * The data configuration for a model whose input is {@code height x width}; {@code split} is a
     * split specification (own, 72/14/14, ...) or null for the default.
     */
    DataConfig config(long seed, int height, int width, String split) {
        if (data == null) {
            throw new IllegalArgumentException("--data is required: a FER2013 .csv/.csv.gz/.tar.gz file or an image folder");
        }
        Flags.longIn("--max-pixels", maxPixels, 1, Integer.MAX_VALUE);
        LoadOptions.Builder load = LoadOptions.DEFAULT.toBuilder().size(height, width).skipBad(skipBad).useCache(!noCache)
                .maxPixels(maxPixels);
        if (cacheDir != null) {
            load.cacheDir(cacheDir);
        }
        DataConfig.Builder b = DataConfig.DEFAULT.toBuilder().source(data).load(load.build()).seed(seed).dedup(dedup);
        if (classes != null) {
            b.classes(classes);
        }
        if (merge != null) {
            b.merges(merge);
        }
        if (split != null) {
            b.split(split);
        }
        if (normalize != null) {
            b.normalization(NormalizationSpec.parse(normalize));
        }
        return b.build();
    }
}
