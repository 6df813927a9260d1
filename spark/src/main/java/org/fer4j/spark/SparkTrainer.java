package org.fer4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.fer4j.datasets.Augmentation;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.data.ArrayDataset;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.data.BatchSource;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.optim.Optimizer;
import org.fer4j.engine.train.BatchLogs;
import org.fer4j.engine.train.Callback;
import org.fer4j.engine.train.EpochLogs;
import org.fer4j.engine.train.Evaluation;
import org.fer4j.engine.train.History;
import org.fer4j.engine.train.ModelCheckpoint;
import org.fer4j.engine.train.Trainer;
import org.fer4j.engine.train.TrainingDivergedException;
import scala.Tuple2;

/**
 * Data-parallel training on Spark by synchronous parameter averaging (the scheme of DL4J's
 * {@code ParameterAveragingTrainingMaster}).
 *
 * <p>The training rows are split once into {@code workers} shards (row {@code i} to shard
 * {@code i mod workers}), cached on the executors. Each epoch runs in rounds: the driver broadcasts
 * the model's state (weights, batch-norm statistics, optimizer moments and step count, learning
 * rate, dropout counters); every worker trains {@code averagingFrequency} mini-batches of its own
 * shard with the single-process {@link Trainer#step} (each worker shuffles its shard per epoch
 * from the seed); the driver averages what comes back, worker by worker in a fixed order, and
 * that average starts the next round. At the end of an epoch the driver validates, records the
 * epoch in the same {@link History} and calls the same {@link Callback}s as {@link Trainer#fit}
 * with its own {@link Trainer}: {@code ModelCheckpoint} writes {@code best.fer4j} and
 * {@code last.fer4j} on the driver, in the usual model file format.
 *
 * <p>Why parameter averaging and not gradient averaging in barrier mode: a round costs one Spark
 * job and two transfers of the model whatever {@code averagingFrequency} is, so averaging every k
 * steps divides that overhead by k, which is what makes small CNNs worth distributing at all
 * (a step of a small model takes milliseconds; a Spark job tens of them). The price: between
 * averages the workers drift apart, so with a large k a run needs more epochs than one process for
 * the same accuracy (k = 1 with plain SGD is exactly synchronous gradient averaging of a batch
 * {@code workers} times larger). Gradient averaging with barrier tasks would need an all-reduce
 * between tasks at every step, which Spark does not provide (only {@code allGather} of strings).
 *
 * <p>Augmentation ({@link #augmentation}) happens on the workers, batch by batch, as in
 * {@code fer4j train}: the shards then hold the raw 0..255 pixels, each sample of a batch is
 * augmented with its own generator (seeded from the run's seed, the epoch, the worker and the
 * batch) and then normalised; mixup and CutMix mix within the batch.
 *
 * <p>Deterministic: the same seeds, data, worker count and averaging frequency give the same
 * weights, whatever the timing of the tasks. With one worker and {@code averagingFrequency} 1 the
 * run is the single-process {@link Trainer#fit}, bit for bit.
 */
public final class SparkTrainer {
    private final SparkSession spark;
    private final Trainer trainer;
    private final int workers;
    private final int every;
    private final Normalization normalization;
    private final List<Callback> callbacks = new ArrayList<>();
    private Augmentation augmentation = Augmentation.NONE;

    /**
     * @param trainer            the driver's trainer: its model, optimizer, loss, schedule and
     *                           config (epochs, batch size per worker, seed, shuffle, clip norm)
     * @param workers            shards of the data, one task each per round
     * @param averagingFrequency mini-batches each worker trains between two averages
     * @param normalization      applied to the rows' pixels as they are loaded on the executors
     */
    public SparkTrainer(SparkSession spark, Trainer trainer, int workers, int averagingFrequency,
                        Normalization normalization) {
        if (workers < 1 || workers > 4096) {
            throw new IllegalArgumentException("--workers must be in 1..4096, got " + workers);
        }
        if (averagingFrequency < 1) {
            throw new IllegalArgumentException("--average-every must be >= 1, got " + averagingFrequency);
        }
        this.spark = spark;
        this.trainer = trainer;
        this.workers = workers;
        this.every = averagingFrequency;
        this.normalization = normalization;
    }

