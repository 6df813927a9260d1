package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * The vector backend's kernel gradient of a 3x3, stride-1 convolution by Winograd
 * ({@link VectorWinogradFilter}: {@code G^T [(A dy A^T) (.) (B^T d B)] G} summed over every tile)
 * against the reference's im2col and {@code dy . col^T} ({@link Kernels#convBackwardKernel}'s
 * default, which the scalar backend runs), on random shapes: channels, filters, odd and even
 * sizes (below one tile too), padding 0 to 2 on each side, 1 to 4 images at offsets, adding to a
 * gradient that is not zero.
 *
 * <p>The tolerance: every transformed value of tile t is bounded by {@code |dy|_t}, the sum of
 * |dy| over its 2x2 block, or {@code |x|_t}, the sum of |x| over its 4x4 patch (the entries of A,
 * B and G are at most 1 in magnitude), and each of the 16 sums runs over the T tiles of the
 * images, so {@code |winograd - exact| <= 16 (T + 16) 2^-24 (S + |dkernel|)} with
 * {@code S = sum_t |dy_f|_t |x_c|_t}. A wrong coefficient or a dropped row of tiles is off by a
 * sizeable fraction of S: the planted bugs below show the check notices both.
 */
class WinogradFilterProperties {

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

    @Property(tries = 200)
    void winogradAgreesWithTheReference(
            @ForAll @IntRange(min = 1, max = 12) int channels,
            @ForAll @IntRange(min = 1, max = 20) int filters,
            @ForAll @IntRange(min = 1, max = 13) int height,
            @ForAll @IntRange(min = 1, max = 37) int width,
            @ForAll @IntRange(min = 0, max = 2) int padTop,
            @ForAll @IntRange(min = 0, max = 2) int padLeft,
            @ForAll @IntRange(min = 0, max = 2) int padBottom,
            @ForAll @IntRange(min = 0, max = 2) int padRight,
            @ForAll @IntRange(min = 1, max = 4) int images,
            @ForAll long seed) {
        ConvGeometry g = ConvGeometry.of(channels, height, width, filters, 3, 3, 1, 1, padTop, padBottom, padLeft,
                padRight);
        Assume.that(g.outH() > 0 && g.outW() > 0);
        VectorWinogradFilter w = new VectorWinogradFilter(new VectorGemm());
        assertNull(mismatch(w::convBackwardKernel, g, images, new Random(seed)));
    }

    @Example
    void theModelZoosShapesAgreeThroughTheBackend() {
        // fer-ref's second to fourth convolutions ("valid"), fer-vgg's ("same"), at batch 4: the
        // last blocks of tiles are partial, and fer-ref's first shape takes several blocks.
        int[][] shapes = {{32, 46, 46, 64, 0}, {64, 22, 22, 128, 0}, {128, 10, 10, 128, 0},
                          {32, 24, 24, 64, 1}, {64, 12, 12, 128, 1}, {128, 6, 6, 256, 1}};
        Random random = new Random(5);
        VectorKernels vector = new VectorKernels(new VectorGemm());
        for (int[] s : shapes) {
            ConvGeometry g = ConvGeometry.of(s[0], s[1], s[2], s[3], 3, 3, 1, 1, s[4], s[4], s[4], s[4]);
            assertNull(mismatch(vector::winogradBackwardKernel, g, 4, random));
            // The backend takes it from 64 channels on (fer-vgg's first 32-channel layer stays direct).
            assertEquals(s[0] >= 64, VectorKernels.winogradTakesKernelGradient(g, 4), "taken: " + g);
        }
        assertTrue(VectorWinogradFilter.blockTiles(32, 64, 4 * 23 * 23) < 4 * 23 * 23, "several blocks");
    }

    @Example
    void theBackendTakesWinogradWhereItSuitsAndTheSwitchTurnsItOff() {
        Random random = new Random(3);
        ConvGeometry g = ConvGeometry.of(64, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] dy = TestSupport.uniform(random, 2 * g.outputSize());
        float[] x = TestSupport.uniform(random, 2 * g.imageSize());
        VectorKernels backend = new VectorKernels(new VectorGemm());
        float[] byWinograd = new float[g.kernelSize()];
        backend.winogradBackwardKernel(byWinograd, dy, 0, x, 0, 2, g);
        float[] on = new float[g.kernelSize()];
        backend.convBackwardKernel(on, dy, 0, x, 0, 2, new float[g.colSize()], g);
        assertArrayEquals(byWinograd, on, "taken when on");
        Winograd.setEnabled(false);
        float[] off = new float[g.kernelSize()];
        backend.convBackwardKernel(off, dy, 0, x, 0, 2, new float[g.colSize()], g);
        assertFalse(Arrays.equals(on, off), "off: the GEMM, which rounds differently");
        // Not taken: too few channels (the first layer; 32) or filters, stride 2, a 5x5 kernel.
        assertFalse(VectorKernels.winogradTakesKernelGradient(ConvGeometry.of(32, 24, 24, 64, 3, 3, 1, 1, 1, 1, 1, 1), 64));
        assertFalse(VectorKernels.winogradTakesKernelGradient(ConvGeometry.of(1, 48, 48, 32, 3, 3, 1, 1, 1, 1, 1, 1), 64));
        assertFalse(VectorKernels.winogradTakesKernelGradient(ConvGeometry.of(32, 48, 48, 8, 3, 3, 1, 1, 1, 1, 1, 1), 64));
        assertFalse(VectorKernels.winogradTakesKernelGradient(ConvGeometry.of(16, 24, 24, 32, 3, 3, 2, 2, 1, 1, 1, 1), 64));
        assertFalse(VectorKernels.winogradTakesKernelGradient(ConvGeometry.of(16, 24, 24, 32, 5, 5, 1, 1, 2, 2, 2, 2), 64));
    }

