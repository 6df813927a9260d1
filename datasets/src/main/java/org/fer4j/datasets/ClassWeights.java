package org.fer4j.datasets;

import java.util.List;

/** Per-class loss weights for imbalanced data (FER2013: 436 Disgust faces against 7,215 Happy). */
public final class ClassWeights {
    private ClassWeights() {
    }

    /**
     * scikit-learn's {@code class_weight="balanced"}: {@code w_c = N / (K * n_c)}, so that every
     * class contributes the same total weight and a class of average size gets 1.
     *
     * @param counts training images per class, each &gt; 0
     * @param names  the classes, for the error when one has no images
     */
    public static float[] balanced(int[] counts, List<String> names) {
        long total = 0;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] <= 0) {
                throw new IllegalArgumentException("class weights: class '" + names.get(c)
                        + "' has no training images; leave it out with --classes");
            }
            total += counts[c];
        }
        float[] w = new float[counts.length];
        for (int c = 0; c < counts.length; c++) {
            w[c] = (float) ((double) total / ((double) counts.length * counts[c]));
        }
        return w;
    }
}
