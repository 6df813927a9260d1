package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * The vector backend's input gradient of a 3x3, stride-1 convolution computed by Winograd
 * ({@link VectorKernels#winogradBackwardData}: the forward convolution of dy by the kernel with
 * filters and channels swapped and each 3x3 turned by 180 degrees) against the reference's
 * {@code kernel^T . dy} and col2im ({@link Kernels#convBackwardData}'s default, which the scalar
 * backend runs), on random shapes: channels, filters, odd and even sizes, every padding from 0
 * to 2 on each side, several images at offsets, 1 to 3 threads.
 *
 * <p>The tolerance is the forward's (see {@code WinogradProperties}) with dy in the place of the
 * image and F in the place of C: {@code 16 (F + 16) 2^-24 S}, where S sums, over the filters,
 * the kernel's |taps| times the |dy| of the 7x7 window around the pixel's position in dy (which
 * holds the 4x4 patch of whichever tile covers the pixel). A kernel not turned, or filters and
 * channels not swapped, is off by a sizeable fraction of S: the planted bugs below show the check
 * notices.
 */
class WinogradBackwardDataProperties {

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
            @ForAll @IntRange(min = 1, max = 3) int images,
            @ForAll @IntRange(min = 1, max = 3) int threads,
            @ForAll long seed) {
        ConvGeometry g = ConvGeometry.of(channels, height, width, filters, 3, 3, 1, 1, padTop, padBottom, padLeft,
                padRight);
        Assume.that(g.outH() > 0 && g.outW() > 0);
        Parallel.setThreads(threads);
        VectorKernels vector = new VectorKernels(new VectorGemm());
        assertNull(mismatch(vector::winogradBackwardData, g, images, new Random(seed)));
    }

    @Example
    void theModelZoosShapesAgree() {
        // fer-ref's second to fourth convolutions ("valid"), fer-vgg's ("same"), at batch 3 on two
        // threads; the backend takes Winograd for those of 64 channels or more and 36 tiles or more.
        int[][] shapes = {{32, 46, 46, 64, 0, 0}, {64, 22, 22, 128, 0, 1}, {128, 10, 10, 128, 0, 0},
                          {32, 24, 24, 64, 1, 0}, {64, 24, 24, 64, 1, 1}, {64, 12, 12, 128, 1, 1},
                          {128, 12, 12, 128, 1, 1}, {128, 6, 6, 256, 1, 0}};
        Random random = new Random(5);
        Parallel.setThreads(2);
        VectorKernels vector = new VectorKernels(new VectorGemm());
        for (int[] s : shapes) {
            ConvGeometry g = ConvGeometry.of(s[0], s[1], s[2], s[3], 3, 3, 1, 1, s[4], s[4], s[4], s[4]);
            assertNull(mismatch(vector::winogradBackwardData, g, 3, random));
            float[] dy = TestSupport.uniform(random, 3 * g.outputSize());
            float[] kernel = TestSupport.uniform(random, g.kernelSize());
            float[] byWinograd = new float[3 * g.imageSize()];
            vector.winogradBackwardData(byWinograd, 0, dy, 0, 3, kernel, g);
            float[] dx = new float[3 * g.imageSize()];
            vector.convBackwardData(dx, 0, dy, 0, 3, kernel, new float[g.colSize()], g);
            assertEquals(s[5] == 1, java.util.Arrays.equals(byWinograd, dx), "taken: " + g);
        }
    }

    @Example
    void theBackendTakesWinogradWhereItSuitsAndTheSwitchTurnsItOff() {
        Random random = new Random(3);
        Parallel.setThreads(2);
        ConvGeometry g = ConvGeometry.of(64, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] dy = TestSupport.uniform(random, 2 * g.outputSize());
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        VectorKernels backend = new VectorKernels(new VectorGemm());
        float[] byWinograd = new float[2 * g.imageSize()];
        backend.winogradBackwardData(byWinograd, 0, dy, 0, 2, kernel, g);
        float[] byGemm = new float[2 * g.imageSize()];
        Winograd.setEnabled(false);
        backend.convBackwardData(byGemm, 0, dy, 0, 2, kernel, new float[g.colSize()], g);
        assertFalse(java.util.Arrays.equals(byWinograd, byGemm), "the two algorithms round differently");
        float[] dx = new float[2 * g.imageSize()];
        Winograd.setEnabled(true);
        backend.convBackwardData(dx, 0, dy, 0, 2, kernel, new float[g.colSize()], g);
        for (int i = 0; i < dx.length; i++) {
            assertEquals(Float.floatToRawIntBits(byWinograd[i]), Float.floatToRawIntBits(dx[i]), "dx[" + i + "]");
        }
        // Not taken: one channel (the first layer's input gradient), stride 2, a 5x5 kernel,
        // padding beyond 2.
        assertFalse(VectorKernels.winogradTakesBackwardData(ConvGeometry.of(16, 24, 24, 32, 3, 3, 2, 2, 1, 1, 1, 1)));
        assertFalse(VectorKernels.winogradTakesBackwardData(ConvGeometry.of(16, 24, 24, 32, 5, 5, 1, 1, 2, 2, 2, 2)));
        assertFalse(VectorKernels.winogradTakesBackwardData(ConvGeometry.of(16, 24, 24, 32, 3, 3, 1, 1, 3, 3, 3, 3)));
        // The first layer: the same bits with Winograd on as off, so the GEMM path was taken.
        ConvGeometry first = ConvGeometry.of(1, 48, 48, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] dyFirst = TestSupport.uniform(random, 2 * first.outputSize());
        float[] kernelFirst = TestSupport.uniform(random, first.kernelSize());
        float[] on = new float[2 * first.imageSize()];
        backend.convBackwardData(on, 0, dyFirst, 0, 2, kernelFirst, new float[first.colSize()], first);
        Winograd.setEnabled(false);
        float[] off = new float[2 * first.imageSize()];
        backend.convBackwardData(off, 0, dyFirst, 0, 2, kernelFirst, new float[first.colSize()], first);
        assertTrue(java.util.Arrays.equals(on, off), "the first layer stays on the GEMM");
    }

    @Example
    void theSameBitsForAnyThreadCount() {
        Random random = new Random(4);
        ConvGeometry g = ConvGeometry.of(24, 13, 30, 40, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] dy = TestSupport.uniform(random, 3 * g.outputSize());
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        float[] first = null;
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            float[] dx = new float[3 * g.imageSize()];
            new VectorKernels(new VectorGemm()).winogradBackwardData(dx, 0, dy, 0, 3, kernel, g);
            if (first == null) {
                first = dx;
            } else {
                for (int i = 0; i < dx.length; i++) {
                    assertEquals(Float.floatToRawIntBits(first[i]), Float.floatToRawIntBits(dx[i]),
                            threads + " threads: dx[" + i + "]");
                }
            }
        }
    }

    /** The planted bugs: a kernel left unturned, and filters and channels left unswapped. */
    @Example
    void plantedBugsAreCaught() {
        ConvGeometry g = ConvGeometry.of(9, 11, 20, 11, 3, 3, 1, 1, 1, 1, 1, 1);
        VectorKernels vector = new VectorKernels(new VectorGemm());
        assertNull(mismatch(vector::winogradBackwardData, g, 2, new Random(1)), "control");
        VectorWinograd winograd = new VectorWinograd(new VectorGemm());
        BackwardData unturned = (dx, dxOff, dy, dyOff, images, kernel, geometry) -> {
            float[] swappedOnly = new float[kernel.length];
            for (int f = 0; f < geometry.filters(); f++) {
                for (int c = 0; c < geometry.channels(); c++) {
                    System.arraycopy(kernel, (f * geometry.channels() + c) * 9, swappedOnly,
                            (c * geometry.filters() + f) * 9, 9);
                }
            }
            winograd.convForward(dx, dxOff, dy, dyOff, images, swappedOnly, null, VectorKernels.transposed(geometry),
                    false, 0f);
        };
        assertNotNull(mismatch(unturned, g, 2, new Random(1)), "kernel not turned");
        // Filters and channels unswapped: only a shape with F == C runs at all.
        ConvGeometry square = ConvGeometry.of(10, 11, 20, 10, 3, 3, 1, 1, 1, 1, 1, 1);
        BackwardData unswapped = (dx, dxOff, dy, dyOff, images, kernel, geometry) -> {
            float[] turnedOnly = new float[kernel.length];
            for (int i = 0; i < kernel.length; i += 9) {
                for (int tap = 0; tap < 9; tap++) {
                    turnedOnly[i + tap] = kernel[i + 8 - tap];
                }
            }
            winograd.convForward(dx, dxOff, dy, dyOff, images, turnedOnly, null, VectorKernels.transposed(geometry),
                    false, 0f);
        };
        assertNotNull(mismatch(unswapped, square, 2, new Random(1)), "filters and channels not swapped");
    }

    /** An input-gradient computation as {@link VectorKernels#winogradBackwardData} takes it. */
    @FunctionalInterface
    private interface BackwardData {
        void run(float[] dx, int dxOff, float[] dy, int dyOff, int images, float[] kernel, ConvGeometry g);
    }

    private static BackwardData through(Kernels k) {
        return (dx, dxOff, dy, dyOff, images, kernel, g) ->
                k.convBackwardData(dx, dxOff, dy, dyOff, images, kernel, new float[g.colSize()], g);
    }

    /**
     * Null when {@code under} agrees with the reference within the bound above, at offsets,
     * leaving the floats around dx untouched; else a line naming the first pixel out of bounds.
     */
    private String mismatch(BackwardData under, ConvGeometry g, int images, Random random) {
        int dyOff = 3;
        int dxOff = 2;
        float[] dy = TestSupport.uniform(random, dyOff + images * g.outputSize() + 1);
        float[] kernel = TestSupport.uniform(random, g.kernelSize());
        float[] dx0 = TestSupport.uniform(random, dxOff + images * g.imageSize() + 3);
        float[] expected = dx0.clone();
        float[] actual = dx0.clone();
        ref.convBackwardData(expected, dxOff, dy, dyOff, images, kernel, new float[g.colSize()], g);
        under.run(actual, dxOff, dy, dyOff, images, kernel, g);
        for (int i = 0; i < dx0.length; i++) {
            boolean inside = i >= dxOff && i < dxOff + images * g.imageSize();
            if (!inside && Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(dx0[i])) {
                return "dx[" + i + "] outside the gradient was written: " + actual[i];
            }
        }
        double eps = 0x1.0p-24;
        for (int n = 0; n < images; n++) {
            for (int c = 0; c < g.channels(); c++) {
                for (int iy = 0; iy < g.height(); iy++) {
                    for (int ix = 0; ix < g.width(); ix++) {
                        double s = window(g, dy, dyOff + n * g.outputSize(), kernel, c, iy, ix);
                        double tolerance = 16.0 * (g.filters() + 16) * eps * s;
                        int i = dxOff + ((n * g.channels() + c) * g.height() + iy) * g.width() + ix;
                        if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                            return g + " x" + images + ": dx[" + n + ", " + c + ", " + iy + ", " + ix + "] = "
                                    + actual[i] + ", reference " + expected[i] + " +- " + tolerance;
                        }
                    }
                }
            }
        }
        return null;
    }

    /**
     * {@code sum_f (sum |kernel_fc|)(sum of |dy_f| over the 7x7 window centred on dy position
     * (iy + padTop - 1, ix + padLeft - 1))}, outside dy counted as 0.
     */
    private static double window(ConvGeometry g, float[] dy, int image, float[] kernel, int c, int iy, int ix) {
        double s = 0;
        for (int f = 0; f < g.filters(); f++) {
            double taps = 0;
            for (int k = 0; k < 9; k++) {
                taps += Math.abs(kernel[(f * g.channels() + c) * 9 + k]);
            }
            double patch = 0;
            for (int y = iy + g.padTop() - 4; y <= iy + g.padTop() + 2; y++) {
                for (int x = ix + g.padLeft() - 4; x <= ix + g.padLeft() + 2; x++) {
                    if (y >= 0 && y < g.outH() && x >= 0 && x < g.outW()) {
                        patch += Math.abs(dy[image + (f * g.outH() + y) * g.outW() + x]);
                    }
                }
            }
            s += taps * patch;
        }
        return s;
    }
}
