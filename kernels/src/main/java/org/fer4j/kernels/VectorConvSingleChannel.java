package org.fer4j.kernels;

import static org.fer4j.kernels.VectorGemm.L;
import static org.fer4j.kernels.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The first convolution of every model here, a grey face (one channel) through a 3x3 kernel at
 * stride 1, computed directly instead of as a GEMM.
 *
 * <p>As a GEMM that layer has a depth of only 9 (one channel times nine taps): each micro-tile of
 * the output is loaded, updated nine times and stored, so the GEMM ran at about a fifth of the FMA
 * peak, and at batch 64 each image's small product was split over the threads on its own (fer-ref,
 * 64 images: 1.0 ms of a 28.5 ms inference, 3.5%). Here the work is split over (image, output row)
 * pairs, and each run of L output columns is computed for every filter at once:
 *
 * <pre>
 * x_ij = the L input pixels under tap (i, j) of the run: one load each, 9 loads in all
 * for each filter f:
 *     acc = sum over the 9 taps, in the reference's order (i, then j), of k[f, i, j] * x_ij  (FMAs)
 *     y[f, row, run] = act(acc + bias[f])
 * </pre>
 *
 * so the 9 input vectors are loaded once and reused by every filter, and each output is written
 * once. The sum starts from 0 and the bias is added last, as the GEMM's epilogue does, so the
 * result differs from the reference's (bias first, then the product) by rounding only. Padding
 * ("same", or any other) comes from a zero-padded copy of the image, made once per image and thread.
 */
final class VectorConvSingleChannel {

    /** Output rows per parallel unit: enough work per claim at batch 1 (a 48x48 image gives 2 units per row pair). */
    private static final int GRAIN_ROWS = 4;

    private final ThreadLocal<float[][]> pad = ThreadLocal.withInitial(() -> new float[1][0]);

    /** Whether this class computes geometry {@code g}: one channel, 3x3, stride 1, any padding. */
    static boolean suits(ConvGeometry g) {
        return g.channels() == 1 && g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.outH() > 0 && g.outW() > 0 && g.filters() > 0;
    }

    /**
     * {@code y[t] = act(conv(img[t], kernel) + bias)} for {@code images} consecutive images, with
     * the arguments and the result (up to rounding) of {@link Kernels#convForward}, for a geometry
     * that {@link #suits}.
     */
    void convForward(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel, float[] bias,
                     ConvGeometry g, boolean relu, float slope) {
        int outH = g.outH();
        int outW = g.outW();
        // Columns: every run's loads (up to the last run's end, rounded up to L, plus 2 taps) stay inside.
        int padW = (outW + L - 1) / L * L + 2;
        int padH = outH + 2;
        int units = images * outH;
        Parallel.forRange(units, GRAIN_ROWS, (u0, u1) -> {
            float[][] holder = pad.get();
            if (holder[0].length < padH * padW) {
                holder[0] = new float[padH * padW];
            }
            float[] p = holder[0];
            int padded = -1;  // the image now in p
            for (int u = u0; u < u1; u++) {
                int n = u / outH;
                int oy = u - n * outH;
                if (n != padded) {
                    padImage(p, img, imgOff + n * g.imageSize(), g, padH, padW);
                    padded = n;
                }
                row(y, yOff + n * g.outputSize() + oy * outW, p, oy * padW, padW, outW, kernel, bias,
                        g.filters(), g.positions(), relu, slope);
            }
        });
    }

    /**
     * Copies image {@code img[image..]} into {@code p}, {@code padH x padW}, with {@code padTop}
     * rows and {@code padLeft} columns of zeros before it and zeros everywhere else.
     */
    private static void padImage(float[] p, float[] img, int image, ConvGeometry g, int padH, int padW) {
        java.util.Arrays.fill(p, 0, padH * padW, 0f);
        int top = g.padTop();
        int left = g.padLeft();
        int width = g.width();
        for (int r = Math.max(0, top); r < Math.min(padH, top + g.height()); r++) {
            int srcCol = Math.max(0, -left);
            int dstCol = Math.max(0, left);
            int count = Math.min(width - srcCol, padW - dstCol);
            if (count > 0) {
                System.arraycopy(img, image + (r - top) * width + srcCol, p, r * padW + dstCol, count);
            }
        }
    }

    /**
     * One output row of every filter: {@code out} is the row's first float for filter 0, and each
     * filter's plane is {@code plane} floats further; {@code at} is the row's first float in the
     * padded image.
     */
    private static void row(float[] y, int out, float[] p, int at, int padW, int outW, float[] kernel,
                            float[] bias, int filters, int plane, boolean relu, float slope) {
        for (int ox = 0; ox < outW; ox += L) {
            int a = at + ox;
            FloatVector x00 = FloatVector.fromArray(S, p, a);
            FloatVector x01 = FloatVector.fromArray(S, p, a + 1);
            FloatVector x02 = FloatVector.fromArray(S, p, a + 2);
            FloatVector x10 = FloatVector.fromArray(S, p, a + padW);
            FloatVector x11 = FloatVector.fromArray(S, p, a + padW + 1);
            FloatVector x12 = FloatVector.fromArray(S, p, a + padW + 2);
            FloatVector x20 = FloatVector.fromArray(S, p, a + 2 * padW);
            FloatVector x21 = FloatVector.fromArray(S, p, a + 2 * padW + 1);
            FloatVector x22 = FloatVector.fromArray(S, p, a + 2 * padW + 2);
            boolean whole = ox + L <= outW;
            VectorMask<Float> store = whole ? null : S.indexInRange(ox, outW);
            for (int f = 0; f < filters; f++) {
                int k = 9 * f;
                FloatVector acc = x00.mul(kernel[k]);
                acc = x01.fma(FloatVector.broadcast(S, kernel[k + 1]), acc);
                acc = x02.fma(FloatVector.broadcast(S, kernel[k + 2]), acc);
                acc = x10.fma(FloatVector.broadcast(S, kernel[k + 3]), acc);
                acc = x11.fma(FloatVector.broadcast(S, kernel[k + 4]), acc);
                acc = x12.fma(FloatVector.broadcast(S, kernel[k + 5]), acc);
                acc = x20.fma(FloatVector.broadcast(S, kernel[k + 6]), acc);
                acc = x21.fma(FloatVector.broadcast(S, kernel[k + 7]), acc);
                acc = x22.fma(FloatVector.broadcast(S, kernel[k + 8]), acc);
                if (bias != null) {
                    acc = acc.add(bias[f]);
                }
                if (relu && slope == 0f) {
                    acc = acc.max(0f);  // Math.max: a NaN passes through, as in the reference's ReLU
                } else if (relu) {
                    acc = acc.max(acc.mul(slope));
                }
                int o = out + f * plane + ox;
                if (whole) {
                    acc.intoArray(y, o);
                } else {
                    acc.intoArray(y, o, store);
                }
            }
        }
    }
}