    /** A callback called as {@link Trainer#fit} calls it, with the driver's trainer. */
    public SparkTrainer addCallback(Callback callback) {
        callbacks.add(callback);
        return this;
    }

    /**
     * Augments the training batches on the workers (before normalisation, on 0..255 pixels, as
     * {@code fer4j train --augment} does); {@link Augmentation#NONE} (the default) for none.
     */
    public SparkTrainer augmentation(Augmentation augmentation) {
        this.augmentation = augmentation == null ? Augmentation.NONE : augmentation;
        return this;
    }

    public Trainer trainer() {
        return trainer;
    }

    /**
     * Trains on {@code train} (rows with {@code pixels}, in any form {@link SparkEmotions} reads,
     * and an integer {@code label} or {@code emotion}), validating on the driver after each epoch.
     */
    public History fit(Dataset<Row> train, BatchSource validation) {
        Sequential model = trainer.model();
        int classes = model.outputShape()[0];
        int[] shape = model.inputShape();
        String label = List.of(train.columns()).contains("label") ? "label" : "emotion";
        if (!List.of(train.columns()).contains(label) || !List.of(train.columns()).contains("pixels")) {
            throw new IllegalArgumentException("training rows need a 'pixels' and a 'label' (or 'emotion') column; the "
                    + "columns are: " + String.join(", ", train.columns()));
        }
        if (validation != null && (!java.util.Arrays.equals(validation.sampleShape(), shape) || validation.classes() != classes)) {
            throw new IllegalArgumentException("validation data has samples of shape "
                    + org.fer4j.engine.Tensor.shapeString(validation.sampleShape()) + " and " + validation.classes()
                    + " classes; model '" + model.name() + "' takes " + org.fer4j.engine.Tensor.shapeString(shape) + " and has "
                    + classes);
        }
        boolean augmenting = !augmentation.isIdentity();
        if (augmenting && (shape.length != 3 || shape[0] != 1)) {
            throw new IllegalArgumentException("augmentation needs one grey channel; model '" + model.name() + "' takes "
                    + org.fer4j.engine.Tensor.shapeString(shape));
        }
        // Augmenting workers need the raw pixels: they normalise each batch after augmenting it.
        JavaRDD<Shard> shards = Shards.of(train, train.schema().fieldIndex("pixels"),
                train.schema().fieldIndex(label), workers, shape, classes, augmenting ? Normalization.NONE : normalization);
        shards.persist(StorageLevel.MEMORY_ONLY());
        try {
            return fit(shards, validation);
        } finally {
            shards.unpersist(false);
        }
    }

