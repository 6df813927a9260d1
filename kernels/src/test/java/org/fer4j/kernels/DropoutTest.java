package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DropoutTest {

    private final Kernels kernels = TestSupport.kernels();

    private float[] mask(int n, float rate, long seed) {
        float[] mask = new float[n];
        kernels.dropoutMask(mask, n, rate, seed);
        return mask;
    }

    @Test
    void elementIIsTheIthDrawOfSplittableRandom() {
        // The documented derivation, checked against the JDK's SplitMix64 rather than our own copy
        // of the mixing function: u_i = top 24 bits of the i-th nextLong() of SplittableRandom(seed).
        long seed = -4242L;
        float rate = 0.37f;
        float[] mask = mask(5000, rate, seed);
        SplittableRandom reference = new SplittableRandom(seed);
        for (int i = 0; i < mask.length; i++) {
            float u = (reference.nextLong() >>> 40) * 0x1.0p-24f;
            assertEquals(u >= rate ? 1f / (1f - rate) : 0f, mask[i], "mask[" + i + "]");
        }
    }

    @Test
    void sameSeedSameMaskOtherSeedOtherMask() {
        assertArrayEquals(mask(1000, 0.5f, 1L), mask(1000, 0.5f, 1L));
        assertFalse(Arrays.equals(mask(1000, 0.5f, 1L), mask(1000, 0.5f, 2L)));
    }

    @Test
    void maskDoesNotDependOnLength() {
        // Element i depends only on (seed, i): a shorter mask is a prefix of a longer one, which is
        // what lets threads draw their own slices and still agree with a single-threaded run.
        float[] longMask = mask(1021, 0.25f, 99L);
        for (int n : new int[] {0, 1, 7, 13, 207, 1020}) {
            assertArrayEquals(Arrays.copyOf(longMask, n), mask(n, 0.25f, 99L), "n = " + n);
        }
    }

    @Test
    void fractionOfZerosIsCloseToRateAndSurvivorsAreScaled() {
        int n = 100_000;
        for (float rate : new float[] {0.1f, 0.5f, 0.8f}) {
            float[] mask = mask(n, rate, 12345L);
            float keep = 1f / (1f - rate);
            int zeros = 0;
            for (float m : mask) {
                if (m == 0f) {
                    zeros++;
                } else {
                    assertEquals(keep, m, "rate " + rate);
                }
            }
            // Binomial standard deviation sqrt(rate(1-rate)/n) <= 0.0016; allow about 6 of them.
            assertEquals(rate, zeros / (double) n, 0.01, "rate " + rate);
        }
    }

    @Test
    void rateZeroKeepsEverything() {
        float[] mask = mask(1000, 0f, 5L);
        for (float m : mask) {
            assertEquals(1f, m);
        }
    }

    @Test
    void rateOutsideZeroOneIsRejected() {
        for (float rate : new float[] {1f, -0.1f, Float.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> mask(10, rate, 0L));
            assertTrue(e.getMessage().startsWith("dropoutMask: rate must be in [0, 1)"), e.getMessage());
        }
    }
}
