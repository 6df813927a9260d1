package org.fer4j.engine.layers;

import java.util.Arrays;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;

/**
 * The loss: softmax over the logits fused with cross-entropy, so that the gradient is the plain,
 * stable {@code (p - t) / N} instead of a quotient of exponentials.
 *
 * <pre>
 * logits [N, K],  labels [N] in 0..K-1
 * p      [N, K]   softmax(logits) row by row: the cache backward reads
 * t      [N, K]   target: (1 - smoothing) * onehot(label) + smoothing / K   (label smoothing, Szegedy et al. 2016)
 * loss = 1/N sum_i w[y_i] * -sum_k t_ik log p_ik     (w: class weights, 1 when absent)
 * dlogits = w[y_i] * (p - t) / N
 *
 * mixed targets (mixup, cutmix: Zhang et al. 2018, Yun et al. 2019), one weight lambda per batch:
 * loss    = lambda * loss(y) + (1 - lambda) * loss(yMix)
 * dlogits = lambda * dlogits(y) + (1 - lambda) * dlogits(yMix)
 * </pre>
 *
 * Mixing is linear in the target, so the mixed loss is two plain ones on the same probabilities;
 * each keeps its own label smoothing and class weights.
 */
public final class SoftmaxCrossEntropy {
    private final Kernels kernels = KernelsProvider.get();
    private final float smoothing;
    private final float[] classWeights;

    private Tensor probs;    // [N, K]
    private int[] labels;    // [N]
    private Tensor dlogits;  // [N, K]
    private int[] labelsMix; // [N] of the last mixed forward, else null
    private float lambda = 1f;
    private Tensor dmix;     // [N, K] scratch: the gradient for labelsMix

    public SoftmaxCrossEntropy() {
        this(0f, null);
    }

    /**
     * @param smoothing    label smoothing in [0, 1)
     * @param classWeights one weight >= 0 per class (0 ignores a class), or {@code null} for all 1
     */
    public SoftmaxCrossEntropy(float smoothing, float[] classWeights) {
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
        }
        if (classWeights != null) {
            for (int k = 0; k < classWeights.length; k++) {
                if (!(classWeights[k] >= 0) || !Float.isFinite(classWeights[k])) {
                    throw new IllegalArgumentException("class weight " + k + " must be a finite number >= 0, got "
                            + classWeights[k]);
                }
            }
        }
        this.smoothing = smoothing;
        this.classWeights = classWeights == null ? null : classWeights.clone();
    }

    public float smoothing() {
        return smoothing;
    }

    public float[] classWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    /** Returns the mean loss over the batch and caches the probabilities. */
    public double forward(Tensor logits, int[] labels) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("softmax cross-entropy expects logits (N, classes), got "
                    + Tensor.shapeString(logits.shape()));
        }
        int n = logits.dim(0);
        int k = logits.dim(1);
        if (labels.length < n) {
            throw new IllegalArgumentException("softmax cross-entropy got " + n + " rows of logits but "
                    + labels.length + " labels");
        }
        if (classWeights != null && classWeights.length != k) {
            throw new IllegalArgumentException("softmax cross-entropy has " + classWeights.length
                    + " class weights for " + k + " classes");
        }
        probs = Layer.reuse(probs, n, k);
        this.labels = labels.length == n ? labels : Arrays.copyOf(labels, n);
        this.labelsMix = null;
        this.lambda = 1f;
        return kernels.softmaxCrossEntropyForward(probs.data(), logits.data(), this.labels, n, k, smoothing, classWeights);
    }

    /**
     * The mean of {@code lambda * CE(labels) + (1 - lambda) * CE(labelsMix)} over the batch: a
     * mixup or cutmix batch. {@code lambda == 1} is {@link #forward(Tensor, int[])}.
     */
    public double forward(Tensor logits, int[] labels, int[] labelsMix, float lambda) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("mix weight lambda must be in [0, 1], got " + lambda);
        }
        double a = forward(logits, labels);
        if (labelsMix == null || lambda == 1f) {
            return a;
        }
        int n = logits.dim(0);
        if (labelsMix.length < n) {
            throw new IllegalArgumentException("softmax cross-entropy got " + n + " rows of logits but "
                    + labelsMix.length + " mixed labels");
        }
        int k = logits.dim(1);
        this.labelsMix = labelsMix.length == n ? labelsMix : Arrays.copyOf(labelsMix, n);
        this.lambda = lambda;
        // The second call recomputes the same probabilities into the same cache.
        double b = kernels.softmaxCrossEntropyForward(probs.data(), logits.data(), this.labelsMix, n, k, smoothing,
                classWeights);
        return lambda * a + (1 - lambda) * b;
    }

    /** The gradient of the mean loss with respect to the logits of the last {@link #forward}. */
    public Tensor backward() {
        if (probs == null) {
            throw new IllegalStateException("softmax cross-entropy backward() before forward()");
        }
        int n = probs.dim(0);
        int k = probs.dim(1);
        dlogits = Layer.reuse(dlogits, n, k);
        kernels.softmaxCrossEntropyBackward(dlogits.data(), probs.data(), labels, n, k, smoothing, classWeights);
        if (labelsMix != null) {
            dmix = Layer.reuse(dmix, n, k);
            kernels.softmaxCrossEntropyBackward(dmix.data(), probs.data(), labelsMix, n, k, smoothing, classWeights);
            float[] d = dlogits.data();
            float[] m = dmix.data();
            for (int i = 0; i < n * k; i++) {
                d[i] = lambda * d[i] + (1 - lambda) * m[i];
            }
        }
        return dlogits;
    }

    /** The probabilities of the last forward, {@code [N, K]} (shared, overwritten by the next call). */
    public Tensor probabilities() {
        return probs;
    }

    /**
     * How many rows of the last forward have their label as the arg-max of the probabilities (for a
     * mixed batch: the label of weight lambda, {@code labels}).
     */
    public int correct() {
        int n = probs.dim(0);
        int k = probs.dim(1);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            if (argmax(probs.data(), i * k, k) == labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    /** Index of the largest of {@code x[off .. off+k)}, the first on ties. */
    public static int argmax(float[] x, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (x[off + j] > x[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
