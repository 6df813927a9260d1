package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batch norm over {@code x [N, C, S]}: statistics against a double two-pass reference, forward
 * against its formula, and backward by a gradient check of the whole training-mode layer
 * (statistics included) in double precision.
 */
class BatchNormTest {

    private static final double EPS = 1e-5;

    private final Kernels kernels = TestSupport.kernels();

    @Test
    void statsMatchDoubleReferenceEvenFarFromZero() {
        // A mean of 1000 next to a spread of 1: E[x^2] - E[x]^2 in float would lose everything.
        int n = 4, c = 3, s = 37;
        Random random = new Random(3);
        float[] x = TestSupport.uniform(random, n * c * s);
        for (int i = 0; i < x.length; i++) {
            x[i] += 1000f;
        }
        float[] mean = new float[c];
        float[] var = new float[c];
        kernels.batchNormStats(mean, var, x, n, c, s);
        double[][] ref = referenceStats(TestSupport.toDouble(x), n, c, s);
        for (int ch = 0; ch < c; ch++) {
            assertEquals(ref[0][ch], mean[ch], 1e-7 * Math.abs(ref[0][ch]), "mean[" + ch + "]");
            assertEquals(ref[1][ch], var[ch], 1e-6 * ref[1][ch], "var[" + ch + "]");
        }
    }

    @Test
    void forwardMatchesFormulaWithAndWithoutCache() {
        int n = 2, c = 3, s = 5;
        Random random = new Random(4);
        float[] x = TestSupport.uniform(random, n * c * s);
        float[] mean = TestSupport.uniform(random, c);
        float[] invStd = {0.5f, 2f, 1.25f};
        float[] gamma = TestSupport.uniform(random, c);
        float[] beta = TestSupport.uniform(random, c);
        float[] y = new float[x.length];
        float[] xhat = new float[x.length];
        kernels.batchNormForward(y, xhat, x, mean, invStd, gamma, beta, n, c, s);
        for (int i = 0; i < x.length; i++) {
            int ch = i / s % c;
            double expectedXhat = ((double) x[i] - mean[ch]) * invStd[ch];
            assertEquals(expectedXhat, xhat[i], 1e-6, "xhat[" + i + "]");
            assertEquals(gamma[ch] * expectedXhat + beta[ch], y[i], 1e-6, "y[" + i + "]");
        }
        float[] yInference = new float[x.length];
        kernels.batchNormForward(yInference, null, x, mean, invStd, gamma, beta, n, c, s);
        assertEquals(java.util.Arrays.toString(y), java.util.Arrays.toString(yInference));
    }

    @Test
    void backwardPassesGradientCheck() {
        Case cs = new Case(3, 2, 5, 8);
        Grads g = cs.kernelGrads(kernels);
        Grads numeric = cs.numericGrads();
        assertNull(TestSupport.gradientMismatch("dx", g.dx, numeric.dx, 1e-3, 1e-5));
        assertNull(TestSupport.gradientMismatch("dgamma", g.dgamma, numeric.dgamma, 1e-3, 1e-5));
        assertNull(TestSupport.gradientMismatch("dbeta", g.dbeta, numeric.dbeta, 1e-3, 1e-5));
    }

    @Test
    void gradientCheckCatchesABackwardThatIgnoresTheBatchStatistics() {
        // The classic mistake: treat mean and invStd as constants, dx = gamma * invStd * dy.
        Case cs = new Case(3, 2, 5, 8);
        Grads numeric = cs.numericGrads();
        double[] wrong = new double[cs.x.length];
        float[][] stats = cs.kernelStats(kernels);
        for (int i = 0; i < wrong.length; i++) {
            int ch = i / cs.s % cs.c;
            wrong[i] = cs.gamma[ch] * stats[1][ch] * cs.dy[i];
        }
        assertNotNull(TestSupport.gradientMismatch("dx", wrong, numeric.dx, 1e-3, 1e-5));
    }

    @Test
    void backwardStaysAccurateOverALargeBatch() {
        // M = N*S = 64 * 48*48, a real first-layer batch: the sums run over 147456 terms. Compared
        // with the contract's formula evaluated in double from the same inputs.
        int n = 64, c = 1, s = 48 * 48;
        Random random = new Random(6);
        float[] dy = TestSupport.uniform(random, n * c * s);
        float[] xhat = TestSupport.uniform(random, n * c * s);
        for (int i = 0; i < dy.length; i++) {
            dy[i] += 0.5f; // a nonzero mean gradient, so that the sum really is large
        }
        float[] invStd = {3f};
        float[] gamma = {0.7f};
        float[] dx = new float[dy.length];
        kernels.batchNormBackward(dx, new float[1], new float[1], dy, xhat, invStd, gamma, n, c, s);
        double m = (double) n * s;
        double sumDy = 0, sumDyXhat = 0;
        for (int i = 0; i < dy.length; i++) {
            sumDy += dy[i];
            sumDyXhat += (double) dy[i] * xhat[i];
        }
        double maxError = 0;
        for (int i = 0; i < dy.length; i++) {
            double expected = 0.7 * 3.0 / m * (m * dy[i] - sumDy - xhat[i] * sumDyXhat);
            maxError = Math.max(maxError, Math.abs(expected - dx[i]));
        }
        assertEquals(0, maxError, 1e-5, "largest |dx - reference|");
    }

