package org.fer4j.engine.layers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.kernels.Parallel;
import org.fer4j.kernels.Winograd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A convolution large enough for the vector backend to compute its input gradient by Winograd
 * (3x3, stride 1, 16 channels in and out, 4 images of 8x8 on 2 threads: 64 tiles), checked
 * against finite differences like every layer; and shown to have taken that path (its input
 * gradient differs in the last bits from the one with Winograd off). On the scalar run of the
 * suite the same check passes on the reference path.
 */
class Conv2DWinogradGradientTest {
    private static final long SEED = 20261202L;

    private int savedThreads;

    @BeforeEach
    void remember() {
        savedThreads = Parallel.threads();
        Parallel.setThreads(2);
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
        Winograd.setEnabled(true);
    }

    @Test
    void theInputGradientPassesTheGradientCheck() {
        Conv2D conv = GradientCheck.built(new Conv2D(16, 3, 1, Padding.SAME), SEED, 16, 8, 8);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 4, 16, 8, 8);
        GradientCheck.Report report = GradientCheck.check(conv, x, Mode.TRAIN, SEED);
        assertTrue(report.passed(), report.describe());
    }

    @Test
    void theVectorBackendTakesWinogradForIt() {
        boolean vector = KernelsProvider.get().name().equals("vector");
        float[] on = inputGradient(true);
        float[] off = inputGradient(false);
        // Vector: the two algorithms round differently; scalar: Winograd is never used.
        assertTrue(vector != Arrays.equals(on, off), "vector backend: " + vector);
        assertFalse(Arrays.equals(on, new float[on.length]), "a zero gradient");
    }

    private static float[] inputGradient(boolean winograd) {
        Winograd.setEnabled(winograd);
        Conv2D conv = GradientCheck.built(new Conv2D(16, 3, 1, Padding.SAME), SEED, 16, 8, 8);
        SplittableRandom random = new SplittableRandom(SEED);
        Tensor x = GradientCheck.randomTensor(random, 0, 4, 16, 8, 8);
        Tensor y = conv.forward(x, Mode.TRAIN);
        Tensor dy = GradientCheck.randomTensor(random, 0, y.shape());
        return conv.backward(dy).data().clone();
    }
}
