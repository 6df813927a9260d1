package org.fer4j.kernels;

import static org.fer4j.kernels.VectorGemm.L;
import static org.fer4j.kernels.VectorGemm.NR;
import static org.fer4j.kernels.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.fer4j.kernels.VectorGemm.Workspace;

/**
 * The convolution's forward on {@link VectorGemm}: the image is unfolded straight into the GEMM's
 * packed B panels (a {@link VectorGemm.PanelSource}), so the im2col matrix is never written, and
 * the bias and the activation are applied as the GEMM stores each tile of the output. The GEMM
 * does the arithmetic; this class only decides what goes into B's panels, so its results are the
 * bits of im2col followed by the same GEMM.
 */
final class VectorConv {

    private final VectorGemm gemm;

    VectorConv(VectorGemm gemm) {
        this.gemm = gemm;
    }

    /**
     * The convolution of {@code images} consecutive images, {@code y[t] [F, P] = act(kernel [F, rows]
     * . im2col(img[t]) + bias)}, with {@code act} the identity, a ReLU, or a leaky ReLU with
     * {@code slope} when {@code relu}, and {@code bias} null for none, with three savings over im2col then sgemm. The bias and the ReLU are applied as the
     * micro-tiles are stored ({@code VectorGemm.storeTile}), so y is written once, never read back, and no
     * separate pass fills it with the bias or rectifies it. Each image is
     * unfolded straight into the packed B panels ({@link #packImage}), so the column matrix is never
     * written (a pass over {@code rows * P} floats saved, 2.2 MB an image for fer-ref's second
     * convolution, and its reading back). And the kernel is packed once for all the images instead
     * of once per image and column block (for fer-ref's fourth convolution, with only 64 positions,
     * that packing was a third of the time; for a kernel declared fixed, {@code fixed}, once for
     * all calls). For stride 1 across (the caller checks); any padding and vertical stride.
     */
    void convForward(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel, float[] bias,
                     ConvGeometry g, boolean relu, float slope, FixedKernel fixed) {
        int filters = g.filters();
        int rows = g.rows();
        int positions = g.positions();
        // Every window inside the image ("valid"): plain copies. Otherwise the taps that fall
        // into the padding are written as zeros.
        boolean inside = g.padTop() == 0 && g.padLeft() == 0
                && (long) (g.outH() - 1) * g.strideH() + g.kh() <= g.height() && g.outW() - 1 + g.kw() <= g.width();
        // The kernel packed once serves every image; for a single image (latency at batch 1) that
        // serial pass would come before a product split over threads, so each thread packs the
        // rows it needs instead (JMH InferenceBench at batch 1: fer-vgg 1.09 ms against 1.33-1.41).
        // A kernel declared fixed (Kernels.fixKernel) is packed on the first call and kept, which
        // at batch 1 saves each thread's packing too.
        float[] packedKernel = fixed != null ? fixed.packed(() -> gemm.packWholeKept(kernel, filters, rows))
                : images > 1 ? gemm.packWhole(kernel, filters, rows) : null;
        for (int t = 0; t < images; t++) {
            int image = imgOff + t * g.imageSize();
            gemm.product(false, filters, positions, rows, 1f, kernel, 0, rows, packedKernel,
                    (pc, kc, jc, nc, bp, w) -> packImage(img, image, g, inside, pc, kc, jc, nc, bp, w),
                    0f, y, yOff + t * g.outputSize(), positions, bias, relu, slope);
        }
    }

