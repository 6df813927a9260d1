package org.fer4j.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.Text;
import org.fer4j.engine.metrics.ClassificationReport;
import org.fer4j.engine.train.History;

/**
 * The files a training or evaluation run leaves in its folder: {@code history.csv},
 * {@code curves.png}, {@code confusion_matrix.png}, {@code metrics.json} and a
 * {@code report.html} that ties them together. Each file is written to a temporary name and
 * renamed, so a reader never sees half a file.
 */
public final class RunReport {
    public static final String HISTORY = "history.csv";
    public static final String CURVES = "curves.png";
    public static final String CONFUSION = "confusion_matrix.png";
    public static final String METRICS = "metrics.json";
    public static final String HTML = "report.html";

    private RunReport() {
    }

    /**
     * Writes the report into {@code dir}.
     *
     * @param title   heading of the HTML page, e.g. "fer-ref on FER2013 PublicTest"
     * @param history the training history, or null/empty for an evaluation-only report
     * @param report  metrics on the evaluated split
     * @param extra   more facts for metrics.json and the page (model, data, split, backend ...)
     * @return the files written
     */
    public static List<Path> write(Path dir, String title, History history, ClassificationReport report,
                                   Map<String, Object> extra) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        boolean curves = history != null && !history.isEmpty();
        if (curves) {
            written.add(atomically(dir.resolve(HISTORY), tmp -> Files.writeString(tmp, history.toCsv())));
            written.add(atomically(dir.resolve(CURVES), tmp -> Plots.curves(tmp, history)));
        }
        written.add(atomically(dir.resolve(CONFUSION),
                tmp -> Plots.confusionMatrix(tmp, report.matrix(), report.classNames())));
        Map<String, Object> metrics = new LinkedHashMap<>(extra);
        metrics.putAll(report.toMap());
        written.add(atomically(dir.resolve(METRICS), tmp -> Files.writeString(tmp, Json.writePretty(metrics) + "\n")));
        written.add(atomically(dir.resolve(HTML),
                tmp -> Files.writeString(tmp, html(title, curves, report, extra), StandardCharsets.UTF_8)));
        return written;
    }

    private interface Writer {
        void write(Path tmp) throws IOException;
    }

    private static Path atomically(Path target, Writer writer) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try {
                writer.write(tmp);
            } catch (IOException e) {
                // "No space left on device", "I/O error writing PNG file!": say which file.
                throw new IOException("cannot write " + target + ": " + (e.getMessage() == null ? "write error"
                        : e.getMessage()), e);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    static String html(String title, boolean curves, ClassificationReport report, Map<String, Object> extra) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;max-width:1250px;margin:2em auto;padding:0 1em;color:#222}")
                .append("table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}")
                .append("th:first-child,td:first-child{text-align:left}img{max-width:100%}pre{background:#f6f8fa;padding:1em}")
                .append("</style></head><body>\n<h1>").append(escape(title)).append("</h1>\n");
        sb.append(String.format(Locale.ROOT, "<p><b>Accuracy %.2f%%</b> &middot; macro F1 %.4f &middot; weighted F1 %.4f</p>%n",
                100 * report.accuracy(), report.macroF1(), report.weightedF1()));
        if (!extra.isEmpty()) {
            sb.append("<table>\n");
            for (Map.Entry<String, Object> e : extra.entrySet()) {
                sb.append("<tr><td>").append(escape(e.getKey())).append("</td><td>")
                        .append(escape(String.valueOf(e.getValue()))).append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        if (curves) {
            sb.append("<h2>Training curves</h2>\n<img src=\"").append(CURVES).append("\" alt=\"loss and accuracy per epoch\">\n")
                    .append("<p>Per-epoch numbers: <a href=\"").append(HISTORY).append("\">").append(HISTORY).append("</a></p>\n");
        }
        sb.append("<h2>Per-class metrics</h2>\n<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n");
        for (int c = 0; c < report.classNames().size(); c++) {
            if (report.absentClasses().contains(report.classNames().get(c))) {
                sb.append(String.format(Locale.ROOT, "<tr><td>%s</td><td colspan=\"4\">absent from the data (predicted %d times)"
                        + "</td></tr>%n", escape(report.classNames().get(c)), report.matrix().predicted(c)));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>%n",
                    escape(report.classNames().get(c)), report.matrix().precision(c), report.matrix().recall(c),
                    report.matrix().f1(c), report.matrix().support(c)));
        }
        sb.append("</table>\n<pre>").append(escape(report.format(4))).append("</pre>\n");
        sb.append("<h2>Confusion matrix</h2>\n<img src=\"").append(CONFUSION).append("\" alt=\"confusion matrix\">\n<pre>")
                .append(escape(report.confusionMatrixText())).append("</pre>\n");
        sb.append("<p>All metrics as JSON: <a href=\"").append(METRICS).append("\">").append(METRICS).append("</a></p>\n");
        sb.append("</body></html>\n");
        return sb.toString();
    }

    /** HTML-escaped, control characters from files shown as escapes; line breaks kept (for pre). */
    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        String[] lines = s.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            b.append(i > 0 ? "\n" : "").append(Text.html(lines[i]));
        }
        return b.toString();
    }
}
