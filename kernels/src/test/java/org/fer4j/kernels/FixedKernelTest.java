package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#fixKernel} on the vector backend: the forms it keeps (the packed kernel of the
 * direct path, Winograd's U for F(2x2) and F(4x4)) give the bits of a call that derives them
 * afresh, pooled or not, at batch 1 and more; and they are kept, which the test shows by writing
 * to the kernel after fixing it (what the contract forbids): the backend goes on computing with
 * the old values, so a backend that ignored fixKernel fails here.
 */
class FixedKernelTest {

    private Winograd.Variant savedVariant;

    @BeforeEach
    void remember() {
        savedVariant = Winograd.variant();
    }

    @AfterEach
    void restore() {
        Winograd.setVariant(savedVariant);
    }

    /** The path a variant takes for a 16-channel 3x3 convolution: OFF is the direct GEMM. */
    @ParameterizedTest
    @EnumSource(value = Winograd.Variant.class, names = {"OFF", "F2", "F4"})
    void keptFormsGiveTheSameBitsAndAreKept(Winograd.Variant variant) {
        Winograd.setVariant(variant);
        ConvGeometry g = ConvGeometry.of(16, 24, 24, 24, 3, 3, 1, 1, 1, 1, 1, 1);
        for (int images : new int[] {1, 3}) {
            for (boolean pooled : new boolean[] {false, true}) {
                Random random = new Random(images * 31 + (pooled ? 1 : 0));
                float[] img = TestSupport.uniform(random, images * g.imageSize());
                float[] kernel = TestSupport.uniform(random, g.kernelSize());
                float[] bias = TestSupport.uniform(random, g.filters());
                float[] fresh = run(new VectorKernels(new VectorGemm()), g, images, img, kernel, bias, pooled);

                Kernels fixing = new VectorKernels(new VectorGemm());
                fixing.fixKernel(kernel);
                String what = variant + ", " + images + " images" + (pooled ? ", pooled" : "");
                assertArrayEquals(fresh, run(fixing, g, images, img, kernel, bias, pooled), what + ": first call");
                // A second fixed kernel, as the next layer of a model, between two calls of the first:
                // each keeps forms of its own (a shared workspace in their place fails here).
                ConvGeometry next = ConvGeometry.of(16, 24, 24, 8, 3, 3, 1, 1, 1, 1, 1, 1);  // smaller: no buffer grows
                float[] other = TestSupport.uniform(random, next.kernelSize());
                fixing.fixKernel(other);
                float[] otherFresh = run(new VectorKernels(new VectorGemm()), next, images, img, other, null, pooled);
                assertArrayEquals(otherFresh, run(fixing, next, images, img, other, null, pooled), what + ": another kernel");
                assertArrayEquals(fresh, run(fixing, g, images, img, kernel, bias, pooled), what + ": kept forms");

                float[] old = kernel.clone();
                Arrays.fill(kernel, 0.25f);
                float[] changed = run(new VectorKernels(new VectorGemm()), g, images, img, kernel, bias, pooled);
                assertFalse(Arrays.equals(fresh, changed), what);
                assertArrayEquals(fresh, run(fixing, g, images, img, kernel, bias, pooled),
                        what + ": a fixed kernel's forms are kept, so writing to it afterwards changes nothing");
                System.arraycopy(old, 0, kernel, 0, old.length);
            }
        }
    }

    @Test
    void threadsThatFirstUseAFixedKernelTogetherGetOneForm() throws Exception {
        Winograd.setVariant(Winograd.Variant.F2);
        ConvGeometry g = ConvGeometry.of(16, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        Random random = new Random(9);
        float[] img = TestSupport.uniform(random, g.imageSize());
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        float[] expected = run(new VectorKernels(new VectorGemm()), g, 1, img, kernel, null, false);
        Kernels fixing = new VectorKernels(new VectorGemm());
        fixing.fixKernel(kernel);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> run(fixing, g, 1, img, kernel, null, false)));
            }
            for (Future<float[]> r : results) {
                assertArrayEquals(expected, r.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theFacadeRefusesANullKernelAndTheReferenceKeepsNothing() {
        Kernels checked = CheckedKernels.of(new ScalarKernels());
        var e = assertThrows(IllegalArgumentException.class, () -> checked.fixKernel(null));
        assertEquals("fixKernel: kernel is null", e.getMessage());
        // The default keeps nothing: the reference computes with the kernel as it is at each call.
        ConvGeometry g = ConvGeometry.of(2, 6, 6, 3, 3, 3, 1, 1, 0, 0, 0, 0);
        Random random = new Random(3);
        float[] img = TestSupport.uniform(random, g.imageSize());
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        checked.fixKernel(kernel);
        float[] before = run(checked, g, 1, img, kernel, null, false);
        Arrays.fill(kernel, 0.5f);
        assertFalse(Arrays.equals(before, run(checked, g, 1, img, kernel, null, false)));
    }

    private static float[] run(Kernels k, ConvGeometry g, int images, float[] img, float[] kernel, float[] bias,
                               boolean pooled) {
        float[] col = new float[g.colSize()];
        if (pooled) {
            float[] y = new float[images * g.filters() * (g.outH() / 2) * (g.outW() / 2)];
            k.convForwardPooled(y, 0, img, 0, images, kernel, bias, col, g, true, 0f, new float[images * g.outputSize()]);
            return y;
        }
        float[] y = new float[images * g.outputSize()];
        k.convForward(y, 0, img, 0, images, kernel, bias, col, g, true, 0f);
        return y;
    }
}
