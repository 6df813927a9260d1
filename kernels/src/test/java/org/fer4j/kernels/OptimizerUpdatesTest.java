package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * SGD and Adam updates against values worked out by hand, three steps each; the working is in
 * the comments ({@code g'} is the gradient after L2 decay). Float arithmetic stays within 1e-6 of
 * these exact values at this scale.
 */
class OptimizerUpdatesTest {

    private static final float TOL = 2e-6f;

    private final Kernels kernels = TestSupport.kernels();

    @Test
    void plainSgd() {
        // lr 0.1, no momentum, no decay, g = 0.5 each step: w = 1 - 0.05 t -> 0.95, 0.90, 0.85.
        float[] w = {1f};
        float[] g = {0.5f};
        float[] expected = {0.95f, 0.90f, 0.85f};
        for (float e : expected) {
            kernels.sgdUpdate(w, g, null, 1, 0.1f, 0f, 0f, false);
            assertEquals(e, w[0], TOL);
        }
    }

    @Test
    void sgdWithMomentumAndWeightDecay() {
        // lr 0.1, momentum 0.9, weightDecay 0.01; v starts at 0; g stays [0.5, 0].
        //          w[0]: g' = 0.5 + 0.01 w                v = 0.9 v + g'              w -= 0.1 v
        // step 1:  g' = 0.51                               v = 0.51                    w = 0.949
        // step 2:  g' = 0.50949                            v = 0.459 + 0.50949
        //                                                    = 0.96849                 w = 0.852151
        // step 3:  g' = 0.50852151                         v = 0.871641 + 0.50852151
        //                                                    = 1.38016251              w = 0.714134749
        //          w[1] (g = 0, decay alone, from -2):
        // step 1:  g' = -0.02                              v = -0.02                   w = -1.998
        // step 2:  g' = -0.01998                           v = -0.018 - 0.01998
        //                                                    = -0.03798                w = -1.994202
        // step 3:  g' = -0.01994202                        v = -0.034182 - 0.01994202
        //                                                    = -0.05412402             w = -1.988789598
        float[] w = {1f, -2f};
        float[] g = {0.5f, 0f};
        float[] v = new float[2];
        float[][] expectedW = {{0.949f, -1.998f}, {0.852151f, -1.994202f}, {0.714134749f, -1.988789598f}};
        float[][] expectedV = {{0.51f, -0.02f}, {0.96849f, -0.03798f}, {1.38016251f, -0.05412402f}};
        for (int step = 0; step < 3; step++) {
            kernels.sgdUpdate(w, g, v, 2, 0.1f, 0.9f, 0.01f, false);
            assertArrayEquals(expectedW[step], w, TOL, "w after step " + (step + 1));
            assertArrayEquals(expectedV[step], v, TOL, "v after step " + (step + 1));
        }
        assertArrayEquals(new float[] {0.5f, 0f}, g, "the gradient is not modified");
    }

    @Test
    void sgdNesterov() {
        // As above, but w -= 0.1 (g' + 0.9 v); v follows the same recurrence.
        //          w[0]                                                          w[1]
        // step 1:  g' = 0.51, v = 0.51;   w = 1 - 0.1 (0.51 + 0.459) = 0.9031    g' = -0.02, v = -0.02;
        //                                                                        w = -2 + 0.1 (0.02 + 0.018) = -1.9962
        // step 2:  g' = 0.5 + 0.009031 = 0.509031, v = 0.459 + 0.509031 = 0.968031;
        //          w = 0.9031 - 0.1 (0.509031 + 0.8712279) = 0.76507411
        //          g' = -0.019962, v = -0.018 - 0.019962 = -0.037962;
        //          w = -1.9962 + 0.1 (0.019962 + 0.0341658) = -1.99078722
        // step 3:  g' = 0.5076507411, v = 0.8712279 + 0.5076507411 = 1.3788786411;
        //          w = 0.76507411 - 0.1 (0.5076507411 + 1.240990777) = 0.5902099582
        //          g' = -0.0199078722, v = -0.0341658 - 0.0199078722 = -0.0540736722;
        //          w = -1.99078722 + 0.1 (0.0199078722 + 0.048666305) = -1.983929802
        float[] w = {1f, -2f};
        float[] g = {0.5f, 0f};
        float[] v = new float[2];
        float[][] expectedW = {{0.9031f, -1.9962f}, {0.76507411f, -1.99078722f}, {0.5902099582f, -1.983929802f}};
        for (int step = 0; step < 3; step++) {
            kernels.sgdUpdate(w, g, v, 2, 0.1f, 0.9f, 0.01f, true);
            assertArrayEquals(expectedW[step], w, TOL, "w after step " + (step + 1));
        }
    }

    @Test
    void sgdWithMomentumNeedsAVelocity() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> kernels.sgdUpdate(new float[2], new float[2], null, 2, 0.1f, 0.9f, 0f, false));
        assertTrue(e.getMessage().startsWith("sgdUpdate: velocity is null"), e.getMessage());
    }

    @Test
    void adamWithBiasCorrection() {
        // lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8, no decay; w = 1; g = 0.5, -0.25, 0.125.
        // step 1: m = 0.1 * 0.5 = 0.05              v = 0.001 * 0.25 = 0.00025
        //         mhat = 0.05 / 0.1 = 0.5           vhat = 0.00025 / 0.001 = 0.25, sqrt 0.5
        //         w = 1 - 0.1 * 0.5 / 0.5 = 0.9     (the first step is always lr * sign(g))
        // step 2: m = 0.045 - 0.025 = 0.02          v = 0.00024975 + 0.0000625 = 0.00031225
        //         mhat = 0.02 / 0.19 = 0.1052631579 vhat = 0.00031225 / 0.001999 = 0.1562031016, sqrt 0.3952253807
        //         w = 0.9 - 0.1 * 0.2663370133 = 0.8733662987
        // step 3: m = 0.018 + 0.0125 = 0.0305       v = 0.00031193775 + 0.000015625 = 0.00032756275
        //         mhat = 0.0305 / 0.271 = 0.1125461255
        //         vhat = 0.00032756275 / 0.002997001 = 0.1092968437, sqrt 0.3306007316
        //         w = 0.8733662987 - 0.1 * 0.3404291380 = 0.8393233849
        float[] w = {1f};
        float[] m = new float[1];
        float[] v = new float[1];
        float[] grads = {0.5f, -0.25f, 0.125f};
        float[] expectedW = {0.9f, 0.8733662987f, 0.8393233849f};
        float[] expectedM = {0.05f, 0.02f, 0.0305f};
        float[] expectedV = {0.00025f, 0.00031225f, 0.00032756275f};
        for (int t = 1; t <= 3; t++) {
            kernels.adamUpdate(w, new float[] {grads[t - 1]}, m, v, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, t);
            assertEquals(expectedW[t - 1], w[0], TOL, "w at t = " + t);
            // 1 - 0.999f is 0.00099998713, not 0.001: the moments carry that 1.3e-5 relative offset
            // (the bias correction divides the same offset out again, so w does not).
            assertEquals(expectedM[t - 1], m[0], 1e-6f * expectedM[t - 1], "m at t = " + t);
            assertEquals(expectedV[t - 1], v[0], 3e-5f * expectedV[t - 1], "v at t = " + t);
        }
    }

    @Test
    void adamWDecaysTheWeightOutsideTheMoments() {
        // AdamW, lr 0.1, weightDecay 0.1, g = 0.5 every step (so mhat = 0.5 and vhat = 0.25 at
        // every t: each Adam step is exactly -0.1). Per step: w -= 0.1 * 0.1 * w, then w -= 0.1.
        // step 1: w = 0.99 - 0.1 = 0.89
        // step 2: w = 0.89 * 0.99 - 0.1 = 0.8811 - 0.1 = 0.7811
        // step 3: w = 0.7811 * 0.99 - 0.1 = 0.773289 - 0.1 = 0.673289
        float[] w = {1f};
        float[] g = {0.5f};
        float[] m = new float[1];
        float[] v = new float[1];
        float[] expected = {0.89f, 0.7811f, 0.673289f};
        for (int t = 1; t <= 3; t++) {
            kernels.adamUpdate(w, g, m, v, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0.1f, true, t);
            assertEquals(expected[t - 1], w[0], TOL, "w at t = " + t);
        }
    }

    @Test
    void adamWithL2DecayFeedsItThroughTheMoments() {
        // Adam + L2, lr 0.1, weightDecay 0.1, g = 0.5: g' = 0.5 + 0.1 w.
        // step 1: g' = 0.6, m = 0.06, v = 0.00036, mhat = 0.6, vhat = 0.36, sqrt 0.6; w = 1 - 0.1 = 0.9
        // step 2: g' = 0.59, m = 0.054 + 0.059 = 0.113, v = 0.00035964 + 0.0003481 = 0.00070774
        //         mhat = 0.113 / 0.19 = 0.5947368421, vhat = 0.00070774 / 0.001999 = 0.3540470235,
        //         sqrt 0.5950185069; w = 0.9 - 0.1 * 0.9995265952 = 0.8000473405
        // (With decoupled decay instead, step 2 would give 0.7811: the two are not the same thing.)
        float[] w = {1f};
        float[] g = {0.5f};
        float[] m = new float[1];
        float[] v = new float[1];
        float[] expected = {0.9f, 0.8000473405f};
        for (int t = 1; t <= 2; t++) {
            kernels.adamUpdate(w, g, m, v, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0.1f, false, t);
            assertEquals(expected[t - 1], w[0], TOL, "w at t = " + t);
        }
        assertEquals(0.5f, g[0], "the gradient is not modified");
    }

    @Test
    void adamStepMustBePositive() {
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.adamUpdate(new float[1],
                new float[1], new float[1], new float[1], 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, 0));
        assertEquals("adamUpdate: t must be >= 1, got 0", e.getMessage());
    }
}
