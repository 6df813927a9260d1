package org.fer4j.kernels;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels} on the Vector API ({@code jdk.incubator.vector}) at the CPU's preferred width,
 * with fused multiply-adds in the GEMM and the dot products, and split over {@link Parallel}'s
 * threads where the work is large. Loaded by name by {@link KernelsProvider} only once the module
 * is known to be readable.
 *
 * <p>Arguments arrive checked ({@link CheckedKernels}). Every loop has the same shape (Lucene's):
 * a main loop unrolled over four vectors (independent accumulators where it reduces), a
 * one-vector remainder, then a scalar remainder. Where the reference has the same loop over a
 * range (the elementwise kernels, the activations, dropout, the optimizer updates), that
 * remainder is the reference itself ({@code ScalarKernels.axpyRange} and its kind, llama3.java's
 * pattern), so the two cannot drift apart; the reductions keep their own, since their order of
 * summation is their own. Each kernel is tested against {@link ScalarKernels}, the reference,
 * over awkward sizes; a test subclass overrides {@link #remainderEnd} to plant an off-by-one in
 * the scalar remainders and show that those tests notice.
 *
 * <p>Numerics, compared with the reference: elementwise kernels, dropout masks and the optimizer
 * updates perform the same float operations in the same order, so they give the same bits.
 * GEMM uses FMA (one rounding per multiply-add instead of two) and sums in a blocked order, and
 * the reductions sum lane-wise before combining; both stay within the error bounds the tests
 * allow, which grow with the length of the sum. Reductions that the contract puts in double
 * (statistics, norms, the loss) are in double here too.
 *
 * <p>Threads: a kernel whose outputs can be cut into disjoint ranges (elementwise kernels,
 * per-channel reductions, pooling planes, GEMM panels) splits them with {@link Parallel}; every
 * output is then computed by the same operations whatever the split, so these kernels give the
 * same bits for any thread count. Inside a region that is already parallel they run serially.
 */
// Not final only so that the planted-bug test can override remainderEnd.
class VectorKernels implements Kernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Doubles in a vector of the same width, and the floats that widen into exactly one of them. */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    private static final VectorSpecies<Float> F_HALF =
            VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, F.vectorShape());
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, F.vectorShape());

    /**
     * Below twice this many elements a kernel runs on the calling thread: handing half of a few
     * microseconds of streaming to another thread costs about as much as it saves.
     */
    private static final int GRAIN = 1 << 16;

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private final VectorGemm gemm;
    private final VectorConv conv;
    private final VectorWinograd winograd;
    private final VectorWinograd4 winograd4;
    private final Map<float[], FixedKernel> fixedKernels = Collections.synchronizedMap(new WeakHashMap<>());
    private final VectorWinogradFilter winogradFilter;

    VectorKernels() {
        this(new VectorGemm());
    }

    VectorKernels(VectorGemm gemm) {
        this(gemm, new VectorWinograd(gemm));
    }

    /** With a given Winograd F(2x2) convolution on the same GEMM (the planted-bug tests pass a broken one). */
    VectorKernels(VectorGemm gemm, VectorWinograd winograd) {
        this(gemm, winograd, new VectorWinograd4(gemm));
    }

    /** With given Winograd F(2x2) and F(4x4) convolutions on the same GEMM (for the planted-bug tests). */
    VectorKernels(VectorGemm gemm, VectorWinograd winograd, VectorWinograd4 winograd4) {
        this(gemm, winograd, winograd4, new VectorWinogradFilter(gemm));
    }

    /** With a given Winograd kernel gradient on the same GEMM (for the planted-bug tests). */
    VectorKernels(VectorGemm gemm, VectorWinograd winograd, VectorWinogradFilter winogradFilter) {
        this(gemm, winograd, new VectorWinograd4(gemm), winogradFilter);
    }

    /** With all three Winograd algorithms given, on the same GEMM. */
    VectorKernels(VectorGemm gemm, VectorWinograd winograd, VectorWinograd4 winograd4,
                  VectorWinogradFilter winogradFilter) {
        this.gemm = gemm;
        this.conv = new VectorConv(gemm);
        this.winograd = winograd;
        this.winograd4 = winograd4;
        this.winogradFilter = winogradFilter;
    }

    /**
     * Where a scalar remainder loop stops: {@code end} itself. A hook for the planted-bug test
     * only, whose subclass returns {@code end - 1} (every remainder one element short) to show that
     * the comparison tests notice an off-by-one. No subclass exists outside the tests, so the JIT
     * inlines this to {@code end}.
     */
    int remainderEnd(int end) {
        return end;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String describe() {
        // "Winograd off" only when switched off (-Dfer4j.winograd=false), and "Winograd F(2x2)
        // only" or "F(4x4) only" when forced, so that a benchmark of either says so on its first line.
        return "vector (" + F.vectorBitSize() + "-bit FloatVector, " + FmaSupport.TEXT
                + switch (Winograd.variant()) {
                    case AUTO -> "";
                    case OFF -> "Winograd off, ";
                    case F2 -> "Winograd F(2x2) only, ";
                    case F4 -> "Winograd F(4x4) only, ";
                } + Parallel.threadsText() + ")";
    }

    /**
     * Whether {@code FloatVector.fma} runs as a fused instruction here, read once (on the first
     * {@link #describe()}) from the JIT's own switch rather than guessed from the CPU: HotSpot
     * compiles the Vector API's fma to FMA instructions only when its {@code UseFMA} flag is on
     * (set at start-up from the CPU's features: x86's {@code fma} flag, always on aarch64), and
     * otherwise computes the same fused result in software, correctly but far more slowly.
     */
    private static final class FmaSupport {
        static final String TEXT = fmaText(useFmaOption());
    }

    /**
     * The part of {@link #describe()} that speaks of FMA, from the value of HotSpot's
     * {@code UseFMA} option: {@code "FMA, "} for {@code "true"}, {@code "no FMA, "} for
     * {@code "false"}, and nothing for {@code null} (not HotSpot, or the option unreadable), so
     * that nothing is claimed that was not read.
     */
    static String fmaText(String useFma) {
        if ("true".equals(useFma)) {
            return "FMA, ";
        }
        return "false".equals(useFma) ? "no FMA, " : "";
    }

    /** HotSpot's {@code UseFMA} as text ({@code "true"} or {@code "false"}), or null where it cannot be read. */
    static String useFmaOption() {
        try {
            return java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption("UseFMA").getValue();
        } catch (RuntimeException | LinkageError notHotSpot) {
            return null;
        }
    }

    @Override
    public int vectorBits() {
        return F.vectorBitSize();
    }

    /**
     * Whether {@code n} elements are worth splitting over threads. Callers test this before they
     * build the lambda for {@link Parallel}, so that the many small calls (a bias row, one
     * parameter's update) allocate nothing.
     */
    private static boolean large(long n) {
        return n >= 2L * GRAIN && Parallel.threads() > 1;
    }

    /**
     * Runs {@code body} over {@code [0, count)} units (planes, channels, rows) that hold
     * {@code elements} elements in all, split over threads when that is large, at least
     * {@link #GRAIN} elements to a chunk.
     */
    private static void split(int count, long elements, Parallel.Range body) {
        if (large(elements) && count > 1) {
            Parallel.forRange(count, (int) Math.max(1, GRAIN * (long) count / elements), body);
        } else if (count > 0) {
            body.run(0, count);
        }
    }

    // ---------------------------------------------------------------- BLAS-like

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        gemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void axpy(float[] y, int yOff, float[] x, int xOff, int n, float alpha) {
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> axpy(y, yOff, x, xOff, from, to, alpha));
        } else {
            axpy(y, yOff, x, xOff, 0, n, alpha);
        }
    }

    private void axpy(float[] y, int yOff, float[] x, int xOff, int from, int to, float alpha) {
        // y + alpha*x as a multiply then an add, like the reference (not an FMA): the same bits.
        int i = from;
        for (; i <= to - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xOff + i + u);
                FloatVector.fromArray(F, y, yOff + i + u).add(xv.mul(alpha)).intoArray(y, yOff + i + u);
            }
        }
        for (; i <= to - L; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + i);
            FloatVector.fromArray(F, y, yOff + i).add(xv.mul(alpha)).intoArray(y, yOff + i);
        }
        ScalarKernels.axpyRange(y, yOff, x, xOff, i, remainderEnd(to), alpha);
    }

    @Override
    public void scale(float[] x, int off, int n, float alpha) {
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> scale(x, off, from, to, alpha));
        } else {
            scale(x, off, 0, n, alpha);
        }
    }

    private void scale(float[] x, int off, int from, int to, float alpha) {
        int i = from;
        for (; i <= to - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                FloatVector.fromArray(F, x, off + i + u).mul(alpha).intoArray(x, off + i + u);
            }
        }
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(alpha).intoArray(x, off + i);
        }
        ScalarKernels.scaleRange(x, off, i, remainderEnd(to), alpha);
    }

    @Override
    public void fill(float[] x, int off, int n, float value) {
        // Arrays.fill is an intrinsic that already stores whole vectors; only the split is ours.
        if (n == 0) {
            return; // x may be null for an empty span, and Arrays.fill would not have it
        }
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> Arrays.fill(x, off + from, remainderEnd(off + to), value));
        } else {
            Arrays.fill(x, off, remainderEnd(off + n), value);
        }
    }

    @Override
    public void add(float[] y, float[] a, float[] b, int n) {
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> add(y, a, b, from, to));
        } else {
            add(y, a, b, 0, n);
        }
    }

    private void add(float[] y, float[] a, float[] b, int from, int to) {
        int i = from;
        for (; i <= to - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                FloatVector.fromArray(F, a, i + u).add(FloatVector.fromArray(F, b, i + u)).intoArray(y, i + u);
            }
        }
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(y, i);
        }
        ScalarKernels.addRange(y, a, b, i, remainderEnd(to));
    }

    @Override
    public void mul(float[] y, float[] a, float[] b, int n) {
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> mul(y, a, b, from, to));
        } else {
            mul(y, a, b, 0, n);
        }
    }

    private void mul(float[] y, float[] a, float[] b, int from, int to) {
        int i = from;
        for (; i <= to - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                FloatVector.fromArray(F, a, i + u).mul(FloatVector.fromArray(F, b, i + u)).intoArray(y, i + u);
            }
        }
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(F, a, i).mul(FloatVector.fromArray(F, b, i)).intoArray(y, i);
        }
        ScalarKernels.mulRange(y, a, b, i, remainderEnd(to));
    }

    @Override
    public double sumOfSquares(float[] x, int off, int n) {
        // In double, as the contract says: each half-width float vector widens into one double
        // vector. One thread: the result must not depend on the thread count, and this runs once
        // per parameter per step, only when gradients are clipped.
        int h = D.length();
        DoubleVector s0 = DoubleVector.zero(D), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i <= n - 4 * h; i += 4 * h) {
            DoubleVector v0 = widen(x, off + i);
            DoubleVector v1 = widen(x, off + i + h);
            DoubleVector v2 = widen(x, off + i + 2 * h);
            DoubleVector v3 = widen(x, off + i + 3 * h);
            s0 = v0.fma(v0, s0);
            s1 = v1.fma(v1, s1);
            s2 = v2.fma(v2, s2);
            s3 = v3.fma(v3, s3);
        }
        for (; i <= n - h; i += h) {
            DoubleVector v = widen(x, off + i);
            s0 = v.fma(v, s0);
        }
        double sum = Lanes.sum(s0.add(s1).add(s2.add(s3)));
        for (; i < remainderEnd(n); i++) {
            double xi = x[off + i];
            sum += xi * xi;
        }
        return sum;
    }

    /** {@code D.length()} floats from {@code x[i]} as doubles. */
    private static DoubleVector widen(float[] x, int i) {
        return (DoubleVector) FloatVector.fromArray(F_HALF, x, i).convertShape(VectorOperators.F2D, D, 0);
    }

    /** {@code sum x[i, i+len)} in double: float lanes over short runs, then widened. */
    private double sum(float[] x, int from, int len) {
        // Lane sums in float stay exact to about len/L * 2^-24 relative, then each run of up to
        // 1024 elements is added in double: close to a double sum at a fraction of the cost.
        double total = 0;
        int i = from;
        int end = from + len;
        while (i < end) {
            int runEnd = Math.min(end, i + 1024);
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (; i <= runEnd - 4 * L; i += 4 * L) {
                s0 = s0.add(FloatVector.fromArray(F, x, i));
                s1 = s1.add(FloatVector.fromArray(F, x, i + L));
                s2 = s2.add(FloatVector.fromArray(F, x, i + 2 * L));
                s3 = s3.add(FloatVector.fromArray(F, x, i + 3 * L));
            }
            for (; i <= runEnd - L; i += L) {
                s0 = s0.add(FloatVector.fromArray(F, x, i));
            }
            total += Lanes.sum(s0.add(s1).add(s2.add(s3)));
            for (; i < remainderEnd(runEnd); i++) {
                total += x[i];
            }
            i = runEnd;
        }
        return total;
    }

    // ---------------------------------------------------------------- bias

    @Override
    public void addBias(float[] y, float[] bias, int n, int c, int spatial) {
        long size = (long) n * c * spatial;
        if (spatial == 1) {
            // Dense features [N, C]: the bias row added to each sample's row.
            split(n, size, (n0, n1) -> {
                for (int ni = n0; ni < n1; ni++) {
                    addRow(y, ni * c, bias, 0, c);
                }
            });
            return;
        }
        split(n * c, size, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                addScalar(y, p * spatial, spatial, bias[p % c]);
            }
        });
    }

    /** {@code y[i, i+len) += value}. */
    private void addScalar(float[] y, int from, int len, float value) {
        int i = from;
        int end = from + len;
        for (; i <= end - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                FloatVector.fromArray(F, y, i + u).add(value).intoArray(y, i + u);
            }
        }
        for (; i <= end - L; i += L) {
            FloatVector.fromArray(F, y, i).add(value).intoArray(y, i);
        }
        for (; i < remainderEnd(end); i++) {
            y[i] += value;
        }
    }

    /**
     * {@code y[yi, yi+len) += x[xi, xi+len)}. The remainder is one masked vector rather than a
     * scalar loop: col2im calls this for rows of 8 to 46 floats, where the tail is most of the work.
     */
    private void addRow(float[] y, int yi, float[] x, int xi, int len) {
        int i = 0;
        for (; i <= len - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                FloatVector.fromArray(F, y, yi + i + u).add(FloatVector.fromArray(F, x, xi + i + u))
                        .intoArray(y, yi + i + u);
            }
        }
        for (; i <= len - L; i += L) {
            FloatVector.fromArray(F, y, yi + i).add(FloatVector.fromArray(F, x, xi + i)).intoArray(y, yi + i);
        }
        if (i < remainderEnd(len)) {
            VectorMask<Float> m = F.indexInRange(i, remainderEnd(len));
            FloatVector.fromArray(F, y, yi + i, m).add(FloatVector.fromArray(F, x, xi + i, m)).intoArray(y, yi + i, m);
        }
    }

    @Override
    public void biasBackward(float[] dbias, float[] dy, int n, int c, int spatial) {
        if (spatial == 1) {
            columnSums(dbias, dy, n, c);
            return;
        }
        // Whole channels per chunk: each channel's sum is the same whatever the thread count.
        split(c, (long) n * c * spatial, (c0, c1) -> {
            for (int ci = c0; ci < c1; ci++) {
                double total = 0;
                for (int ni = 0; ni < n; ni++) {
                    total += sum(dy, (ni * c + ci) * spatial, spatial);
                }
                dbias[ci] += (float) total;
            }
        });
    }

    /**
     * Dense features {@code dy [N, C]}: {@code dbias[c] += sum_n dy[n, c]}, a double vector of
     * columns at a time running down the rows, so each column sums in the reference's order.
     */
    private void columnSums(float[] dbias, float[] dy, int n, int c) {
        int h = D.length();
        int ci = 0;
        for (; ci <= c - h; ci += h) {
            DoubleVector total = DoubleVector.zero(D);
            for (int ni = 0; ni < n; ni++) {
                total = total.add(widen(dy, ni * c + ci));
            }
            ((FloatVector) total.convertShape(VectorOperators.D2F, F_HALF, 0))
                    .add(FloatVector.fromArray(F_HALF, dbias, ci)).intoArray(dbias, ci);
        }
        for (; ci < remainderEnd(c); ci++) {
            double total = 0;
            for (int ni = 0; ni < n; ni++) {
                total += dy[ni * c + ci];
            }
            dbias[ci] += (float) total;
        }
    }

    // ---------------------------------------------------------------- convolution helpers

    @Override
    public void im2col(float[] col, int colOff, float[] img, int imgOff, ConvGeometry g) {
        int rows = g.rows();
        int positions = g.positions();
        if (positions == 0) {
            return; // col is empty (and may be null)
        }
        int kh = g.kh();
        int kw = g.kw();
        int plane = g.height() * g.width();
        Parallel.Range body = (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ch = r / (kh * kw);
                int ki = r / kw % kh;
                int kj = r % kw;
                unfoldRow(col, colOff + r * positions, img, imgOff + ch * plane, g, ki, kj);
            }
        };
        split(rows, (long) rows * positions, body);
    }

    /**
     * One row of col: kernel tap (ki, kj) over every output position. Each output row reads the
     * input pixels {@code ix = ox*strideW - padLeft + kj} for ox in a range where they exist; with
     * stride 1 that range is one contiguous run, copied a vector at a time ({@link #copyRun}), and
     * the padding on either side is zeros.
     */
    private static void unfoldRow(float[] col, int dst, float[] img, int plane, ConvGeometry g, int ki, int kj) {
        int height = g.height();
        int width = g.width();
        int strideW = g.strideW();
        int padLeft = g.padLeft();
        int outW = g.outW();
        // Output columns whose input column lies inside the image: ox in [oxLo, oxHi).
        int oxLo = Math.min(outW, Math.max(0, ceilDiv(padLeft - kj, strideW)));
        int oxHi = Math.max(oxLo, Math.min(outW, ceilDiv(width + padLeft - kj, strideW)));
        for (int oy = 0; oy < g.outH(); oy++, dst += outW) {
            int iy = oy * g.strideH() - g.padTop() + ki;
            if (iy < 0 || iy >= height) {
                Arrays.fill(col, dst, dst + outW, 0f);
                continue;
            }
            int src = plane + iy * width - padLeft + kj;
            if (oxLo > 0) {
                Arrays.fill(col, dst, dst + oxLo, 0f);
            }
            if (strideW == 1) {
                copyRun(img, src + oxLo, col, dst + oxLo, oxHi - oxLo);
            } else {
                for (int ox = oxLo; ox < oxHi; ox++) {
                    col[dst + ox] = img[src + ox * strideW];
                }
            }
            if (oxHi < outW) {
                Arrays.fill(col, dst + oxHi, dst + outW, 0f);
            }
        }
    }

    /**
     * {@code dst[d, d+len) = src[s, s+len)} for the runs of im2col (fer-ref's are 8 to 46 floats):
     * {@code System.arraycopy} from a vector's length up, one masked vector copy below it, where
     * the call would cost more than the copy. (Whole vectors for the longer runs measured no
     * faster, and inlined deep into a caller's compiled code they can miss C2's inlining budget
     * and be boxed: the intrinsic copy cannot.)
     */
    private static void copyRun(float[] src, int s, float[] dst, int d, int len) {
        if (len >= L) {
            System.arraycopy(src, s, dst, d, len);
        } else if (len > 0) {
            VectorMask<Float> m = F.indexInRange(0, len);
            FloatVector.fromArray(F, src, s, m).intoArray(dst, d, m);
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public void convForward(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel,
                            float[] bias, float[] col, ConvGeometry g, boolean relu, float slope) {
        // 3x3 at stride 1 with enough channels and tiles (every convolution of the model zoo but
        // the first): Winograd, F(4x4,3x3) where its tiles are many enough (VectorWinograd4.better),
        // else F(2x2,3x3) (VectorWinograd); -Dfer4j.winograd=false|f2|f4 forces one (Winograd).
        // Stride 1 across: the GEMM unfolds each image into its packed panels itself and packs
        // the kernel once for all of them. Anything else: im2col into col, then the GEMM, image
        // by image.
        boolean unfoldInPanels = g.strideW() == 1 && g.positions() > 0 && g.filters() > 0 && g.channels() > 0;
        if (images == 0) {
            return;
        }
        VectorWinograd w = unfoldInPanels ? winogradFor(g, images) : null;
        if (w != null) {
            w.convForward(y, yOff, img, imgOff, images, kernel, bias, g, relu, slope, false, fixed(kernel));
        } else if (unfoldInPanels) {
            conv.convForward(y, yOff, img, imgOff, images, kernel, bias, g, relu, slope, fixed(kernel));
        } else {
            Kernels.super.convForward(y, yOff, img, imgOff, images, kernel, bias, col, g, relu, slope);
        }
    }

    /**
     * Remembers {@code kernel} as fixed, so that the forward convolutions keep what they derive from
     * it ({@link FixedKernel}: packed, or transformed for Winograd) from one call to the next. The
     * map holds its keys weakly (arrays hash by identity), so a dropped model's forms go with it.
     */
    @Override
    public void fixKernel(float[] kernel) {
        if (!fixedKernels.containsKey(kernel)) {
            fixedKernels.putIfAbsent(kernel, new FixedKernel());
        }
    }

    /** The kept forms of {@code kernel} if it was declared fixed, else null. */
    private FixedKernel fixed(float[] kernel) {
        return fixedKernels.isEmpty() ? null : fixedKernels.get(kernel);
    }

    /**
     * The Winograd algorithm that computes a forward convolution of {@code images} images with
     * geometry g (F(4x4) where its tiles are many enough, else F(2x2)), or null for the direct path.
     */
    private VectorWinograd winogradFor(ConvGeometry g, int images) {
        Winograd.Variant variant = Winograd.variant();
        if (variant == Winograd.Variant.OFF || !VectorWinograd.suits(g, images)) {
            return null;
        }
        boolean f4 = variant == Winograd.Variant.F4
                || variant == Winograd.Variant.AUTO && VectorWinograd4.better(g, images);
        return f4 ? winograd4 : winograd;
    }

    @Override
    public void convForwardPooled(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel,
                                  float[] bias, float[] col, ConvGeometry g, boolean relu, float slope,
                                  float[] full) {
        // On Winograd the pooling happens in the output transform: each 2x2 window of the pool is
        // a tile of F(2x2), or a quarter of a tile of F(4x4), so the convolution's output is never
        // stored; on the direct path (one input channel, say), the convolution into full and the
        // vector 2x2 pool of maxPoolValues from it, straight into y.
        boolean panels = g.strideW() == 1 && g.positions() > 0 && g.filters() > 0 && g.channels() > 0;  // as convForward
        VectorWinograd w = panels && images > 0 ? winogradFor(g, images) : null;
        if (w != null) {
            w.convForward(y, yOff, img, imgOff, images, kernel, bias, g, relu, slope, true, fixed(kernel));
        } else if (images > 0 && g.filters() > 0) {
            // The layer calls this on each thread's chunk of the batch: the pool runs on this thread.
            convForward(full, 0, img, imgOff, images, kernel, bias, col, g, relu, slope);
            int outH = g.outH() / 2;
            int outW = g.outW() / 2;
            maxPool2x2Values(y, yOff, full, 0, images * g.filters(), g.positions(), outH * outW, g.outW(),
                    outH, outW, outW);
        }
    }

    @Override
    public void convBackwardKernel(float[] dkernel, float[] dy, int dyOff, float[] x, int xOff, int images,
                                   float[] col, ConvGeometry g) {
        // A 3x3, stride-1 convolution of enough channels and filters: Winograd over all the tiles
        // of the images (VectorWinogradFilter); else the reference's im2col and GEMM per image.
        if (images > 0 && Winograd.enabled() && winogradTakesKernelGradient(g, images)) {
            winogradFilter.convBackwardKernel(dkernel, dy, dyOff, x, xOff, images, g);
        } else {
            Kernels.super.convBackwardKernel(dkernel, dy, dyOff, x, xOff, images, col, g);
        }
    }

    /**
     * Whether {@link #convBackwardKernel} runs on Winograd: 3x3 at stride 1, at least
     * {@link #BACKWARD_MIN_CHANNELS} channels and {@link VectorWinograd#MIN_CHANNELS} filters (the
     * 16 GEMMs are F x C), and at least NR tiles (their depth).
     */
    static boolean winogradTakesKernelGradient(ConvGeometry g, int images) {
        long tiles = (long) images * ((g.outH() + 1) / 2) * ((g.outW() + 1) / 2);
        return g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.channels() >= BACKWARD_MIN_CHANNELS && g.filters() >= VectorWinograd.MIN_CHANNELS
                && tiles >= VectorGemm.NR;
    }

    /** {@link #convBackwardKernel} by Winograd, whatever the sizes (the tests call it on small shapes). */
    void winogradBackwardKernel(float[] dkernel, float[] dy, int dyOff, float[] x, int xOff, int images,
                                ConvGeometry g) {
        winogradFilter.convBackwardKernel(dkernel, dy, dyOff, x, xOff, images, g);
    }

    @Override
    public void convBackwardData(float[] dx, int dxOff, float[] dy, int dyOff, int images, float[] kernel,
                                 float[] dcol, ConvGeometry g) {
        // The input gradient of a 3x3, stride-1 convolution is itself one: dx[c] = sum_f
        // dy[f] (*) turn(kernel[f, c]), a "full" correlation of dy with the kernel turned by 180
        // degrees, padded by 2 - pad on each side (the taps of dy that reach x[c, iy, ix] are
        // dy[f, iy + padTop - ki, ix + padLeft - kj] with weight kernel[f, c, ki, kj]). So it runs on
        // the forward's Winograd, F and C swapped, where that was measured to gain (enough
        // channels and tiles, below); the GEMM and col2im of the reference otherwise.
        if (images > 0 && Winograd.enabled() && winogradTakesBackwardData(g) && g.channels() >= BACKWARD_MIN_CHANNELS
                && ((g.height() + 1) / 2) * ((g.width() + 1) / 2) >= BACKWARD_DATA_MIN_TILES
                && VectorWinograd.suits(transposed(g), images)) {
            winogradBackwardData(dx, dxOff, dy, dyOff, images, kernel, g);
        } else {
            Kernels.super.convBackwardData(dx, dxOff, dy, dyOff, images, kernel, dcol, g);
        }
    }

    /**
     * The fewest input channels for which the backward passes of a 3x3, stride-1 convolution
     * use Winograd: their products are C x F (the kernel gradient's) and C x F-deep (the input
     * gradient's), and below 64 channels the transforms cost more than the GEMM saves. Measured
     * per layer of the zoo, 32 images, one thread, CPU time, Winograd / GEMM speed
     * (docs/performance.md): C = 32 0.6 to 0.96 for either gradient, C >= 64 1.04 to 1.64 for the
     * kernel gradient and where {@link #BACKWARD_DATA_MIN_TILES} holds for the input gradient.
     */
    static final int BACKWARD_MIN_CHANNELS = 64;
    /**
     * The fewest tiles per image (of the input gradient, 2x2 each) for which the input gradient
     * uses Winograd: fer-vgg's 6x6 layer (9 tiles, 0.8 times as fast) and fer-ref's 10x10 one
     * (25 tiles, "full" padding of an 8x8 dy: 0.6) lose, the 12x12 layers (36 tiles) gain 1.04 to
     * 1.36.
     */
    static final int BACKWARD_DATA_MIN_TILES = 36;

    /** Whether {@link #winogradBackwardData} computes g's input gradient: 3x3, stride 1, pads <= 2. */
    static boolean winogradTakesBackwardData(ConvGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.padTop() <= 2
                && g.padLeft() <= 2 && g.positions() > 0 && g.channels() > 0 && g.filters() > 0;
    }

    /**
     * {@link #convBackwardData} by Winograd, whatever the sizes (the tests call it on shapes
     * below the thresholds): the forward convolution of dy by the turned kernel.
     */
    void winogradBackwardData(float[] dx, int dxOff, float[] dy, int dyOff, int images, float[] kernel,
                              ConvGeometry g) {
        winograd.convForward(dx, dxOff, dy, dyOff, images, turnedKernel(kernel, g), null, transposed(g), false, 0f);
    }

    /**
     * The geometry of the convolution that computes a 3x3, stride-1 convolution's input
     * gradient: dy [F, outH, outW] in, dx [C, H, W] out, padded by {@code 2 - padTop} and
     * {@code 2 - padLeft} (the bottom and right by what H and W imply).
     */
    static ConvGeometry transposed(ConvGeometry g) {
        return new ConvGeometry(g.filters(), g.outH(), g.outW(), g.channels(), 3, 3, 1, 1,
                2 - g.padTop(), 2 - g.padLeft(), g.height(), g.width());
    }

    /** Per thread, the turned kernel of {@link #convBackwardData}, grown to the largest seen. */
    private final ThreadLocal<float[][]> turnedScratch = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * {@code kernel [F, C, 3, 3]} with filters and channels swapped and each 3x3 turned by 180
     * degrees: {@code turned[c, f, ki, kj] = kernel[f, c, 2 - ki, 2 - kj]}, in this thread's buffer.
     */
    private float[] turnedKernel(float[] kernel, ConvGeometry g) {
        int filters = g.filters();
        int channels = g.channels();
        float[][] holder = turnedScratch.get();
        if (holder[0].length < 9 * filters * channels) {
            holder[0] = new float[9 * filters * channels];
        }
        float[] turned = holder[0];
        for (int f = 0; f < filters; f++) {
            for (int c = 0; c < channels; c++) {
                int from = (f * channels + c) * 9;
                int to = (c * filters + f) * 9;
                for (int tap = 0; tap < 9; tap++) {
                    turned[to + tap] = kernel[from + 8 - tap];
                }
            }
        }
        return turned;
    }

    @Override
    public void col2im(float[] img, int imgOff, float[] col, int colOff, ConvGeometry g) {
        // Split by channel: the rows of one channel all add into the same image plane, so they
        // stay on one thread, in the reference's order (ki, kj, oy), whatever the split.
        int positions = g.positions();
        int kh = g.kh();
        int kw = g.kw();
        int plane = g.height() * g.width();
        Parallel.Range body = (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                for (int ki = 0; ki < kh; ki++) {
                    for (int kj = 0; kj < kw; kj++) {
                        int r = (ch * kh + ki) * kw + kj;
                        foldRow(img, imgOff + ch * plane, col, colOff + r * positions, g, ki, kj);
                    }
                }
            }
        };
        split(g.channels(), (long) g.colSize(), body);
    }

    /** The adjoint of {@link #unfoldRow}: adds one row of col back into its image plane. */
    private void foldRow(float[] img, int plane, float[] col, int src, ConvGeometry g, int ki, int kj) {
        int width = g.width();
        int strideW = g.strideW();
        int padLeft = g.padLeft();
        int outW = g.outW();
        int oxLo = Math.min(outW, Math.max(0, ceilDiv(padLeft - kj, strideW)));
        int oxHi = Math.max(oxLo, Math.min(outW, ceilDiv(width + padLeft - kj, strideW)));
        for (int oy = 0; oy < g.outH(); oy++, src += outW) {
            int iy = oy * g.strideH() - g.padTop() + ki;
            if (iy < 0 || iy >= g.height()) {
                continue;
            }
            int dst = plane + iy * width - padLeft + kj;
            if (strideW == 1) {
                addRow(img, dst + oxLo, col, src + oxLo, oxHi - oxLo);
            } else {
                for (int ox = oxLo; ox < oxHi; ox++) {
                    img[dst + ox * strideW] += col[src + ox];
                }
            }
        }
    }

    // ---------------------------------------------------------------- depthwise convolution

    /*
     * Stride 1 (the usual depthwise layer) is vectorised along the output width: for one output
     * row and one tap (ki, kj) the inputs it reads are a contiguous run of an input row, so each
     * tap is one y[run] += w * x[run] over the run of outputs whose tap falls inside the image
     * (the clipping replaces the reference's per-tap bounds test). Other strides read every
     * stride-th input, which would need gathers; they run the reference's loop per plane
     * (ScalarKernels.depthwisePlaneForward / depthwiseChannelBackward), still over the threads.
     *
     * The multiply and the add are kept apart (no FMA), and the taps are added in the reference's
     * order, so forward and dx are the reference's bits; dweight sums in another order and agrees
     * within the usual float-sum bound.
     */

    @Override
    public void depthwiseConvForward(float[] y, float[] x, float[] weight, float[] bias,
                                     int n, int channels, int height, int width, int kh, int kw,
                                     int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        int planes = n * channels;
        if (outH == 0 || outW == 0) {
            return; // no output (and y may be null)
        }
        // Planes (n, c) are independent: split them over the threads.
        Parallel.Range body = (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                if (strideH == 1 && strideW == 1) {
                    depthwisePlaneForward(y, x, weight, bias, p, channels, height, width, kh, kw,
                            padTop, padLeft, outH, outW);
                } else {
                    ScalarKernels.depthwisePlaneForward(y, x, weight, bias, p, channels, height, width, kh, kw,
                            strideH, strideW, padTop, padLeft, outH, outW);
                }
            }
        };
        split(planes, (long) planes * outH * outW * kh * kw, body);
    }

    /** One plane of the stride-1 forward, one output row and one tap at a time. */
    private void depthwisePlaneForward(float[] y, float[] x, float[] weight, float[] bias, int p, int channels,
                                       int height, int width, int kh, int kw, int padTop, int padLeft,
                                       int outH, int outW) {
        int c = p % channels;
        int xPlane = p * height * width;
        int yPlane = p * outH * outW;
        for (int oy = 0; oy < outH; oy++) {
            int yRow = yPlane + oy * outW;
            Arrays.fill(y, yRow, yRow + outW, bias == null ? 0f : bias[c]);
            for (int ki = 0; ki < kh; ki++) {
                int iy = oy - padTop + ki;
                if (iy < 0 || iy >= height) {
                    continue;
                }
                for (int kj = 0; kj < kw; kj++) {
                    // Outputs ox in [lo, hi) read x[iy, ox - padLeft + kj] inside the row.
                    int lo = Math.max(0, padLeft - kj);
                    int hi = Math.min(outW, width + padLeft - kj);
                    if (hi > lo) {
                        mulAddRow(y, yRow + lo, x, xPlane + iy * width + lo - padLeft + kj, hi - lo,
                                weight[(c * kh + ki) * kw + kj]);
                    }
                }
            }
        }
    }

    @Override
    public void depthwiseConvBackward(float[] dx, float[] dweight, float[] dbias, float[] dy, float[] x,
                                      float[] weight, int n, int channels, int height, int width, int kh, int kw,
                                      int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        // Split by channel, not by plane: dweight[c] and dbias[c] sum over the whole batch, and
        // one writer per channel keeps that race-free and the bits independent of the split.
        Parallel.Range body = (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                if (strideH == 1 && strideW == 1) {
                    depthwiseChannelBackward(dx, dweight, dbias, dy, x, weight, c, n, channels, height, width,
                            kh, kw, padTop, padLeft, outH, outW);
                } else {
                    ScalarKernels.depthwiseChannelBackward(dx, dweight, dbias, dy, x, weight, c, n, channels,
                            height, width, kh, kw, strideH, strideW, padTop, padLeft, outH, outW);
                }
            }
        };
        split(channels, (long) n * channels * outH * outW * kh * kw, body);
    }

    /** Channel c of the stride-1 backward, over the batch. */
    private void depthwiseChannelBackward(float[] dx, float[] dweight, float[] dbias, float[] dy, float[] x,
                                          float[] weight, int c, int n, int channels, int height, int width,
                                          int kh, int kw, int padTop, int padLeft, int outH, int outW) {
        int taps = kh * kw;
        double[] dw = new double[taps];
        double db = 0;
        for (int i = 0; i < n; i++) {
            int p = i * channels + c;
            int xPlane = p * height * width;
            int yPlane = p * outH * outW;
            if (height * width > 0) {  // an empty dx may come as null (the facade accepts that)
                Arrays.fill(dx, xPlane, xPlane + height * width, 0f);
            }
            for (int oy = 0; oy < outH; oy++) {
                int yRow = yPlane + oy * outW;
                for (int ox = 0; ox < outW; ox++) {
                    db += dy[yRow + ox];
                }
                for (int ki = 0; ki < kh; ki++) {
                    int iy = oy - padTop + ki;
                    if (iy < 0 || iy >= height) {
                        continue;
                    }
                    // kj from the right: the reference visits ox upwards, which for one input
                    // pixel ix = ox - padLeft + kj means kj downwards; same order, same bits.
                    for (int kj = kw - 1; kj >= 0; kj--) {
                        int lo = Math.max(0, padLeft - kj);
                        int hi = Math.min(outW, width + padLeft - kj);
                        if (hi > lo) {
                            int xRun = xPlane + iy * width + lo - padLeft + kj;
                            mulAddRow(dx, xRun, dy, yRow + lo, hi - lo, weight[(c * kh + ki) * kw + kj]);
                            dw[ki * kw + kj] += dotRow(dy, yRow + lo, x, xRun, hi - lo);
                        }
                    }
                }
            }
        }
        for (int t = 0; t < taps; t++) {
            dweight[c * taps + t] += (float) dw[t];
        }
        if (dbias != null) {
            dbias[c] += (float) db;
        }
    }

    /** {@code y[yi + i] += w * x[xi + i]} for {@code i < len}: a rounded multiply, then the add (no FMA). */
    private void mulAddRow(float[] y, int yi, float[] x, int xi, int len, float w) {
        int i = 0;
        for (; i <= len - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                FloatVector.fromArray(F, y, yi + i + u).add(FloatVector.fromArray(F, x, xi + i + u).mul(w))
                        .intoArray(y, yi + i + u);
            }
        }
        for (; i <= len - L; i += L) {
            FloatVector.fromArray(F, y, yi + i).add(FloatVector.fromArray(F, x, xi + i).mul(w)).intoArray(y, yi + i);
        }
        for (; i < remainderEnd(len); i++) {
            y[yi + i] += w * x[xi + i];
        }
    }

    /** {@code sum_i a[ai + i] * b[bi + i]}: float lanes (FMA), two accumulators, the total in double. */
    private double dotRow(float[] a, int ai, float[] b, int bi, int len) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= len - 2 * L; i += 2 * L) {
            acc0 = FloatVector.fromArray(F, a, ai + i).fma(FloatVector.fromArray(F, b, bi + i), acc0);
            acc1 = FloatVector.fromArray(F, a, ai + i + L).fma(FloatVector.fromArray(F, b, bi + i + L), acc1);
        }
        for (; i <= len - L; i += L) {
            acc0 = FloatVector.fromArray(F, a, ai + i).fma(FloatVector.fromArray(F, b, bi + i), acc0);
        }
        double sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < remainderEnd(len); i++) {
            sum += (double) a[ai + i] * b[bi + i];
        }
        return sum;
    }

    // ---------------------------------------------------------------- pooling

    @Override
    public void maxPoolForward(float[] out, int[] argmax, float[] in,
                               int planes, int height, int width, int kh, int kw,
                               int strideH, int strideW, int outH, int outW) {
        int planeSize = height * width;
        int outSize = outH * outW;
        boolean twoByTwo = kh == 2 && kw == 2 && strideH == 2 && strideW == 2;
        // With "same" padding the last row or column of windows may overhang the plane: the 2x2
        // vector path covers the whole windows (fullH x fullW) and the reference's clipped loop
        // the rest, so the vector loads never see the overhang.
        int fullH = Math.min(outH, height / 2);
        int fullW = Math.min(outW, width / 2);
        // 2x2 windows at stride 1 (a YOLO-style detector's last pooling, "same" padded): whole
        // windows through a loop with no inner loops, the cut last row and column through the reference's.
        boolean twoByTwoStepOne = kh == 2 && kw == 2 && strideH == 1 && strideW == 1;
        int fullH1 = Math.min(outH, height - 1);
        int fullW1 = Math.min(outW, width - 1);
        Parallel.Range body = (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                if (twoByTwo) {
                    maxPool2x2(out, argmax, in, p * planeSize, p * outSize, width, fullH, fullW, outW);
                    maxPoolWindows(out, argmax, in, p * planeSize, p * outSize, height, width, 2, 2, 2, 2,
                            0, fullH, fullW, outW, outW);
                    maxPoolWindows(out, argmax, in, p * planeSize, p * outSize, height, width, 2, 2, 2, 2,
                            fullH, outH, 0, outW, outW);
                } else if (twoByTwoStepOne) {
                    maxPool2x2Step1(out, argmax, in, p * planeSize, p * outSize, width, fullH1, fullW1, outW);
                    maxPoolWindows(out, argmax, in, p * planeSize, p * outSize, height, width, 2, 2, 1, 1,
                            0, fullH1, fullW1, outW, outW);
                    maxPoolWindows(out, argmax, in, p * planeSize, p * outSize, height, width, 2, 2, 1, 1,
                            fullH1, outH, 0, outW, outW);
                } else {
                    maxPoolWindows(out, argmax, in, p * planeSize, p * outSize, height, width, kh, kw,
                            strideH, strideW, 0, outH, 0, outW, outW);
                }
            }
        };
        split(planes, (long) planes * planeSize, body);
    }

    /**
     * The 2x2, stride-2 windows go through {@link #maxPool2x2Values}; any other window through
     * {@link #maxPoolForward} (into {@code scratch}), whose paths keep argmax in the same loop.
     */
    @Override
    public void maxPoolValues(float[] out, float[] in, int planes, int height, int width, int kh, int kw,
                              int strideH, int strideW, int outH, int outW, int[] scratch) {
        if (kh != 2 || kw != 2 || strideH != 2 || strideW != 2) {
            maxPoolForward(out, scratch, in, planes, height, width, kh, kw, strideH, strideW, outH, outW);
            return;
        }
        int planeSize = height * width;
        int outSize = outH * outW;
        int fullH = Math.min(outH, height / 2);
        int fullW = Math.min(outW, width / 2);
        Parallel.Range body = (p0, p1) -> {
            maxPool2x2Values(out, 0, in, p0, p1, planeSize, outSize, width, fullH, fullW, outW);
            if (fullH < outH || fullW < outW) {
                // "same" padding's overhanging last row or column: the reference's loop, argmax into scratch
                for (int p = p0; p < p1; p++) {
                    maxPoolWindows(out, scratch, in, p * planeSize, p * outSize, height, width, 2, 2, 2, 2,
                            0, fullH, fullW, outW, outW);
                    maxPoolWindows(out, scratch, in, p * planeSize, p * outSize, height, width, 2, 2, 2, 2,
                            fullH, outH, 0, outW, outW);
                }
            }
        };
        split(planes, (long) planes * planeSize, body);
    }

    /**
     * The whole 2x2 stride-2 windows ({@code rows x cols} of each plane) of planes
     * {@code [p0, p1)}, values only: {@link #maxPool2x2}'s walk without the index vectors.
     */
    private void maxPool2x2Values(float[] out, int outOff, float[] in, int p0, int p1, int planeSize,
                                  int outSize, int width, int rows, int cols, int outW) {
        for (int p = p0; p < p1; p++) {
            int o = outOff + p * outSize;
            for (int oy = 0; oy < rows; oy++, o += outW) {
                int top = p * planeSize + 2 * oy * width;
                int ox = 0;
                for (; ox <= cols - L; ox += L) {
                    pool2x2Values(out, in, top + 2 * ox, width, o + ox, L, false);
                }
                int rest = remainderEnd(cols - ox);
                if (rest > 0) {
                    int left = top + 2 * ox;
                    pool2x2Values(out, in, left, width, o + ox, rest, left + width + 2 * L > in.length);
                }
            }
        }
    }

    /**
     * {@link #pool2x2Vector} without argmax. Its own small method, loads repeated, rather than a
     * flag on that one: C2 compiles the vector code of small single-purpose methods well, and the
     * values path's speed (docs/performance.md) was measured in this shape.
     */
    private static void pool2x2Values(float[] out, float[] in, int left, int width, int o, int count,
                                      boolean maskLoads) {
        FloatVector t0;
        FloatVector t1;
        FloatVector b0;
        FloatVector b1;
        if (maskLoads) {
            VectorMask<Float> m0 = F.indexInRange(0, 2 * count);
            VectorMask<Float> m1 = F.indexInRange(L, 2 * count);
            t0 = FloatVector.fromArray(F, in, left, m0);
            t1 = FloatVector.fromArray(F, in, left + L, m1);
            b0 = FloatVector.fromArray(F, in, left + width, m0);
            b1 = FloatVector.fromArray(F, in, left + width + L, m1);
        } else {
            t0 = FloatVector.fromArray(F, in, left);
            t1 = FloatVector.fromArray(F, in, left + L);
            b0 = FloatVector.fromArray(F, in, left + width);
            b1 = FloatVector.fromArray(F, in, left + width + L);
        }
        FloatVector max = t0.rearrange(EVEN, t1);
        FloatVector v = t0.rearrange(ODD, t1);
        max = max.blend(v, v.compare(VectorOperators.GT, max));
        v = b0.rearrange(EVEN, b1);
        max = max.blend(v, v.compare(VectorOperators.GT, max));
        v = b0.rearrange(ODD, b1);
        max = max.blend(v, v.compare(VectorOperators.GT, max));
        if (count == L) {
            max.intoArray(out, o);
        } else {
            max.intoArray(out, o, F.indexInRange(0, count));
        }
    }

    /**
     * 2x2 windows at stride 1 that lie wholly inside the plane, {@code [0, rows) x [0, cols)}: the
     * four values in the reference's order (top-left, top-right, bottom-left, bottom-right), each
     * replacing the best only when strictly greater, so ties and NaNs resolve as there.
     */
    private static void maxPool2x2Step1(float[] out, int[] argmax, float[] in, int plane, int o, int width,
                                        int rows, int cols, int outW) {
        for (int oy = 0; oy < rows; oy++) {
            int top = plane + oy * width;
            int dst = o + oy * outW;
            for (int ox = 0; ox < cols; ox++) {
                int best = top + ox;
                float max = in[best];
                int i = best + 1;
                if (in[i] > max) {
                    max = in[i];
                    best = i;
                }
                i = top + ox + width;
                if (in[i] > max) {
                    max = in[i];
                    best = i;
                }
                i++;
                if (in[i] > max) {
                    max = in[i];
                    best = i;
                }
                out[dst + ox] = max;
                argmax[dst + ox] = best;
            }
        }
    }

    /**
     * Any window and stride, the windows {@code [oy0, oy1) x [ox0, ox1)} of one plane whose
     * output row is {@code outW} long: the reference's loop, windows cut at the bottom and right
     * edge as there.
     */
    private static void maxPoolWindows(float[] out, int[] argmax, float[] in, int plane, int o,
                                       int height, int width, int kh, int kw, int strideH, int strideW,
                                       int oy0, int oy1, int ox0, int ox1, int outW) {
        for (int oy = oy0; oy < oy1; oy++) {
            int rows = Math.min(kh, height - oy * strideH);
            for (int ox = ox0; ox < ox1; ox++) {
                int cols = Math.min(kw, width - ox * strideW);
                int corner = plane + oy * strideH * width + ox * strideW;
                int best = corner;
                float max = in[corner];
                for (int ki = 0; ki < rows; ki++) {
                    for (int kj = 0; kj < cols; kj++) {
                        int idx = corner + ki * width + kj;
                        if (in[idx] > max) {
                            max = in[idx];
                            best = idx;
                        }
                    }
                }
                out[o + oy * outW + ox] = max;
                argmax[o + oy * outW + ox] = best;
            }
        }
    }

    /** Lane l of {@code v0 ++ v1} at 2l (EVEN) and 2l+1 (ODD): de-interleaves pairs of columns. */
    private static final VectorShuffle<Float> EVEN = pairShuffle(0);
    private static final VectorShuffle<Float> ODD = pairShuffle(1);

    private static VectorShuffle<Float> pairShuffle(int parity) {
        int[] index = new int[L];
        for (int l = 0; l < L; l++) {
            int source = 2 * l + parity;
            // Two-vector rearrange: an index below 0 reads the second vector, at index + L.
            index[l] = source < L ? source : source - 2 * L;
        }
        return VectorShuffle.fromArray(F, index, 0);
    }

    /**
     * The 2x2, stride-2 window of every CNN, L outputs at a time, over {@code outH x outW} whole
     * windows whose output rows are {@code outStride} apart: two vectors of the top input
     * row, de-interleaved into the left and right pixels of L windows, likewise the bottom row;
     * then the four candidates in the reference's order (top-left, top-right, bottom-left,
     * bottom-right) with a strict {@code >}, so that ties and NaNs resolve as there. The
     * branch-free selects matter: on real activations a scalar compare mispredicts often.
     *
     * <p>The last vector of a row (fer-ref's pooled widths are 22, 10 and 4) still loads whole
     * vectors, reading into the next row, whose lanes are then not stored; only at the very end
     * of {@code in} do the loads need masks too.
     */
    private void maxPool2x2(float[] out, int[] argmax, float[] in, int plane, int o,
                            int width, int outH, int outW, int outStride) {
        IntVector pairs = IntVector.zero(INTS).addIndex(2);  // 0, 2, 4, ...: the left pixel of each window
        for (int oy = 0; oy < outH; oy++, o += outStride) {
            int top = plane + 2 * oy * width;
            int ox = 0;
            for (; ox <= outW - L; ox += L) {
                int left = top + 2 * ox;
                pool2x2Vector(out, argmax, in, left, width, o + ox, pairs, L, false);
            }
            int rest = remainderEnd(outW - ox);
            if (rest > 0) {
                int left = top + 2 * ox;
                boolean maskLoads = left + width + 2 * L > in.length;
                pool2x2Vector(out, argmax, in, left, width, o + ox, pairs, rest, maskLoads);
            }
        }
    }

    /**
     * The first {@code count} of L windows whose top-left pixels are {@code in[left + 2l]}. (A
     * count rather than a mask: this method is too big to inline, and a mask passed to it would be
     * boxed on every call.)
     */
    private static void pool2x2Vector(float[] out, int[] argmax, float[] in, int left, int width, int o,
                                      IntVector pairs, int count, boolean maskLoads) {
        FloatVector t0;
        FloatVector t1;
        FloatVector b0;
        FloatVector b1;
        if (maskLoads) {
            int inputs = 2 * count;  // two pixels per window still to read
            VectorMask<Float> m0 = F.indexInRange(0, inputs);
            VectorMask<Float> m1 = F.indexInRange(L, inputs);
            t0 = FloatVector.fromArray(F, in, left, m0);
            t1 = FloatVector.fromArray(F, in, left + L, m1);
            b0 = FloatVector.fromArray(F, in, left + width, m0);
            b1 = FloatVector.fromArray(F, in, left + width + L, m1);
        } else {
            t0 = FloatVector.fromArray(F, in, left);
            t1 = FloatVector.fromArray(F, in, left + L);
            b0 = FloatVector.fromArray(F, in, left + width);
            b1 = FloatVector.fromArray(F, in, left + width + L);
        }
        IntVector first = pairs.add(left);
        FloatVector max = t0.rearrange(EVEN, t1);
        IntVector best = first;
        FloatVector v = t0.rearrange(ODD, t1);
        VectorMask<Float> gt = v.compare(VectorOperators.GT, max);
        max = max.blend(v, gt);
        best = best.blend(first.add(1), gt.cast(INTS));
        v = b0.rearrange(EVEN, b1);
        gt = v.compare(VectorOperators.GT, max);
        max = max.blend(v, gt);
        best = best.blend(first.add(width), gt.cast(INTS));
        v = b0.rearrange(ODD, b1);
        gt = v.compare(VectorOperators.GT, max);
        max = max.blend(v, gt);
        best = best.blend(first.add(width + 1), gt.cast(INTS));
        if (count == L) {
            max.intoArray(out, o);
            best.intoArray(argmax, o);
        } else {
            VectorMask<Float> store = F.indexInRange(0, count);
            max.intoArray(out, o, store);
            best.intoArray(argmax, o, store.cast(INTS));
        }
    }

    @Override
    public void maxPoolBackward(float[] din, float[] dout, int[] argmax, int inCount, int outCount) {
        split(inCount, inCount, (from, to) -> Arrays.fill(din, from, to, 0f));
        // The scatter stays on one thread: with overlapping windows two outputs may route to the
        // same input, and only one writer per element keeps the sum exact and race-free.
        int i = 0;
        for (; i < remainderEnd(outCount); i++) {
            din[argmax[i]] += dout[i];
        }
    }

    @Override
    public void avgPoolGlobalForward(float[] out, float[] in, int planes, int spatial) {
        split(planes, (long) planes * spatial, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                out[p] = (float) (sum(in, p * spatial, spatial) / spatial);
            }
        });
    }

    @Override
    public void avgPoolGlobalBackward(float[] din, float[] dout, int planes, int spatial) {
        split(planes, (long) planes * spatial, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                float share = dout[p] / spatial;
                Arrays.fill(din, p * spatial, remainderEnd((p + 1) * spatial), share);
            }
        });
    }

    // ---------------------------------------------------------------- batch normalisation

    @Override
    public void batchNormStats(float[] mean, float[] var, float[] x, int n, int c, int spatial) {
        long count = (long) n * spatial;
        // Two passes, as in the reference, both in double (a mean of 1000 next to a spread of 1
        // must keep its digits): mean, then the squared deviations from it.
        split(c, count * c, (c0, c1) -> {
            for (int ci = c0; ci < c1; ci++) {
                double total = 0;
                for (int ni = 0; ni < n; ni++) {
                    total += sumDouble(x, (ni * c + ci) * spatial, spatial);
                }
                double mu = total / count;
                double squares = 0;
                for (int ni = 0; ni < n; ni++) {
                    squares += squaredDeviations(x, (ni * c + ci) * spatial, spatial, mu);
                }
                mean[ci] = (float) mu;
                var[ci] = (float) (squares / count);
            }
        });
    }

    /** {@code sum x[i, i+len)} with every element widened to double first. */
    private double sumDouble(float[] x, int from, int len) {
        int h = D.length();
        DoubleVector s0 = DoubleVector.zero(D), s1 = s0;
        int i = from;
        int end = from + len;
        for (; i <= end - 2 * h; i += 2 * h) {
            s0 = s0.add(widen(x, i));
            s1 = s1.add(widen(x, i + h));
        }
        for (; i <= end - h; i += h) {
            s0 = s0.add(widen(x, i));
        }
        double sum = Lanes.sum(s0.add(s1));
        for (; i < remainderEnd(end); i++) {
            sum += x[i];
        }
        return sum;
    }

    /** {@code sum (x[i] - mu)^2} over {@code [i, i+len)}, in double. */
    private double squaredDeviations(float[] x, int from, int len, double mu) {
        int h = D.length();
        DoubleVector s0 = DoubleVector.zero(D), s1 = s0;
        int i = from;
        int end = from + len;
        for (; i <= end - 2 * h; i += 2 * h) {
            DoubleVector d0 = widen(x, i).sub(mu);
            DoubleVector d1 = widen(x, i + h).sub(mu);
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        for (; i <= end - h; i += h) {
            DoubleVector d = widen(x, i).sub(mu);
            s0 = d.fma(d, s0);
        }
        double sum = Lanes.sum(s0.add(s1));
        for (; i < remainderEnd(end); i++) {
            double d = x[i] - mu;
            sum += d * d;
        }
        return sum;
    }

    @Override
    public void batchNormForward(float[] y, float[] xhat, float[] x, float[] mean, float[] invStd,
                                 float[] gamma, float[] beta, int n, int c, int spatial) {
        long size = (long) n * c * spatial;
        split(n * c, size, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ci = p % c;
                normalize(y, xhat, x, p * spatial, spatial, mean[ci], invStd[ci], gamma[ci], beta[ci]);
            }
        });
    }

    /** One plane: {@code xhat = (x - mu) * is; y = g * xhat + b}, in the reference's operations. */
    private void normalize(float[] y, float[] xhat, float[] x, int from, int len,
                           float mu, float is, float g, float b) {
        int i = from;
        int end = from + len;
        for (; i <= end - L; i += L) {
            FloatVector xh = FloatVector.fromArray(F, x, i).sub(mu).mul(is);
            if (xhat != null) {
                xh.intoArray(xhat, i);
            }
            xh.mul(g).add(b).intoArray(y, i);
        }
        for (; i < remainderEnd(end); i++) {
            float xh = (x[i] - mu) * is;
            if (xhat != null) {
                xhat[i] = xh;
            }
            y[i] = g * xh + b;
        }
    }

    @Override
    public void batchNormBackward(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] xhat,
                                  float[] invStd, float[] gamma, int n, int c, int spatial) {
        long count = (long) n * spatial;
        long size = count * c;
        split(c, size, (c0, c1) -> {
            double[] sums = new double[2];
            for (int ci = c0; ci < c1; ci++) {
                double sumDy = 0;
                double sumDyXhat = 0;
                for (int ni = 0; ni < n; ni++) {
                    sums(dy, xhat, (ni * c + ci) * spatial, spatial, sums);
                    sumDy += sums[0];
                    sumDyXhat += sums[1];
                }
                dbeta[ci] += (float) sumDy;
                dgamma[ci] += (float) sumDyXhat;
                // As in the reference: dy minus its mean, minus its projection on xhat.
                float meanDy = (float) (sumDy / count);
                float meanDyXhat = (float) (sumDyXhat / count);
                float k = gamma[ci] * invStd[ci];
                for (int ni = 0; ni < n; ni++) {
                    int base = (ni * c + ci) * spatial;
                    int i = base;
                    int end = base + spatial;
                    for (; i <= end - L; i += L) {
                        FloatVector d = FloatVector.fromArray(F, dy, i).sub(meanDy)
                                .sub(FloatVector.fromArray(F, xhat, i).mul(meanDyXhat));
                        d.mul(k).intoArray(dx, i);
                    }
                    for (; i < remainderEnd(end); i++) {
                        dx[i] = k * (dy[i] - meanDy - xhat[i] * meanDyXhat);
                    }
                }
            }
        });
    }

    /** {@code out = {sum dy, sum dy*xhat}} over {@code [from, from+len)}, in double. */
    private void sums(float[] dy, float[] xhat, int from, int len, double[] out) {
        int h = D.length();
        DoubleVector s = DoubleVector.zero(D);
        DoubleVector sx = s;
        int i = from;
        int end = from + len;
        for (; i <= end - h; i += h) {
            DoubleVector d = widen(dy, i);
            s = s.add(d);
            sx = d.fma(widen(xhat, i), sx);
        }
        double sumDy = Lanes.sum(s);
        double sumDyXhat = Lanes.sum(sx);
        for (; i < remainderEnd(end); i++) {
            sumDy += dy[i];
            sumDyXhat += (double) dy[i] * xhat[i];
        }
        out[0] = sumDy;
        out[1] = sumDyXhat;
    }

    // ---------------------------------------------------------------- activations, dropout

    @Override
    public void reluForward(float[] y, float[] x, int n) {
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> relu(y, x, from, to));
        } else {
            relu(y, x, 0, n);
        }
    }

    @Override
    public void reluInPlace(float[] x, int off, int n) {
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> relu(x, x, off + from, off + to));
        } else {
            relu(x, x, off, off + n);
        }
    }

    private void relu(float[] y, float[] x, int from, int to) {
        // lanewise MAX has Math.max's semantics: a NaN passes through, as in the reference.
        int i = from;
        for (; i <= to - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                FloatVector.fromArray(F, x, i + u).max(0f).intoArray(y, i + u);
            }
        }
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(F, x, i).max(0f).intoArray(y, i);
        }
        ScalarKernels.reluRange(y, x, i, remainderEnd(to));
    }

    @Override
    public void reluBackward(float[] dx, float[] dy, float[] y, int n) {
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> reluBackward(dx, dy, y, from, to));
        } else {
            reluBackward(dx, dy, y, 0, n);
        }
    }

    private void reluBackward(float[] dx, float[] dy, float[] y, int from, int to) {
        FloatVector zero = FloatVector.zero(F);
        int i = from;
        for (; i <= to - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                VectorMask<Float> on = FloatVector.fromArray(F, y, i + u).compare(VectorOperators.GT, 0f);
                zero.blend(FloatVector.fromArray(F, dy, i + u), on).intoArray(dx, i + u);
            }
        }
        for (; i <= to - L; i += L) {
            VectorMask<Float> on = FloatVector.fromArray(F, y, i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(F, dy, i), on).intoArray(dx, i);
        }
        ScalarKernels.reluBackwardRange(dx, dy, y, i, remainderEnd(to));
    }

    @Override
    public void leakyReluForward(float[] y, float[] x, float slope, int n) {
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> leakyRelu(y, x, slope, from, to));
        } else {
            leakyRelu(y, x, slope, 0, n);
        }
    }

    private void leakyRelu(float[] y, float[] x, float slope, int from, int to) {
        // slope * x everywhere, then x kept where x > 0: a NaN fails the compare and keeps
        // slope * NaN = NaN, as in the reference.
        int i = from;
        for (; i <= to - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                FloatVector v = FloatVector.fromArray(F, x, i + u);
                v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i + u);
            }
        }
        for (; i <= to - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
        }
        ScalarKernels.leakyReluRange(y, x, slope, i, remainderEnd(to));
    }

    @Override
    public void leakyReluBackward(float[] dx, float[] dy, float[] x, float slope, int n) {
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> leakyReluBackward(dx, dy, x, slope, from, to));
        } else {
            leakyReluBackward(dx, dy, x, slope, 0, n);
        }
    }

    private void leakyReluBackward(float[] dx, float[] dy, float[] x, float slope, int from, int to) {
        int i = from;
        for (; i <= to - 4 * L; i += 4 * L) {
            for (int u = 0; u < 4 * L; u += L) {
                VectorMask<Float> on = FloatVector.fromArray(F, x, i + u).compare(VectorOperators.GT, 0f);
                FloatVector g = FloatVector.fromArray(F, dy, i + u);
                g.mul(slope).blend(g, on).intoArray(dx, i + u);
            }
        }
        for (; i <= to - L; i += L) {
            VectorMask<Float> on = FloatVector.fromArray(F, x, i).compare(VectorOperators.GT, 0f);
            FloatVector g = FloatVector.fromArray(F, dy, i);
            g.mul(slope).blend(g, on).intoArray(dx, i);
        }
        ScalarKernels.leakyReluBackwardRange(dx, dy, x, slope, i, remainderEnd(to));
    }

    @Override
    public void dropoutMask(float[] mask, int n, float rate, long seed) {
        float keepScale = 1f / (1f - rate);
        if (large(n)) {
            Parallel.forRange(n, GRAIN, (from, to) -> dropoutRange(mask, from, to, rate, keepScale, seed));
        } else {
            dropoutRange(mask, 0, n, rate, keepScale, seed);
        }
    }

    /**
     * The reference's counter-based mask, eight (or {@code LONGS.length()}) counters at a time:
     * SplitMix64's {@code mix64} on 64-bit lanes, then the top 24 bits as a float in [0, 1).
     * The same integer operations in the same order as {@link ScalarKernels#mix64}, and an
     * exact conversion, so every element is bit-identical to the reference's.
     */
    private void dropoutRange(float[] mask, int from, int to, float rate, float keepScale, long seed) {
        int h = LONGS.length();
        // Lane j of the first vector holds counter from + j + 1; each step moves all lanes by h.
        LongVector lanes = LongVector.zero(LONGS).addIndex(1).add(from + 1L).mul(GOLDEN_GAMMA).add(seed);
        LongVector step = LongVector.broadcast(LONGS, h * GOLDEN_GAMMA);
        FloatVector keep = FloatVector.broadcast(F_HALF, keepScale);
        FloatVector drop = FloatVector.zero(F_HALF);
        int i = from;
        for (; i <= to - h; i += h) {
            LongVector z = lanes;
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xbf58476d1ce4e5b9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94d049bb133111ebL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            FloatVector u = ((FloatVector) z.lanewise(VectorOperators.LSHR, 40)
                    .convertShape(VectorOperators.L2F, F_HALF, 0)).mul(0x1.0p-24f);
            drop.blend(keep, u.compare(VectorOperators.GE, rate)).intoArray(mask, i);
            lanes = lanes.add(step);
        }
        ScalarKernels.dropoutRange(mask, i, remainderEnd(to), rate, keepScale, seed);
    }

    // ---------------------------------------------------------------- loss

    @Override
    public double softmaxCrossEntropyForward(float[] probs, float[] logits, int[] labels, int n, int k,
                                             float smoothing, float[] classWeights) {
        // Rows of K logits (7 for FER): the row max a masked vector at a time; exp and log stay
        // scalar, in double, and are the reference's own code (ScalarKernels.softmaxRow). (The
        // Vector API's EXP rounds differently when JIT-compiled than before, which would make
        // training irreproducible, and at K = 7 a vector of exps would be mostly mask anyway.)
        double total = 0;
        for (int i = 0; i < n; i++) {
            int row = i * k;
            float max = logits[row];
            for (int j = 0; j < k; j += L) {
                VectorMask<Float> m = F.indexInRange(j, k);
                max = Math.max(max, FloatVector.fromArray(F, logits, row + j, m).reduceLanes(VectorOperators.MAX, m));
            }
            total += ScalarKernels.softmaxRow(probs, logits, row, k, labels[i], max, smoothing, classWeights);
        }
        return total / n;
    }

    @Override
    public void softmaxCrossEntropyBackward(float[] dlogits, float[] probs, int[] labels, int n, int k,
                                            float smoothing, float[] classWeights) {
        float offTarget = smoothing / k;
        float onTarget = 1f - smoothing + offTarget;
        IntVector iota = IntVector.zero(INTS).addIndex(1);
        for (int i = 0; i < n; i++) {
            int row = i * k;
            int label = labels[i];
            float rowScale = (float) (classWeights == null ? 1.0 : classWeights[label]) / n;
            for (int j = 0; j < k; j += L) {
                VectorMask<Float> m = F.indexInRange(j, k);
                // The target is offTarget everywhere but at the label's lane.
                VectorMask<Float> atLabel = iota.compare(VectorOperators.EQ, label - j).cast(F);
                FloatVector target = FloatVector.broadcast(F, offTarget).blend(onTarget, atLabel);
                FloatVector.fromArray(F, probs, row + j, m).sub(target).mul(rowScale)
                        .intoArray(dlogits, row + j, m);
            }
        }
    }

    // ---------------------------------------------------------------- optimizer updates

    @Override
    public void sgdUpdate(float[] w, float[] g, float[] velocity, int n,
                          float lr, float momentum, float weightDecay, boolean nesterov) {
        // The reference's operations in its order, so the same bits: g' = g + wd*w, v = mu*v + g',
        // w -= lr * (nesterov ? g' + mu*v : v).
        split(n, n, (from, to) -> {
            int i = from;
            for (; i <= to - L; i += L) {
                FloatVector wv = FloatVector.fromArray(F, w, i);
                FloatVector gi = FloatVector.fromArray(F, g, i).add(wv.mul(weightDecay));
                FloatVector step = gi;
                if (momentum != 0f) {
                    FloatVector vi = FloatVector.fromArray(F, velocity, i).mul(momentum).add(gi);
                    vi.intoArray(velocity, i);
                    step = nesterov ? gi.add(vi.mul(momentum)) : vi;
                }
                wv.sub(step.mul(lr)).intoArray(w, i);
            }
            ScalarKernels.sgdRange(w, g, velocity, i, remainderEnd(to), lr, momentum, weightDecay, nesterov);
        });
    }

    @Override
    public void adamUpdate(float[] w, float[] g, float[] m, float[] v, int n,
                           float lr, float beta1, float beta2, float eps, float weightDecay,
                           boolean decoupled, long t) {
        float biasCorrection1 = (float) (1.0 - Math.pow(beta1, t));
        float biasCorrection2 = (float) (1.0 - Math.pow(beta2, t));
        float lrDecay = lr * weightDecay;
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        // The reference's float operations in its order (no FMA), so the same bits.
        split(n, n, (from, to) -> {
            int i = from;
            for (; i <= to - L; i += L) {
                FloatVector wi = FloatVector.fromArray(F, w, i);
                FloatVector gi = FloatVector.fromArray(F, g, i);
                if (decoupled) {
                    wi = wi.sub(wi.mul(lrDecay));
                } else {
                    gi = gi.add(wi.mul(weightDecay));
                }
                FloatVector mi = FloatVector.fromArray(F, m, i).mul(beta1).add(gi.mul(oneMinusBeta1));
                FloatVector vi = FloatVector.fromArray(F, v, i).mul(beta2).add(gi.mul(oneMinusBeta2).mul(gi));
                mi.intoArray(m, i);
                vi.intoArray(v, i);
                FloatVector mHat = mi.div(biasCorrection1);
                FloatVector vHat = vi.div(biasCorrection2);
                wi.sub(mHat.mul(lr).div(vHat.sqrt().add(eps))).intoArray(w, i);
            }
            ScalarKernels.adamRange(w, g, m, v, i, remainderEnd(to), lr, beta1, beta2, eps, weightDecay, decoupled,
                    biasCorrection1, biasCorrection2);
        });
    }
}
