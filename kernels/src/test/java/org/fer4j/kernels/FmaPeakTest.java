package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The peak is measured, never asserted: these check that it runs and what it counts. */
class FmaPeakTest {
    @Test
    void measuresAPositiveRateWhenTheVectorModuleIsThere() {
        double gflops = FmaPeak.measure(0.02, 0.05);
        if (KernelsProvider.vectorUnavailableReason() == null) {
            assertTrue(gflops > 0 && Double.isFinite(gflops), "peak " + gflops);
        } else {
            assertTrue(Double.isNaN(gflops), "no Vector API, no peak: " + gflops);
        }
    }

    @Test
    void theLoopCountsTwelveChainsOfFmasOverEveryLane() {
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        assertEquals(2L * 12 * lanes * 1000, VectorFmaLoop.flopPerCall(1000));
        // Twelve chains acc = acc * x + y started at k * y (k = 1..12): with x = 1 each gains y per
        // iteration, so after n iterations the lanes hold (k + n) * y.
        float y = 0.5f;
        int n = 10;
        float expected = 0;
        for (int k = 1; k <= 12; k++) {
            expected += (k + n) * y;
        }
        assertEquals(expected * lanes, VectorFmaLoop.run(1f, y, n), 1e-3f);
    }

    @Test
    void rejectsNonsenseDurations() {
        assertThrows(IllegalArgumentException.class, () -> FmaPeak.measure(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> FmaPeak.measure(0, 0));
        assertThrows(IllegalArgumentException.class, () -> FmaPeak.measure(0, Double.NaN));
    }
}
