package org.fer4j.engine.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Identities that hold for every confusion matrix, checked on random labels. */
class ConfusionMatrixProperties {
    private static final double TOL = 1e-12;

    record Labels(int k, int[] truth, int[] predicted) {
        ConfusionMatrix matrix() {
            ConfusionMatrix cm = new ConfusionMatrix(k);
            cm.add(truth, predicted);
            return cm;
        }
    }

    @Provide
    Arbitrary<Labels> labels() {
        return Arbitraries.integers().between(1, 6).flatMap(k ->
                Arbitraries.integers().between(0, 120).flatMap(n -> Combinators.combine(
                                Arbitraries.integers().between(0, k - 1).array(int[].class).ofSize(n),
                                Arbitraries.integers().between(0, k - 1).array(int[].class).ofSize(n))
                        .as((t, p) -> new Labels(k, t, p))));
    }

    @Property
    void accuracyIsTheTraceOverTheTotal(@ForAll("labels") Labels l) {
        long hits = 0;
        for (int i = 0; i < l.truth().length; i++) {
            hits += l.truth()[i] == l.predicted()[i] ? 1 : 0;
        }
        ConfusionMatrix cm = l.matrix();
        assertEquals(hits, cm.correct());
        assertEquals(l.truth().length == 0 ? 0.0 : (double) hits / l.truth().length, cm.accuracy(), TOL);
    }

    /** Support-weighted recall is sum_c tp_c / total: the accuracy. */
    @Property
    void weightedRecallIsTheAccuracy(@ForAll("labels") Labels l) {
        ConfusionMatrix cm = l.matrix();
        assertEquals(cm.accuracy(), cm.weightedRecall(), TOL);
    }

    @Property
    void everyAverageIsAFraction(@ForAll("labels") Labels l) {
        ConfusionMatrix cm = l.matrix();
        for (double v : new double[] {cm.accuracy(), cm.macroPrecision(), cm.macroRecall(), cm.macroF1(),
                cm.weightedPrecision(), cm.weightedRecall(), cm.weightedF1()}) {
            assertTrue(v >= 0 && v <= 1 + TOL, "value " + v + " for " + cm);
        }
    }

    /** A harmonic mean lies between its two terms (and is 0 when either is). */
    @Property
    void f1LiesBetweenPrecisionAndRecall(@ForAll("labels") Labels l) {
        ConfusionMatrix cm = l.matrix();
        for (int c = 0; c < l.k(); c++) {
            double p = cm.precision(c);
            double r = cm.recall(c);
            assertTrue(cm.f1(c) >= Math.min(p, r) - TOL && cm.f1(c) <= Math.max(p, r) + TOL,
                    "class " + c + ": p " + p + ", r " + r + ", f1 " + cm.f1(c));
        }
    }

    @Property
    void rowAndColumnSumsBothAddUpToTheTotal(@ForAll("labels") Labels l) {
        ConfusionMatrix cm = l.matrix();
        long supports = 0;
        long predictions = 0;
        for (int c = 0; c < l.k(); c++) {
            supports += cm.support(c);
            predictions += cm.predicted(c);
        }
        assertEquals(l.truth().length, cm.total());
        assertEquals(cm.total(), supports);
        assertEquals(cm.total(), predictions);
    }

    @Property
    void normalizedRowsSumToOneOrAreEmpty(@ForAll("labels") Labels l) {
        ConfusionMatrix cm = l.matrix();
        double[][] rows = cm.rowNormalized();
        for (int c = 0; c < l.k(); c++) {
            double sum = Arrays.stream(rows[c]).sum();
            assertEquals(cm.support(c) == 0 ? 0.0 : 1.0, sum, 1e-9, "row " + c);
            assertEquals(cm.recall(c), rows[c][c], TOL);
        }
    }

    @Property
    void mergingTheHalvesGivesTheWhole(@ForAll("labels") Labels l) {
        int half = l.truth().length / 2;
        ConfusionMatrix first = new ConfusionMatrix(l.k());
        first.add(Arrays.copyOfRange(l.truth(), 0, half), Arrays.copyOfRange(l.predicted(), 0, half));
        ConfusionMatrix second = new ConfusionMatrix(l.k());
        second.add(Arrays.copyOfRange(l.truth(), half, l.truth().length),
                Arrays.copyOfRange(l.predicted(), half, l.predicted().length));
        assertEquals(l.matrix(), first.merge(second));
    }

    /** Perfect predictions: every present class scores 1, every absent class 0. */
    @Property
    void perfectPredictionsScoreOneOnThePresentClasses(@ForAll("labels") Labels l) {
        ConfusionMatrix cm = new ConfusionMatrix(l.k());
        cm.add(l.truth(), l.truth());
        long present = Arrays.stream(l.truth()).distinct().count();
        double expected = l.truth().length == 0 ? 0 : 1;
        assertEquals(expected, cm.accuracy(), TOL);
        assertEquals(expected, cm.weightedF1(), TOL);
        assertEquals((double) present / l.k(), cm.macroF1(), TOL);
    }
}