    /** The planted bug of the edge tiles: the last, partial row of tiles is never summed. */
    private static final class NoPartialTileRow extends VectorWinogradFilter {
        NoPartialTileRow(VectorGemm gemm) {
            super(gemm);
        }

        @Override
        int tilesDown(int outH) {
            return outH / 2;
        }
    }

    /** The planted bug of the output transform: G's 1/2 written as 1/4. */
    private static final class WrongCoefficient extends VectorWinogradFilter {
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
        assertNull(mismatch(new VectorWinogradFilter(gemm)::convBackwardKernel, odd, 2, new Random(1)), "control");
        assertNotNull(mismatch(new NoPartialTileRow(gemm)::convBackwardKernel, odd, 2, new Random(1)),
                "partial tile row");
        assertNotNull(mismatch(new WrongCoefficient(gemm)::convBackwardKernel, even, 2, new Random(1)),
                "coefficient of G");
        // And through the backend, where Winograd is chosen for this shape.
        VectorKernels broken = new VectorKernels(gemm, new VectorWinograd(gemm), new WrongCoefficient(gemm));
        ConvGeometry large = ConvGeometry.of(64, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        assertTrue(VectorKernels.winogradTakesKernelGradient(large, 2));
        assertNotNull(mismatch((dk, dy, dyOff, x, xOff, n, geometry) -> broken.convBackwardKernel(dk, dy, dyOff, x,
                xOff, n, new float[geometry.colSize()], geometry), large, 2, new Random(2)), "through VectorKernels");
    }

    /** A kernel-gradient computation as {@link VectorWinogradFilter#convBackwardKernel} takes it. */
    @FunctionalInterface
    private interface KernelGradient {
        void run(float[] dkernel, float[] dy, int dyOff, float[] x, int xOff, int images, ConvGeometry g);
    }

    /** Null when {@code under} agrees with the reference within the bound above; else a line naming the first entry out of it. */
    private String mismatch(KernelGradient under, ConvGeometry g, int images, Random random) {
        int dyOff = 3;
        int xOff = 2;
        float[] dy = TestSupport.uniform(random, dyOff + images * g.outputSize() + 1);
        float[] x = TestSupport.uniform(random, xOff + images * g.imageSize() + 5);
        float[] dk0 = TestSupport.uniform(random, g.kernelSize());
        float[] expected = dk0.clone();
        float[] actual = dk0.clone();
        ref.convBackwardKernel(expected, dy, dyOff, x, xOff, images, new float[g.colSize()], g);
        under.run(actual, dy, dyOff, x, xOff, images, g);
        int tilesDown = (g.outH() + 1) / 2;
        int tilesAcross = (g.outW() + 1) / 2;
        int tiles = images * tilesDown * tilesAcross;
        double eps = 0x1.0p-24;
        for (int f = 0; f < g.filters(); f++) {
            for (int c = 0; c < g.channels(); c++) {
                double s = 0;
                for (int n = 0; n < images; n++) {
                    for (int ty = 0; ty < tilesDown; ty++) {
                        for (int tx = 0; tx < tilesAcross; tx++) {
                            s += block(g, dy, dyOff + n * g.outputSize(), f, ty, tx)
                                    * patch(g, x, xOff + n * g.imageSize(), c, ty, tx);
                        }
                    }
                }
                for (int tap = 0; tap < 9; tap++) {
                    int i = (f * g.channels() + c) * 9 + tap;
                    double tolerance = 16.0 * (tiles + 16) * eps * (s + Math.abs(dk0[i]));
                    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                        return g + " x" + images + ": dkernel[" + f + ", " + c + ", " + tap + "] = " + actual[i]
                                + ", reference " + expected[i] + " +- " + tolerance;
                    }
                }
            }
        }
        return null;
    }

    /** Sum of |dy| over the 2x2 block of filter f's tile (ty, tx), outside the output counted as 0. */
    private static double block(ConvGeometry g, float[] dy, int image, int f, int ty, int tx) {
        double s = 0;
        for (int oy = 2 * ty; oy < Math.min(2 * ty + 2, g.outH()); oy++) {
            for (int ox = 2 * tx; ox < Math.min(2 * tx + 2, g.outW()); ox++) {
                s += Math.abs(dy[image + (f * g.outH() + oy) * g.outW() + ox]);
            }
        }
        return s;
    }

    /** Sum of |x| over channel c's 4x4 patch of tile (ty, tx), padding counted as 0. */
    private static double patch(ConvGeometry g, float[] x, int image, int c, int ty, int tx) {
        double s = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                int iy = 2 * ty - g.padTop() + i;
                int ix = 2 * tx - g.padLeft() + j;
                if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                    s += Math.abs(x[image + (c * g.height() + iy) * g.width() + ix]);
                }
            }
        }
        return s;
    }
}
