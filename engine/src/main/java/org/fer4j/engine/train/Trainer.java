package org.fer4j.engine.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.data.BatchSource;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.metrics.ConfusionMatrix;
import org.fer4j.engine.optim.GradientClipping;
import org.fer4j.engine.optim.LrSchedule;
import org.fer4j.engine.optim.Optimizer;
import org.fer4j.kernels.KernelsProvider;

/**
 * Keras' {@code fit} for a {@link Sequential}: epochs of mini-batch steps, validation after each,
 * a learning-rate schedule, and callbacks. One step:
 *
 * <pre>
 * optimizer.zeroGrad()
 * logits = model.forward(x, TRAIN)          [N, K]
 * loss   = lossFn.forward(logits, y)        mean over the batch (mixed targets: with yMix, lambda)
 * model.backward(lossFn.backward())         fills every parameter's gradient
 * clip the global gradient norm (optional)
 * optimizer.step()
 * </pre>
 *
 * Deterministic: the model seed fixes the initial weights and dropout masks, the config seed the
 * order of every epoch, so the same seeds, backend and thread count give the same weights.
 */
public final class Trainer {
    private final Sequential model;
    private final Optimizer optimizer;
    private final SoftmaxCrossEntropy loss;
    private final LrSchedule schedule;
    private final TrainConfig config;
    private final List<Callback> callbacks = new ArrayList<>();
    private final History history = new History();
    private int nextEpoch;
    private Progress partial = Progress.NONE;  // of nextEpoch, when it was interrupted mid-way
    private volatile boolean stopRequested;

    /**
     * How far an epoch got: batches done and the running sums behind its loss and accuracy. An
     * interrupted epoch keeps this so that a resumed run skips exactly those batches (the order
     * of an epoch depends only on the seed) and reports the same epoch figures.
     */
    public record Progress(int batches, double lossSum, long correct, long seen, double seconds) {
        public static final Progress NONE = new Progress(0, 0, 0, 0, 0);

        public boolean started() {
            return batches > 0;
        }
    }

    /**
     * @param schedule the learning rate per epoch, or {@code null} to keep the optimizer's
     */
    public Trainer(Sequential model, Optimizer optimizer, SoftmaxCrossEntropy loss, LrSchedule schedule,
                   TrainConfig config) {
        if (model.outputShape().length != 1) {
            throw new IllegalArgumentException("model '" + model.name() + "' must end in a flat (classes) output for "
                    + "classification, got " + Tensor.shapeString(model.outputShape()));
        }
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.schedule = schedule;
        this.config = config;
    }

    public Trainer addCallback(Callback callback) {
        callbacks.add(callback);
        return this;
    }

    /**
     * Continues a run from a checkpoint: the epochs before {@code nextEpoch} are done and
     * {@code previous} holds their logs (the weights and optimizer state are restored by the caller).
     */
    public void resumeAt(int nextEpoch, History previous) {
        resumeAt(nextEpoch, Progress.NONE, previous);
    }

    /** As {@link #resumeAt(int, History)}, inside epoch {@code nextEpoch} after {@code progress}. */
    public void resumeAt(int nextEpoch, Progress progress, History previous) {
        if (nextEpoch < 0) {
            throw new IllegalArgumentException("resume epoch must be >= 0, got " + nextEpoch);
        }
        this.nextEpoch = nextEpoch;
        this.partial = progress;
        for (EpochLogs e : previous.epochs()) {
            history.add(e);
        }
    }

