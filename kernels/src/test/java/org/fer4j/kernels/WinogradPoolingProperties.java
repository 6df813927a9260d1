package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * The convolution with its 2x2 max-pool fused into Winograd's output transform ({@link
 * Kernels#convForwardPooled} on the vector backend) against the two steps it replaces: the same
 * algorithm's unpooled output, then the reference's max-pool ({@link ScalarKernels#maxPoolValues}).
 * The convolution's values are computed by the same operations either way, and the pooling
 * selects one of them, so the two must agree bit for bit, not within a tolerance: on odd and even
 * output sizes (an odd last row or column is dropped), F(2x2) and F(4x4) tiles that overhang the
 * output, ties (ReLU's zeros) and NaNs (the reference keeps a window's first NaN and skips the
 * others), at an offset, leaving the floats around the pooled output untouched.
 */
class WinogradPoolingProperties {

    private final ScalarKernels ref = new ScalarKernels();
    private int savedThreads;

    @BeforeProperty
    void remember() {
        savedThreads = Parallel.threads();
    }

    @AfterProperty
    void restore() {
        Parallel.setThreads(savedThreads);
    }

    @Property(tries = 60)
    void theFusedPoolingIsTheConvolutionThenTheReferencesPool(@ForAll @IntRange(min = 1, max = 20) int channels,
                                                              @ForAll @IntRange(min = 1, max = 19) int filters,
                                                              @ForAll @IntRange(min = 2, max = 15) int outH,
                                                              @ForAll @IntRange(min = 2, max = 15) int outW,
                                                              @ForAll @IntRange(min = 0, max = 1) int pad,
                                                              @ForAll @IntRange(min = 1, max = 3) int images,
                                                              @ForAll @IntRange(min = 0, max = 2) int activation,
                                                              @ForAll @IntRange(min = 1, max = 3) int threads,
                                                              @ForAll boolean withBias, @ForAll boolean withNaN,
                                                              @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Parallel.setThreads(threads);
        ConvGeometry g = ConvGeometry.of(channels, outH + 2 - 2 * pad, outW + 2 - 2 * pad, filters, 3, 3, 1, 1,
                pad, pad, pad, pad);
        VectorGemm gemm = new VectorGemm();
        for (VectorWinograd w : new VectorWinograd[] {new VectorWinograd(gemm), new VectorWinograd4(gemm)}) {
            assertNull(mismatch(w, g, images, withBias, activation, withNaN, new Random(seed)));
        }
    }

    @Example
    void theBackendPoolsOnWinogradAndOnTheDirectPathAlike() {
        Random random = new Random(5);
        VectorKernels backend = new VectorKernels(new VectorGemm());
        // 48x48 from 16 channels (Winograd F(4x4) at 2 images), and 1 channel (the direct GEMM).
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.of(16, 48, 48, 24, 3, 3, 1, 1, 1, 1, 1, 1),
                ConvGeometry.of(1, 47, 47, 8, 3, 3, 1, 1, 0, 0, 0, 0), ConvGeometry.of(1, 48, 48, 5, 3, 3, 1, 1, 1, 1, 1, 1)}) {
            assertNull(mismatch((y, yOff, img, imgOff, n, kernel, bias, geometry, relu, slope) ->
                            backend.convForwardPooled(y, yOff, img, imgOff, n, kernel, bias, new float[geometry.colSize()],
                                    geometry, relu, slope, new float[n * geometry.outputSize()]),
                    (y, yOff, img, imgOff, n, kernel, bias, geometry, relu, slope) -> backend.convForward(y, yOff, img,
                            imgOff, n, kernel, bias, new float[geometry.colSize()], geometry, relu, slope),
                    g, 2, true, 1, true, random));
        }
    }

    @Property(tries = 40)
    void theReferencePoolsItsOwnConvolution(@ForAll @IntRange(min = 1, max = 4) int channels,
                                            @ForAll @IntRange(min = 4, max = 13) int height,
                                            @ForAll @IntRange(min = 4, max = 13) int width,
                                            @ForAll @IntRange(min = 1, max = 5) int filters,
                                            @ForAll @IntRange(min = 0, max = 1) int pad,
                                            @ForAll @IntRange(min = 1, max = 3) int images,
                                            @ForAll @IntRange(min = 0, max = 2) int activation,
                                            @ForAll boolean withNaN, @ForAll long seed) {
        // The interface's default, which the scalar and OpenCL backends run: odd sizes drop the
        // last row and column, as the reference's pool does.
        ConvGeometry g = ConvGeometry.of(channels, height, width, filters, 3, 3, 1, 1, pad, pad, pad, pad);
        assertNull(mismatch((y, yOff, img, imgOff, n, kernel, bias, geometry, relu, slope) ->
                        ref.convForwardPooled(y, yOff, img, imgOff, n, kernel, bias, new float[geometry.colSize()],
                                geometry, relu, slope, new float[n * geometry.outputSize()]),
                (y, yOff, img, imgOff, n, kernel, bias, geometry, relu, slope) -> ref.convForward(y, yOff, img,
                        imgOff, n, kernel, bias, new float[geometry.colSize()], geometry, relu, slope),
                g, images, true, activation, withNaN, new Random(seed)));
    }

    @Example
    void theCheckNoticesAPooledOutputThatLosesTheLastRowOfTiles() {
        // outH 10: F(2x2) has 5 rows of tiles, F(4x4) 3, the last covering output rows 8 and 9,
        // which make pooled row 4. A backend that drops partial rows of tiles never writes it.
        ConvGeometry g = ConvGeometry.of(16, 10, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1);
        VectorWinograd4 broken = new VectorWinograd4(new VectorGemm()) {
            @Override
            int tilesDown(int outH) {
                return outH / 4;
            }
        };
        String bad = mismatch(broken, g, 2, true, 1, false, new Random(7));
        assertNotNull(bad);
        assertEquals("pooled y[", bad.substring(0, 9), bad);
    }

    @FunctionalInterface
    private interface Forward {
        void run(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel, float[] bias,
                 ConvGeometry g, boolean relu, float slope);
    }

    private String mismatch(VectorWinograd w, ConvGeometry g, int images, boolean withBias, int activation,
                            boolean withNaN, Random random) {
        return mismatch((y, yOff, img, imgOff, n, kernel, bias, geometry, relu, slope) -> w.convForward(y, yOff, img,
                        imgOff, n, kernel, bias, geometry, relu, slope, true, null),
                (y, yOff, img, imgOff, n, kernel, bias, geometry, relu, slope) -> w.convForward(y, yOff, img,
                        imgOff, n, kernel, bias, geometry, relu, slope, false, null),
                g, images, withBias, activation, withNaN, random);
    }

    /**
     * Null when {@code pooled} writes, at an offset and nothing around it, exactly what {@code
     * unpooled} then the reference's max-pool give (activation 0: none, 1: ReLU, 2: leaky ReLU;
     * {@code withNaN}: a few input pixels NaN); else a line naming the first difference.
     */
    private String mismatch(Forward pooled, Forward unpooled, ConvGeometry g, int images, boolean withBias,
                            int activation, boolean withNaN, Random random) {
        int imgOff = 3;
        int yOff = 2;
        float[] img = TestSupport.uniform(random, imgOff + images * g.imageSize() + 1);
        if (withNaN) {
            for (int i = 0; i < 3; i++) {
                img[imgOff + random.nextInt(images * g.imageSize())] = Float.NaN;
            }
        }
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        float[] bias = withBias ? TestSupport.uniform(random, g.filters()) : null;
        boolean relu = activation > 0;
        float slope = activation == 2 ? 0.1f : 0f;
        int outH = g.outH() / 2;
        int outW = g.outW() / 2;
        int count = images * g.filters() * outH * outW;
        float[] full = new float[images * g.outputSize()];
        unpooled.run(full, 0, img, imgOff, images, kernel, bias, g, relu, slope);
        float[] expected = new float[count];
        ref.maxPoolValues(expected, full, images * g.filters(), g.outH(), g.outW(), 2, 2, 2, 2, outH, outW,
                new int[count]);
        float[] y0 = TestSupport.uniform(random, yOff + count + 3);
        float[] actual = y0.clone();
        pooled.run(actual, yOff, img, imgOff, images, kernel, bias, g, relu, slope);
        for (int i = 0; i < y0.length; i++) {
            boolean output = i >= yOff && i < yOff + count;
            float want = output ? expected[i - yOff] : y0[i];
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(want)) {
                return (output ? "pooled y[" + (i - yOff) + "] = " + actual[i] + ", expected " + want
                        : "y[" + i + "] outside the output was written: " + actual[i]) + " (" + g + ", " + images
                        + " images)";
            }
        }
        return null;
    }
}
