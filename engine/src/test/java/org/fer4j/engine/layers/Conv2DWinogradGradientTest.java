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
 * A convolution large enough for the vector backend to compute both its gradients by Winograd
 * (3x3, stride 1, 64 channels in, 16 filters, 4 images of 12x12 on 2 threads: 36 tiles an
 * image), checked against finite differences like every layer; and shown to have taken that
 * path (its input and kernel gradients differ in the last bits from those with Winograd off). On
 * the scalar run of the suite the same check passes on the reference path.
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
        Conv2D conv = GradientCheck.built(new Conv2D(16, 3, 1, Padding.SAME), SEED, 64, 12, 12);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 4, 64, 12, 12);
        GradientCheck.Report report = GradientCheck.check(conv, x, Mode.TRAIN, SEED);
        assertTrue(report.passed(), report.describe());
    }

    @Test
    void theVectorBackendTakesWinogradForIt() {
        boolean vector = KernelsProvider.get().name().equals("vector");
        float[][] on = gradients(true);
        float[][] off = gradients(false);
        // Vector: the two algorithms round differently; scalar: Winograd is never used.
        for (int i = 0; i < 2; i++) {
            String what = i == 0 ? "input gradient" : "kernel gradient";
            assertTrue(vector != Arrays.equals(on[i], off[i]), what + ", vector backend: " + vector);
            assertFalse(Arrays.equals(on[i], new float[on[i].length]), what + " zero");
        }
    }

    /** The input and kernel gradients of one backward pass. */
    private static float[][] gradients(boolean winograd) {
        Winograd.setEnabled(winograd);
        Conv2D conv = GradientCheck.built(new Conv2D(16, 3, 1, Padding.SAME), SEED, 64, 12, 12);
        SplittableRandom random = new SplittableRandom(SEED);
        Tensor x = GradientCheck.randomTensor(random, 0, 4, 64, 12, 12);
        Tensor y = conv.forward(x, Mode.TRAIN);
        Tensor dy = GradientCheck.randomTensor(random, 0, y.shape());
        float[] dx = conv.backward(dy).data().clone();
        return new float[][] {dx, conv.params().get(0).grad().data().clone()};
    }
}
