package org.fer4j.engine.layers;

import java.util.random.RandomGenerator;

/**
 * Weight initialisation. {@code AUTO} resolves at build time: He for a layer whose output feeds a
 * ReLU (possibly through batch-norm, dropout, max-pooling or flatten: the layers whose
 * {@code isScalePreserving()} is true), Glorot otherwise.
 */
public enum Init {
    AUTO,
    /** Normal with std {@code sqrt(2 / fanIn)}: He et al. 2015, arXiv:1502.01852; keeps ReLU activations' variance. */
    HE_NORMAL,
    /** Uniform in {@code +-sqrt(6 / (fanIn + fanOut))}: Glorot and Bengio 2010; the Keras default. */
    GLOROT_UNIFORM;

    Init resolve(boolean followedByRelu) {
        if (this != AUTO) {
            return this;
        }
        return followedByRelu ? HE_NORMAL : GLOROT_UNIFORM;
    }

    void fill(float[] w, int fanIn, int fanOut, RandomGenerator random) {
        switch (this) {
            case HE_NORMAL -> {
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (random.nextGaussian() * std);
                }
            }
            case GLOROT_UNIFORM -> {
                double limit = Math.sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
                }
            }
            case AUTO -> throw new IllegalStateException("Init.AUTO must be resolved before use");
        }
    }

    static Init parse(String name) {
        for (Init i : values()) {
            if (i.name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("init must be one of auto, he_normal, glorot_uniform; got '" + name + "'");
    }
}
