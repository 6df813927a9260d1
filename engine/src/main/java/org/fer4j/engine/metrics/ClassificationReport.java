package org.fer4j.engine.metrics;

import java.util.ArrayList;
import java.util.Collection;
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
 * <p>A class can be marked <em>absent</em>: one of the model's classes that the evaluated data has
 * no images of (a model with neutral on a data set without it). Its row of the table says so, and
 * it is left out of the macro averages, which are over the classes the data has, as scikit-learn's
 * {@code labels=} does; its column still counts the images predicted as it, so those remain errors.
 *
 * <p>A snapshot: later additions to the matrix it was built from do not show.
 */
public final class ClassificationReport {
    private static final String LONGEST_HEADING = "weighted avg";

    private final ConfusionMatrix matrix;
    private final List<String> classNames;
    private final boolean[] absent;   // [K] classes the data has no images of

    public ClassificationReport(ConfusionMatrix matrix, List<String> classNames) {
        this(matrix, classNames, List.of());
    }

    /**
     * @param absent names of classes (among {@code classNames}) that the data has no images of;
     *               each must have support 0
     */
    public ClassificationReport(ConfusionMatrix matrix, List<String> classNames, Collection<String> absent) {
        matrix.checkNames(classNames);
        this.matrix = matrix.copy();
        this.classNames = List.copyOf(classNames);
        this.absent = new boolean[classNames.size()];
        for (String a : absent) {
            int c = classNames.indexOf(a);
            if (c < 0) {
                throw new IllegalArgumentException("absent class '" + a + "' is not one of " + classNames);
            }
            if (matrix.support(c) != 0) {
                throw new IllegalArgumentException("class '" + a + "' is marked absent but has " + matrix.support(c)
                        + " images");
            }
            this.absent[c] = true;
        }
    }

    /** The classes marked absent, in class order. */
    public List<String> absentClasses() {
        List<String> list = new ArrayList<>();
        for (int c = 0; c < absent.length; c++) {
            if (absent[c]) {
                list.add(classNames.get(c));
            }
        }
        return list;
    }

    private boolean anyAbsent() {
        for (boolean a : absent) {
            if (a) {
                return true;
            }
        }
        return false;
    }

    /** The mean of {@code metric} over the classes that are not absent. */
    private double presentMean(java.util.function.IntToDoubleFunction metric) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < absent.length; c++) {
            if (!absent[c]) {
                sum += metric.applyAsDouble(c);
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    public double macroPrecision() {
        return anyAbsent() ? presentMean(matrix::precision) : matrix.macroPrecision();
    }

    public double macroRecall() {
        return anyAbsent() ? presentMean(matrix::recall) : matrix.macroRecall();
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

    /** Over the classes that are not absent (all of them unless some are marked). */
    public double macroF1() {
        return anyAbsent() ? presentMean(matrix::f1) : matrix.macroF1();
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
            if (absent[c]) {
                sb.append(String.format(Locale.ROOT, "%" + width + "s  absent from the data (predicted %d times)\n",
                        classNames.get(c), matrix.predicted(c)));
                continue;
            }
            row(sb, width, digits, classNames.get(c), matrix.precision(c), matrix.recall(c), matrix.f1(c),
                    matrix.support(c));
        }
        sb.append('\n');
        long total = matrix.total();
        sb.append(String.format(Locale.ROOT, "%" + width + "s  %9s %9s %9." + digits + "f %9d\n",
                "accuracy", "", "", matrix.accuracy(), total));
        row(sb, width, digits, "macro avg", macroPrecision(), macroRecall(), macroF1(), total);
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
        String text = matrix.format(classNames);
        List<String> missing = absentClasses();
        return missing.isEmpty() ? text : text + "(absent from the data, empty rows: " + String.join(", ", missing) + ")\n";
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
        m.put("macro_f1", macroF1());
        m.put("weighted_f1", matrix.weightedF1());
        m.put("macro_precision", macroPrecision());
        m.put("macro_recall", macroRecall());
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
            if (absent[c]) {
                row.put("absent", true);
            }
            perClass.add(row);
        }
        m.put("per_class", perClass);
        if (anyAbsent()) {
            m.put("absent_classes", absentClasses());
        }
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
