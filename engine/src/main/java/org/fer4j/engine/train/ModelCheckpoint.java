package org.fer4j.engine.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.OptimizerState;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.Layer;
import org.fer4j.engine.layers.Residual;

/**
 * Writes {@code last.fer4j} after every epoch (and {@link #save} can write it mid-epoch, after an
 * interruption) (weights, optimizer state, schedule state, history:
 * everything {@link #restore} needs to continue the run exactly) and {@code best.fer4j} whenever
 * the monitored metric improves (the model to deploy: weights only). Both are written atomically
 * by {@link ModelFile}, so an interrupted run never leaves a half-written model behind.
 */
public final class ModelCheckpoint implements Callback {
    public static final String LAST = "last.fer4j";
    public static final String BEST = "best.fer4j";

    private final Path directory;
    private final ModelInfo info;
    private final String monitor;
    private double best = Double.NaN;

    /**
     * @param directory the run folder (created when missing)
     * @param info      class names and normalisation recorded in the files
     * @param monitor   the metric that decides {@code best.fer4j}: {@code val_accuracy}, {@code val_loss}, ...
     */
    public ModelCheckpoint(Path directory, ModelInfo info, String monitor) {
        new EpochLogs(0, 0, 0, 0, 0, 0, 0, 0).metric(monitor);  // validates the name
        this.directory = directory;
        this.info = info;
        this.monitor = monitor;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the run folder " + directory + ": " + e.getMessage(), e);
        }
        EpochLogs previous = trainer.history().best(monitor);
        if (previous != null) {
            best = previous.metric(monitor);
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochLogs logs) {
        double value = logs.metric(monitor);
        boolean improved = Double.isNaN(best)
                || (EpochLogs.higherIsBetter(monitor) ? value > best : value < best);
        try {
            if (!Double.isNaN(value) && improved) {
                best = value;
                ModelFile.save(directory.resolve(BEST), trainer.model(),
                        info.withMetadata("epoch", logs.epoch() + 1).withMetadata(monitor, value));
            }
            save(directory.resolve(LAST), trainer, info);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Saves everything needed to resume {@code trainer}'s run to {@code path}. */
    public static void save(Path path, Trainer trainer, ModelInfo info) throws IOException {
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("next_epoch", trainer.nextEpoch());
        Trainer.Progress partial = trainer.partialProgress();
        if (partial.started()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("batches", partial.batches());
            p.put("loss_sum", partial.lossSum());
            p.put("correct", partial.correct());
            p.put("seen", partial.seen());
            p.put("seconds", partial.seconds());
            training.put("partial_epoch", p);
        }
        training.put("history", trainer.history().toList());
        if (trainer.schedule() != null) {
            training.put("schedule", trainer.schedule().state());
        }
        List<Object> draws = new ArrayList<>();
        for (Dropout d : dropouts(trainer.model().layers(), new ArrayList<>())) {
            draws.add(d.draws());
        }
        training.put("dropout_draws", draws);
        ModelFile.save(path, new Checkpoint(trainer.model(), info, OptimizerState.of(trainer.optimizer()), training));
    }

    /**
     * Puts a trainer built on {@code checkpoint.model()} back where the checkpointed run stopped:
     * optimizer moments and step count, learning rate, schedule state, dropout masks, history and
     * the next epoch. Its optimizer must be of the saved type.
     */
    public static void restore(Trainer trainer, Checkpoint checkpoint) {
        if (trainer.model() != checkpoint.model()) {
            throw new IllegalArgumentException("build the trainer on the checkpoint's model to resume it");
        }
        Map<String, Object> training = checkpoint.training();
        if (checkpoint.optimizer() == null || training == null) {
            throw new IllegalArgumentException("this model file holds no training state to resume from "
                    + "(resume from last.fer4j, not best.fer4j)");
        }
        checkpoint.optimizer().applyTo(trainer.optimizer());
        if (checkpoint.optimizer().config().get("lr") instanceof Number lr) {
            trainer.optimizer().setLearningRate(lr.floatValue());
        }
        if (trainer.schedule() != null && training.get("schedule") instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, ?> state = (Map<String, ?>) m;
            trainer.schedule().loadState(state);
        }
        if (training.get("dropout_draws") instanceof List<?> draws) {
            List<Dropout> layers = dropouts(checkpoint.model().layers(), new ArrayList<>());
            for (int i = 0; i < layers.size() && i < draws.size(); i++) {
                layers.get(i).setDraws(((Number) draws.get(i)).longValue());
            }
        }
        Object next = training.get("next_epoch");
        Trainer.Progress progress = Trainer.Progress.NONE;
        if (training.get("partial_epoch") instanceof Map<?, ?> p) {
            progress = new Trainer.Progress(((Number) p.get("batches")).intValue(), ((Number) p.get("loss_sum")).doubleValue(),
                    ((Number) p.get("correct")).longValue(), ((Number) p.get("seen")).longValue(),
                    ((Number) p.get("seconds")).doubleValue());
        }
        trainer.resumeAt(next instanceof Number n ? n.intValue() : 0, progress, History.fromList(training.get("history")));
    }

    /** Every dropout layer of {@code layers}, residual blocks included, in forward order, added to {@code out}. */
    public static List<Dropout> dropouts(List<Layer> layers, List<Dropout> out) {
        for (Layer l : layers) {
            if (l instanceof Dropout d) {
                out.add(d);
            } else if (l instanceof Residual r) {
                dropouts(r.mainPath(), out);
                dropouts(r.shortcutPath(), out);
            }
        }
        return out;
    }

    /** The model the run folder's {@code best.fer4j} holds. */
    public static Sequential loadBest(Path directory) throws IOException {
        return ModelFile.load(directory.resolve(BEST)).model();
    }
}
