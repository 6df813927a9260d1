package org.fer4j.engine.data;

import org.fer4j.engine.Tensor;

/**
 * One mini-batch: images {@code x [N, C, H, W]} (or any {@code [N, ...]}) and labels
 * {@code y [N]} in {@code 0..classes-1}.
 *
 * <p>A <em>mixed</em> batch (mixup, cutmix) blends each input with another one of the batch: its
 * target is {@code lambda * onehot(y) + (1 - lambda) * onehot(yMix)}, one {@code lambda} for the
 * whole batch as in the mixup and CutMix papers' own code, and the loss is
 * {@code lambda * CE(y) + (1 - lambda) * CE(yMix)}. A plain batch has {@code yMix == null} and
 * {@code lambda == 1}.
 *
 * @param yMix   {@code [N]} the labels of the blended-in inputs, or {@code null}
 * @param lambda the weight of {@code y}, in [0, 1]
 */
public record Batch(Tensor x, int[] y, int[] yMix, float lambda) {
    public Batch {
        if (x.dim(0) != y.length) {
            throw new IllegalArgumentException("batch has " + x.dim(0) + " inputs but " + y.length + " labels");
        }
        if (yMix != null && yMix.length != y.length) {
            throw new IllegalArgumentException("mixed batch has " + y.length + " labels but " + yMix.length + " mixed labels");
        }
        if (!(lambda >= 0 && lambda <= 1) || (yMix == null && lambda != 1)) {
            throw new IllegalArgumentException("batch mix weight must be in [0, 1] (1 without mixed labels), got " + lambda);
        }
    }

    /** A plain batch. */
    public Batch(Tensor x, int[] y) {
        this(x, y, null, 1f);
    }

    public int size() {
        return y.length;
    }

    /** Whether this batch carries mixed targets. */
    public boolean mixed() {
        return yMix != null;
    }
}
