package org.fer4j.engine.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The per-epoch record of a training run (Keras' {@code History}); saved in checkpoints. */
public final class History {
    private final List<EpochLogs> epochs = new ArrayList<>();

    public void add(EpochLogs logs) {
        epochs.add(logs);
    }

    public List<EpochLogs> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    public boolean isEmpty() {
        return epochs.isEmpty();
    }

    public EpochLogs last() {
        if (epochs.isEmpty()) {
            throw new IllegalStateException("history is empty");
        }
        return epochs.get(epochs.size() - 1);
    }

    /** The epoch with the best value of {@code metric}, or null when there are none. */
    public EpochLogs best(String metric) {
        EpochLogs best = null;
        boolean higher = EpochLogs.higherIsBetter(metric);
        for (EpochLogs e : epochs) {
            double v = e.metric(metric);
            if (Double.isNaN(v)) {
                continue;
            }
            if (best == null || (higher ? v > best.metric(metric) : v < best.metric(metric))) {
                best = e;
            }
        }
        return best;
    }

    /** {@code epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds}, epochs counted from 1. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n");
        for (EpochLogs e : epochs) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%s,%s,%.6g,%.3f%n", e.epoch() + 1, e.loss(), e.accuracy(),
                    e.hasValidation() ? String.format(Locale.ROOT, "%.6f", e.valLoss()) : "",
                    e.hasValidation() ? String.format(Locale.ROOT, "%.6f", e.valAccuracy()) : "",
                    e.learningRate(), e.seconds()));
        }
        return sb.toString();
    }

    public List<Object> toList() {
        List<Object> out = new ArrayList<>();
        for (EpochLogs e : epochs) {
            out.add(e.toMap());
        }
        return out;
    }

    public static History fromList(Object list) {
        History h = new History();
        if (list instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> m) {
                    @SuppressWarnings("unchecked")
                    Map<String, ?> map = (Map<String, ?>) m;
                    h.add(EpochLogs.fromMap(map));
                }
            }
        }
        return h;
    }
}