    /**
     * {@code VectorGemm.packB}'s panels of {@code im2col(img)[pc:pc+kc, jc:jc+nc]}, read from the image.
     * Row {@code r = (ch*kh + ki)*kw + kj} of the unfolded matrix at position {@code oy*outW + ox}
     * is {@code img[ch, oy*strideH - padTop + ki, ox - padLeft + kj]} (stride 1 across), or 0
     * where that lies in the padding, so a panel's NR positions fall into runs along output rows
     * (one or two for fer-ref's 44-wide rows, up to five for its 8-wide ones) and each run, for
     * each tap, is one contiguous copy from the image at the tap's offset. The panel rows are
     * written as im2col then {@code packB} would have left them. When every window lies {@code inside}
     * the image ("valid"), the copies need no checks; otherwise {@link #packPaddedRun} clips them.
     */
    private static void packImage(float[] img, int imgOff, ConvGeometry g, boolean inside,
                                  int pc, int kc, int jc, int nc, float[] bp, Workspace w) {
        int height = g.height();
        int width = g.width();
        int kh = g.kh();
        int kw = g.kw();
        int strideH = g.strideH();
        int outW = g.outW();
        int[] taps = w.taps;
        int[] tapRow = w.tapRow;
        int[] tapColumn = w.tapColumn;
        int plane = height * width;
        for (int p = 0; p < kc; p++) {
            int r = pc + p;
            int ch = r / (kh * kw);
            int t = r - ch * kh * kw;
            tapRow[p] = t / kw;
            tapColumn[p] = t - tapRow[p] * kw;
            // inside: the tap's image offset; else its channel's, rows and columns added per run
            taps[p] = imgOff + ch * plane + (inside ? tapRow[p] * width + tapColumn[p] : 0);
        }
        for (int j = 0; j < nc; j += NR) {
            int cols = Math.min(NR, nc - j);
            int dst = j * kc;
            if (cols < NR) {
                java.util.Arrays.fill(bp, dst, dst + kc * NR, 0f);  // columns past the edge are 0
            }
            int pos = jc + j;
            int end = pos + cols;
            int oy = pos / outW;
            int ox = pos - oy * outW;
            for (int dj = 0; pos < end; oy++, ox = 0) {
                int run = Math.min(end - pos, outW - ox);
                if (inside) {
                    int src = oy * strideH * width + ox;
                    for (int p = 0; p < kc; p++) {
                        copyShort(img, taps[p] + src, bp, dst + p * NR + dj, run);
                    }
                } else {
                    packPaddedRun(img, height, width, oy * strideH - g.padTop(), ox - g.padLeft(), run, kc, w,
                            bp, dst + dj);
                }
                pos += run;
                dj += run;
            }
        }
    }

    /**
     * One run of {@link #packImage} for windows that reach into the zero padding ("same"
     * convolutions, such as all of fer-vgg's): for each tap, input row {@code iy = y0 + ki} and
     * first input column {@code ix = x0 + kj}. A run on a padding row is all zeros, and a run that
     * crosses the left or right edge is zeros with the inside part copied over them; the rest are
     * plain copies.
     */
    private static void packPaddedRun(float[] img, int height, int width, int y0, int x0, int run, int kc,
                                      Workspace w, float[] bp, int d0) {
        for (int p = 0; p < kc; p++) {
            int d = d0 + p * NR;
            int iy = y0 + w.tapRow[p];
            int ix = x0 + w.tapColumn[p];
            int lo = Math.max(0, -ix);          // [lo, hi) of the run lies inside the row
            int hi = Math.min(run, width - ix);
            int src = w.taps[p] + iy * width + ix;
            if (iy < 0 || iy >= height || hi <= lo) {
                zeroShort(bp, d, run);
            } else if (lo == 0 && hi == run) {
                copyShort(img, src, bp, d, run);
            } else {
                zeroShort(bp, d, run);
                copyShort(img, src + lo, bp, d + lo, hi - lo);
            }
        }
    }

    /** {@code dst[d, d+len) = 0} for {@code 1 <= len <= NR}, as {@link #copyShort} writes. */
    private static void zeroShort(float[] dst, int d, int len) {
        FloatVector zero = FloatVector.zero(S);
        if (len >= L) {
            zero.intoArray(dst, d);
            if (len == NR) {
                zero.intoArray(dst, d + L);
            } else if (len > L) {
                zero.intoArray(dst, d + L, S.indexInRange(L, len));
            }
        } else {
            zero.intoArray(dst, d, S.indexInRange(0, len));
        }
    }

    /** {@code dst[d, d+len) = src[s, s+len)} for {@code 1 <= len <= NR}: two vectors, masked at the end. */
    private static void copyShort(float[] src, int s, float[] dst, int d, int len) {
        if (len >= L) {
            FloatVector.fromArray(S, src, s).intoArray(dst, d);
            if (len == NR) {
                FloatVector.fromArray(S, src, s + L).intoArray(dst, d + L);
            } else if (len > L) {
                VectorMask<Float> m = S.indexInRange(L, len);
                FloatVector.fromArray(S, src, s + L, m).intoArray(dst, d + L, m);
            }
        } else {
            VectorMask<Float> m = S.indexInRange(0, len);
            FloatVector.fromArray(S, src, s, m).intoArray(dst, d, m);
        }
    }
}
