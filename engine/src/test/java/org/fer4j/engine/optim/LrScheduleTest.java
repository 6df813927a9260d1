package org.fer4j.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The epoch-indexed schedules: values at chosen epochs, and validation. */
class LrScheduleTest {
    private static final double TOL = 1e-7;

    @Test
    void constantIsConstant() {
        LrSchedule s = new ConstantLr(0.01f);
        assertEquals(0.01f, s.learningRate(0));
        assertEquals(0.01f, s.learningRate(1000));
        assertFalse(s.monitorsMetric());
    }

    @Test
    void stepDecayMultipliesByGammaEveryStepSizeEpochs() {
        LrSchedule s = new StepDecay(0.1f, 10, 0.5f);
        assertEquals(0.1, s.learningRate(0), TOL);
        assertEquals(0.1, s.learningRate(9), TOL);
        assertEquals(0.05, s.learningRate(10), TOL);
        assertEquals(0.05, s.learningRate(19), TOL);
        assertEquals(0.025, s.learningRate(25), TOL);
    }

    @Test
    void cosineDecayGoesFromBaseToMinAndReachesMinAtTotalEpochs() {
        LrSchedule s = new CosineDecay(0.1f, 10);
        assertEquals(0.1, s.learningRate(0), TOL);
        // Half-way the cosine term is 0: the mean of base and min.
        assertEquals(0.05, s.learningRate(5), TOL);
        // The last trained epoch, 9: 0.1 * (1 + cos(0.9 pi)) / 2 = 0.1 * (1 - 0.951057) / 2.
        assertEquals(0.00244717, s.learningRate(9), 1e-8);
        assertTrue(s.learningRate(9) > 0, "the last epoch still learns");
        assertEquals(0.0, s.learningRate(10), TOL);
        assertEquals(0.0, s.learningRate(50), TOL);
    }

    @Test
    void cosineDecayWarmsUpLinearlyToTheBaseRate() {
        // W = 2, T = 12: warmup 0.1 * 1/3, 0.1 * 2/3; then cosine over T - W = 10 epochs to 0.01.
        LrSchedule s = new CosineDecay(0.1f, 12, 0.01f, 2);
        assertEquals(0.1 / 3, s.learningRate(0), TOL);
        assertEquals(0.2 / 3, s.learningRate(1), TOL);
        assertEquals(0.1, s.learningRate(2), TOL);
        // Epoch 7 is half-way through the cosine: 0.01 + 0.09 * 0.5.
        assertEquals(0.055, s.learningRate(7), TOL);
        assertEquals(0.01, s.learningRate(12), TOL);
        for (int e = 3; e < 12; e++) {
            assertTrue(s.learningRate(e) < s.learningRate(e - 1), "decreasing after warmup, epoch " + e);
        }
    }

    @Test
    void epochIndexedSchedulesKeepNoState() {
        LrSchedule s = new StepDecay(0.1f, 3, 0.1f);
        s.observe(0, 1.0);
        assertEquals(0.1f, s.learningRate(1));
        assertEquals(Map.of(), s.state());
        s.loadState(Map.of());
        String m = message(() -> s.loadState(Map.of("lr", 0.5)));
        assertTrue(m.contains("StepDecay keeps no state"), m);
    }

    @Test
    void invalidSettingsFailNamingTheParameter() {
        assertEquals("lr must be > 0, got 0.0", message(() -> new ConstantLr(0f)));
        assertEquals("stepSize must be > 0, got 0", message(() -> new StepDecay(0.1f, 0, 0.5f)));
        assertEquals("gamma must be in (0, 1], got 1.5", message(() -> new StepDecay(0.1f, 5, 1.5f)));
        assertEquals("baseLr must be > 0, got NaN", message(() -> new CosineDecay(Float.NaN, 5)));
        assertEquals("totalEpochs must be > 0, got 0", message(() -> new CosineDecay(0.1f, 0)));
        assertEquals("minLr must be in [0, baseLr = 0.1], got 0.2", message(() -> new CosineDecay(0.1f, 10, 0.2f, 0)));
        assertEquals("warmupEpochs must be in [0, totalEpochs = 10), got 10",
                message(() -> new CosineDecay(0.1f, 10, 0f, 10)));
        assertEquals("epoch must be >= 0, got -1", message(() -> new ConstantLr(0.1f).learningRate(-1)));
    }

    static String message(Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }
}
