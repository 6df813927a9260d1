package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fused softmax + cross-entropy over {@code logits [N, K]}, against a double reference; backward
 * against central differences of that reference.
 */
class SoftmaxCrossEntropyTest {

    private static final int N = 6;
    private static final int K = 7; // the FER2013 classes
    private static final float[] NO_WEIGHTS = null;

    private final Kernels kernels = TestSupport.kernels();

    @Test
    void handComputedTwoClassCase() {
        // logits [0, ln 3] -> exp = [1, 3] -> probs [1/4, 3/4]; label 1 -> loss = -ln(3/4).
        float[] logits = {0f, (float) Math.log(3)};
        float[] probs = new float[2];
        double loss = kernels.softmaxCrossEntropyForward(probs, logits, new int[] {1}, 1, 2, 0f, null);
        assertEquals(-Math.log(0.75), loss, 1e-7);
        assertEquals(0.25f, probs[0], 1e-7f);
        assertEquals(0.75f, probs[1], 1e-7f);
        // dlogits = probs - onehot = [1/4, -1/4].
        float[] dlogits = new float[2];
        kernels.softmaxCrossEntropyBackward(dlogits, probs, new int[] {1}, 1, 2, 0f, null);
        assertEquals(0.25f, dlogits[0], 1e-7f);
        assertEquals(-0.25f, dlogits[1], 1e-7f);
    }

    @Test
    void forwardMatchesDoubleReference() {
        Random random = new Random(8);
        float[] weights = positiveWeights(random);
        for (float smoothing : new float[] {0f, 0.1f}) {
            for (float[] w : new float[][] {NO_WEIGHTS, weights}) {
                float[] logits = scaled(TestSupport.uniform(random, N * K), 5f);
                int[] labels = labels(random);
                float[] probs = new float[N * K];
                double loss = kernels.softmaxCrossEntropyForward(probs, logits, labels, N, K, smoothing, w);
                double[] refProbs = new double[N * K];
                double refLoss = referenceLoss(refProbs, TestSupport.toDouble(logits), labels, smoothing, w);
                String where = "smoothing " + smoothing + (w == null ? "" : ", weighted");
                assertEquals(refLoss, loss, 1e-6 * Math.abs(refLoss), where);
                for (int i = 0; i < probs.length; i++) {
                    assertEquals(refProbs[i], probs[i], 1e-7, where + ", probs[" + i + "]");
                }
            }
        }
    }

    @Test
    void hugeLogitsDoNotOverflow() {
        // Without subtracting the row max, exp(1000) is +inf and the loss NaN.
        float[] logits = {1000f, 0f, -1000f, /* row 1 */ -1e4f, -1e4f, -1e4f};
        float[] probs = new float[6];
        double loss = kernels.softmaxCrossEntropyForward(probs, logits, new int[] {1, 2}, 2, 3, 0f, null);
        // Row 0: log p_1 = 0 - 1000 - log(1 + e^-1000 + e^-2000) = -1000. Row 1: uniform, -ln(1/3).
        assertEquals((1000 + Math.log(3)) / 2, loss, 1e-9);
        assertEquals(1f, probs[0]);
        assertEquals(0f, probs[1]);
        assertEquals(1f / 3, probs[4], 1e-7f);
    }

    @Test
    void backwardMatchesFiniteDifferencesOfForward() {
        Random random = new Random(9);
        float[] weights = positiveWeights(random);
        for (float smoothing : new float[] {0f, 0.1f}) {
            for (float[] w : new float[][] {NO_WEIGHTS, weights}) {
                float[] logits = scaled(TestSupport.uniform(random, N * K), 3f);
                int[] labels = labels(random);
                double[] analytic = kernelBackward(logits, labels, smoothing, w, smoothing);
                double[] numeric = numericGradient(logits, labels, smoothing, w);
                String what = "dlogits (smoothing " + smoothing + (w == null ? ")" : ", weighted)");
                assertNull(TestSupport.gradientMismatch(what, analytic, numeric, 1e-4, 1e-7));
            }
        }
    }

