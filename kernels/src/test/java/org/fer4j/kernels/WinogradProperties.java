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
 * The vector backend's Winograd F(2x2,3x3) and F(4x4,3x3) convolutions ({@link VectorWinograd},
 * {@link VectorWinograd4}) against the reference's direct convolution ({@link
 * ScalarKernels#convForward}), on random shapes: channels, filters, odd and even sizes (below the
 * patch too, and not multiples of the tile), padding 0 or 1 on each side, several images, with
 * and without bias, with no activation, a ReLU or a leaky ReLU, on 1 to 3 threads, and with the
 * GEMM's blocking shrunk so that its K blocks cut through the channels.
 *
 * <p>The tolerance is the error bound of the algorithm, not of the direct sum: every intermediate
 * of tile (f, t) is bounded by {@code S = sum_c (sum |g_fc|)(sum |d_c|)}, the kernel's taps
 * times the tile's 4x4 input patch (the entries of G, B and A are at most 1 in magnitude), and
 * each output sums 9 of the 16 products' chains of C terms, so that {@code |winograd - exact| <=
 * 16 (C + 16) 2^-24 (S + |bias|)} leaves room; the reference is within its own, smaller, bound.
 * A wrong coefficient or a missing tile is off by a fraction of S, orders of magnitude more: the
 * planted bugs below show the check notices both.
 *
 * <p>F(4x4)'s entries reach 5 (B) and 8 (A), and G's 1/6, 1/12, 1/24 are rounded, so a bound in
 * terms of S alone would be loose by a factor of about 25 x 19^2 (the largest entry of B squared,
 * the largest row sum of |A^T| squared). Its tolerance is instead the standard first-order bound
 * of a bilinear algorithm, computed per output from the transforms' absolute values: with {@code
 * E = sum_c |A^T| [(|G| |g_c| |G^T|) (.) (|B^T| |d_c| |B|)] |A|}, each of the algorithm's values
 * is bounded by the matching partial expression of E, and rounding each operation on the way
 * (about 8 in the kernel transform, including the rounded entries of G, 8 in the input transform,
 * C in the GEMM's chain, 8 in the output transform, 1 for the bias) gives {@code |winograd -
 * exact| <= (C + 25) 2^-24 E} to first order. Since the algorithm is exact for |g| and |d| too,
 * E is at least {@code sum |g| |d|} over the receptive field, so the reference's own error, at
 * most {@code 9C 2^-24} times that, fits under E as well: the tolerance is {@code 2 (10 C + 25)
 * 2^-24 (E + |bias|)}, twice the sum for the second-order terms.
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

    @Property(tries = 600)
    void winogradAgreesWithTheDirectConvolution(
            @ForAll boolean f4,
            @ForAll @IntRange(min = 1, max = 12) int channels,
            @ForAll @IntRange(min = 1, max = 20) int filters,
            @ForAll @IntRange(min = 1, max = 15) int height,
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
        VectorWinograd w = f4 ? new VectorWinograd4(gemm) : new VectorWinograd(gemm);
        assertNull(mismatch(w, g, images, withBias, activation, new Random(seed)));
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
            assertNull(mismatch(new VectorWinograd4(new VectorGemm()), g, 2, true, 2, random),
                    "F(4x4) " + Arrays.toString(s));
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
    void plantedBugsInF4AreCaught() {
        // 10 output rows: the third row of tiles is partial (2 of 4 rows); and 12, a multiple of 4.
        ConvGeometry partial = ConvGeometry.of(9, 10, 21, 11, 3, 3, 1, 1, 1, 1, 1, 1);
        ConvGeometry whole = ConvGeometry.of(9, 12, 20, 11, 3, 3, 1, 1, 1, 1, 1, 1);
        VectorGemm gemm = new VectorGemm();
        // The planted bugs: the last, partial row of tiles never computed; G's 1/6 written as 1/5.
        VectorWinograd4 noPartialTileRow = new VectorWinograd4(gemm) {
            @Override
            int tilesDown(int outH) {
                return outH / 4;
            }
        };
        VectorWinograd4 wrongCoefficient = new VectorWinograd4(gemm) {
            @Override
            float sixth() {
                return 0.2f;
            }
        };
        assertNull(mismatch(new VectorWinograd4(gemm), partial, 2, true, 0, new Random(1)), "control");
        assertNull(mismatch(new VectorWinograd4(gemm), whole, 2, true, 0, new Random(1)), "control");
        assertNotNull(mismatch(noPartialTileRow, partial, 2, true, 0, new Random(1)), "partial tile row");
        assertNotNull(mismatch(wrongCoefficient, whole, 2, true, 0, new Random(1)), "coefficient of G");
        // And through the backend, where F(4x4) is chosen for this shape (288 tiles).
        VectorKernels broken = new VectorKernels(gemm, new VectorWinograd(gemm), wrongCoefficient);
        ConvGeometry large = ConvGeometry.of(16, 48, 48, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        assertTrue(VectorWinograd.suits(large, 2) && VectorWinograd4.better(large, 2));
        assertNotNull(mismatch(broken, large, 2, false, 1, new Random(2)), "through VectorKernels");
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
        // And through the backend, where F(2x2) is chosen for this shape (6x6: F(4x4) is not).
        VectorKernels broken = new VectorKernels(gemm, new WrongCoefficient(gemm));
        ConvGeometry large = ConvGeometry.of(64, 6, 6, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        assertTrue(VectorWinograd.suits(large, 8) && !VectorWinograd4.better(large, 8));
        assertNotNull(mismatch(broken, large, 8, false, 1, new Random(2)), "through VectorKernels");
    }

    @Example
    void theBackendTakesWinogradWhereItSuitsAndTheSwitchTurnsItOff() {
        Random random = new Random(3);
        ConvGeometry g = ConvGeometry.of(16, 48, 48, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] img = TestSupport.uniform(random, 2 * g.imageSize());
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        float[] bias = TestSupport.uniform(random, g.filters());
        VectorGemm gemm = new VectorGemm();
        VectorKernels backend = new VectorKernels(gemm);
        float[] f2 = new float[2 * g.outputSize()];
        new VectorWinograd(gemm).convForward(f2, 0, img, 0, 2, kernel, bias, g, true, 0f);
        float[] f4 = new float[2 * g.outputSize()];
        new VectorWinograd4(gemm).convForward(f4, 0, img, 0, 2, kernel, bias, g, true, 0f);
        float[] direct = new float[2 * g.outputSize()];
        new VectorConv(gemm).convForward(direct, 0, img, 0, 2, kernel, bias, g, true, 0f, null);
        assertFalse(Arrays.equals(f2, direct), "the algorithms round differently");
        assertFalse(Arrays.equals(f4, direct), "the algorithms round differently");
        assertFalse(Arrays.equals(f2, f4), "the algorithms round differently");
        float[] y = new float[2 * g.outputSize()];
        Winograd.setEnabled(true);
        backend.convForward(y, 0, img, 0, 2, kernel, bias, new float[g.colSize()], g, true, 0f);
        assertArrayEquals(f4, y, "Winograd on: F(4x4) for 2 images of 48x48 (288 tiles)");
        Winograd.setVariant(Winograd.Variant.F2);
        backend.convForward(y, 0, img, 0, 2, kernel, bias, new float[g.colSize()], g, true, 0f);
        assertArrayEquals(f2, y, "F(2x2) forced");
        assertTrue(backend.describe().contains(", Winograd F(2x2) only, "), backend.describe());
        Winograd.setVariant(Winograd.Variant.F4);
        backend.convForward(y, 0, img, 0, 2, kernel, bias, new float[g.colSize()], g, true, 0f);
        assertArrayEquals(f4, y, "F(4x4) forced");
        assertTrue(backend.describe().contains(", Winograd F(4x4) only, "), backend.describe());
        Winograd.setEnabled(false);
        backend.convForward(y, 0, img, 0, 2, kernel, bias, new float[g.colSize()], g, true, 0f);
        assertArrayEquals(direct, y, "Winograd off");
        assertTrue(backend.describe().contains(", Winograd off, "), backend.describe());
        Winograd.setEnabled(true);
        assertFalse(backend.describe().contains("Winograd"), backend.describe());
        // Too few tiles (2 images of 24x24: 72), or a 6x6 output, stay on F(2x2) when the choice is
        // the backend's.
        assertFalse(VectorWinograd4.better(ConvGeometry.of(16, 24, 24, 32, 3, 3, 1, 1, 1, 1, 1, 1), 2));
        assertTrue(VectorWinograd4.better(ConvGeometry.of(16, 24, 24, 32, 3, 3, 1, 1, 1, 1, 1, 1), 64));
        ConvGeometry small = ConvGeometry.of(16, 6, 6, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] smallImg = TestSupport.uniform(random, 8 * small.imageSize());
        float[] smallKernel = TestSupport.uniform(random, small.kernelSize());
        float[] smallF2 = new float[8 * small.outputSize()];
        new VectorWinograd(gemm).convForward(smallF2, 0, smallImg, 0, 8, smallKernel, null, small, false, 0f);
        float[] smallY = new float[8 * small.outputSize()];
        backend.convForward(smallY, 0, smallImg, 0, 8, smallKernel, null, new float[small.colSize()], small, false, 0f);
        assertArrayEquals(smallF2, smallY, "Winograd on: F(2x2) for 6x6");
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
        for (boolean f4 : new boolean[] {false, true}) {
            float[] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                float[] y = new float[3 * g.outputSize()];
                VectorGemm gemm = new VectorGemm();
                (f4 ? new VectorWinograd4(gemm) : new VectorWinograd(gemm))
                        .convForward(y, 0, img, 0, 3, kernel, null, g, false, 0f);
                if (first == null) {
                    first = y;
                } else {
                    assertArrayEquals(first, y, (f4 ? "F(4x4), " : "F(2x2), ") + threads + " threads");
                }
            }
        }
    }

    @Example
    void theSwitchReadsItsValuesAndNamesItselfOtherwise() {
        assertEquals(Winograd.Variant.AUTO, Winograd.parse(null));
        assertEquals(Winograd.Variant.AUTO, Winograd.parse(" TRUE "));
        assertEquals(Winograd.Variant.OFF, Winograd.parse("false"));
        assertEquals(Winograd.Variant.F2, Winograd.parse("f2"));
        assertEquals(Winograd.Variant.F4, Winograd.parse("F4"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Winograd.parse("yes"));
        assertEquals("-Dfer4j.winograd must be true, false, f2 or f4, got 'yes'", e.getMessage());
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
        return mismatch(w::convForward, w.tile() == 4, g, images, withBias, activation, random);
    }

    /** Through the backend, within F(4x4)'s bound where the backend takes F(4x4) by default. */
    private String mismatch(Kernels k, ConvGeometry g, int images, boolean withBias, int activation, Random random) {
        return mismatch((y, yOff, img, imgOff, n, kernel, bias, geometry, relu, slope) -> k.convForward(y, yOff, img,
                imgOff, n, kernel, bias, new float[geometry.colSize()], geometry, relu, slope),
                VectorWinograd4.better(g, images), g, images, withBias, activation, random);
    }

    /**
     * Null when {@code under}'s convForward agrees with the reference's within the bound above,
     * F(2x2)'s or F(4x4)'s ({@code f4}) (activation 0: none, 1: ReLU, 2: leaky ReLU), at offsets,
     * leaving the floats around the output untouched; else a line naming the first output out of
     * bounds.
     */
    private String mismatch(Forward under, boolean f4, ConvGeometry g, int images, boolean withBias, int activation,
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
        F4Bound bound = f4 ? new F4Bound(g, img, imgOff, images, kernel) : null;
        for (int n = 0; n < images; n++) {
            for (int f = 0; f < g.filters(); f++) {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        double b = bias == null ? 0 : Math.abs(bias[f]);
                        double tolerance = f4
                                ? 2.0 * (10 * channels + 25) * eps * (bound.at(n, f, oy, ox) + b)
                                : 16.0 * (channels + 16) * eps
                                        * (tileMagnitude(g, img, imgOff + n * g.imageSize(), kernel, f, oy / 2, ox / 2)
                                                + b);
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

    /**
     * F(4x4)'s magnitude E of each output (the class comment): {@code sum_c |A^T| [(|G| |g_c|
     * |G^T|) (.) (|B^T| |d_c| |B|)] |A|} over the output's tile, in double.
     */
    private static final class F4Bound {
        private static final double[][] G = {{1 / 4.0, 0, 0}, {1 / 6.0, 1 / 6.0, 1 / 6.0}, {1 / 6.0, 1 / 6.0, 1 / 6.0},
                                             {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, 1 / 12.0, 1 / 6.0}, {0, 0, 1}};
        private static final double[][] BT = {{4, 0, 5, 0, 1, 0}, {0, 4, 4, 1, 1, 0}, {0, 4, 4, 1, 1, 0},
                                              {0, 2, 1, 2, 1, 0}, {0, 2, 1, 2, 1, 0}, {0, 4, 0, 5, 0, 1}};
        private static final double[][] AT = {{1, 1, 1, 1, 1, 0}, {0, 1, 1, 2, 2, 0}, {0, 1, 1, 4, 4, 0},
                                              {0, 1, 1, 8, 8, 1}};
        private final int filters;
        private final int tilesAcross;
        private final int tiles;
        /** E of image n, filter f, tile t: 16 at ((n*F + f)*tiles + t)*16. */
        private final double[] e;

        F4Bound(ConvGeometry g, float[] img, int imgOff, int images, float[] kernel) {
            int channels = g.channels();
            filters = g.filters();
            tilesAcross = (g.outW() + 3) / 4;
            tiles = (g.outH() + 3) / 4 * tilesAcross;
            // |G| |g| |G^T| of filter f, channel c at (f*C + c)*36
            double[] u = new double[36 * filters * channels];
            double[] taps = new double[9];
            for (int k = 0; k < filters * channels; k++) {
                for (int t = 0; t < 9; t++) {
                    taps[t] = Math.abs(kernel[9 * k + t]);
                }
                sandwich(G, taps, 3, u, 36 * k);
            }
            // |B^T| |d| |B| of image n, tile t, channel c at ((n*tiles + t)*C + c)*36
            double[] v = new double[36 * images * tiles * channels];
            double[] patch = new double[36];
            for (int n = 0; n < images; n++) {
                int image = imgOff + n * g.imageSize();
                for (int t = 0; t < tiles; t++) {
                    int ty = t / tilesAcross;
                    int tx = t % tilesAcross;
                    for (int c = 0; c < channels; c++) {
                        for (int i = 0; i < 6; i++) {
                            for (int j = 0; j < 6; j++) {
                                int iy = 4 * ty - g.padTop() + i;
                                int ix = 4 * tx - g.padLeft() + j;
                                boolean inside = iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width();
                                patch[6 * i + j] = inside
                                        ? Math.abs(img[image + (c * g.height() + iy) * g.width() + ix]) : 0;
                            }
                        }
                        sandwich(BT, patch, 6, v, 36 * ((n * tiles + t) * channels + c));
                    }
                }
            }
            e = new double[16 * images * filters * tiles];
            double[] q = new double[36];
            for (int n = 0; n < images; n++) {
                for (int f = 0; f < filters; f++) {
                    for (int t = 0; t < tiles; t++) {
                        java.util.Arrays.fill(q, 0);
                        for (int c = 0; c < channels; c++) {
                            int uk = 36 * (f * channels + c);
                            int vk = 36 * ((n * tiles + t) * channels + c);
                            for (int xi = 0; xi < 36; xi++) {
                                q[xi] += u[uk + xi] * v[vk + xi];
                            }
                        }
                        sandwich(AT, q, 6, e, 16 * ((n * filters + f) * tiles + t));
                    }
                }
            }
        }

        /** {@code X t X^T} for the non-negative X (rows of {@code size}) and t (size x size), at out[o]. */
        private static void sandwich(double[][] x, double[] t, int size, double[] out, int o) {
            int rows = x.length;
            double[] xt = new double[rows * size];  // X t
            for (int i = 0; i < rows; i++) {
                for (int b = 0; b < size; b++) {
                    double sum = 0;
                    for (int a = 0; a < size; a++) {
                        sum += x[i][a] * t[a * size + b];
                    }
                    xt[i * size + b] = sum;
                }
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < rows; j++) {
                    double sum = 0;
                    for (int b = 0; b < size; b++) {
                        sum += xt[i * size + b] * x[j][b];
                    }
                    out[o + i * rows + j] = sum;
                }
            }
        }

        double at(int n, int f, int oy, int ox) {
            int t = oy / 4 * tilesAcross + ox / 4;
            return e[16 * ((n * filters + f) * tiles + t) + (oy % 4) * 4 + ox % 4];
        }
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