    /**
     * Ends training after the current batch. Thread-safe (a Ctrl-C handler calls it). When the
     * epoch is not finished, {@link #partialProgress()} says how far it got, and a checkpoint
     * written then resumes inside it.
     */
    public void requestStop() {
        stopRequested = true;
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    /**
     * Trains from the current epoch up to {@code config.epochs()}, validating on {@code validation}
     * after each epoch when it is not null. Returns the history (including resumed epochs).
     */
    public History fit(BatchSource train, BatchSource validation) {
        int classes = model.outputShape()[0];
        checkData("training", train, classes);
        if (validation != null) {
            checkData("validation", validation, classes);
        }
        if (schedule != null && schedule.monitorsMetric() && validation == null) {
            throw new IllegalArgumentException("a plateau schedule needs validation data");
        }
        stopRequested = false;
        for (Callback c : callbacks) {
            c.onTrainBegin(this);
        }
        int batches = train.batchCount(config.batchSize());
        for (int epoch = nextEpoch; epoch < config.epochs() && !stopRequested; epoch++) {
            if (schedule != null) {
                optimizer.setLearningRate(schedule.learningRate(epoch));
            }
            for (Callback c : callbacks) {
                c.onEpochBegin(this, epoch, batches);
            }
            Progress done = partial;
            partial = Progress.NONE;
            long start = System.nanoTime() - (long) (done.seconds() * 1e9);
            double lossSum = done.lossSum();
            long correct = done.correct();
            long seen = done.seen();
            int b = 0;
            Iterator<Batch> it = train.batches(config.batchSize(), config.shuffle(), epochSeed(epoch));
            for (; b < done.batches() && it.hasNext(); b++) {
                it.next();  // trained before the interruption
            }
            while (it.hasNext() && !stopRequested) {
                Batch batch = it.next();
                double batchLoss;
                try {
                    batchLoss = step(batch);
                } catch (TrainingDivergedException e) {
                    throw new TrainingDivergedException(epoch, "training diverged in epoch " + (epoch + 1) + ", batch "
                            + (b + 1) + ": " + e.getMessage());
                }
                lossSum += batchLoss * batch.size();
                correct += loss.correct();
                seen += batch.size();
                BatchLogs logs = new BatchLogs(epoch, b++, batches, seen, lossSum / seen, (double) correct / seen,
                        (System.nanoTime() - start) / 1e9);
                for (Callback c : callbacks) {
                    c.onBatchEnd(this, logs);
                }
            }
            if (stopRequested && it.hasNext()) {
                // Interrupted inside the epoch: remember how far it got; nothing is recorded yet.
                partial = new Progress(b, lossSum, correct, seen, (System.nanoTime() - start) / 1e9);
                nextEpoch = epoch;
                break;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // Bring device-resident weights and optimizer state back to the host once per epoch,
            // before validation and the callbacks (checkpoints, early stopping) read or write them.
            KernelsProvider.get().synchronize();
            Evaluation val = validation == null ? null : evaluate(validation, config.batchSize());
            // A NaN or infinite figure stops the run before any callback can checkpoint this epoch.
            requireFinite(epoch, "the training loss", lossSum / seen);
            if (val != null) {
                requireFinite(epoch, "the validation loss", val.loss());
            }
            requireFiniteWeights(epoch);
            EpochLogs logs = new EpochLogs(epoch, lossSum / seen, (double) correct / seen,
                    val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(),
                    optimizer.learningRate(), seconds, seen);
            history.add(logs);
            nextEpoch = epoch + 1;
            if (schedule != null) {
                schedule.observe(epoch, val == null ? logs.loss() : val.loss());
            }
            for (Callback c : callbacks) {
                c.onEpochEnd(this, logs);
            }
        }
        KernelsProvider.get().synchronize(); // also after an interruption inside an epoch
        for (Callback c : callbacks) {
            c.onTrainEnd(this);
        }
        return history;
    }

    /** One optimisation step on {@code batch}; returns its mean loss. */
    public double step(Batch batch) {
        optimizer.zeroGrad();
        Tensor logits = model.forward(batch.x(), Mode.TRAIN);
        double value = batch.mixed() ? loss.forward(logits, batch.y(), batch.yMix(), batch.lambda())
                : loss.forward(logits, batch.y());
        if (!Double.isFinite(value)) {
            throw new TrainingDivergedException(nextEpoch, "the loss became " + value);
        }
        model.backward(loss.backward());
        if (config.clipNorm() > 0) {
            GradientClipping.clipByGlobalNorm(optimizer.params(), config.clipNorm());
        }
        optimizer.step();
        return value;
    }

    private static void requireFinite(int epoch, String what, double value) {
        if (!Double.isFinite(value)) {
            throw new TrainingDivergedException(epoch, "training diverged in epoch " + (epoch + 1) + ": " + what
                    + " is " + value);
        }
    }

    /**
     * Every weight and buffer (batch-norm statistics too) finite and within what a model file
     * holds ({@link ModelFile#MAX_ABS_VALUE}), checked once per epoch: a checkpoint of weights
     * that have blown up to 1e11 would be refused by every later load.
     */
    private void requireFiniteWeights(int epoch) {
        for (Param p : model.state()) {
            float[] v = p.value().data();
            for (int i = 0; i < p.value().size(); i++) {
                if (!Float.isFinite(v[i])) {
                    throw new TrainingDivergedException(epoch, "training diverged in epoch " + (epoch + 1) + ": weight "
                            + p.name() + "[" + i + "] is " + v[i]);
                }
                if (Math.abs(v[i]) > ModelFile.MAX_ABS_VALUE) {
                    throw new TrainingDivergedException(epoch, "training diverged in epoch " + (epoch + 1) + ": weight "
                            + p.name() + "[" + i + "] is " + v[i] + ", beyond the +-" + ModelFile.MAX_ABS_VALUE
                            + " a model file holds");
                }
            }
        }
    }

    /** Loss, accuracy and confusion matrix of the model in evaluation mode over {@code data}. */
    public Evaluation evaluate(BatchSource data, int batchSize) {
        return evaluate(model, loss, data, batchSize);
    }

    public static Evaluation evaluate(Sequential model, SoftmaxCrossEntropy loss, BatchSource data, int batchSize) {
        int classes = model.outputShape()[0];
        ConfusionMatrix confusion = new ConfusionMatrix(classes);
        double lossSum = 0;
        long seen = 0;
        Iterator<Batch> it = data.batches(batchSize, false, 0L);
        while (it.hasNext()) {
            Batch batch = it.next();
            Tensor logits = model.forward(batch.x(), Mode.EVAL);
            lossSum += loss.forward(logits, batch.y()) * batch.size();
            confusion.addScores(batch.y(), loss.probabilities().data());
            seen += batch.size();
        }
        if (seen == 0) {
            throw new IllegalArgumentException("cannot evaluate on an empty data set");
        }
        return new Evaluation(lossSum / seen, confusion.accuracy(), confusion);
    }

    private void checkData(String what, BatchSource data, int classes) {
        if (!java.util.Arrays.equals(data.sampleShape(), model.inputShape())) {
            throw new IllegalArgumentException(what + " data has samples of shape " + Tensor.shapeString(data.sampleShape())
                    + " but model '" + model.name() + "' takes " + Tensor.shapeString(model.inputShape()));
        }
        if (data.classes() != classes) {
            throw new IllegalArgumentException(what + " data has " + data.classes() + " classes but model '"
                    + model.name() + "' outputs " + classes);
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException(what + " data is empty");
        }
    }

    /** A distinct, well-mixed shuffling seed per epoch (SplitMix64's finaliser). */
    private long epochSeed(int epoch) {
        long z = config.seed() + (epoch + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public Sequential model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public LrSchedule schedule() {
        return schedule;
    }

    public TrainConfig config() {
        return config;
    }

    public SoftmaxCrossEntropy loss() {
        return loss;
    }

    public History history() {
        return history;
    }

    /** How far {@link #nextEpoch()} got before an interruption; {@link Progress#NONE} when it has not begun. */
    public Progress partialProgress() {
        return partial;
    }

    /** The epoch the next {@link #fit} starts with (from 0). */
    public int nextEpoch() {
        return nextEpoch;
    }
}
