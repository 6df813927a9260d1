package org.fer4j.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.data.ArrayDataset;
import org.fer4j.engine.data.SyntheticBars;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.optim.Adam;
import org.fer4j.engine.optim.LrSchedule;
import org.fer4j.engine.optim.ReduceOnPlateau;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final int SIZE = 16;
    private static final int CLASSES = 4;

    static Sequential smallCnn(long seed) {
        return Sequential.builder("bars-cnn", 1, SIZE, SIZE)
                .add(new Conv2D(8, 3, 1, Padding.SAME).withoutBias()).add(new BatchNorm()).add(new ReLU())
                .add(new MaxPool2D(2))
                .add(new Conv2D(16, 3, 1, Padding.SAME)).add(new ReLU()).add(new MaxPool2D(2))
                .add(new Flatten()).add(new Dense(32)).add(new ReLU()).add(new Dropout(0.2f))
                .add(new Dense(CLASSES))
                .build(seed);
    }

    private static Trainer trainer(Sequential model, LrSchedule schedule, int epochs) {
        return new Trainer(model, new Adam(model.params(), 3e-3f), new SoftmaxCrossEntropy(0.05f, null), schedule,
                TrainConfig.DEFAULT.toBuilder().epochs(epochs).batchSize(32).seed(7).build());
    }

    @Test
    void learnsBarOrientationsToAtLeast95PercentHeldOut() {
        ArrayDataset train = SyntheticBars.generate(2400, SIZE, CLASSES, 1);
        ArrayDataset test = SyntheticBars.generate(600, SIZE, CLASSES, 2);  // another seed: unseen images
        Sequential model = smallCnn(11);
        Trainer trainer = trainer(model, null, 6);
        History history = trainer.fit(train, test);
        Evaluation held = trainer.evaluate(test, 100);
        assertTrue(held.accuracy() >= 0.95, "held-out accuracy " + held.accuracy() + "\n" + history.toCsv());
        assertTrue(history.last().loss() < history.epochs().get(0).loss(), history.toCsv());
        assertEquals(held.accuracy(), history.last().valAccuracy(), 1e-12);
    }

    @Test
    void sameSeedsGiveBitIdenticalWeights() {
        ArrayDataset train = SyntheticBars.generate(256, SIZE, CLASSES, 3);
        Sequential a = smallCnn(5);
        Sequential b = smallCnn(5);
        trainer(a, null, 2).fit(train, null);
        trainer(b, null, 2).fit(train, null);
        assertSameState(a, b);
        Sequential c = smallCnn(6);
        trainer(c, null, 2).fit(train, null);
        assertFalse(java.util.Arrays.equals(a.params().get(0).value().data(), c.params().get(0).value().data()),
                "another seed must give other weights");
    }

    @Test
    void resumingFromACheckpointContinuesTheRunExactly(@TempDir Path dir) throws Exception {
        ArrayDataset train = SyntheticBars.generate(256, SIZE, CLASSES, 4);
        ArrayDataset val = SyntheticBars.generate(64, SIZE, CLASSES, 5);
        ModelInfo info = ModelInfo.of(List.of(SyntheticBars.classNames(CLASSES)), Normalization.NONE);

        Sequential straight = smallCnn(9);
        trainer(straight, new ReduceOnPlateau(3e-3f, 0.5f, 1), 4).fit(train, val);

        Sequential first = smallCnn(9);
        Trainer interrupted = trainer(first, new ReduceOnPlateau(3e-3f, 0.5f, 1), 4);
        interrupted.addCallback(new ModelCheckpoint(dir, info, "val_accuracy"));
        interrupted.addCallback(new Callback() {
            @Override
            public void onEpochEnd(Trainer t, EpochLogs logs) {
                if (logs.epoch() == 1) {
                    t.requestStop();
                }
            }
        });
        interrupted.fit(train, val);
        assertEquals(2, interrupted.history().epochs().size());
        assertTrue(Files.exists(dir.resolve(ModelCheckpoint.BEST)));

        Checkpoint saved = ModelFile.load(dir.resolve(ModelCheckpoint.LAST));
        Trainer resumed = trainer(saved.model(), new ReduceOnPlateau(3e-3f, 0.5f, 1), 4);
        ModelCheckpoint.restore(resumed, saved);
        History history = resumed.fit(train, val);
        assertEquals(4, history.epochs().size());
        assertSameState(straight, saved.model());
    }

    @Test
    void anInterruptionMidEpochResumesInsideThatEpochExactly(@TempDir Path dir) throws Exception {
        ArrayDataset train = SyntheticBars.generate(200, SIZE, CLASSES, 10);
        ModelInfo info = ModelInfo.of(List.of(SyntheticBars.classNames(CLASSES)), Normalization.NONE);
        Sequential straight = smallCnn(12);
        History expected = trainer(straight, null, 2).fit(train, null);

        Sequential first = smallCnn(12);
        Trainer interrupted = trainer(first, null, 2);
        interrupted.addCallback(new Callback() {
            @Override
            public void onBatchEnd(Trainer t, BatchLogs logs) {
                if (logs.epoch() == 1 && logs.batch() == 2) {
                    t.requestStop();  // as the Ctrl-C handler does
                }
            }
        });
        interrupted.fit(train, null);
        assertEquals(1, interrupted.history().epochs().size());
        assertEquals(3, interrupted.partialProgress().batches());
        Path file = dir.resolve(ModelCheckpoint.LAST);
        ModelCheckpoint.save(file, interrupted, info);

        Checkpoint saved = ModelFile.load(file);
        Trainer resumed = trainer(saved.model(), null, 2);
        ModelCheckpoint.restore(resumed, saved);
        History history = resumed.fit(train, null);
        assertSameState(straight, saved.model());
        assertEquals(expected.last().loss(), history.last().loss(), 1e-12);
        assertEquals(expected.last().accuracy(), history.last().accuracy(), 1e-12);
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() {
        ArrayDataset train = SyntheticBars.generate(128, SIZE, CLASSES, 6);
        Sequential model = smallCnn(3);
        Trainer trainer = trainer(model, null, 30);
        // A patience of 1 on training accuracy, monitored with a huge min delta: nothing counts as an
        // improvement after the first epoch, so training stops after the second.
        EarlyStopping stopping = new EarlyStopping("accuracy", 1, 10.0, true);
        trainer.addCallback(stopping);
        float[][] afterFirst = new float[1][];
        trainer.addCallback(new Callback() {
            @Override
            public void onEpochEnd(Trainer t, EpochLogs logs) {
                if (logs.epoch() == 0) {
                    afterFirst[0] = model.params().get(0).value().data().clone();
                }
            }
        });
        History history = trainer.fit(train, null);
        assertEquals(2, history.epochs().size());
        assertEquals(0, stopping.bestEpoch());
        assertEquals(1, stopping.stoppedEpoch());
        assertArrayEquals(afterFirst[0], model.params().get(0).value().data());
    }

    @Test
    void progressBarPrintsOneKerasStyleLinePerEpochWhenNotInteractive() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(bytes, StandardCharsets.UTF_8), true);
        Sequential model = smallCnn(1);
        Trainer trainer = trainer(model, null, 2).addCallback(new ProgressBar(out, false));
        trainer.fit(SyntheticBars.generate(70, SIZE, CLASSES, 8), SyntheticBars.generate(20, SIZE, CLASSES, 9));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertEquals("Epoch 1/2", lines[0]);
        assertTrue(lines[1].matches("3/3 \\[=+\\] - \\d+s - \\d+ img/s - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"
                + " - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4} - lr: 3\\.0e-03"), lines[1]);
        assertEquals("Epoch 2/2", lines[2]);
    }

    @Test
    void rejectsDataThatDoesNotFitTheModel() {
        Sequential model = smallCnn(1);
        Trainer trainer = trainer(model, null, 1);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(SyntheticBars.generate(10, 20, CLASSES, 1), null));
        assertTrue(shape.getMessage().contains("(1, 20, 20)") && shape.getMessage().contains("(1, 16, 16)"),
                shape.getMessage());
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(SyntheticBars.generate(10, SIZE, 3, 1), null));
        assertTrue(classes.getMessage().contains("3 classes"), classes.getMessage());
    }

    static void assertSameState(Sequential a, Sequential b) {
        List<Param> pa = a.state();
        List<Param> pb = b.state();
        assertEquals(pa.size(), pb.size());
        for (int i = 0; i < pa.size(); i++) {
            assertArrayEquals(pa.get(i).value().data(), pb.get(i).value().data(), pa.get(i).name());
        }
    }
}
