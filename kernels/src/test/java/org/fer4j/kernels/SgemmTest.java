package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * sgemm against a double-precision triple loop. Every matrix sits at an offset inside a larger
 * array, with row padding when {@code ld} exceeds the width: padding of A and B holds NaN (so
 * reading it would show), padding of C holds a sentinel (so writing it would show).
 */
class SgemmTest {

    private static final float C_PADDING = -777f;
    private static final int[] SIZES = {1, 3, 7, 13, 31};
    /** (alpha, beta): plain product, accumulate, scale both, alpha == 0 (A and B unread). */
    private static final float[][] ALPHA_BETA = {{1f, 0f}, {-0.5f, 1f}, {2f, 0.5f}, {0f, 0.75f}};

    private final Kernels kernels = TestSupport.kernels();
    private final Random random = new Random(20240611);

    @Test
    void allTransposesAndScalingsOverAwkwardSizes() {
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                for (float[] ab : ALPHA_BETA) {
                    for (int m : SIZES) {
                        for (int n : SIZES) {
                            for (int k : SIZES) {
                                assertNull(runCase(transA, transB, m, n, k, ab[0], ab[1], false));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void largerThanOneCacheBlock() {
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                assertNull(runCase(transA, transB, 207, 31, 207, 1f, 0f, false));
                assertNull(runCase(transA, transB, 13, 207, 1021, 0.5f, 1f, false));
            }
        }
    }

    @Test
    void betaZeroDoesNotReadC() {
        // runCase fills C with NaN whenever beta == 0; a kernel computing 0 * C would leak it.
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                assertNull(runCase(transA, transB, 7, 13, 3, 1f, 0f, false));
                assertNull(runCase(transA, transB, 7, 13, 0, 1f, 0f, false));
            }
        }
    }

    @Test
    void emptyInnerDimensionOnlyScalesC() {
        float[] c = {1f, 2f, 3f, 4f};
        kernels.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0.5f, c, 0, 2);
        assertEquals(Arrays.toString(new float[] {0.5f, 1f, 1.5f, 2f}), Arrays.toString(c));
    }

    @Test
    void toleranceCatchesOneDroppedProduct() {
        // The kind of bug a blocked or SIMD kernel has: the last k step skipped. The check must see it.
        assertNotNull(runCase(false, false, 7, 13, 31, 1f, 0f, true));
        assertNotNull(runCase(true, true, 3, 7, 207, 1f, 0f, true));
    }

    @Test
    void badArgumentsNameTheArgument() {
        float[] x = new float[100];
        var e = assertThrows(IllegalArgumentException.class,
                () -> kernels.sgemm(false, false, -1, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
        assertTrue(e.getMessage().contains("m must be >= 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernels.sgemm(false, false, 2, 2, 3, 1f, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
        assertTrue(e.getMessage().contains("lda must be >= 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernels.sgemm(false, true, 9, 9, 9, 1f, x, 0, 9, x, 50, 9, 0f, x, 0, 9));
        assertTrue(e.getMessage().contains("b needs 81 elements from offset 50"), e.getMessage());
    }

    /**
     * One random case. {@code dropLastProduct} compares against a reference that omits the
     * {@code p = k-1} term, to show the tolerance is tight enough to notice.
     *
     * @return null when the kernel is right, else what went wrong
     */
    private String runCase(boolean transA, boolean transB, int m, int n, int k,
                           float alpha, float beta, boolean dropLastProduct) {
        String where = "sgemm(transA=" + transA + ", transB=" + transB + ", m=" + m + ", n=" + n
                + ", k=" + k + ", alpha=" + alpha + ", beta=" + beta + ")";
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        int lda = Math.max(1, aCols) + random.nextInt(3) * 2;
        int ldb = Math.max(1, bCols) + random.nextInt(3) * 2;
        int ldc = Math.max(1, n) + random.nextInt(3) * 2;
        int aOff = random.nextInt(4);
        int bOff = random.nextInt(4);
        int cOff = random.nextInt(4);
        float[] a = stored(aOff, aRows, aCols, lda, Float.NaN);
        float[] b = stored(bOff, bRows, bCols, ldb, Float.NaN);
        float[] c = stored(cOff, m, n, ldc, C_PADDING);
        if (beta == 0f) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
            }
        }
        float[] c0 = c.clone();

        kernels.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        int kUsed = dropLastProduct ? k - 1 : k;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double sumAbs = 0;
                for (int p = 0; p < kUsed; p++) {
                    double aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += aip * bpj;
                    sumAbs += Math.abs(aip * bpj);
                }
                double c0ij = beta == 0f ? 0 : c0[cOff + i * ldc + j];
                double expected = alpha * sum + beta * c0ij;
                // Float summation of k products errs by at most about k * 2^-24 * sum |a*b|
                // (Higham, Accuracy and Stability of Numerical Algorithms, 3.1); the factor 2
                // and the +2 cover the alpha and beta roundings.
                double tolerance = 2.0 * (k + 2) * 0x1.0p-24
                        * (Math.abs(alpha) * sumAbs + Math.abs(beta * c0ij)) + Float.MIN_NORMAL;
                double actual = c[cOff + i * ldc + j];
                if (!(Math.abs(actual - expected) <= tolerance)) {
                    return where + ": C[" + i + ", " + j + "] = " + actual + ", expected " + expected
                            + " +- " + tolerance;
                }
            }
        }
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside && Float.compare(c[idx], c0[idx]) != 0) {
                fail(where + ": wrote c[" + idx + "] outside the m x n matrix");
            }
        }
        return null;
    }

    /** A rows x cols matrix of uniform values at off with leading dimension ld; the rest is filler. */
    private float[] stored(int off, int rows, int cols, int ld, float filler) {
        float[] x = new float[off + rows * ld + 3];
        Arrays.fill(x, filler);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[off + i * ld + j] = 2f * random.nextFloat() - 1f;
            }
        }
        return x;
    }
}
