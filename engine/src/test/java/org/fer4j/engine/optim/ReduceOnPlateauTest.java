package org.fer4j.engine.optim;

import static org.fer4j.engine.optim.LrScheduleTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fer4j.engine.optim.ReduceOnPlateau.Mode;
import org.junit.jupiter.api.Test;

/** Keras' ReduceLROnPlateau semantics, epoch by epoch. */
class ReduceOnPlateauTest {
    private static final double TOL = 1e-9;

    /** Feeds {@code values} one epoch each and returns the rate in force after each. */
    private static float[] run(ReduceOnPlateau s, double... values) {
        float[] lrs = new float[values.length];
        for (int e = 0; e < values.length; e++) {
            s.observe(e, values[e]);
            lrs[e] = s.learningRate(e + 1);
        }
        return lrs;
    }

    @Test
    void reducesAfterPatienceEpochsWithoutImprovement() {
        ReduceOnPlateau s = new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 2, 0, 0, 0f);
        assertEquals(0.1f, s.learningRate(0));
        //                    best    best    wait 1  wait 2: x0.5  wait 1  best    wait 1  wait 2: x0.5
        float[] lrs = run(s, 1.0,    0.9,    0.95,   0.92,         0.91,   0.85,   0.9,    0.86);
        assertEquals(0.1f, lrs[2]);
        assertEquals(0.05f, lrs[3]);
        assertEquals(0.05f, lrs[5]);
        assertEquals(0.05f, lrs[6]);
        assertEquals(0.025f, lrs[7]);
        assertEquals(0.85, s.best(), TOL);
        assertTrue(s.monitorsMetric());
    }

    @Test
    void improvementsSmallerThanMinDeltaDoNotCount() {
        ReduceOnPlateau s = new ReduceOnPlateau(0.1f, Mode.MIN, 0.1f, 1, 0.1, 0, 0f);
        // 0.95 is below 1.0 but not below 1.0 - 0.1: no improvement, patience 1 runs out.
        float[] lrs = run(s, 1.0, 0.95);
        assertEquals(0.1f, lrs[0]);
        assertEquals(0.01, lrs[1], TOL);
        assertEquals(1.0, s.best(), TOL);
    }

    @Test
    void cooldownDecrementsBeforeJudgingAsKerasDoes() {
        // Patience 1 on a flat curve: without cooldown every epoch after the first reduces; with
        // cooldown 2 the epoch right after a reduction is ignored and the next one reduces again.
        float[] noCooldown = run(new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 1, 0, 0, 0f), 1, 1, 1, 1);
        assertEquals(0.1f, noCooldown[0]);
        assertEquals(0.05f, noCooldown[1]);
        assertEquals(0.025f, noCooldown[2]);
        assertEquals(0.0125f, noCooldown[3]);

        float[] cooldown = run(new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 1, 0, 2, 0f), 1, 1, 1, 1, 1, 1);
        assertEquals(0.1f, cooldown[0]);
        assertEquals(0.05f, cooldown[1]);   // reduce, cooldown 2
        assertEquals(0.05f, cooldown[2]);   // cooldown 2 -> 1: ignored
        assertEquals(0.025f, cooldown[3]);  // cooldown 1 -> 0, counted: reduce
        assertEquals(0.025f, cooldown[4]);
        assertEquals(0.0125f, cooldown[5]);
    }

    @Test
    void anImprovementDuringCooldownBecomesTheNewBest() {
        ReduceOnPlateau s = new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 1, 0, 3, 0f);
        run(s, 1.0, 1.0, 0.5);
        assertEquals(0.05f, s.learningRate(3));
        assertEquals(0.5, s.best(), TOL);
    }

    @Test
    void neverGoesBelowMinLr() {
        ReduceOnPlateau s = new ReduceOnPlateau(0.1f, Mode.MIN, 0.1f, 1, 0, 0, 0.005f);
        float[] lrs = run(s, 1, 1, 1, 1, 1);
        assertEquals(0.01, lrs[1], TOL);
        assertEquals(0.005f, lrs[2]);
        assertEquals(0.005f, lrs[3]);
        assertEquals(0.005f, lrs[4]);
    }

    @Test
    void maxModeWatchesAMetricThatShouldRise() {
        ReduceOnPlateau s = new ReduceOnPlateau(0.1f, Mode.MAX, 0.5f, 1, 0, 0, 0f);
        float[] lrs = run(s, 0.5, 0.6, 0.55);
        assertEquals(0.1f, lrs[1]);
        assertEquals(0.05f, lrs[2]);
        assertEquals(0.6, s.best(), TOL);
    }

    @Test
    void nanNeverImproves() {
        ReduceOnPlateau s = new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 1, 0, 0, 0f);
        float[] lrs = run(s, Double.NaN);
        assertEquals(0.05f, lrs[0]);
        assertFalse(s.state().containsKey("best"), "no value seen yet: best is left out");
    }

    @Test
    void stateRoundTripContinuesExactlyEvenThroughJsonNumbers() {
        ReduceOnPlateau original = new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 2, 0, 2, 0f);
        run(original, 1.0, 1.0, 1.0, 1.0);   // reduced at epoch 2, epoch 3 in cooldown
        Map<String, Object> json = new LinkedHashMap<>();
        original.state().forEach((k, v) -> json.put(k, v instanceof Integer i ? (Object) i.longValue()
                : Double.parseDouble(v.toString())));

        ReduceOnPlateau resumed = new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 2, 0, 2, 0f);
        resumed.loadState(json);
        assertEquals(original.state(), resumed.state());
        double[] next = {1.0, 1.0, 0.9, 1.0, 1.0, 1.0};
        float[] a = run(original, next);
        float[] b = run(resumed, next);
        assertEquals(Arrays.toString(a), Arrays.toString(b));
    }

    @Test
    void resetForgetsEverything() {
        ReduceOnPlateau s = new ReduceOnPlateau(0.1f, 0.5f, 0);
        run(s, 1.0, 2.0);
        s.reset();
        assertEquals(0.1f, s.learningRate(0));
        assertEquals(Double.POSITIVE_INFINITY, s.best());
    }

    @Test
    void invalidSettingsAndStateFailNamingTheParameter() {
        assertEquals("factor must be in (0, 1), got 1.0", message(() -> new ReduceOnPlateau(0.1f, 1f, 5)));
        assertEquals("patience must be >= 0, got -1", message(() -> new ReduceOnPlateau(0.1f, 0.5f, -1)));
        assertEquals("minDelta must be >= 0, got -0.1",
                message(() -> new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 1, -0.1, 0, 0f)));
        assertEquals("cooldown must be >= 0, got -2",
                message(() -> new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 1, 0, -2, 0f)));
        assertEquals("minLr must be in [0, initialLr = 0.1), got 0.1",
                message(() -> new ReduceOnPlateau(0.1f, Mode.MIN, 0.5f, 1, 0, 0, 0.1f)));
        assertEquals("initialLr must be > 0, got 0.0", message(() -> new ReduceOnPlateau(0f, 0.5f, 1)));
        ReduceOnPlateau s = new ReduceOnPlateau(0.1f, 0.5f, 1);
        assertTrue(message(() -> s.loadState(Map.of("lr", 0.1, "patience", 3))).contains("unknown key 'patience'"));
        assertEquals("ReduceOnPlateau state: 'wait' must be a number, got null",
                message(() -> s.loadState(Map.of("lr", 0.1, "cooldown_counter", 0))));
    }
}
