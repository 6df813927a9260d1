package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * The vector backend's Winograd F(2x2,3x3) convolution ({@link VectorWinograd}) against the
 * reference's direct convolution ({@link ScalarKernels#convForward}), on random shapes: channels,
 * filters, odd and even sizes (below the 4x4 patch too), padding 0 or 1 on each side, several
 * images, with and without bias, with no activation, a ReLU or a leaky ReLU, on 1 to 3 threads,
 * and with the GEMM's blocking shrunk so that its K blocks cut through the channels.
 *
 * <p>The tolerance is the error bound of the algorithm, not of the direct sum: every intermediate
 * of tile (f, t) is bounded by {@code S = sum_c (sum |g_fc|)(sum |d_c|)}, the kernel's taps
 * times the tile's 4x4 input patch (the entries of G, B and A are at most 1 in magnitude), and
 * each output sums 9 of the 16 products' chains of C terms, so that {@code |winograd - exact| <=
 * 16 (C + 16) 2^-24 (S + |bias|)} leaves room; the reference is within its own, smaller, bound.
 * A wrong coefficient or a missing tile is off by a fraction of S, orders of magnitude more: the
 * planted bugs below show the check notices both.
 */
class WinogradProperties {

    private final ScalarKernels ref = new ScalarKernels();
    private int savedThreads;

    @BeforeProperty
    void remember() {
        savedThreads = Parallel.threads();
    }

    @AfterProperty
    void restore() {
        Parallel.setThreads(savedThreads);
        Winograd.setEnabled(true);
    }

    @Property(tries = 300)
    void winogradAgreesWithTheDirectConvolution(
            @ForAll @IntRange(min = 1, max = 12) int channels,
            @ForAll @IntRange(min = 1, max = 20) int filters,
            @ForAll @IntRange(min = 1, max = 13) int height,
            @ForAll @IntRange(min = 1, max = 41) int width,
            @ForAll @IntRange(min = 0, max = 1) int padTop,
            @ForAll @IntRange(min = 0, max = 1) int padLeft,
            @ForAll @IntRange(min = 0, max = 1) int padBottom,
            @ForAll @IntRange(min = 0, max = 1) int padRight,
            @ForAll @IntRange(min = 1, max = 3) int images,
            @ForAll boolean withBias,
            @ForAll @IntRange(min = 0, max = 2) int activation,
            @ForAll @IntRange(min = 1, max = 3) int threads,
            @ForAll boolean tinyBlocks,
            @ForAll long seed) {
        ConvGeometry g = ConvGeometry.of(channels, height, width, filters, 3, 3, 1, 1, padTop, padBottom, padLeft,
                padRight);
        Assume.that(g.outH() > 0 && g.outW() > 0);
        Parallel.setThreads(threads);
        VectorGemm gemm = tinyBlocks ? new VectorGemm(8, 5, 12, VectorGemm.NR) : new VectorGemm();
        assertNull(mismatch(new VectorWinograd(gemm), g, images, withBias, activation, new Random(seed)));
    }

    @Example
    void theModelZoosShapesAgree() {
        // fer-ref's second to fourth convolutions ("valid"), fer-vgg's and fer-resnet's ("same")
        int[][] shapes = {{32, 46, 46, 64, 0}, {64, 22, 22, 128, 0}, {128, 10, 10, 128, 0},
                          {32, 24, 24, 64, 1}, {64, 12, 12, 128, 1}, {128, 6, 6, 256, 1}, {256, 3, 3, 256, 1}};
        Random random = new Random(5);
        for (int[] s : shapes) {
            ConvGeometry g = ConvGeometry.of(s[0], s[1], s[2], s[3], 3, 3, 1, 1, s[4], s[4], s[4], s[4]);
            assertNull(mismatch(new VectorWinograd(new VectorGemm()), g, 2, true, 1, random), Arrays.toString(s));
        }
    }

    /** The planted bug of the edge tiles: the last, partial row of tiles is never computed. */
    private static final class NoPartialTileRow extends VectorWinograd {
        NoPartialTileRow(VectorGemm gemm) {
            super(gemm);
        }

        @Override
        int tilesDown(int outH) {
            return outH / 2;
        }
    }

