package org.fer4j.engine.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Counts of (true class, predicted class) pairs over {@code K} classes, and the metrics derived
 * from them. Rows are true classes, columns predicted classes: {@code count(t, p)} is the number
 * of samples of class {@code t} predicted as {@code p}, so the diagonal holds the hits.
 *
 * <p>Undefined ratios are 0, scikit-learn's {@code zero_division=0} convention: precision of a
 * class never predicted, recall of a class with no samples, F1 when both are 0, accuracy of an
 * empty matrix. Macro and weighted averages run over all {@code K} classes, as scikit-learn does
 * when given {@code labels=range(K)}; a class absent from both truth and predictions therefore
 * pulls the macro average down with its 0 (it has no weight in the weighted average).
 *
 * <p>Not thread-safe: give each evaluation thread its own matrix and {@link #merge} them.
 */
public final class ConfusionMatrix {
    private final int numClasses;
    private final long[] counts;   // [K, K] row-major, row = true class, column = predicted class

    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be > 0, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.counts = new long[Math.multiplyExact(numClasses, numClasses)];
    }

    /** A matrix with the given counts, {@code counts[true][predicted]}: square, non-negative. */
    public static ConfusionMatrix of(long[][] counts) {
        ConfusionMatrix cm = new ConfusionMatrix(counts.length);
        for (int t = 0; t < counts.length; t++) {
            if (counts[t].length != counts.length) {
                throw new IllegalArgumentException("confusion matrix must be square: row " + t + " has "
                        + counts[t].length + " counts, expected " + counts.length);
            }
            for (int p = 0; p < counts.length; p++) {
                if (counts[t][p] < 0) {
                    throw new IllegalArgumentException("count (" + t + ", " + p + ") must be >= 0, got "
                            + counts[t][p]);
                }
                cm.counts[t * counts.length + p] = counts[t][p];
            }
        }
        return cm;
    }

    public int numClasses() {
        return numClasses;
    }

    public void add(int trueLabel, int predicted) {
        checkLabel("true label", trueLabel);
        checkLabel("predicted label", predicted);
        counts[trueLabel * numClasses + predicted]++;
    }

    public void add(int[] trueLabels, int[] predicted) {
        if (trueLabels.length != predicted.length) {
            throw new IllegalArgumentException("trueLabels has " + trueLabels.length
                    + " labels but predicted has " + predicted.length);
        }
        for (int i = 0; i < trueLabels.length; i++) {
            add(trueLabels[i], predicted[i]);
        }
    }

    /**
     * Adds one prediction per row of {@code scores[N, K]} (logits or probabilities, row-major):
     * the predicted class is the row's argmax, the first one on ties.
     */
    public void addScores(int[] trueLabels, float[] scores) {
        if (scores.length != (long) trueLabels.length * numClasses) {
            throw new IllegalArgumentException("scores must be [N, K] = [" + trueLabels.length + ", "
                    + numClasses + "] (" + (long) trueLabels.length * numClasses + " values), got "
                    + scores.length);
        }
        for (int i = 0; i < trueLabels.length; i++) {
            int row = i * numClasses;
            int argmax = 0;
            for (int k = 1; k < numClasses; k++) {
                if (scores[row + k] > scores[row + argmax]) {
                    argmax = k;
                }
            }
            add(trueLabels[i], argmax);
        }
    }

    /** Adds {@code other}'s counts to this matrix and returns this. */
    public ConfusionMatrix merge(ConfusionMatrix other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot merge a confusion matrix of " + other.numClasses
                    + " classes into one of " + numClasses);
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        return this;
    }

    public ConfusionMatrix copy() {
        return new ConfusionMatrix(numClasses).merge(this);
    }

    public long count(int trueLabel, int predicted) {
        checkLabel("true label", trueLabel);
        checkLabel("predicted label", predicted);
        return counts[trueLabel * numClasses + predicted];
    }

    /** A copy of the counts, {@code [true][predicted]}. */
    public long[][] counts() {
        long[][] out = new long[numClasses][];
        for (int t = 0; t < numClasses; t++) {
            out[t] = Arrays.copyOfRange(counts, t * numClasses, (t + 1) * numClasses);
        }
        return out;
    }

    /**
     * Each row divided by its sum: entry {@code (t, p)} is the fraction of class {@code t}
     * predicted as {@code p}, so the diagonal is the per-class recall. A row with no samples is 0.
     */
    public double[][] rowNormalized() {
        double[][] out = new double[numClasses][numClasses];
        for (int t = 0; t < numClasses; t++) {
            long support = support(t);
            for (int p = 0; support > 0 && p < numClasses; p++) {
                out[t][p] = (double) counts[t * numClasses + p] / support;
            }
        }
        return out;
    }

    public long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }

    /** The trace: samples predicted right. */
    public long correct() {
        long sum = 0;
        for (int c = 0; c < numClasses; c++) {
            sum += counts[c * numClasses + c];
        }
        return sum;
    }

    /** Samples whose true class is {@code c} (the row sum). */
    public long support(int c) {
        checkLabel("class", c);
        long sum = 0;
        for (int p = 0; p < numClasses; p++) {
            sum += counts[c * numClasses + p];
        }
        return sum;
    }

    /** Samples predicted as {@code c} (the column sum). */
    public long predicted(int c) {
        checkLabel("class", c);
        long sum = 0;
        for (int t = 0; t < numClasses; t++) {
            sum += counts[t * numClasses + c];
        }
        return sum;
    }

    public double accuracy() {
        return ratio(correct(), total());
    }

    /** {@code tp / (tp + fp)}: of the samples predicted as {@code c}, the fraction that are. */
    public double precision(int c) {
        return ratio(counts[checkLabel("class", c) * numClasses + c], predicted(c));
    }

    /** {@code tp / (tp + fn)}: of the samples of class {@code c}, the fraction found. */
    public double recall(int c) {
        return ratio(counts[checkLabel("class", c) * numClasses + c], support(c));
    }

    /**
     * The harmonic mean of precision and recall, computed as {@code 2 tp / (2 tp + fp + fn)}:
     * equal where both are defined, and 0 (not NaN) where scikit-learn's zero_division=0 says so.
     */
    public double f1(int c) {
        long tp = counts[checkLabel("class", c) * numClasses + c];
        long fp = predicted(c) - tp;
        long fn = support(c) - tp;
        return ratio(2 * tp, 2 * tp + fp + fn);
    }

    public double macroPrecision() {
        double sum = 0;
        for (int c = 0; c < numClasses; c++) {
            sum += precision(c);
        }
        return sum / numClasses;
    }

    public double macroRecall() {
        double sum = 0;
        for (int c = 0; c < numClasses; c++) {
            sum += recall(c);
        }
        return sum / numClasses;
    }

    /** The unweighted mean of the per-class F1: each class counts the same, however rare. */
    public double macroF1() {
        double sum = 0;
        for (int c = 0; c < numClasses; c++) {
            sum += f1(c);
        }
        return sum / numClasses;
    }

    public double weightedPrecision() {
        double sum = 0;
        for (int c = 0; c < numClasses; c++) {
            sum += precision(c) * support(c);
        }
        return ratio(sum, total());
    }

    /** Equals {@link #accuracy()}: the support weights turn the mean of recalls into hits / total. */
    public double weightedRecall() {
        double sum = 0;
        for (int c = 0; c < numClasses; c++) {
            sum += recall(c) * support(c);
        }
        return ratio(sum, total());
    }

    /** The mean of the per-class F1 weighted by support. */
    public double weightedF1() {
        double sum = 0;
        for (int c = 0; c < numClasses; c++) {
            sum += f1(c) * support(c);
        }
        return ratio(sum, total());
    }

    /**
     * The counts as a table with class names, true classes down and predictions across:
     *
     * <pre>
     * true \ pred  happy  sad
     *       happy      8    2
     *         sad      1    9
     * </pre>
     */
    public String format(List<String> classNames) {
        checkNames(classNames);
        String[][] cells = new String[numClasses][numClasses];
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                cells[t][p] = Long.toString(counts[t * numClasses + p]);
            }
        }
        return table(classNames, cells);
    }

    /** {@link #rowNormalized()} as a table like {@link #format}, with {@code digits} decimals. */
    public String formatNormalized(List<String> classNames, int digits) {
        checkNames(classNames);
        if (digits < 0) {
            throw new IllegalArgumentException("digits must be >= 0, got " + digits);
        }
        double[][] fractions = rowNormalized();
        String[][] cells = new String[numClasses][numClasses];
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                cells[t][p] = String.format(Locale.ROOT, "%." + digits + "f", fractions[t][p]);
            }
        }
        return table(classNames, cells);
    }

    private String table(List<String> names, String[][] cells) {
        String corner = "true \\ pred";
        int first = corner.length();
        for (String name : names) {
            first = Math.max(first, name.length());
        }
        int[] widths = new int[numClasses];
        for (int p = 0; p < numClasses; p++) {
            widths[p] = names.get(p).length();
            for (int t = 0; t < numClasses; t++) {
                widths[p] = Math.max(widths[p], cells[t][p].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(pad(corner, first));
        for (int p = 0; p < numClasses; p++) {
            sb.append("  ").append(pad(names.get(p), widths[p]));
        }
        sb.append('\n');
        for (int t = 0; t < numClasses; t++) {
            sb.append(pad(names.get(t), first));
            for (int p = 0; p < numClasses; p++) {
                sb.append("  ").append(pad(cells[t][p], widths[p]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    void checkNames(List<String> classNames) {
        if (classNames.size() != numClasses) {
            throw new IllegalArgumentException("need " + numClasses + " class names, got " + classNames.size()
                    + ": " + classNames);
        }
    }

    private int checkLabel(String what, int label) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException(what + " " + label + " outside [0, " + numClasses + ")");
        }
        return label;
    }

    private static double ratio(double numerator, double denominator) {
        return denominator == 0 ? 0 : numerator / denominator;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix other && other.numClasses == numClasses
                && Arrays.equals(other.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * numClasses + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "ConfusionMatrix" + Arrays.deepToString(counts());
    }
}
