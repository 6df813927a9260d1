package org.fer4j.engine.optim;

import java.util.Map;

/**
 * The learning rate of each epoch. Epochs count from 0. The trainer drives a schedule the same
 * way whichever it is:
 *
 * <pre>
 * for epoch in start..epochs:
 *     optimizer.setLearningRate(schedule.learningRate(epoch))
 *     train one epoch; validate
 *     schedule.observe(epoch, validation loss)
 * </pre>
 *
 * <p>Epoch-indexed schedules ({@link ConstantLr}, {@link StepDecay}, {@link CosineDecay}) are
 * immutable records whose rate is a function of the epoch alone, so resuming at epoch {@code e}
 * needs nothing saved and {@link #observe} does nothing. A schedule that reacts to a metric
 * ({@link ReduceOnPlateau}) changes its rate in {@link #observe}, and saves what it has seen in
 * {@link #state()} so that a resumed run continues exactly; the map holds only numbers, so that
 * it survives a round trip through JSON.
 */
public interface LrSchedule {

    /** The learning rate to train epoch {@code epoch} with ({@code >= 0}). */
    float learningRate(int epoch);

    /** Reports the monitored value (by default the validation loss) at the end of {@code epoch}. */
    default void observe(int epoch, double monitored) {
    }

    /** Whether {@link #observe} matters: a trainer without validation data cannot run such a schedule. */
    default boolean monitorsMetric() {
        return false;
    }

    /** What this schedule has learned from {@link #observe}, for checkpoints; empty when stateless. */
    default Map<String, Object> state() {
        return Map.of();
    }

    /** Restores {@link #state()}; numbers may come back as any {@link Number}. */
    default void loadState(Map<String, ?> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " keeps no state, got keys "
                    + state.keySet());
        }
    }
}