    private History fit(JavaRDD<Shard> shards, BatchSource validation) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> sizes = shards.map(sh -> sh.y().length).collect();
        int batch = trainer.config().batchSize();
        int steps = 0;  // steps of the longest shard in one epoch
        for (int size : sizes) {
            if (size == 0) {
                throw new IllegalArgumentException("training data of " + sizes + " rows per worker: a worker has none; "
                        + "use fewer workers");
            }
            steps = Math.max(steps, (size + batch - 1) / batch);
        }
        Plan plan = Plan.of(trainer, UUID.randomUUID().toString(), workers, every, augmentation, normalization);
        for (Callback c : callbacks) {
            c.onTrainBegin(trainer);
        }
        for (int epoch = trainer.nextEpoch(); epoch < trainer.config().epochs() && !trainer.stopRequested(); epoch++) {
            if (trainer.schedule() != null) {
                trainer.optimizer().setLearningRate(trainer.schedule().learningRate(epoch));
            }
            for (Callback c : callbacks) {
                c.onEpochBegin(trainer, epoch, steps);
            }
            long start = System.nanoTime();
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            for (int round = 0; round * every < steps && !trainer.stopRequested(); round++) {
                Broadcast<State> state = jsc.broadcast(State.of(trainer));
                final int e = epoch;
                final int r = round;
                List<Result> results = shards.mapPartitionsWithIndex(
                        (w, it) -> List.of(Worker.round(plan, w, it.next(), state.value(), e, r)).iterator(), true).collect();
                state.destroy();
                List<Result> stepped = new ArrayList<>();
                for (Result res : results) {
                    lossSum += res.lossSum();
                    correct += res.correct();
                    seen += res.seen();
                    if (res.steps() > 0) {
                        stepped.add(res);
                    }
                }
                State.average(stepped).applyTo(trainer);
                int done = Math.min(steps, (round + 1) * every);
                BatchLogs logs = new BatchLogs(epoch, done - 1, steps, seen, lossSum / seen, (double) correct / seen,
                        (System.nanoTime() - start) / 1e9);
                for (Callback c : callbacks) {
                    c.onBatchEnd(trainer, logs);
                }
                if (!Double.isFinite(lossSum)) {
                    throw new TrainingDivergedException(epoch, "training diverged in epoch " + (epoch + 1) + ", round "
                            + (round + 1) + ": the loss became " + lossSum);
                }
            }
            if (trainer.stopRequested()) {
                break;  // a callback stopped the run mid-epoch: as Trainer.fit, the epoch is not recorded
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation val = validation == null ? null : trainer.evaluate(validation, batch);
            EpochLogs logs = new EpochLogs(epoch, lossSum / seen, (double) correct / seen,
                    val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(),
                    trainer.optimizer().learningRate(), seconds, seen);
            trainer.history().add(logs);
            trainer.resumeAt(epoch + 1, new History());  // only moves nextEpoch: the history above stays
            if (trainer.schedule() != null) {
                trainer.schedule().observe(epoch, val == null ? logs.loss() : val.loss());
            }
            for (Callback c : callbacks) {
                c.onEpochEnd(trainer, logs);
            }
        }
        for (Callback c : callbacks) {
            c.onTrainEnd(trainer);
        }
        return trainer.history();
    }

    /** What the workers need to rebuild the run's model, optimizer and loss: plain, serialisable values. */
    /**
     * The plan's augmentation travels as its spec ({@code null}: none) and the normalisation as its
     * three numbers (neither record is {@code Serializable}); both are applied only when augmenting.
     */
    record Plan(String runId, String modelJson, String optimizerJson, float smoothing, float[] classWeights,
                float clipNorm, int batch, boolean shuffle, long seed, int workers, int every, String augmentation,
                float[] normalization) implements Serializable {
        static Plan of(Trainer t, String runId, int workers, int every, Augmentation augmentation, Normalization n) {
            return new Plan(runId, Json.write(t.model().config()), Json.write(t.optimizer().config()),
                    t.loss().smoothing(), t.loss().classWeights(), t.config().clipNorm(), t.config().batchSize(),
                    t.config().shuffle(), t.config().seed(), workers, every,
                    augmentation.isIdentity() ? null : augmentation.describe(), new float[] {n.scale(), n.mean(), n.std()});
        }
    }

