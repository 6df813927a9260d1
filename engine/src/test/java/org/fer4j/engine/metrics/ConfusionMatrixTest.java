package org.fer4j.engine.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ConfusionMatrixTest {
    private static final double TOL = 1e-12;

    /*
     * scikit-learn's classification_report example: y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1].
     *
     *            pred 0  pred 1  pred 2   support
     *   true 0      1       0       0        1
     *   true 1      1       0       0        1
     *   true 2      0       1       2        3
     *   predicted   2       1       2
     *
     * class 0: P = 1/2, R = 1/1, F1 = 2*1 / (2*1 + 1 + 0) = 2/3
     * class 1: P = 0/1, R = 0/1, F1 = 0
     * class 2: P = 2/2, R = 2/3, F1 = 2*2 / (2*2 + 0 + 1) = 4/5
     * accuracy 3/5; macro P = 1/2, R = 5/9, F1 = (2/3 + 4/5) / 3 = 22/45
     * weighted P = (1/2 + 0 + 3) / 5 = 7/10, R = 3/5, F1 = (2/3 + 0 + 12/5) / 5 = 46/75
     */
    static ConfusionMatrix sklearnExample() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.add(new int[] {0, 1, 2, 2, 2}, new int[] {0, 0, 2, 2, 1});
        return cm;
    }

    @Test
    void metricsMatchTheHandWorkedExample() {
        ConfusionMatrix cm = sklearnExample();
        assertArrayEquals(new long[][] {{1, 0, 0}, {1, 0, 0}, {0, 1, 2}}, cm.counts());
        assertEquals(5, cm.total());
        assertEquals(3, cm.correct());
        assertEquals(0.6, cm.accuracy(), TOL);
        double[] precision = {0.5, 0, 1};
        double[] recall = {1, 0, 2.0 / 3};
        double[] f1 = {2.0 / 3, 0, 0.8};
        long[] support = {1, 1, 3};
        for (int c = 0; c < 3; c++) {
            assertEquals(precision[c], cm.precision(c), TOL, "precision " + c);
            assertEquals(recall[c], cm.recall(c), TOL, "recall " + c);
            assertEquals(f1[c], cm.f1(c), TOL, "f1 " + c);
            assertEquals(support[c], cm.support(c), "support " + c);
        }
        assertEquals(0.5, cm.macroPrecision(), TOL);
        assertEquals(5.0 / 9, cm.macroRecall(), TOL);
        assertEquals(22.0 / 45, cm.macroF1(), TOL);
        assertEquals(0.7, cm.weightedPrecision(), TOL);
        assertEquals(0.6, cm.weightedRecall(), TOL);
        assertEquals(46.0 / 75, cm.weightedF1(), TOL);
    }

    @Test
    void undefinedRatiosAreZeroAsScikitLearnsZeroDivision() {
        // sklearn's f1_score example: y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1]
        // gives f1 [0.8, 0, 0], macro 0.2667, weighted 0.2667.
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.add(new int[] {0, 1, 2, 0, 1, 2}, new int[] {0, 2, 1, 0, 0, 1});
        assertEquals(0.8, cm.f1(0), TOL);
        assertEquals(0.0, cm.f1(1), TOL);
        assertEquals(0.0, cm.f1(2), TOL);
        assertEquals(0.8 / 3, cm.macroF1(), TOL);
        assertEquals(0.8 / 3, cm.weightedF1(), TOL);

        // Class 1 has no samples and is never predicted: precision, recall and F1 are 0/0 -> 0,
        // and it pulls the macro average down (sklearn with labels=[0, 1]) but not the weighted one.
        ConfusionMatrix absent = new ConfusionMatrix(2);
        absent.add(new int[] {0, 0}, new int[] {0, 0});
        assertEquals(0.0, absent.precision(1));
        assertEquals(0.0, absent.recall(1));
        assertEquals(0.0, absent.f1(1));
        assertEquals(0.5, absent.macroF1(), TOL);
        assertEquals(1.0, absent.weightedF1(), TOL);

        ConfusionMatrix empty = new ConfusionMatrix(4);
        assertEquals(0.0, empty.accuracy());
        assertEquals(0.0, empty.macroF1());
        assertEquals(0.0, empty.weightedF1());
        assertArrayEquals(new double[4], empty.rowNormalized()[2]);
    }

    @Test
    void rowNormalizedHoldsTheRecallOnItsDiagonal() {
        double[][] n = sklearnExample().rowNormalized();
        assertArrayEquals(new double[] {1, 0, 0}, n[0], TOL);
        assertArrayEquals(new double[] {1, 0, 0}, n[1], TOL);
        assertArrayEquals(new double[] {0, 1.0 / 3, 2.0 / 3}, n[2], TOL);
    }

    @Test
    void addScoresPredictsTheFirstArgmax() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.addScores(new int[] {2, 0, 1}, new float[] {
            0.1f, 0.2f, 0.7f,   // -> 2
            0.4f, 0.4f, 0.2f,   // tie -> 0
            -3f, -1f, -2f});    // logits -> 1
        assertEquals(3, cm.correct());
        assertEquals("scores must be [N, K] = [2, 3] (6 values), got 5",
                message(() -> cm.addScores(new int[] {0, 1}, new float[5])));
    }

    @Test
    void mergeAddsCountsAndCopiesAreIndependent() {
        ConfusionMatrix a = sklearnExample();
        ConfusionMatrix copy = a.copy();
        a.merge(sklearnExample());
        assertEquals(10, a.total());
        assertEquals(2, a.count(2, 1));
        assertEquals(5, copy.total());
        assertEquals(sklearnExample(), copy);
        long[][] counts = copy.counts();
        counts[0][0] = 99;
        assertEquals(1, copy.count(0, 0));
        assertEquals(copy, ConfusionMatrix.of(sklearnExample().counts()));
    }

    @Test
    void badInputFailsNamingTheProblem() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        assertEquals("true label 3 outside [0, 3)", message(() -> cm.add(3, 0)));
        assertEquals("predicted label -1 outside [0, 3)", message(() -> cm.add(0, -1)));
        assertEquals("trueLabels has 2 labels but predicted has 1", message(() -> cm.add(new int[2], new int[1])));
        assertEquals("numClasses must be > 0, got 0", message(() -> new ConfusionMatrix(0)));
        assertEquals("cannot merge a confusion matrix of 2 classes into one of 3",
                message(() -> cm.merge(new ConfusionMatrix(2))));
        assertEquals("confusion matrix must be square: row 1 has 1 counts, expected 2",
                message(() -> ConfusionMatrix.of(new long[][] {{1, 2}, {3}})));
        assertEquals("count (0, 1) must be >= 0, got -2",
                message(() -> ConfusionMatrix.of(new long[][] {{1, -2}, {3, 4}})));
        assertEquals("need 3 class names, got 2: [a, b]", message(() -> cm.format(List.of("a", "b"))));
    }

    @Test
    void formatsTheCountsWithClassNames() {
        ConfusionMatrix cm = ConfusionMatrix.of(new long[][] {{8, 2}, {1, 9}});
        assertEquals("""
                true \\ pred  happy  sad
                      happy      8    2
                        sad      1    9
                """, cm.format(List.of("happy", "sad")));
        assertEquals("""
                true \\ pred  happy   sad
                      happy   0.80  0.20
                        sad   0.10  0.90
                """, cm.formatNormalized(List.of("happy", "sad"), 2));
    }

    static String message(Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }
}
