package org.fer4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fer4j.datasets.Augmentation;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.data.ArrayDataset;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.data.SyntheticBars;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.optim.Adam;
import org.fer4j.engine.train.EpochLogs;
import org.fer4j.engine.train.History;
import org.fer4j.engine.train.ModelCheckpoint;
import org.fer4j.engine.train.TrainConfig;
import org.fer4j.engine.train.Trainer;
import org.fer4j.models.ModelZoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parameter-averaging training on local[2] against single-process {@link Trainer#fit}. */
class SparkTrainerTest {
    private static final int CLASSES = 4;
    private static final long SEED = 5;

    @TempDir
    Path dir;

    private final SparkSession spark = LocalSpark.get();

    @Test
    void oneWorkerAveragingEveryStepIsTheSingleProcessRunBitForBit() throws Exception {
        ArrayDataset train = SyntheticBars.generate(200, 16, CLASSES, 1);
        ArrayDataset val = SyntheticBars.generate(64, 16, CLASSES, 2);
        Trainer single = trainer(2);
        single.fit(train, val);

        Trainer driver = trainer(2);
        new SparkTrainer(spark, driver, 1, 1, Normalization.NONE)
                .addCallback(new ModelCheckpoint(dir, ModelInfo.of(List.of(SyntheticBars.classNames(CLASSES)), Normalization.NONE),
                        "val_accuracy"))
                .fit(rows(train), val);

        assertSameWeights(single.model(), driver.model());
        assertEquals(single.optimizer().steps(), driver.optimizer().steps());
        List<EpochLogs> a = single.history().epochs();
        List<EpochLogs> b = driver.history().epochs();
        assertEquals(2, b.size());
        for (int e = 0; e < a.size(); e++) {
            assertEquals(a.get(e).loss(), b.get(e).loss(), "epoch " + e);
            assertEquals(a.get(e).accuracy(), b.get(e).accuracy());
            assertEquals(a.get(e).valLoss(), b.get(e).valLoss());
            assertEquals(a.get(e).images(), b.get(e).images());
        }
        // The checkpoint callback wrote the usual files on the driver, resumable as any run's.
        Checkpoint last = ModelFile.load(dir.resolve(ModelCheckpoint.LAST));
        assertSameWeights(driver.model(), last.model());
        Trainer resumed = trainer(2);
        Trainer onFile = new Trainer(last.model(), new Adam(last.model().params(), 3e-3f), new SoftmaxCrossEntropy(), null,
                resumed.config());
        ModelCheckpoint.restore(onFile, last);
        assertEquals(2, onFile.nextEpoch());
        assertEquals(2, onFile.history().epochs().size());
        assertEquals(b.get(1).valAccuracy(), onFile.history().last().valAccuracy());
    }

    @Test
    void twoWorkersReachTheSingleProcessAccuracyAndRepeatExactly() {
        ArrayDataset train = SyntheticBars.generate(1200, 16, CLASSES, 3);
        ArrayDataset val = SyntheticBars.generate(400, 16, CLASSES, 4);
        int epochs = 5;
        Trainer single = trainer(epochs);
        single.fit(train, val);
        double expected = single.history().last().valAccuracy();

        Dataset<Row> rows = rows(train);
        Trainer first = trainer(epochs);
        History h = new SparkTrainer(spark, first, 2, 2, Normalization.NONE).fit(rows, val);
        double got = h.last().valAccuracy();
        assertEquals(epochs, h.epochs().size());
        assertEquals(1200, h.last().images());
        assertTrue(expected > 0.8, "the task is learnt in " + epochs + " epochs: " + expected);
        assertTrue(Math.abs(got - expected) <= 0.02, "2 workers: val accuracy " + got + ", single process " + expected);

        Trainer again = trainer(epochs);
        new SparkTrainer(spark, again, 2, 2, Normalization.NONE).fit(rows, val);
        assertSameWeights(first.model(), again.model());
        assertEquals(h.last().loss(), again.history().last().loss());
    }

    @Test
    void augmentationOnTheWorkersChangesTheRunAndRepeatsExactly() {
        ArrayDataset train = SyntheticBars.generate(128, 16, CLASSES, 6);
        Dataset<Row> rows = rows(train);
        Trainer plain = trainer(1);
        new SparkTrainer(spark, plain, 2, 2, Normalization.NONE).fit(rows, null);
        Augmentation aug = Augmentation.parse("flip,shift=0.1,brightness=0.2");
        Trainer first = trainer(1);
        new SparkTrainer(spark, first, 2, 2, Normalization.NONE).augmentation(aug).fit(rows, null);
        Trainer again = trainer(1);
        new SparkTrainer(spark, again, 2, 2, Normalization.NONE).augmentation(aug).fit(rows, null);

        assertSameWeights(first.model(), again.model());
        assertEquals(first.history().last().loss(), again.history().last().loss());
        assertNotEquals(plain.history().last().loss(), first.history().last().loss(), "augmented batches differ");
        assertEquals(128, first.history().last().images());
    }

    @Test
    void augmentationNeedsOneGreyChannel() {
        Sequential model = Sequential.builder("rgb", 3, 4, 4).add(new org.fer4j.engine.layers.Flatten())
                .add(new org.fer4j.engine.layers.Dense(CLASSES)).build(1);
        Trainer t = new Trainer(model, new Adam(model.params(), 1e-3f), new SoftmaxCrossEntropy(), null, TrainConfig.DEFAULT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(spark, t, 1, 1,
                Normalization.NONE).augmentation(Augmentation.STANDARD).fit(rows(SyntheticBars.generate(8, 16, CLASSES, 1)), null));
        assertTrue(e.getMessage().startsWith("augmentation needs one grey channel"), e.getMessage());
    }

    @Test
    void averagingIsTheMeanOfTheWorkersInWorkerOrder() {
        Sequential a = ModelZoo.entry("bars-cnn").build(CLASSES, 1);
        Sequential b = ModelZoo.entry("bars-cnn").build(CLASSES, 2);
        Adam oa = new Adam(a.params(), 1e-3f);
        Adam ob = new Adam(b.params(), 1e-3f);
        step(a, oa);
        step(b, ob);
        step(b, ob);
        SparkTrainer.State avg = SparkTrainer.State.average(List.of(
                new SparkTrainer.Result(0, 1, SparkTrainer.State.of(a, oa), 0, 0, 1),
                new SparkTrainer.Result(1, 2, SparkTrainer.State.of(b, ob), 0, 0, 1)));
        List<Param> pa = a.state();
        List<Param> pb = b.state();
        for (int i = 0; i < pa.size(); i++) {
            float[] x = pa.get(i).value().data();
            float[] y = pb.get(i).value().data();
            for (int j = 0; j < x.length; j++) {
                assertEquals((x[j] + y[j]) / 2, avg.values()[i][j], pa.get(i).name() + "[" + j + "]");
            }
        }
        String m = oa.state().keySet().iterator().next();
        assertEquals((oa.state().get(m)[0] + ob.state().get(m)[0]) / 2, avg.optimizer().get(m)[0]);
        assertEquals(2, avg.steps(), "the most steps any worker took");
    }

    private static void step(Sequential model, Adam opt) {
        ArrayDataset d = SyntheticBars.generate(8, 16, CLASSES, 9);
        Iterator<Batch> it = d.batches(8, false, 0);
        new Trainer(model, opt, new SoftmaxCrossEntropy(), null, TrainConfig.DEFAULT).step(it.next());
    }

    private static Trainer trainer(int epochs) {
        Sequential model = ModelZoo.entry("bars-cnn").build(CLASSES, SEED);
        return new Trainer(model, new Adam(model.params(), 3e-3f), new SoftmaxCrossEntropy(), null,
                TrainConfig.DEFAULT.toBuilder().epochs(epochs).batchSize(32).seed(SEED).build());
    }

    /** The samples as Spark rows (pixels, label), in order. */
    private Dataset<Row> rows(ArrayDataset data) {
        List<Row> rows = new ArrayList<>();
        Iterator<Batch> it = data.batches(data.size(), false, 0);
        Batch all = it.next();
        int size = 16 * 16;
        float[] x = all.x().data();
        for (int i = 0; i < data.size(); i++) {
            List<Float> pixels = new ArrayList<>(size);
            for (int p = 0; p < size; p++) {
                pixels.add(x[i * size + p]);
            }
            rows.add(RowFactory.create(pixels, all.y()[i]));
        }
        StructType schema = new StructType().add("pixels", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.IntegerType);
        // A local list keeps its order across Spark's partitions: row i is sample i.
        return spark.createDataFrame(rows, schema);
    }

    private static void assertSameWeights(Sequential a, Sequential b) {
        List<Param> pa = a.state();
        List<Param> pb = b.state();
        assertEquals(pa.size(), pb.size());
        for (int i = 0; i < pa.size(); i++) {
            assertArrayEquals(pa.get(i).value().data(), pb.get(i).value().data(), pa.get(i).name());
        }
    }
}
