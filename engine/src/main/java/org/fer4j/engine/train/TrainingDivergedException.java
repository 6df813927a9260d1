package org.fer4j.engine.train;

/**
 * Training produced a number that is not one: a NaN or infinite loss (training or validation) or
 * weight. {@link Trainer#fit} throws it before the epoch's callbacks run, so no checkpoint of the
 * diverged epoch is written and the last one on disk holds finite weights.
 */
public final class TrainingDivergedException extends IllegalStateException {
    private final int epoch;

    public TrainingDivergedException(int epoch, String message) {
        super(message);
        this.epoch = epoch;
    }

    /** The epoch (0-based) in which it diverged. */
    public int epoch() {
        return epoch;
    }
}
