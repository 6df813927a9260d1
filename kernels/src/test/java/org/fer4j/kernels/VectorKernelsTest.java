package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kernel of {@link VectorKernels} against {@link ScalarKernels}, the reference, over awkward
 * sizes: 1, 3, 7, 13, 31, 207, 1021 and 70,001 (which also crosses the size at which kernels split
 * over threads), every transpose, leading dimension, offset, stride and padding.
 *
 * <p>Where the vector kernel performs the reference's float operations in the reference's order
 * (elementwise kernels, im2col and col2im, pooling, dropout masks, the optimizer updates) the
 * outputs must be identical bit for bit. Where it sums in another order (GEMM with FMA and
 * blocking, the reductions) the tolerance grows with the length of the sum: {@code (len + c) *
 * 2^-24 * sum |terms|}, the classic bound for a float sum (Higham 3.1).
 *
 * <p>Each family of checks returns {@code null} or the first disagreement, so that
 * {@link #plantedOffByOneInTheRemaindersIsCaught} can run the same checks on kernels whose scalar
 * remainders stop one element short, and show that every family notices.
 */
class VectorKernelsTest {

    static final int[] SIZES = {1, 3, 7, 13, 31, 207, 1021, 70_001};

    private final Kernels ref = new ScalarKernels();
    private int savedThreads;

    @BeforeEach
    void remember() {
        savedThreads = Parallel.threads();
        // Two threads at least, so that the split paths run whatever the machine.
        Parallel.setThreads(Math.max(2, savedThreads));
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
    }

    private static VectorKernels vector() {
        return new VectorKernels();
    }

    /** Kernels whose scalar remainders stop one element short, and whose GEMM tiles store one column too few. */
    private static VectorKernels planted() {
        return new OffByOneRemainders(new OffByOneTileStores());
    }

    /** The planted bug of the elementwise kernels: every scalar remainder stops one element short. */
    private static final class OffByOneRemainders extends VectorKernels {
        OffByOneRemainders(VectorGemm gemm) {
            super(gemm);
        }

        @Override
        int remainderEnd(int end) {
            return end - 1;
        }
    }

    /** The planted bug of the GEMM: every tile, full or at an edge, stores one column too few. */
    private static final class OffByOneTileStores extends VectorGemm {
        @Override
        int storedColumns(int cols) {
            return cols - 1;
        }
    }

    @Test
    void elementwiseKernelsGiveTheReferenceBits() {
        assertNull(elementwise(vector(), new Random(1)));
    }

    @Test
    void reductionsAgreeWithinASizeScaledTolerance() {
        assertNull(reductions(vector(), new Random(2)));
    }

    @Test
    void sgemmAllTransposesSizesLeadingDimensionsAndOffsets() {
        assertNull(sgemmSmall(vector(), new Random(3)));
        assertNull(sgemmLarge(vector(), new Random(4)));
    }

    @Test
    void sgemmAcrossEveryBlockEdgeWithTinyBlocks() {
        // KC 5, MC 12 (rounded up to whole micro-panels), NC one or two NR panels: small
        // matrices then cross every K, M and N block boundary and every edge tile.
        for (int mr : new int[] {6, 8}) {
            for (int nc : new int[] {VectorGemm.NR, 2 * VectorGemm.NR}) {
                VectorKernels tiny = new VectorKernels(new VectorGemm(mr, 5, 12, nc));
                assertNull(sgemmSmall(tiny, new Random(5 + mr + nc)), "mr " + mr + ", nc " + nc);
                assertNull(sgemmCase(tiny, new Random(6), false, true, 37, 70, 29, 1f, 0.5f), "mr " + mr);
            }
        }
    }

    @Test
    void sgemmGivesTheSameBitsForAnyThreadCount() {
        // Every element is the same FMA chain however the panels are split over threads.
        Random random = new Random(7);
        for (int[] shape : new int[][] {{64, 1936, 288}, {288, 400, 64}, {2, 1021, 300}, {300, 40, 500}}) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            float[] a = TestSupport.uniform(random, m * k);
            float[] b = TestSupport.uniform(random, k * n);
            float[] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                float[] c = new float[m * n];
                vector().sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                if (first == null) {
                    first = c;
                } else {
                    assertNull(sameBits("sgemm " + Arrays.toString(shape) + " on " + threads + " threads", first, c));
                }
            }
        }
    }

    @Test
    void im2colAndCol2imGiveTheReferenceBits() {
        assertNull(convolution(vector(), new Random(8)));
    }

    @Test
    void convForwardAgreesWhetherOrNotItUnfoldsInThePanels() {
        assertNull(convForward(vector(), new Random(13)));
        // Tiny blocks: the unfolded panels cross K blocks, row runs and panel edges everywhere.
        assertNull(convForward(new VectorKernels(new VectorGemm(8, 5, 12, VectorGemm.NR)), new Random(14)));
    }

    @Test
    void poolingGivesTheReferenceBits() {
        assertNull(pooling(vector(), new Random(9)));
    }

    @Test
    void leakyReluGivesTheReferenceBits() {
        assertNull(leakyRelu(vector(), new Random(14)));
    }

    @Test
    void depthwiseConvolutionAgrees() {
        assertNull(depthwise(vector(), new Random(15)));
    }

    @Test
    void batchNormAgrees() {
        assertNull(batchNorm(vector(), new Random(10)));
    }

    @Test
    void softmaxCrossEntropyAgrees() {
        assertNull(loss(vector(), new Random(11)));
    }

    @Test
    void optimizerUpdatesGiveTheReferenceBits() {
        assertNull(optimizers(vector(), new Random(12)));
    }

    @Test
    void dropoutMasksAreBitIdenticalAcrossBackendsAndThreadCounts() {
        assertNull(dropout(vector()));
        for (int threads : new int[] {1, 3}) {
            Parallel.setThreads(threads);
            assertNull(dropout(vector()), threads + " threads");
        }
    }

    @Test
    void plantedOffByOneInTheRemaindersIsCaught() {
        VectorKernels broken = planted();
        assertNotNull(elementwise(broken, new Random(1)), "elementwise");
        assertNotNull(reductions(broken, new Random(2)), "reductions");
        assertNotNull(sgemmSmall(broken, new Random(3)), "sgemm");
        assertNotNull(convolution(broken, new Random(8)), "col2im");
        assertNotNull(convForward(broken, new Random(13)), "convForward");
        assertNotNull(pooling(broken, new Random(9)), "pooling");
        assertNotNull(leakyRelu(broken, new Random(14)), "leaky ReLU");
        assertNotNull(depthwise(broken, new Random(15)), "depthwise convolution");
        assertNotNull(batchNorm(broken, new Random(10)), "batch norm");
        assertNotNull(optimizers(broken, new Random(12)), "optimizers");
        assertNotNull(dropout(broken), "dropout");
    }

    @Test
    void describesItself() {
        VectorKernels v = vector();
        assertEquals("vector", v.name());
        assertTrue(v.vectorBits() >= 128);
        assertTrue(v.describe().startsWith("vector (" + v.vectorBits() + "-bit FloatVector, "), v.describe());
    }

    @Test
    void microKernelsGiveTheBitsOfTheirScalarReference() {
        Random random = new Random(16);
        int nr = VectorGemm.NR;
        for (int kc : new int[] {1, 7, 144}) {
            for (int rows : new int[] {6, 8}) {
                for (int as : new int[] {rows, rows + 5}) {  // packed, and read in place with a stride
                    float[] ap = TestSupport.uniform(random, 3 + (kc - 1) * as + rows);
                    float[] bp = TestSupport.uniform(random, 2 + kc * nr);
                    float[] fast = new float[8 * nr];
                    float[] slow = new float[8 * nr];
                    if (rows == 8) {
                        VectorGemm.kernel8(kc, ap, 3, as, bp, 2, fast);
                    } else {
                        VectorGemm.kernel6(kc, ap, 3, as, bp, 2, fast);
                    }
                    VectorGemm.microKernelReference(rows, kc, ap, 3, as, bp, 2, slow);
                    assertArrayEquals(slow, fast, "kc " + kc + ", " + rows + " rows, A step " + as);
                }
            }
        }
    }

    @Test
    void claimsFmaOnlyWhenTheJitUsesIt() {
        assertEquals("FMA, ", VectorKernels.fmaText("true"));
        assertEquals("no FMA, ", VectorKernels.fmaText("false"));
        assertEquals("", VectorKernels.fmaText(null), "unknown: claim nothing");
        // On HotSpot the option is readable, and describe() says what it says.
        String useFma = VectorKernels.useFmaOption();
        assertTrue("true".equals(useFma) || "false".equals(useFma), "UseFMA = " + useFma);
        boolean claims = vector().describe().contains(", FMA,");
        assertEquals(Boolean.parseBoolean(useFma), claims, vector().describe());
    }

    // ---------------------------------------------------------------- families of checks

    private String elementwise(Kernels v, Random random) {
        for (int n : SIZES) {
            float[] x = withSpecials(TestSupport.uniform(random, n + 5));
            float[] y0 = TestSupport.uniform(random, n + 5);
            String what = "n=" + n;

            float[] ye = y0.clone();
            float[] ya = y0.clone();
            ref.axpy(ye, 2, x, 3, n, -0.75f);
            v.axpy(ya, 2, x, 3, n, -0.75f);
            String bad = sameBits("axpy " + what, ye, ya);
            if (bad != null) {
                return bad;
            }
            ye = y0.clone();
            ya = y0.clone();
            ref.scale(ye, 1, n, 1.5f);
            v.scale(ya, 1, n, 1.5f);
            if ((bad = sameBits("scale " + what, ye, ya)) != null) {
                return bad;
            }
            ye = y0.clone();
            ya = y0.clone();
            ref.fill(ye, 4, n, 0.25f);
            v.fill(ya, 4, n, 0.25f);
            if ((bad = sameBits("fill " + what, ye, ya)) != null) {
                return bad;
            }
            ye = new float[n];
            ya = new float[n];
            ref.add(ye, x, y0, n);
            v.add(ya, x, y0, n);
            if ((bad = sameBits("add " + what, ye, ya)) != null) {
                return bad;
            }
            ref.mul(ye, x, y0, n);
            v.mul(ya, x, y0, n);
            if ((bad = sameBits("mul " + what, ye, ya)) != null) {
                return bad;
            }
            ref.reluForward(ye, x, n);
            v.reluForward(ya, x, n);
            if ((bad = sameBits("reluForward " + what, ye, ya)) != null) {
                return bad;
            }
            // In place over [off, n): the elements before off must keep their (negative) values.
            int off = Math.min(3, n);
            float[] re = x.clone();
            float[] ra = x.clone();
            ref.reluInPlace(re, off, n - off);
            v.reluInPlace(ra, off, n - off);
            if ((bad = sameBits("reluInPlace " + what, re, ra)) != null) {
                return bad;
            }
            float[] dx0 = new float[n];
            float[] dx1 = new float[n];
            ref.reluBackward(dx0, y0, ye, n);
            v.reluBackward(dx1, y0, ye, n);
            if ((bad = sameBits("reluBackward " + what, dx0, dx1)) != null) {
                return bad;
            }
            // addBias over [N, C, S] and dense [N, C] (S = 1).
            for (int[] ncs : new int[][] {{2, 3, n}, {n, 3, 1}, {3, n, 1}}) {
                int size = ncs[0] * ncs[1] * ncs[2];
                float[] bias = TestSupport.uniform(random, ncs[1]);
                float[] be = TestSupport.uniform(random, size);
                float[] ba = be.clone();
                ref.addBias(be, bias, ncs[0], ncs[1], ncs[2]);
                v.addBias(ba, bias, ncs[0], ncs[1], ncs[2]);
                if ((bad = sameBits("addBias " + Arrays.toString(ncs), be, ba)) != null) {
                    return bad;
                }
            }
        }
        return null;
    }

    private String reductions(Kernels v, Random random) {
        for (int n : SIZES) {
            float[] x = TestSupport.uniform(random, n + 3);
            double e = ref.sumOfSquares(x, 2, n);
            double a = v.sumOfSquares(x, 2, n);
            if (!(Math.abs(e - a) <= (n + 4) * 0x1.0p-50 * e)) {
                return "sumOfSquares n=" + n + ": " + a + ", expected " + e;
            }
            for (int[] ncs : new int[][] {{2, 3, n}, {n, 5, 1}, {3, n, 1}, {1, 2, n}}) {
                int size = ncs[0] * ncs[1] * ncs[2];
                float[] dy = TestSupport.uniform(random, size);
                float[] start = TestSupport.uniform(random, ncs[1]);
                float[] de = start.clone();
                float[] da = start.clone();
                ref.biasBackward(de, dy, ncs[0], ncs[1], ncs[2]);
                v.biasBackward(da, dy, ncs[0], ncs[1], ncs[2]);
                String bad = close("biasBackward " + Arrays.toString(ncs), de, da, ncs[0] * ncs[2]);
                if (bad != null) {
                    return bad;
                }
            }
            float[] in = TestSupport.uniform(random, 3 * n);
            float[] oe = new float[3];
            float[] oa = new float[3];
            ref.avgPoolGlobalForward(oe, in, 3, n);
            v.avgPoolGlobalForward(oa, in, 3, n);
            String bad = close("avgPoolGlobalForward spatial=" + n, oe, oa, n);
            if (bad != null) {
                return bad;
            }
            float[] ge = new float[3 * n];
            float[] ga = new float[3 * n];
            ref.avgPoolGlobalBackward(ge, oe, 3, n);
            v.avgPoolGlobalBackward(ga, oe, 3, n);
            if ((bad = sameBits("avgPoolGlobalBackward spatial=" + n, ge, ga)) != null) {
                return bad;
            }
        }
        return null;
    }

    private String sgemmSmall(Kernels v, Random random) {
        int[] sizes = {1, 3, 7, 13, 31};
        float[][] alphaBeta = {{1f, 0f}, {-0.5f, 1f}, {2f, 0.5f}, {0f, 0.75f}};
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                for (float[] ab : alphaBeta) {
                    for (int m : sizes) {
                        for (int n : sizes) {
                            for (int k : sizes) {
                                String bad = sgemmCase(v, random, transA, transB, m, n, k, ab[0], ab[1]);
                                if (bad != null) {
                                    return bad;
                                }
                            }
                        }
                    }
                }
            }
        }
        return null;
    }

    private String sgemmLarge(Kernels v, Random random) {
        int[][] shapes = {
            {207, 31, 207}, {13, 207, 1021}, {33, 1021, 7}, {1, 1021, 207}, {4, 70, 300}, {2, 2049, 64},
        };
        for (int[] s : shapes) {
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    String bad = sgemmCase(v, random, transA, transB, s[0], s[1], s[2], 1f, transA ? 1f : 0f);
                    if (bad != null) {
                        return bad;
                    }
                }
            }
        }
        // fer-ref's second convolution as Conv2D issues it: forward, dkernel (accumulating), dcol;
        // and the first layer's thin shapes.
        int[][] conv = {{0, 0, 64, 1936, 288}, {0, 1, 64, 288, 1936}, {1, 0, 288, 1936, 64},
            {0, 1, 32, 9, 2116}, {1, 0, 9, 2116, 32}, {0, 0, 64, 1024, 2048}};
        for (int[] s : conv) {
            String bad = sgemmCase(v, random, s[0] == 1, s[1] == 1, s[2], s[3], s[4], 1f, s[1] == 1 ? 1f : 0f);
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    /**
     * One product with random leading-dimension padding and offsets; A and B padding hold NaN
     * (reading it would show), C padding a sentinel (writing it would show), and C starts as NaN
     * when beta is 0 (reading it would show). Compared with the reference within
     * {@code 2 (k+2) 2^-24 (|alpha| sum|a b| + |beta c|)}: both sides' rounding.
     */
    static String sgemmCase(Kernels v, Random random, boolean transA, boolean transB,
                            int m, int n, int k, float alpha, float beta) {
        String where = "sgemm(transA=" + transA + ", transB=" + transB + ", m=" + m + ", n=" + n
                + ", k=" + k + ", alpha=" + alpha + ", beta=" + beta + ")";
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        int lda = Math.max(1, aCols) + random.nextInt(3) * 3;
        int ldb = Math.max(1, bCols) + random.nextInt(3) * 3;
        int ldc = Math.max(1, n) + random.nextInt(3) * 3;
        int aOff = random.nextInt(5);
        int bOff = random.nextInt(5);
        int cOff = random.nextInt(5);
        float[] a = stored(random, aOff, aRows, aCols, lda, Float.NaN);
        float[] b = stored(random, bOff, bRows, bCols, ldb, Float.NaN);
        float[] c = stored(random, cOff, m, n, ldc, -777f);
        if (beta == 0f) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
            }
        }
        float[] expected = c.clone();
        float[] actual = c.clone();
        new ScalarKernels().sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                expected, cOff, ldc);
        v.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc);
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside) {
                if (Float.compare(c[idx], actual[idx]) != 0) {
                    return where + ": wrote c[" + idx + "] outside the m x n matrix";
                }
                continue;
            }
            int i = rel / ldc;
            int j = rel % ldc;
            double sumAbs = 0;
            for (int p = 0; p < k; p++) {
                double aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                double bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                sumAbs += Math.abs(aip * bpj);
            }
            double c0 = beta == 0f ? 0 : c[idx];
            double tolerance = 2.0 * (k + 2) * 0x1.0p-24 * (Math.abs(alpha) * sumAbs + Math.abs(beta * c0))
                    + Float.MIN_NORMAL;
            if (!(Math.abs(actual[idx] - expected[idx]) <= tolerance)) {
                return where + ": C[" + i + ", " + j + "] = " + actual[idx] + ", reference " + expected[idx]
                        + " +- " + tolerance;
            }
        }
        return null;
    }

    private static float[] stored(Random random, int off, int rows, int cols, int ld, float filler) {
        float[] x = new float[off + rows * ld + 3];
        Arrays.fill(x, filler);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[off + i * ld + j] = 2f * random.nextFloat() - 1f;
            }
        }
        return x;
    }

    private String convolution(Kernels v, Random random) {
        // {channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, padBottom, padRight}
        int[][] geometries = {
            {1, 48, 48, 3, 3, 1, 1, 0, 0, 0, 0}, {32, 46, 46, 3, 3, 1, 1, 0, 0, 0, 0},
            {64, 22, 22, 3, 3, 1, 1, 0, 0, 0, 0}, {128, 10, 10, 3, 3, 1, 1, 0, 0, 0, 0},
            {3, 13, 7, 3, 3, 1, 1, 1, 1, 1, 1}, {2, 7, 13, 2, 2, 2, 2, 0, 0, 1, 1},
            {2, 9, 8, 4, 3, 3, 2, 3, 2, 1, 3}, {1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1},
            {1, 2, 3, 4, 4, 1, 1, 3, 3, 0, 0}, {5, 31, 3, 1, 1, 1, 1, 0, 0, 0, 0},
            {2, 5, 5, 5, 5, 1, 1, 2, 2, 2, 2}, {1, 7, 7, 3, 3, 3, 3, 0, 0, 2, 2},
        };
        for (int[] g : geometries) {
            ConvGeometry geometry = ConvGeometry.of(g[0], g[1], g[2], 1, g[3], g[4], g[5], g[6], g[7], g[9],
                    g[8], g[10]);
            int imgSize = geometry.imageSize();
            int colSize = geometry.colSize();
            float[] img = TestSupport.smallIntegers(random, imgSize + 4);
            float[] ce = new float[colSize + 5];
            float[] ca = new float[colSize + 5];
            Arrays.fill(ce, Float.NaN);
            Arrays.fill(ca, Float.NaN);
            ref.im2col(ce, 2, img, 3, geometry);
            v.im2col(ca, 2, img, 3, geometry);
            String bad = sameBits("im2col " + Arrays.toString(g), ce, ca);
            if (bad != null) {
                return bad;
            }
            float[] col = TestSupport.uniform(random, colSize + 5);
            float[] start = TestSupport.uniform(random, imgSize + 4);
            float[] ie = start.clone();
            float[] ia = start.clone();
            ref.col2im(ie, 3, col, 2, geometry);
            v.col2im(ia, 3, col, 2, geometry);
            if ((bad = sameBits("col2im " + Arrays.toString(g), ie, ia)) != null) {
                return bad;
            }
        }
        return null;
    }

    /**
     * convForward against the reference (im2col then sgemm) within the GEMM tolerance, for
     * geometries the vector backend unfolds in its panels (fer-ref's, odd sizes, strideH 2) and
     * ones it does not (padding, strideW 2).
     */
    private String convForward(Kernels v, Random random) {
        // {filters, channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, padBottom, padRight}
        int[][] geometries = {
            {32, 1, 48, 48, 3, 3, 1, 1, 0, 0, 0, 0}, {64, 32, 46, 46, 3, 3, 1, 1, 0, 0, 0, 0},
            {128, 64, 22, 22, 3, 3, 1, 1, 0, 0, 0, 0}, {128, 128, 10, 10, 3, 3, 1, 1, 0, 0, 0, 0},
            {7, 3, 13, 9, 3, 2, 2, 1, 0, 0, 0, 0}, {5, 2, 5, 40, 1, 4, 1, 1, 0, 0, 0, 0},
            {3, 1, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0}, {9, 2, 7, 70, 2, 2, 1, 1, 0, 0, 0, 0},
            {4, 3, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1}, {6, 2, 9, 9, 3, 3, 2, 2, 0, 0, 0, 0},
            // "same" and other padding, unfolded in the panels with zeros: fer-vgg's first two
            // stages, stride 2 down with asymmetric padding, a 5x5 kernel, a kernel wider than
            // the image, and padding only on one side
            {32, 1, 48, 48, 3, 3, 1, 1, 1, 1, 1, 1}, {64, 32, 24, 24, 3, 3, 1, 1, 1, 1, 1, 1},
            {5, 3, 11, 10, 3, 3, 2, 1, 0, 1, 1, 1}, {3, 2, 5, 33, 5, 5, 1, 1, 2, 2, 2, 2},
            {2, 1, 2, 3, 3, 5, 1, 1, 1, 2, 1, 2}, {7, 2, 6, 40, 2, 2, 1, 1, 0, 0, 1, 1},
        };
        for (int[] g : geometries) {
            int f = g[0];
            ConvGeometry geometry = ConvGeometry.of(g[1], g[2], g[3], f, g[4], g[5], g[6], g[7], g[8], g[10],
                    g[9], g[11]);
            int rows = geometry.rows();
            int positions = geometry.positions();
            int images = f % 2 == 0 ? 3 : 1;  // several images: the kernel is packed once for all
            float[] img = TestSupport.uniform(random, images * g[1] * g[2] * g[3] + 3);
            float[] kernel = TestSupport.uniform(random, f * rows);
            float[] bias = TestSupport.uniform(random, f);
            for (int variant = 0; variant < 6; variant++) {
                float[] b = variant % 2 == 0 ? null : bias;  // without and with a bias
                boolean relu = variant >= 2;                  // without and with the fused ReLU ...
                float slope = variant >= 4 ? 0.1f : 0f;       // ... or leaky ReLU
                float[] y0 = TestSupport.uniform(random, images * f * positions + 4);
                float[] ye = y0.clone();
                float[] ya = y0.clone();
                float[] col = new float[rows * positions];
                ref.convForward(ye, 2, img, 3, images, kernel, b, col, geometry, relu, slope);
                v.convForward(ya, 2, img, 3, images, kernel, b, new float[rows * positions], geometry, relu, slope);
                // Both within the GEMM bound of the exact value; |w|, |x| and |b| <= 1, so
                // sum |w x| + |b| <= rows + 1 (and max(., 0) only shrinks differences).
                double tolerance = 2.0 * (rows + 2) * 0x1.0p-24 * (rows + 1);
                for (int i = 0; i < ye.length; i++) {
                    boolean inside = i >= 2 && i < 2 + images * f * positions;
                    if (!inside ? Float.compare(ye[i], ya[i]) != 0 : !(Math.abs(ye[i] - ya[i]) <= tolerance)) {
                        return "convForward " + Arrays.toString(g) + (b == null ? "" : " bias")
                                + (relu ? slope > 0 ? " leaky" : " relu" : "") + ": y[" + i + "] = " + ya[i] + ", reference " + ye[i];
                    }
                }
                if (relu && slope == 0f) {
                    for (int i = 2; i < 2 + images * f * positions; i++) {
                        if (!(ya[i] >= 0f)) {
                            return "convForward " + Arrays.toString(g) + " relu: y[" + i + "] = " + ya[i];
                        }
                    }
                }
            }
        }
        return null;
    }

    private String pooling(Kernels v, Random random) {
        // {planes, height, width, kh, kw, strideH, strideW}
        int[][] shapes = {
            {3, 2, 2, 2, 2, 2, 2}, {2, 5, 7, 2, 2, 2, 2}, {2, 9, 3, 2, 2, 2, 2}, {64, 44, 44, 2, 2, 2, 2},
            {4, 45, 13, 2, 2, 2, 2}, {5, 8, 69, 2, 2, 2, 2}, {2, 20, 20, 2, 2, 2, 2}, {3, 7, 7, 3, 3, 2, 2},
            {2, 9, 8, 3, 3, 1, 1}, {2, 6, 7, 2, 3, 1, 2}, {1, 5, 5, 5, 5, 1, 1}, {2, 33, 3, 1, 1, 1, 1},
            {3, 9, 8, 2, 2, 1, 1}, {1, 2, 17, 2, 2, 1, 1},
        };
        // The same shapes again with "same" output sizes, ceil(in / stride), whose last windows
        // overhang the bottom and right edge, plus the YOLO-style 207 -> 104 and 13 -> 13 (stride 1).
        int[][] same = {{2, 207, 207, 2, 2, 2, 2, 1}, {3, 13, 13, 2, 2, 1, 1, 1}, {4, 13, 31, 2, 2, 2, 2, 1},
            {2, 7, 1, 2, 2, 2, 2, 1}};
        for (int[] s : concat(shapes, same)) {
            boolean overhang = s.length == 8;
            int outH = overhang ? (s[1] + s[5] - 1) / s[5] : (s[1] - s[3]) / s[5] + 1;
            int outW = overhang ? (s[2] + s[6] - 1) / s[6] : (s[2] - s[4]) / s[6] + 1;
            int inCount = s[0] * s[1] * s[2];
            int outCount = s[0] * outH * outW;
            // Small integers make ties; the reference breaks them by the first in row-major order.
            float[] in = TestSupport.smallIntegers(random, inCount);
            in[in.length / 2] = Float.NaN;
            float[] oe = new float[outCount];
            float[] oa = new float[outCount];
            int[] ae = new int[outCount];
            int[] aa = new int[outCount];
            ref.maxPoolForward(oe, ae, in, s[0], s[1], s[2], s[3], s[4], s[5], s[6], outH, outW);
            v.maxPoolForward(oa, aa, in, s[0], s[1], s[2], s[3], s[4], s[5], s[6], outH, outW);
            String bad = sameBits("maxPoolForward " + Arrays.toString(s), oe, oa);
            if (bad != null) {
                return bad;
            }
            if (!Arrays.equals(ae, aa)) {
                return "maxPoolForward " + Arrays.toString(s) + ": argmax differs at " + Arrays.mismatch(ae, aa);
            }
            // The values-only kernel of inference: the same bits, whatever it leaves in its scratch.
            float[] ov = new float[outCount];
            v.maxPoolValues(ov, in, s[0], s[1], s[2], s[3], s[4], s[5], s[6], outH, outW, new int[outCount]);
            if ((bad = sameBits("maxPoolValues " + Arrays.toString(s), oe, ov)) != null) {
                return bad;
            }
            float[] dout = TestSupport.uniform(random, outCount);
            float[] de = TestSupport.uniform(random, inCount);
            float[] da = de.clone();
            ref.maxPoolBackward(de, dout, ae, inCount, outCount);
            v.maxPoolBackward(da, dout, ae, inCount, outCount);
            if ((bad = sameBits("maxPoolBackward " + Arrays.toString(s), de, da)) != null) {
                return bad;
            }
        }
        return null;
    }

    /** {@code a}, {@code b}, then every shape of {@code a} again, marked by an 8th element to run with "same" sizes. */
    private static int[][] concat(int[][] a, int[][] b) {
        int[][] all = new int[2 * a.length + b.length][];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            all[a.length + b.length + i] = Arrays.copyOf(a[i], 8);
        }
        return all;
    }

    private String leakyRelu(Kernels v, Random random) {
        for (int n : SIZES) {
            for (float slope : new float[] {0f, 0.1f, 0.3f}) {
                float[] x = withSpecials(TestSupport.uniform(random, n));
                float[] dy = TestSupport.uniform(random, n);
                String what = "n=" + n + " slope=" + slope;
                float[] ye = new float[n];
                float[] ya = new float[n];
                ref.leakyReluForward(ye, x, slope, n);
                v.leakyReluForward(ya, x, slope, n);
                String bad = sameBits("leakyReluForward " + what, ye, ya);
                if (bad != null) {
                    return bad;
                }
                float[] de = new float[n];
                float[] da = new float[n];
                ref.leakyReluBackward(de, dy, x, slope, n);
                v.leakyReluBackward(da, dy, x, slope, n);
                if ((bad = sameBits("leakyReluBackward " + what, de, da)) != null) {
                    return bad;
                }
            }
        }
        return null;
    }

    private String depthwise(Kernels v, Random random) {
        // {n, channels, height, width, kh, kw, stride, padTop, padLeft, same (1: outputs from the
        // Padding.SAME rule, the extra row/column at the bottom/right)}; widths 1, 7, 13, 31, 207
        // cross every vector remainder, padding clips the runs at both ends.
        int[][] cases = {
            {2, 3, 7, 7, 3, 3, 1, 1, 1, 0}, {1, 2, 13, 13, 3, 3, 1, 0, 0, 0}, {2, 3, 5, 207, 3, 3, 1, 1, 1, 0},
            {3, 4, 9, 31, 5, 3, 1, 2, 1, 0}, {1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, {2, 2, 6, 8, 2, 2, 1, 0, 0, 1},
            {2, 3, 7, 13, 3, 3, 2, 0, 0, 1}, {2, 2, 8, 7, 3, 3, 2, 1, 1, 0}, {1, 3, 4, 1, 3, 3, 1, 1, 1, 0},
            {64, 8, 12, 12, 3, 3, 1, 1, 1, 0}, {2, 2, 3, 3, 5, 5, 1, 2, 2, 0},
        };
        for (int[] cs : cases) {
            int n = cs[0], c = cs[1], h = cs[2], w = cs[3], kh = cs[4], kw = cs[5], stride = cs[6];
            int padTop = cs[7], padLeft = cs[8];
            int outH;
            int outW;
            if (cs[9] == 1) {
                outH = (h + stride - 1) / stride;
                outW = (w + stride - 1) / stride;
                padTop = Math.max((outH - 1) * stride + kh - h, 0) / 2;
                padLeft = Math.max((outW - 1) * stride + kw - w, 0) / 2;
            } else {
                outH = (h + 2 * padTop - kh) / stride + 1;
                outW = (w + 2 * padLeft - kw) / stride + 1;
            }
            String what = "depthwise " + Arrays.toString(cs);
            float[] x = TestSupport.uniform(random, n * c * h * w);
            float[] weight = TestSupport.uniform(random, c * kh * kw);
            float[] bias = TestSupport.uniform(random, c);
            for (float[] b : new float[][] {bias, null}) {
                float[] ye = TestSupport.uniform(random, n * c * outH * outW);  // stale: must be overwritten
                float[] ya = ye.clone();
                ref.depthwiseConvForward(ye, x, weight, b, n, c, h, w, kh, kw, stride, stride, padTop, padLeft,
                        outH, outW);
                v.depthwiseConvForward(ya, x, weight, b, n, c, h, w, kh, kw, stride, stride, padTop, padLeft,
                        outH, outW);
                String bad = sameBits(what + " forward", ye, ya);
                if (bad != null) {
                    return bad;
                }
            }
            float[] dy = TestSupport.uniform(random, n * c * outH * outW);
            float[] dxe = TestSupport.uniform(random, x.length);
            float[] dxa = dxe.clone();
            float[] dwe = TestSupport.uniform(random, weight.length);  // accumulated into
            float[] dwa = dwe.clone();
            float[] dbe = TestSupport.uniform(random, c);
            float[] dba = dbe.clone();
            ref.depthwiseConvBackward(dxe, dwe, dbe, dy, x, weight, n, c, h, w, kh, kw, stride, stride,
                    padTop, padLeft, outH, outW);
            v.depthwiseConvBackward(dxa, dwa, dba, dy, x, weight, n, c, h, w, kh, kw, stride, stride,
                    padTop, padLeft, outH, outW);
            String bad = sameBits(what + " dx", dxe, dxa);
            if (bad == null) {
                bad = close(what + " dweight", dwe, dwa, (long) n * outH * outW);
            }
            if (bad == null) {
                bad = close(what + " dbias", dbe, dba, (long) n * outH * outW);
            }
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    private String batchNorm(Kernels v, Random random) {
        for (int[] ncs : new int[][] {{2, 3, 7}, {3, 2, 13}, {4, 5, 1}, {2, 2, 207}, {64, 3, 1021}, {1, 1, 1}}) {
            int n = ncs[0];
            int c = ncs[1];
            int s = ncs[2];
            int size = n * c * s;
            String what = Arrays.toString(ncs);
            float[] x = TestSupport.uniform(random, size);
            for (int i = 0; i < size; i++) {
                x[i] += 3f;  // a mean far from zero
            }
            float[] me = new float[c];
            float[] ve = new float[c];
            float[] ma = new float[c];
            float[] va = new float[c];
            ref.batchNormStats(me, ve, x, n, c, s);
            v.batchNormStats(ma, va, x, n, c, s);
            // Both in double: at most an ulp or two apart after rounding to float.
            String bad = close("batchNormStats mean " + what, me, ma, 8);
            if (bad == null) {
                bad = close("batchNormStats var " + what, ve, va, 8);
            }
            if (bad != null) {
                return bad;
            }
            float[] invStd = new float[c];
            for (int i = 0; i < c; i++) {
                invStd[i] = (float) (1 / Math.sqrt(ve[i] + 1e-3));
            }
            float[] gamma = TestSupport.uniform(random, c);
            float[] beta = TestSupport.uniform(random, c);
            float[] ye = new float[size];
            float[] ya = new float[size];
            float[] xe = new float[size];
            float[] xa = new float[size];
            ref.batchNormForward(ye, xe, x, me, invStd, gamma, beta, n, c, s);
            v.batchNormForward(ya, xa, x, me, invStd, gamma, beta, n, c, s);
            if ((bad = sameBits("batchNormForward y " + what, ye, ya)) != null
                    || (bad = sameBits("batchNormForward xhat " + what, xe, xa)) != null) {
                return bad;
            }
            float[] dy = TestSupport.uniform(random, size);
            float[] dxe = new float[size];
            float[] dxa = new float[size];
            float[] dge = new float[c];
            float[] dga = new float[c];
            float[] dbe = new float[c];
            float[] dba = new float[c];
            ref.batchNormBackward(dxe, dge, dbe, dy, xe, invStd, gamma, n, c, s);
            v.batchNormBackward(dxa, dga, dba, dy, xe, invStd, gamma, n, c, s);
            if ((bad = close("batchNormBackward dgamma " + what, dge, dga, 8)) != null
                    || (bad = close("batchNormBackward dbeta " + what, dbe, dba, 8)) != null
                    || (bad = close("batchNormBackward dx " + what, dxe, dxa, 16)) != null) {
                return bad;
            }
        }
        return null;
    }

    private String loss(Kernels v, Random random) {
        for (int[] nk : new int[][] {{1, 2}, {64, 7}, {3, 1}, {5, 13}, {2, 31}, {3, 1021}}) {
            int n = nk[0];
            int k = nk[1];
            float[] logits = TestSupport.uniform(random, n * k);
            for (int i = 0; i < logits.length; i++) {
                logits[i] *= 6f;
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = random.nextInt(k);
            }
            float[] weights = new float[k];
            for (int i = 0; i < k; i++) {
                weights[i] = 0.5f + random.nextFloat();
            }
            for (float smoothing : new float[] {0f, 0.1f}) {
                for (float[] w : new float[][] {null, weights}) {
                    String what = Arrays.toString(nk) + " smoothing " + smoothing + (w == null ? "" : " weighted");
                    float[] pe = new float[n * k];
                    float[] pa = new float[n * k];
                    double le = ref.softmaxCrossEntropyForward(pe, logits, labels, n, k, smoothing, w);
                    double la = v.softmaxCrossEntropyForward(pa, logits, labels, n, k, smoothing, w);
                    if (!(Math.abs(le - la) <= 1e-6 * Math.abs(le) + 1e-12)) {
                        return "softmaxCrossEntropyForward " + what + ": loss " + la + ", reference " + le;
                    }
                    for (int i = 0; i < pe.length; i++) {
                        if (!(Math.abs(pe[i] - pa[i]) <= 2e-7)) {
                            return "softmaxCrossEntropyForward " + what + ": probs[" + i + "] = " + pa[i]
                                    + ", reference " + pe[i];
                        }
                    }
                    float[] de = new float[n * k];
                    float[] da = new float[n * k];
                    ref.softmaxCrossEntropyBackward(de, pe, labels, n, k, smoothing, w);
                    v.softmaxCrossEntropyBackward(da, pe, labels, n, k, smoothing, w);
                    String bad = sameBits("softmaxCrossEntropyBackward " + what, de, da);
                    if (bad != null) {
                        return bad;
                    }
                }
            }
        }
        return null;
    }

    private String optimizers(Kernels v, Random random) {
        for (int n : SIZES) {
            float[] w0 = TestSupport.uniform(random, n);
            float[] g = TestSupport.uniform(random, n);
            for (float momentum : new float[] {0f, 0.9f}) {
                for (boolean nesterov : new boolean[] {false, true}) {
                    float[] we = w0.clone();
                    float[] wa = w0.clone();
                    float[] ve = new float[n];
                    float[] va = new float[n];
                    for (int step = 0; step < 3; step++) {
                        ref.sgdUpdate(we, g, momentum == 0f ? null : ve, n, 0.1f, momentum, 0.01f, nesterov);
                        v.sgdUpdate(wa, g, momentum == 0f ? null : va, n, 0.1f, momentum, 0.01f, nesterov);
                    }
                    String bad = sameBits("sgdUpdate n=" + n + " momentum " + momentum + " nesterov " + nesterov, we, wa);
                    if (bad != null || (bad = sameBits("sgdUpdate velocity n=" + n, ve, va)) != null) {
                        return bad;
                    }
                }
            }
            for (boolean decoupled : new boolean[] {false, true}) {
                float[] we = w0.clone();
                float[] wa = w0.clone();
                float[] me = new float[n];
                float[] ma = new float[n];
                float[] ve = new float[n];
                float[] va = new float[n];
                for (int t = 1; t <= 3; t++) {
                    ref.adamUpdate(we, g, me, ve, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, t);
                    v.adamUpdate(wa, g, ma, va, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, t);
                }
                String bad = sameBits("adamUpdate w n=" + n + " decoupled " + decoupled, we, wa);
                if (bad != null || (bad = sameBits("adamUpdate m n=" + n, me, ma)) != null
                        || (bad = sameBits("adamUpdate v n=" + n, ve, va)) != null) {
                    return bad;
                }
            }
        }
        return null;
    }

    private String dropout(Kernels v) {
        for (int n : SIZES) {
            for (float rate : new float[] {0f, 0.25f, 0.5f}) {
                for (long seed : new long[] {0L, 42L, -7L}) {
                    float[] e = new float[n + 2];
                    float[] a = new float[n + 2];
                    ref.dropoutMask(e, n, rate, seed);
                    v.dropoutMask(a, n, rate, seed);
                    String bad = sameBits("dropoutMask n=" + n + " rate " + rate + " seed " + seed, e, a);
                    if (bad != null) {
                        return bad;
                    }
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- comparisons

    /** A few NaN, zeros and negative zeros, which max, compare and blend must treat as the reference. */
    private static float[] withSpecials(float[] x) {
        for (int i = 0; i < x.length; i += 11) {
            x[i] = switch (i % 4) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> Float.NaN;
                default -> x[i];
            };
        }
        return x;
    }

    /** null when equal bit for bit (NaN equal to NaN), else the first index that differs. */
    static String sameBits(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                return what + ": [" + i + "] = " + actual[i] + ", reference " + expected[i];
            }
        }
        return null;
    }

    /**
     * null when every element is within {@code (terms + 4) * 2^-24 * scale}, where scale is the
     * largest magnitude in the reference (a sum of {@code terms} values of that order errs by at
     * most about that much); else the worst element.
     */
    static String close(String what, float[] expected, float[] actual, long terms) {
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double tolerance = (terms + 4) * 0x1.0p-24 * Math.max(scale, Float.MIN_NORMAL);
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tolerance)) {
                return what + ": [" + i + "] = " + actual[i] + ", reference " + expected[i] + " +- " + tolerance;
            }
        }
        return null;
    }
}