    /**
     * The training state that travels: every tensor of {@link Sequential#state()} (weights and
     * batch-norm statistics), the optimizer's arrays and step count, the learning rate, and the
     * dropout layers' mask counters.
     */
    record State(float[][] values, LinkedHashMap<String, float[]> optimizer, long steps, float lr, long[] draws)
            implements Serializable {
        static State of(Trainer t) {
            List<Param> state = t.model().state();
            float[][] values = new float[state.size()][];
            for (int i = 0; i < values.length; i++) {
                values[i] = state.get(i).value().data().clone();
            }
            return new State(values, copy(t.optimizer().state()), t.optimizer().steps(), t.optimizer().learningRate(),
                    dropoutDraws(t.model()));
        }

        static State of(Sequential model, Optimizer optimizer) {
            List<Param> state = model.state();
            float[][] values = new float[state.size()][];
            for (int i = 0; i < values.length; i++) {
                values[i] = state.get(i).value().data().clone();
            }
            return new State(values, copy(optimizer.state()), optimizer.steps(), optimizer.learningRate(), dropoutDraws(model));
        }

        void applyTo(Sequential model, Optimizer optimizer) {
            List<Param> state = model.state();
            for (int i = 0; i < values.length; i++) {
                System.arraycopy(values[i], 0, state.get(i).value().data(), 0, values[i].length);
            }
            optimizer.loadState(steps, this.optimizer);
        }

        void applyTo(Trainer t) {
            applyTo(t.model(), t.optimizer());
            setDropoutDraws(t.model(), draws);
        }

        /**
         * The mean of the workers' states, summed in worker order (so the same bits every run).
         * Step count and dropout counters: worker 0's, the counters of a single-process run.
         */
        static State average(List<Result> results) {
            State first = results.get(0).state();
            float[][] values = new float[first.values.length][];
            for (int i = 0; i < values.length; i++) {
                final int t = i;
                values[i] = mean(results, r -> r.values[t]);
            }
            LinkedHashMap<String, float[]> opt = new LinkedHashMap<>();
            for (String key : first.optimizer.keySet()) {
                opt.put(key, mean(results, r -> r.optimizer.get(key)));
            }
            long steps = 0;
            for (Result r : results) {
                steps = Math.max(steps, r.state().steps);
            }
            return new State(values, opt, steps, first.lr, first.draws);
        }

        /** The element-wise mean of one array of every worker's state; one worker's array as it is. */
        private static float[] mean(List<Result> results, java.util.function.Function<State, float[]> pick) {
            float[] sum = pick.apply(results.get(0).state()).clone();
            for (int r = 1; r < results.size(); r++) {
                float[] v = pick.apply(results.get(r).state());
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += v[j];
                }
            }
            if (results.size() > 1) {
                float n = results.size();
                for (int j = 0; j < sum.length; j++) {
                    sum[j] /= n;
                }
            }
            return sum;
        }

