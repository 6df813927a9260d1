package org.fer4j.engine.optim;

import static org.fer4j.engine.optim.TestParams.param;
import static org.fer4j.engine.optim.TestParams.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
    // Gradients [3, 4] and [12]: global norm sqrt(9 + 16 + 144) = 13.
    private final Param a = param("a", true, 0f, 0f);
    private final Param b = param("b", false, 0f);
    private final Param runningMean = Param.state("bn/mean", new Tensor(new float[] {100f}, 1));
    private final List<Param> params = List.of(a, b, runningMean);

    GradientClippingTest() {
        setGrad(a, 3f, 4f);
        setGrad(b, 12f);
    }

    @Test
    void returnsTheNormAndLeavesGradientsBelowTheLimitAlone() {
        assertEquals(13.0, GradientClipping.clipByGlobalNorm(params, 26f), 1e-12);
        assertArrayEquals(new float[] {3f, 4f}, a.grad().data());
        assertArrayEquals(new float[] {12f}, b.grad().data());
        // A norm exactly at the limit is not clipped either.
        assertEquals(13.0, GradientClipping.clipByGlobalNorm(params, 13f), 1e-12);
        assertArrayEquals(new float[] {3f, 4f}, a.grad().data());
    }

    @Test
    void scalesEveryGradientByMaxNormOverNorm() {
        // maxNorm 6.5 = norm / 2: every gradient is halved, so the direction is kept.
        assertEquals(13.0, GradientClipping.clipByGlobalNorm(params, 6.5f), 1e-12);
        assertArrayEquals(new float[] {1.5f, 2f}, a.grad().data());
        assertArrayEquals(new float[] {6f}, b.grad().data());
        assertEquals(6.5, GradientClipping.globalNorm(params), 1e-6);
        assertArrayEquals(new float[] {100f}, runningMean.value().data());
    }

    @Test
    void nonFiniteNormIsReportedAndGradientsAreLeftAlone() {
        setGrad(b, Float.POSITIVE_INFINITY);
        assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipByGlobalNorm(params, 1f));
        assertArrayEquals(new float[] {3f, 4f}, a.grad().data());
        setGrad(b, Float.NaN);
        assertTrue(Double.isNaN(GradientClipping.clipByGlobalNorm(params, 1f)));
        assertArrayEquals(new float[] {3f, 4f}, a.grad().data());
    }

    @Test
    void maxNormMustBePositive() {
        assertEquals("maxNorm must be > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(params, 0f))
                        .getMessage());
    }
}
