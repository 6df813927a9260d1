package org.fer4j.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Conv2D splits a batch over threads. Outputs and input gradients are per image, so they cannot
 * depend on the thread count; the kernel gradient sums per-thread partials in chunk order, so it
 * gives the same bits for the same thread count and agrees within float rounding across counts.
 * Runs on whichever backend the suite runs on.
 */
class Conv2DThreadsTest {
    private static final long SEED = 20261121L;

    private int saved;

    @BeforeEach
    void remember() {
        saved = Parallel.threads();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    /** Forward and backward of a fresh layer (same seed, so same weights) on {@code threads} threads. */
    private static Tensor[] run(int threads) {
        Parallel.setThreads(threads);
        Conv2D conv = GradientCheck.built(new Conv2D(6, 3, 1, Padding.SAME), SEED, 3, 11, 9);
        SplittableRandom random = new SplittableRandom(SEED);
        Tensor x = GradientCheck.randomTensor(random, 0, 7, 3, 11, 9);  // 7 images: uneven chunks
        Tensor y = conv.forward(x, Mode.TRAIN).copy();
        Tensor dy = GradientCheck.randomTensor(random, 0, y.shape());
        Tensor dx = conv.backward(dy).copy();
        Tensor dkernel = conv.params().get(0).grad().copy();
        Tensor dbias = conv.params().get(1).grad().copy();
        return new Tensor[] {y, dx, dkernel, dbias};
    }

    @Test
    void sameThreadCountGivesTheSameBits() {
        for (int threads : new int[] {1, 2, 3}) {
            Tensor[] first = run(threads);
            Tensor[] again = run(threads);
            for (int t = 0; t < first.length; t++) {
                assertArrayEquals(first[t].data(), again[t].data(), threads + " threads, tensor " + t);
            }
        }
    }

    @Test
    void otherThreadCountsAgreeWithinRounding() {
        Tensor[] one = run(1);
        for (int threads : new int[] {2, 3, 5}) {
            Tensor[] many = run(threads);
            // Per-image results: identical whatever the split.
            assertArrayEquals(one[0].data(), many[0].data(), "output on " + threads + " threads");
            assertArrayEquals(one[1].data(), many[1].data(), "input gradient on " + threads + " threads");
            assertArrayEquals(one[3].data(), many[3].data(), "bias gradient on " + threads + " threads");
            // dkernel: 7 images' sums regrouped; each term is O(1), so the difference is a few ulps.
            float[] a = one[2].data();
            float[] b = many[2].data();
            for (int i = 0; i < a.length; i++) {
                double tolerance = 16 * Math.ulp(Math.max(Math.abs(a[i]), 1f));
                assertEquals(a[i], b[i], tolerance, "dkernel[" + i + "] on " + threads + " threads");
            }
        }
    }

    @Test
    void batchOfOneUsesTheWholePoolInsideTheGemm() {
        // A single image is one chunk; the layer still computes the same thing on 1 and 3 threads.
        Parallel.setThreads(1);
        Conv2D conv = GradientCheck.built(new Conv2D(40, 3), SEED, 16, 20, 20);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 1, 16, 20, 20);
        float[] serial = conv.forward(x, Mode.EVAL).data().clone();
        Parallel.setThreads(3);
        float[] parallel = conv.forward(x, Mode.EVAL).data().clone();
        assertArrayEquals(serial, parallel);
        assertTrue(serial.length > 0);
    }
}