        private static LinkedHashMap<String, float[]> copy(Map<String, float[]> m) {
            LinkedHashMap<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : m.entrySet()) {
                out.put(e.getKey(), e.getValue().clone());
            }
            return out;
        }
    }

    /** One worker's round: how many steps it trained, on what, and the state it ended with. */
    record Result(int worker, int steps, State state, double lossSum, long correct, long seen) implements Serializable {
    }

    static long[] dropoutDraws(Sequential model) {
        List<Dropout> d = ModelCheckpoint.dropouts(model.layers(), new ArrayList<>());
        long[] out = new long[d.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.get(i).draws();
        }
        return out;
    }

    static void setDropoutDraws(Sequential model, long[] draws) {
        List<Dropout> d = ModelCheckpoint.dropouts(model.layers(), new ArrayList<>());
        for (int i = 0; i < draws.length; i++) {
            d.get(i).setDraws(draws[i]);
        }
    }

    /** The training rows as one in-memory shard per worker. */
    static final class Shards {
        private Shards() {
        }

        static JavaRDD<Shard> of(Dataset<Row> rows, int pixels, int label, int workers, int[] shape, int classes,
                                        Normalization normalization) {
            int size = 1;
            for (int s : shape) {
                size *= s;
            }
            final int sampleSize = size;
            // Normalization is a record, not Serializable: its three numbers travel instead.
            float scale = normalization.scale();
            float mean = normalization.mean();
            float std = normalization.std();
            // The global index fixes each row's shard and its place in it, whatever order the
            // shuffle delivers rows in, so that a run is reproducible.
            return rows.javaRDD().zipWithIndex()
                    .mapToPair(t -> new Tuple2<>(t._2(), sample(t._1(), t._2(), pixels, label, sampleSize, classes,
                            new Normalization(scale, mean, std))))
                    .partitionBy(new ModPartitioner(workers))
                    .mapPartitions(it -> {
                        List<Tuple2<Long, Sample>> list = new ArrayList<>();
                        it.forEachRemaining(list::add);
                        list.sort((a, b) -> Long.compare(a._1(), b._1()));
                        float[] x = new float[list.size() * sampleSize];
                        int[] y = new int[list.size()];
                        for (int i = 0; i < y.length; i++) {
                            System.arraycopy(list.get(i)._2().x(), 0, x, i * sampleSize, sampleSize);
                            y[i] = list.get(i)._2().y();
                        }
                        return Collections.singletonList(new Shard(x, y, shape, classes)).iterator();
                    }, true);
        }

        private static Sample sample(Row r, long index, int pixels, int label, int size, int classes, Normalization n) {
            float[] x;
            try {
                x = PixelColumn.read(r, pixels);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("training row " + (index + 1) + ": " + e.getMessage(), e);
            }
            if (x.length != size) {
                throw new IllegalArgumentException("training row " + (index + 1) + ": expected " + size + " pixels, found " + x.length);
            }
            Object v = r.isNullAt(label) ? null : r.get(label);
            int y;
            try {
                y = v instanceof Number num ? num.intValue() : Integer.parseInt(String.valueOf(v).strip());
            } catch (NumberFormatException e) {
                y = -1;
            }
            if (y < 0 || y >= classes || (v instanceof Number num && num.doubleValue() != y)) {
                throw new IllegalArgumentException("training row " + (index + 1) + ": label '" + v + "', expected 0.." + (classes - 1));
            }
            n.apply(x);
            return new Sample(x, y);
        }
    }

    record Sample(float[] x, int y) implements Serializable {
    }

    /** One worker's rows, in their global order: {@code x [n, ...shape]}, {@code y [n]}. */
    record Shard(float[] x, int[] y, int[] shape, int classes) implements Serializable {
    }

    /** Row {@code i} to partition {@code i mod n}. */
    static final class ModPartitioner extends org.apache.spark.Partitioner {
        private final int n;

        ModPartitioner(int n) {
            this.n = n;
        }

        @Override
        public int numPartitions() {
            return n;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.floorMod((Long) key, (long) n);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ModPartitioner p && p.n == n;
        }

        @Override
        public int hashCode() {
            return n;
        }
    }

    /** The executor side: one model, optimizer and loss per worker, kept between rounds in this JVM. */
    static final class Worker {
        private static final Map<String, Worker> LIVE = new java.util.concurrent.ConcurrentHashMap<>();

        private final Sequential model;
        private final Optimizer optimizer;
        private final Trainer stepper;
        private final Augmentation augmentation;
        private final Normalization normalization;
        private Shard shardRows;
        private ArrayDataset shard;
        private int epoch = -1;
        private Iterator<Batch> batches;
        private int position;

        private Worker(Plan plan) {
            @SuppressWarnings("unchecked")
            Map<String, ?> config = (Map<String, ?>) Json.parse(plan.modelJson());
            model = Sequential.fromConfig(config);
            @SuppressWarnings("unchecked")
            Map<String, ?> opt = (Map<String, ?>) Json.parse(plan.optimizerJson());
            optimizer = Optimizer.fromConfig(opt, model.params());
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(plan.smoothing(), plan.classWeights());
            stepper = new Trainer(model, optimizer, loss, null, org.fer4j.engine.train.TrainConfig.DEFAULT.toBuilder()
                    .batchSize(plan.batch()).clipNorm(plan.clipNorm()).seed(plan.seed()).build());
            augmentation = plan.augmentation() == null ? null : Augmentation.parse(plan.augmentation());
            float[] n = plan.normalization();
            normalization = new Normalization(n[0], n[1], n[2]);
        }

        static Result round(Plan plan, int w, Shard shard, State state, int epoch, int round) {
            String key = plan.runId() + "/" + w;
            // Workers of an earlier run in this JVM are dropped: one run's models at a time.
            LIVE.keySet().removeIf(k -> !k.startsWith(plan.runId() + "/"));
            Worker worker = LIVE.computeIfAbsent(key, k -> new Worker(plan));
            synchronized (worker) {
                return worker.train(plan, w, shard, state, epoch, round);
            }
        }

        /**
         * Batch {@code b} (raw 0..255 pixels, a fresh copy) augmented sample by sample, each with its
         * own generator split in order from {@code key}, mixed if the augmentation mixes, normalised.
         */
        private Batch augmented(Batch b, long key) {
            float[] x = b.x().data();
            int[] shape = b.x().shape();
            int h = shape[2];
            int w = shape[3];
            int n = b.size();
            SplittableRandom random = new SplittableRandom(key);
            for (int i = 0; i < n; i++) {
                augmentation.apply(x, i * h * w, h, w, random.split());
            }
            Augmentation.Mix mix = augmentation.mixesBatches() ? augmentation.mix(x, b.y(), n, h, w, random.split()) : null;
            normalization.apply(x);
            return mix == null ? b : new Batch(b.x(), b.y(), mix.yMix(), mix.lambda());
        }

        private Result train(Plan plan, int w, Shard rows, State state, int e, int round) {
            if (rows != shardRows) {
                shardRows = rows;
                shard = new ArrayDataset(rows.x(), rows.y(), rows.shape(), rows.classes());
                epoch = -1;
            }
            state.applyTo(model, optimizer);
            optimizer.setLearningRate(state.lr());
            // Worker 0 continues the driver's dropout masks (so one worker is the single-process
            // run); the others draw from streams far apart.
            long[] draws = state.draws().clone();
            for (int i = 0; i < draws.length; i++) {
                draws[i] += (long) w << 40;
            }
            setDropoutDraws(model, draws);
            int first = round * plan.every();
            if (e != epoch || first != position) {
                epoch = e;
                batches = shard.batches(plan.batch(), plan.shuffle(), epochSeed(plan.seed(), e, w));
                position = 0;
                while (position < first && batches.hasNext()) {
                    batches.next();
                    position++;
                }
            }
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            int steps = 0;
            while (steps < plan.every() && batches.hasNext()) {
                Batch b = batches.next();
                if (augmentation != null) {
                    b = augmented(b, epochSeed(epochSeed(plan.seed() ^ AUGMENT_STREAM, e, w), position, 0));
                }
                position++;
                lossSum += stepper.step(b) * b.size();
                correct += stepper.loss().correct();
                seen += b.size();
                steps++;
            }
            State out = State.of(model, optimizer);
            long[] mine = dropoutDraws(model);
            for (int i = 0; i < mine.length; i++) {
                mine[i] -= (long) w << 40;
            }
            return new Result(w, steps, new State(out.values(), out.optimizer(), out.steps(), out.lr(), mine),
                    lossSum, correct, seen);
        }
    }

    /** Mixed into the seed for the augmentation's generators, apart from the shuffling's. */
    private static final long AUGMENT_STREAM = 0x6175676D656E74L;

    /**
     * The shuffling seed of worker {@code w} in {@code epoch}. Worker 0 uses {@link Trainer}'s
     * own per-epoch seed (SplitMix64's finaliser of {@code seed + (epoch + 1) * golden}), so one
     * worker shuffles as the single-process run does; the others mix their index in.
     */
    static long epochSeed(long seed, int epoch, int w) {
        long z = seed + (epoch + 1) * 0x9E3779B97F4A7C15L + w * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