    /** The planted bug of the kernel transform: G's 1/2 written as 1/4. */
    private static final class WrongCoefficient extends VectorWinograd {
        WrongCoefficient(VectorGemm gemm) {
            super(gemm);
        }

        @Override
        float half() {
            return 0.25f;
        }
    }

    @Example
    void plantedBugsAreCaught() {
        // An odd output height (7 rows: the fourth row of tiles is partial), and an even one.
        ConvGeometry odd = ConvGeometry.of(9, 7, 20, 11, 3, 3, 1, 1, 1, 1, 1, 1);
        ConvGeometry even = ConvGeometry.of(9, 8, 20, 11, 3, 3, 1, 1, 1, 1, 1, 1);
        VectorGemm gemm = new VectorGemm();
        assertNull(mismatch(new VectorWinograd(gemm), odd, 2, true, 0, new Random(1)), "control");
        assertNotNull(mismatch(new NoPartialTileRow(gemm), odd, 2, true, 0, new Random(1)), "partial tile row");
        assertNotNull(mismatch(new WrongCoefficient(gemm), even, 2, true, 0, new Random(1)), "coefficient of G");
        // And through the backend, where Winograd is chosen for this shape.
        VectorKernels broken = new VectorKernels(gemm, new WrongCoefficient(gemm));
        ConvGeometry large = ConvGeometry.of(16, 24, 24, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        assertTrue(VectorWinograd.suits(large, 2));
        assertNotNull(mismatch(broken, large, 2, false, 1, new Random(2)), "through VectorKernels");
    }

    @Example
    void theBackendTakesWinogradWhereItSuitsAndTheSwitchTurnsItOff() {
        Random random = new Random(3);
        ConvGeometry g = ConvGeometry.of(16, 24, 24, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] img = TestSupport.uniform(random, 2 * g.imageSize());
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        float[] bias = TestSupport.uniform(random, g.filters());
        VectorGemm gemm = new VectorGemm();
        VectorKernels backend = new VectorKernels(gemm);
        float[] expected = new float[2 * g.outputSize()];
        new VectorWinograd(gemm).convForward(expected, 0, img, 0, 2, kernel, bias, g, true, 0f);
        float[] direct = new float[2 * g.outputSize()];
        new VectorConv(gemm).convForward(direct, 0, img, 0, 2, kernel, bias, g, true, 0f);
        assertFalse(Arrays.equals(expected, direct), "the two algorithms round differently");
        float[] y = new float[2 * g.outputSize()];
        Winograd.setEnabled(true);
        backend.convForward(y, 0, img, 0, 2, kernel, bias, new float[g.colSize()], g, true, 0f);
        assertArrayEquals(expected, y, "Winograd on");
        Winograd.setEnabled(false);
        backend.convForward(y, 0, img, 0, 2, kernel, bias, new float[g.colSize()], g, true, 0f);
        assertArrayEquals(direct, y, "Winograd off");
        assertTrue(backend.describe().contains(", Winograd off, "), backend.describe());
        Winograd.setEnabled(true);
        assertFalse(backend.describe().contains("Winograd"), backend.describe());
        // One channel (the first layer of every model) stays on the direct path.
        assertFalse(VectorWinograd.suits(ConvGeometry.of(1, 48, 48, 32, 3, 3, 1, 1, 1, 1, 1, 1), 64));
        assertFalse(VectorWinograd.suits(ConvGeometry.of(16, 24, 24, 32, 3, 3, 2, 2, 1, 1, 1, 1), 64));
    }

    @Example
    void theSameBitsForAnyThreadCount() {
        Random random = new Random(4);
        ConvGeometry g = ConvGeometry.of(24, 13, 30, 40, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] img = TestSupport.uniform(random, 3 * g.imageSize());
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        float[] first = null;
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            float[] y = new float[3 * g.outputSize()];
            new VectorWinograd(new VectorGemm()).convForward(y, 0, img, 0, 3, kernel, null, g, false, 0f);
            if (first == null) {
                first = y;
            } else {
                assertArrayEquals(first, y, threads + " threads");
            }
        }
    }

