package org.fer4j.engine.train;

/**
 * Hooks into {@link Trainer#fit}, Keras' way: progress display, checkpoints, early stopping,
 * history. Every method has an empty default, so a callback writes only what it needs. A
 * callback can end training with {@link Trainer#requestStop()}: called from {@code onEpochEnd} it
 * stops after that epoch; called mid-epoch it stops after the current batch and that epoch is not
 * recorded (a resumed run repeats it).
 */
public interface Callback {

    default void onTrainBegin(Trainer trainer) {
    }

    default void onEpochBegin(Trainer trainer, int epoch, int batches) {
    }

    default void onBatchEnd(Trainer trainer, BatchLogs logs) {
    }

    default void onEpochEnd(Trainer trainer, EpochLogs logs) {
    }

    default void onTrainEnd(Trainer trainer) {
    }
}
