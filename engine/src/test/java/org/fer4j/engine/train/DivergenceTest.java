package org.fer4j.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.data.ArrayDataset;
import org.fer4j.engine.data.SyntheticBars;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.optim.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN or infinite loss or weight stops training before the epoch is checkpointed: last.fer4j
 * keeps the last finite epoch. The NaN is planted by a callback at the end of epoch 2's last batch.
 */
class DivergenceTest {
    @TempDir
    Path dir;

    /** Sets the first element of the parameter whose name ends in {@code suffix} to {@code value} at epoch 2's end. */
    private record Poison(String suffix, float value) implements Callback {
        @Override
        public void onBatchEnd(Trainer trainer, BatchLogs logs) {
            if (logs.epoch() == 1 && logs.batch() == logs.batches() - 1) {
                for (Param p : trainer.model().state()) {
                    if (p.name().endsWith(suffix)) {
                        p.value().data()[0] = value;
                        return;
                    }
                }
                throw new AssertionError("no parameter ending in " + suffix);
            }
        }
    }

    private TrainingDivergedException diverge(String suffix, boolean validate) {
        return diverge(suffix, Float.NaN, validate);
    }

    private TrainingDivergedException diverge(String suffix, float value, boolean validate) {
        Sequential model = TrainerTest.smallCnn(5);
        ArrayDataset train = SyntheticBars.generate(128, 16, 4, 1);
        ArrayDataset val = SyntheticBars.generate(64, 16, 4, 2);
        Trainer trainer = new Trainer(model, new Adam(model.params(), 1e-3f), new SoftmaxCrossEntropy(), null,
                TrainConfig.DEFAULT.toBuilder().epochs(4).batchSize(32).seed(7).build());
        trainer.addCallback(new Poison(suffix, value));
        trainer.addCallback(new ModelCheckpoint(dir, ModelInfo.of(java.util.List.of("a", "b", "c", "d"),
                Normalization.NONE), validate ? "val_loss" : "loss"));
        return assertThrows(TrainingDivergedException.class, () -> trainer.fit(train, validate ? val : null));
    }

    private void assertLastIsEpoch1() throws Exception {
        Checkpoint last = ModelFile.load(dir.resolve(ModelCheckpoint.LAST));  // loads: every value finite
        assertEquals(1, ((Number) last.training().get("next_epoch")).intValue(), String.valueOf(last.training().get("next_epoch")));
    }

    @Test
    void aNaNRunningVarianceStopsAtValidation() throws Exception {
        // Training mode uses batch statistics, so the training loss stays finite; validation does not.
        TrainingDivergedException e = diverge("running_var", true);
        assertEquals(1, e.epoch());
        assertTrue(e.getMessage().contains("epoch 2: the validation loss is NaN"), e.getMessage());
        assertLastIsEpoch1();
    }

    @Test
    void aNaNWeightIsFoundWithoutValidation() throws Exception {
        TrainingDivergedException e = diverge("running_var", false);
        assertTrue(e.getMessage().contains("running_var[0] is NaN"), e.getMessage());
        assertLastIsEpoch1();
    }

    @Test
    void aNaNLossStopsAtTheBatch() throws Exception {
        // A NaN kernel makes the next batch's loss NaN: epoch 3, batch 1.
        TrainingDivergedException e = diverge("kernel", true);
        assertTrue(e.getMessage().contains("epoch 2") || e.getMessage().contains("epoch 3"), e.getMessage());
        assertLastIsEpoch1();
    }

    /** A finite weight that a model file would refuse (over 1e10) is divergence too, not a checkpoint nobody can load. */
    @Test
    void aWeightBeyondWhatAModelFileHoldsStopsBeforeItIsSaved() throws Exception {
        TrainingDivergedException e = diverge("running_var", 1e11f, false);
        assertEquals(1, e.epoch());
        assertTrue(e.getMessage().contains("epoch 2: weight ") && e.getMessage().contains("running_var[0] is 1.0E11, beyond"),
                e.getMessage());
        assertLastIsEpoch1();
    }
}
