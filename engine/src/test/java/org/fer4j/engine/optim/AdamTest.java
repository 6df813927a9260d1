package org.fer4j.engine.optim;

import static org.fer4j.engine.optim.TestParams.assertValues;
import static org.fer4j.engine.optim.TestParams.param;
import static org.fer4j.engine.optim.TestParams.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fer4j.engine.Param;
import org.junit.jupiter.api.Test;

/**
 * Adam and AdamW against two steps worked by hand. The betas 0.5 and 0.75 are exact in binary and
 * make the bias corrections easy to follow: {@code 1 - 0.5^t} is 0.5, 0.75 and
 * {@code 1 - 0.75^t} is 0.25, 0.4375 for t = 1, 2. Gradients: {@code g1 = [0.5, -1]},
 * {@code g2 = [0.1, 0.2]}; lr 0.1, eps 1e-8, w0 = [1, -2].
 */
class AdamTest {
    private static final double TOL = 1e-6;
    private static final float[] G1 = {0.5f, -1f};
    private static final float[] G2 = {0.1f, 0.2f};

    /*
     * Plain Adam, by hand:
     * step 1: m = 0.5 g1 = [0.25, -0.5]       v = 0.25 g1^2 = [0.0625, 0.25]
     *         mhat = m / 0.5 = g1             vhat = v / 0.25 = g1^2
     *         w -= 0.1 * g1 / |g1|            w = [0.9, -1.9]          (eps moves it by 1e-9)
     * step 2: m = 0.5 m + 0.5 g2 = [0.175, -0.15]
     *         v = 0.75 v + 0.25 g2^2 = [0.046875 + 0.0025, 0.1875 + 0.01] = [0.049375, 0.1975]
     *         mhat = m / 0.75 = [0.233333, -0.2]
     *         vhat = v / 0.4375 = [0.112857, 0.451429], sqrt = [0.335942, 0.671884]
     *         w -= 0.1 * mhat / sqrt = [0.069456, -0.029767]   w = [0.830544, -1.870233]
     */
    private static final double[] ADAM_W2 = {0.8305436057, -1.8702329736};
    private static final double[] ADAM_M2 = {0.175, -0.15};
    private static final double[] ADAM_V2 = {0.049375, 0.1975};

    @Test
    void adamMatchesTwoStepsByHand() {
        Param w = param("w", true, 1f, -2f);
        Adam adam = new Adam(List.of(w), 0.1f, 0.5f, 0.75f, 1e-8f, 0f);
        setGrad(w, G1);
        adam.step();
        assertValues(new double[] {0.9, -1.9}, w.value().data(), TOL);
        setGrad(w, G2);
        adam.step();
        assertValues(ADAM_W2, w.value().data(), TOL);
        assertValues(ADAM_M2, adam.state().get("m/w"), TOL);
        assertValues(ADAM_V2, adam.state().get("v/w"), TOL);
    }

    /*
     * Adam with L2 decay 0.5 adds 0.5 w to the gradient before the moments:
     * step 1: g' = g1 + 0.5 [1, -2] = [1, -2]; mhat = g', vhat = g'^2   w = [0.9, -1.9]
     * step 2: g' = g2 + 0.5 [0.9, -1.9] = [0.55, -0.75]
     *         m = 0.5 [0.5, -1] + 0.5 g' = [0.525, -0.875]
     *         v = 0.75 [0.25, 1] + 0.25 g'^2 = [0.263125, 0.890625]
     *         mhat = [0.7, -1.166667]  vhat = [0.601429, 2.035714]  sqrt = [0.775518, 1.426785]
     *         w -= 0.1 mhat / sqrt = [0.090262, -0.081769]     w = [0.809738, -1.818231]
     * The bias (decay = false) follows plain Adam.
     */
    @Test
    void adamWeightDecayIsL2InTheGradientAndSkipsNoDecayParams() {
        Param kernel = param("kernel", true, 1f, -2f);
        Param bias = param("bias", false, 1f, -2f);
        Adam adam = new Adam(List.of(kernel, bias), 0.1f, 0.5f, 0.75f, 1e-8f, 0.5f);
        for (float[] g : new float[][] {G1, G2}) {
            setGrad(kernel, g);
            setGrad(bias, g);
            adam.step();
        }
        assertValues(new double[] {0.8097377819, -1.8182310593}, kernel.value().data(), TOL);
        assertValues(ADAM_W2, bias.value().data(), TOL);
        assertFalse(adam.decoupled());
        assertEquals("adam", adam.type());
    }