    // ---------------------------------------------------------------- gradient-check machinery

    record Grads(double[] dx, double[] dgamma, double[] dbeta) {
    }

    /** Training-mode batch norm with loss {@code L = sum dy * y}, so that {@code dL/dy = dy}. */
    static final class Case {
        final int n, c, s;
        final float[] x, gamma, beta, dy;

        Case(int n, int c, int s, long seed) {
            this.n = n;
            this.c = c;
            this.s = s;
            Random random = new Random(seed);
            x = TestSupport.uniform(random, n * c * s);
            gamma = TestSupport.uniform(random, c);
            beta = TestSupport.uniform(random, c);
            dy = TestSupport.uniform(random, n * c * s);
        }

        /** {mean, invStd} from the kernel, as a layer would derive them. */
        float[][] kernelStats(Kernels kernels) {
            float[] mean = new float[c];
            float[] var = new float[c];
            kernels.batchNormStats(mean, var, x, n, c, s);
            float[] invStd = new float[c];
            for (int ch = 0; ch < c; ch++) {
                invStd[ch] = (float) (1.0 / Math.sqrt(var[ch] + EPS));
            }
            return new float[][] {mean, invStd};
        }

        Grads kernelGrads(Kernels kernels) {
            float[][] stats = kernelStats(kernels);
            float[] y = new float[x.length];
            float[] xhat = new float[x.length];
            kernels.batchNormForward(y, xhat, x, stats[0], stats[1], gamma, beta, n, c, s);
            float[] dx = new float[x.length];
            // Parameter gradients accumulate: start them away from zero and subtract afterwards.
            float[] dgamma = {0.25f, -0.5f};
            float[] dbeta = {1f, 2f};
            kernels.batchNormBackward(dx, dgamma, dbeta, dy, xhat, stats[1], gamma, n, c, s);
            return new Grads(TestSupport.toDouble(dx),
                    new double[] {dgamma[0] - 0.25, dgamma[1] + 0.5},
                    new double[] {dbeta[0] - 1.0, dbeta[1] - 2.0});
        }

        /** Central differences of the double-precision loss, step 1e-5. */
        Grads numericGrads() {
            double[] xd = TestSupport.toDouble(x);
            double[] gd = TestSupport.toDouble(gamma);
            double[] bd = TestSupport.toDouble(beta);
            return new Grads(centralDifferences(xd, xd, gd, bd), centralDifferences(gd, xd, gd, bd),
                    centralDifferences(bd, xd, gd, bd));
        }

        private double[] centralDifferences(double[] wrt, double[] xd, double[] gd, double[] bd) {
            double h = 1e-5;
            double[] grad = new double[wrt.length];
            for (int i = 0; i < wrt.length; i++) {
                double saved = wrt[i];
                wrt[i] = saved + h;
                double plus = loss(xd, gd, bd);
                wrt[i] = saved - h;
                double minus = loss(xd, gd, bd);
                wrt[i] = saved;
                grad[i] = (plus - minus) / (2 * h);
            }
            return grad;
        }

        private double loss(double[] xd, double[] gd, double[] bd) {
            double[][] stats = referenceStats(xd, n, c, s);
            double total = 0;
            for (int i = 0; i < xd.length; i++) {
                int ch = i / s % c;
                double xhat = (xd[i] - stats[0][ch]) / Math.sqrt(stats[1][ch] + EPS);
                total += dy[i] * (gd[ch] * xhat + bd[ch]);
            }
            return total;
        }
    }

    /** {mean[C], biased var[C]} of x [N, C, S], two-pass in double. */
    static double[][] referenceStats(double[] x, int n, int c, int s) {
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int i = 0; i < x.length; i++) {
            mean[i / s % c] += x[i];
        }
        for (int ch = 0; ch < c; ch++) {
            mean[ch] /= (double) n * s;
        }
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - mean[i / s % c];
            var[i / s % c] += d * d;
        }
        for (int ch = 0; ch < c; ch++) {
            var[ch] /= (double) n * s;
        }
        return new double[][] {mean, var};
    }
}
