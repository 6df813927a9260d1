package org.fer4j.engine.train;

/**
 * How {@link Trainer#fit} loops: immutable, validated, adjusted through {@link #toBuilder()}.
 *
 * @param epochs    number of passes over the training data ({@code > 0})
 * @param batchSize samples per step ({@code > 0})
 * @param seed      drives the shuffling of every epoch (with the model seed, the whole run)
 * @param shuffle   reshuffle the training data every epoch
 * @param clipNorm  clip the global gradient norm to this value; 0 turns clipping off
 */
public record TrainConfig(int epochs, int batchSize, long seed, boolean shuffle, float clipNorm) {

    /** 10 epochs of batch 64, shuffled, no clipping. */
    public static final TrainConfig DEFAULT = new TrainConfig(10, 64, 42L, true, 0f);

    public TrainConfig {
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        if (!(clipNorm >= 0) || !Float.isFinite(clipNorm)) {
            throw new IllegalArgumentException("clip norm must be >= 0 (0 = off), got " + clipNorm);
        }
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static final class Builder {
        private int epochs;
        private int batchSize;
        private long seed;
        private boolean shuffle;
        private float clipNorm;

        private Builder(TrainConfig c) {
            epochs = c.epochs;
            batchSize = c.batchSize;
            seed = c.seed;
            shuffle = c.shuffle;
            clipNorm = c.clipNorm;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        public Builder clipNorm(float v) {
            clipNorm = v;
            return this;
        }

        public TrainConfig build() {
            return new TrainConfig(epochs, batchSize, seed, shuffle, clipNorm);
        }
    }
}
