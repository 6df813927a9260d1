package org.fer4j.engine.data;

import org.fer4j.engine.Tensor;

/**
 * One mini-batch: images {@code x [N, C, H, W]} (or any {@code [N, ...]}) and labels
 * {@code y [N]} in {@code 0..classes-1}.
 */
public record Batch(Tensor x, int[] y) {
    public Batch {
        if (x.dim(0) != y.length) {
            throw new IllegalArgumentException("batch has " + x.dim(0) + " inputs but " + y.length + " labels");
        }
    }

    public int size() {
        return y.length;
    }
}