    /*
     * AdamW with decay 0.5 first shrinks w by lr * decay = 5%, then takes the plain Adam step,
     * whose moments never see the decay:
     * step 1: w = 0.95 [1, -2] = [0.95, -1.9];      w -= 0.1 sign(g1)      w = [0.85, -1.8]
     * step 2: w = 0.95 [0.85, -1.8] = [0.8075, -1.71]; w -= [0.069456, -0.029767] (plain Adam's step 2)
     *         w = [0.738044, -1.680233]
     * The bias (decay = false) follows plain Adam.
     */
    @Test
    void adamWDecaysWeightsOutsideTheMoments() {
        Param kernel = param("kernel", true, 1f, -2f);
        Param bias = param("bias", false, 1f, -2f);
        AdamW adamW = new AdamW(List.of(kernel, bias), 0.1f, 0.5f, 0.75f, 1e-8f, 0.5f);
        for (float[] g : new float[][] {G1, G2}) {
            setGrad(kernel, g);
            setGrad(bias, g);
            adamW.step();
        }
        assertValues(new double[] {0.7380436056, -1.6802329735}, kernel.value().data(), TOL);
        assertValues(ADAM_W2, bias.value().data(), TOL);
        // The moments are plain Adam's: decay never entered them.
        assertValues(ADAM_M2, adamW.state().get("m/kernel"), TOL);
        assertValues(ADAM_V2, adamW.state().get("v/kernel"), TOL);
        assertTrue(adamW.decoupled());
        assertEquals("adamw", adamW.type());
    }

    /*
     * With a constant gradient, bias correction makes mhat = g and vhat = g^2 exactly at every
     * step, so each step moves every weight by lr in the direction of -sign(g), whatever t.
     */
    @Test
    void defaultAdamMovesByLrPerStepUnderAConstantGradient() {
        Param w = param("w", true, 1f, -2f, 0.5f);
        setGrad(w, 0.01f, -3f, 100f);
        Adam adam = new Adam(List.of(w), 0.01f);
        for (int i = 0; i < 3; i++) {
            adam.step();
        }
        assertValues(new double[] {0.97, -1.97, 0.47}, w.value().data(), TOL);
    }

    @Test
    void defaultsFollowThePaperAndPyTorch() {
        Adam adam = new Adam(List.of(param("w", true, 1f)), 1e-3f);
        assertEquals(0.9f, adam.beta1());
        assertEquals(0.999f, adam.beta2());
        assertEquals(1e-8f, adam.eps());
        assertEquals(0f, adam.weightDecay());
        assertEquals(0.01f, new AdamW(List.of(param("w", true, 1f)), 1e-3f).weightDecay());
    }

    @Test
    void loadedStateAndStepCountContinueTrainingExactly() {
        Param a = param("w", true, 1f, -2f);
        Adam first = new AdamW(List.of(a), 0.1f);
        for (float[] g : new float[][] {G1, G2}) {
            setGrad(a, g);
            first.step();
        }
        Param b = param("w", true, a.value().data());
        Adam resumed = new AdamW(List.of(b), 0.1f);
        resumed.loadState(first.steps(), first.state());

        // The third step's bias correction uses t = 3 in both: the step count travels with the state.
        setGrad(a, 0.3f, 0.3f);
        setGrad(b, 0.3f, 0.3f);
        first.step();
        resumed.step();
        assertEquals(3, resumed.steps());
        assertArrayEquals(a.value().data(), b.value().data());
        assertEquals(List.of("m/w", "v/w"), List.copyOf(resumed.state().keySet()));
    }

    @Test
    void hyperParametersAreValidatedByName() {
        List<Param> ps = List.of(param("w", true, 1f));
        assertEquals("beta1 must be in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 0.1f, 1f, 0.999f, 1e-8f, 0f))
                        .getMessage());
        assertEquals("beta2 must be in [0, 1), got -0.5",
                assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 0.1f, 0.9f, -0.5f, 1e-8f, 0f))
                        .getMessage());
        assertEquals("eps must be > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 0.1f, 0.9f, 0.999f, 0f, 0f))
                        .getMessage());
        assertEquals("weightDecay must be >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 0.1f, 0.9f, 0.999f, 1e-8f, -1f))
                        .getMessage());
    }
}
