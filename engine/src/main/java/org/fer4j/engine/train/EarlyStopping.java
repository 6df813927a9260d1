package org.fer4j.engine.train;

import java.util.ArrayList;
import java.util.List;
import org.fer4j.engine.Param;

/**
 * Stops training when a metric has not improved by more than {@code minDelta} for
 * {@code patience} epochs (Keras semantics); optionally puts back the weights of the best epoch.
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBest;

    private double best;
    private int wait;
    private int bestEpoch = -1;
    private List<float[]> bestWeights;
    private int stoppedEpoch = -1;

    /**
     * @param monitor     {@code val_loss}, {@code val_accuracy}, {@code loss} or {@code accuracy}
     * @param patience    epochs without improvement before stopping ({@code >= 1})
     * @param minDelta    smallest change that counts as an improvement ({@code >= 0})
     * @param restoreBest restore the best epoch's weights (and running statistics) at the end
     */
    public EarlyStopping(String monitor, int patience, double minDelta, boolean restoreBest) {
        EpochLogs probe = new EpochLogs(0, 0, 0, 0, 0, 0, 0, 0);
        probe.metric(monitor);  // validates the name
        if (patience < 1) {
            throw new IllegalArgumentException("early-stopping patience must be >= 1, got " + patience);
        }
        if (!(minDelta >= 0)) {
            throw new IllegalArgumentException("early-stopping min delta must be >= 0, got " + minDelta);
        }
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBest = restoreBest;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        best = EpochLogs.higherIsBetter(monitor) ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        wait = 0;
        bestEpoch = -1;
        stoppedEpoch = -1;
        bestWeights = null;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochLogs logs) {
        double value = logs.metric(monitor);
        if (Double.isNaN(value)) {
            throw new IllegalStateException("early stopping monitors " + monitor + ", which this run does not measure"
                    + (monitor.startsWith("val_") ? " (no validation data)" : ""));
        }
        boolean improved = EpochLogs.higherIsBetter(monitor) ? value > best + minDelta : value < best - minDelta;
        if (improved) {
            best = value;
            bestEpoch = logs.epoch();
            wait = 0;
            if (restoreBest) {
                bestWeights = snapshot(trainer.model().state());
            }
        } else if (++wait >= patience) {
            stoppedEpoch = logs.epoch();
            trainer.requestStop();
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer) {
        if (restoreBest && bestWeights != null && bestEpoch != trainer.history().last().epoch()) {
            List<Param> state = trainer.model().state();
            for (int i = 0; i < state.size(); i++) {
                float[] saved = bestWeights.get(i);
                System.arraycopy(saved, 0, state.get(i).value().data(), 0, saved.length);
            }
        }
    }

    private static List<float[]> snapshot(List<Param> state) {
        List<float[]> copy = new ArrayList<>(state.size());
        for (Param p : state) {
            copy.add(p.value().data().clone());
        }
        return copy;
    }

    /** The epoch (from 0) whose metric was best, or -1 before any epoch. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The epoch after which training was stopped, or -1 when it ran to the end. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }
}