    @Test
    void gradientCheckCatchesAForgottenSmoothing() {
        Random random = new Random(10);
        float[] logits = scaled(TestSupport.uniform(random, N * K), 3f);
        int[] labels = labels(random);
        double[] wrong = kernelBackward(logits, labels, 0.1f, null, 0f);
        assertNotNull(TestSupport.gradientMismatch("dlogits", wrong,
                numericGradient(logits, labels, 0.1f, null), 1e-4, 1e-7));
    }

    @Test
    void labelsOutsideTheClassesNameRowAndLabel() {
        float[] logits = new float[3 * K];
        float[] probs = new float[3 * K];
        var e = assertThrows(IllegalArgumentException.class, () ->
                kernels.softmaxCrossEntropyForward(probs, logits, new int[] {0, 6, 7}, 3, K, 0f, null));
        assertEquals("softmaxCrossEntropyForward: row 2 has label 7, outside [0, 7)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                kernels.softmaxCrossEntropyBackward(probs, probs, new int[] {-1, 0, 0}, 3, K, 0f, null));
        assertEquals("softmaxCrossEntropyBackward: row 0 has label -1, outside [0, 7)", e.getMessage());
    }

    @Test
    void smoothingOutsideZeroOneIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.softmaxCrossEntropyForward(
                new float[K], new float[K], new int[1], 1, K, 1.5f, null));
        assertTrue(e.getMessage().contains("smoothing must be in [0, 1]"), e.getMessage());
    }

    // ---------------------------------------------------------------- references

    /**
     * The contract in double: {@code 1/N sum_i w[y_i] * -sum_k t_ik log p_ik}, with
     * {@code t_ik = (1-s)[k == y_i] + s/K}; fills {@code probs}.
     */
    static double referenceLoss(double[] probs, double[] logits, int[] labels, double smoothing,
                                float[] weights) {
        int n = labels.length;
        int k = logits.length / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits[i * k + j]);
            }
            double sumExp = 0;
            for (int j = 0; j < k; j++) {
                sumExp += Math.exp(logits[i * k + j] - max);
            }
            double rowLoss = 0;
            for (int j = 0; j < k; j++) {
                double logP = logits[i * k + j] - max - Math.log(sumExp);
                probs[i * k + j] = Math.exp(logP);
                double target = (j == labels[i] ? 1 - smoothing : 0) + smoothing / k;
                rowLoss -= target * logP;
            }
            total += (weights == null ? 1 : weights[labels[i]]) * rowLoss;
        }
        return total / n;
    }

    /** Forward with {@code smoothing}, then backward told {@code backwardSmoothing}. */
    private double[] kernelBackward(float[] logits, int[] labels, float smoothing, float[] w,
                                    float backwardSmoothing) {
        float[] probs = new float[N * K];
        kernels.softmaxCrossEntropyForward(probs, logits, labels, N, K, smoothing, w);
        float[] dlogits = new float[N * K];
        kernels.softmaxCrossEntropyBackward(dlogits, probs, labels, N, K, backwardSmoothing, w);
        return TestSupport.toDouble(dlogits);
    }

    private static double[] numericGradient(float[] logits, int[] labels, float smoothing, float[] w) {
        double[] x = TestSupport.toDouble(logits);
        double[] scratch = new double[x.length];
        double h = 1e-5;
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double saved = x[i];
            x[i] = saved + h;
            double plus = referenceLoss(scratch, x, labels, smoothing, w);
            x[i] = saved - h;
            double minus = referenceLoss(scratch, x, labels, smoothing, w);
            x[i] = saved;
            grad[i] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    private static int[] labels(Random random) {
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = random.nextInt(K);
        }
        return labels;
    }

    private static float[] positiveWeights(Random random) {
        float[] w = new float[K];
        for (int j = 0; j < K; j++) {
            w[j] = 0.25f + 2f * random.nextFloat();
        }
        return w;
    }

    private static float[] scaled(float[] x, float factor) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= factor;
        }
        return x;
    }
}
