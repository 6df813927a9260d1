package org.fer4j.engine.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-class precision, recall, F1 and support with their averages, from a
 * {@link ConfusionMatrix} and the class names: as text laid out like scikit-learn's
 * {@code classification_report}, so that numbers can be compared line by line with a Python
 * baseline, and as a map for the JSON report. The zero-division convention is the matrix's
 * (undefined ratios are 0).
 *
 * <p>A snapshot: later additions to the matrix it was built from do not show.
 */
public final class ClassificationReport {
    private static final String LONGEST_HEADING = "weighted avg";

    private final ConfusionMatrix matrix;
    private final List<String> classNames;

    public ClassificationReport(ConfusionMatrix matrix, List<String> classNames) {
        matrix.checkNames(classNames);
        this.matrix = matrix.copy();
        this.classNames = List.copyOf(classNames);
    }

    /** A copy of the matrix this report was built from. */
    public ConfusionMatrix matrix() {
        return matrix.copy();
    }

    public List<String> classNames() {
        return classNames;
    }

    public double accuracy() {
        return matrix.accuracy();
    }

    public double macroF1() {
        return matrix.macroF1();
    }

    public double weightedF1() {
        return matrix.weightedF1();
    }

    /**
     * The table, with {@code digits} decimals, in scikit-learn's layout:
     *
     * <pre>
     *               precision    recall  f1-score   support
     *
     *        happy       0.89      0.80      0.84        10
     *          sad       0.82      0.90      0.86        10
     *
     *     accuracy                           0.85        20
     *    macro avg       0.85      0.85      0.85        20
     * weighted avg       0.85      0.85      0.85        20
     * </pre>
     */
    public String format(int digits) {
        if (digits < 0) {
            throw new IllegalArgumentException("digits must be >= 0, got " + digits);
        }
        int width = Math.max(LONGEST_HEADING.length(), digits);
        for (String name : classNames) {
            width = Math.max(width, name.length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(" ".repeat(width)).append(' ');
        for (String header : new String[] {"precision", "recall", "f1-score", "support"}) {
            sb.append(String.format(Locale.ROOT, " %9s", header));
        }
        sb.append("\n\n");
        for (int c = 0; c < classNames.size(); c++) {
            row(sb, width, digits, classNames.get(c), matrix.precision(c), matrix.recall(c), matrix.f1(c),
                    matrix.support(c));
        }
        sb.append('\n');
        long total = matrix.total();
        sb.append(String.format(Locale.ROOT, "%" + width + "s  %9s %9s %9." + digits + "f %9d\n",
                "accuracy", "", "", matrix.accuracy(), total));
        row(sb, width, digits, "macro avg", matrix.macroPrecision(), matrix.macroRecall(), matrix.macroF1(), total);
        row(sb, width, digits, LONGEST_HEADING, matrix.weightedPrecision(), matrix.weightedRecall(),
                matrix.weightedF1(), total);
        return sb.toString();
    }

    private static void row(StringBuilder sb, int width, int digits, String heading,
                            double precision, double recall, double f1, long support) {
        String number = " %9." + digits + "f";
        sb.append(String.format(Locale.ROOT, "%" + width + "s " + number + number + number + " %9d\n",
                heading, precision, recall, f1, support));
    }

    /** The confusion matrix with class names; see {@link ConfusionMatrix#format}. */
    public String confusionMatrixText() {
        return matrix.format(classNames);
    }

    /**
     * For the JSON report: {@code accuracy} (a fraction, not a percentage), {@code macro_f1},
     * {@code weighted_f1}, the macro and weighted precision and recall, {@code support} (the
     * total), {@code per_class} (a list of {@code {class, precision, recall, f1, support}} in class
     * order) and {@code confusion_matrix} (rows = true classes).
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", matrix.accuracy());
        m.put("macro_f1", matrix.macroF1());
        m.put("weighted_f1", matrix.weightedF1());
        m.put("macro_precision", matrix.macroPrecision());
        m.put("macro_recall", matrix.macroRecall());
        m.put("weighted_precision", matrix.weightedPrecision());
        m.put("weighted_recall", matrix.weightedRecall());
        m.put("support", matrix.total());
        List<Map<String, Object>> perClass = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("class", classNames.get(c));
            row.put("precision", matrix.precision(c));
            row.put("recall", matrix.recall(c));
            row.put("f1", matrix.f1(c));
            row.put("support", matrix.support(c));
            perClass.add(row);
        }
        m.put("per_class", perClass);
        List<List<Long>> counts = new ArrayList<>();
        for (long[] row : matrix.counts()) {
            List<Long> r = new ArrayList<>(row.length);
            for (long v : row) {
                r.add(v);
            }
            counts.add(r);
        }
        m.put("confusion_matrix", counts);
        return m;
    }

    /** {@link #format} with 2 decimals, scikit-learn's default. */
    @Override
    public String toString() {
        return format(2);
    }
}