    @Example
    void theSwitchReadsTrueOrFalseAndNamesItselfOtherwise() {
        assertTrue(Winograd.parse(null));
        assertTrue(Winograd.parse(" TRUE "));
        assertFalse(Winograd.parse("false"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Winograd.parse("yes"));
        assertEquals("-Dfer4j.winograd must be true or false, got 'yes'", e.getMessage());
    }

    private static void assertArrayEquals(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    what + ": y[" + i + "] = " + actual[i] + ", expected " + expected[i]);
        }
    }

    /** A convolution forward as {@link Kernels#convForward} takes it, less the workspace. */
    @FunctionalInterface
    private interface Forward {
        void run(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel, float[] bias,
                 ConvGeometry g, boolean relu, float slope);
    }

    private String mismatch(VectorWinograd w, ConvGeometry g, int images, boolean withBias, int activation,
                            Random random) {
        return mismatch(w::convForward, g, images, withBias, activation, random);
    }

    private String mismatch(Kernels k, ConvGeometry g, int images, boolean withBias, int activation, Random random) {
        return mismatch((y, yOff, img, imgOff, n, kernel, bias, geometry, relu, slope) -> k.convForward(y, yOff, img,
                imgOff, n, kernel, bias, new float[geometry.colSize()], geometry, relu, slope),
                g, images, withBias, activation, random);
    }

    /**
     * Null when {@code under}'s convForward agrees with the reference's within the bound above
     * (activation 0: none, 1: ReLU, 2: leaky ReLU), at offsets, leaving the floats around the
     * output untouched; else a line naming the first output out of bounds.
     */
    private String mismatch(Forward under, ConvGeometry g, int images, boolean withBias, int activation,
                            Random random) {
        int channels = g.channels();
        int outH = g.outH();
        int outW = g.outW();
        int imgOff = 3;
        int yOff = 2;
        float[] img = TestSupport.uniform(random, imgOff + images * g.imageSize() + 1);
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        float[] bias = withBias ? TestSupport.uniform(random, g.filters()) : null;
        boolean relu = activation > 0;
        float slope = activation == 2 ? 0.1f : 0f;
        float[] y0 = TestSupport.uniform(random, yOff + images * g.outputSize() + 3);
        float[] expected = y0.clone();
        float[] actual = y0.clone();
        ref.convForward(expected, yOff, img, imgOff, images, kernel, bias, new float[g.colSize()], g, relu, slope);
        under.run(actual, yOff, img, imgOff, images, kernel, bias, g, relu, slope);
        for (int i = 0; i < y0.length; i++) {
            boolean output = i >= yOff && i < yOff + images * g.outputSize();
            if (!output && Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(y0[i])) {
                return "y[" + i + "] outside the output was written: " + actual[i];
            }
        }
        double eps = 0x1.0p-24;
        for (int n = 0; n < images; n++) {
            for (int f = 0; f < g.filters(); f++) {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        double s = tileMagnitude(g, img, imgOff + n * g.imageSize(), kernel, f, oy / 2, ox / 2)
                                + (bias == null ? 0 : Math.abs(bias[f]));
                        double tolerance = 16.0 * (channels + 16) * eps * s;
                        int i = yOff + ((n * g.filters() + f) * outH + oy) * outW + ox;
                        if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                            return g + " x" + images + (withBias ? " bias" : "") + " activation " + activation
                                    + ": y[" + n + ", " + f + ", " + oy + ", " + ox + "] = " + actual[i]
                                    + ", reference " + expected[i] + " +- " + tolerance;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** {@code sum_c (sum |g_fc|)(sum over tile (ty, tx)'s 4x4 patch of |d_c|)}, padding counted as 0. */
    private static double tileMagnitude(ConvGeometry g, float[] img, int image, float[] kernel, int f, int ty, int tx) {
        double s = 0;
        for (int c = 0; c < g.channels(); c++) {
            double taps = 0;
            for (int k = 0; k < 9; k++) {
                taps += Math.abs(kernel[(f * g.channels() + c) * 9 + k]);
            }
            double patch = 0;
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    int iy = 2 * ty - g.padTop() + i;
                    int ix = 2 * tx - g.padLeft() + j;
                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                        patch += Math.abs(img[image + (c * g.height() + iy) * g.width() + ix]);
                    }
                }
            }
            s += taps * patch;
        }
        return s;
    }
}
