package org.fer4j.engine.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Keras-style progress: on a terminal, a bar redrawn in place with throughput, ETA and running
 * loss and accuracy; elsewhere (a log file, CI) only one line per epoch, so logs stay readable.
 *
 * <pre>
 * Epoch 3/20
 *  45/450 [==>...........................] - ETA: 12s - 812 img/s - loss: 1.2345 - accuracy: 0.4567
 * 450/450 [==============================] - 14s - 812 img/s - loss: 1.1021 - accuracy: 0.5832 - val_loss: 1.0544 - val_accuracy: 0.6010 - lr: 1.0e-03
 * </pre>
 */
public final class ProgressBar implements Callback {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean interactive;
    private long lastDraw;
    private int epochs;

    /** Draws on {@code out}; {@code interactive} redraws the bar in place with carriage returns. */
    public ProgressBar(PrintWriter out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** On standard output, interactive when a terminal is attached. */
    public static ProgressBar toStdout() {
        return new ProgressBar(new PrintWriter(System.out, true), System.console() != null);
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        epochs = trainer.config().epochs();
    }

    @Override
    public void onEpochBegin(Trainer trainer, int epoch, int batches) {
        out.printf(Locale.ROOT, "Epoch %d/%d%n", epoch + 1, epochs);
        lastDraw = 0;
    }

    @Override
    public void onBatchEnd(Trainer trainer, BatchLogs logs) {
        if (!interactive) {
            return;
        }
        long now = System.nanoTime();
        boolean last = logs.batch() + 1 == logs.batches();
        if (!last && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double perBatch = logs.seconds() / (logs.batch() + 1);
        double eta = perBatch * (logs.batches() - logs.batch() - 1);
        out.print("\r" + bar(logs.batch() + 1, logs.batches()) + String.format(Locale.ROOT,
                " - ETA: %s - %.0f img/s - loss: %.4f - accuracy: %.4f\u001b[K", duration(eta),
                logs.imagesPerSecond(), logs.loss(), logs.accuracy()));
        out.flush();
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochLogs logs) {
        int batchSize = trainer.config().batchSize();
        int steps = (int) ((logs.images() + batchSize - 1) / batchSize);
        StringBuilder sb = new StringBuilder();
        if (interactive) {
            sb.append('\r');
        }
        sb.append(bar(steps, steps)).append(String.format(Locale.ROOT, " - %s - %.0f img/s - loss: %.4f - accuracy: %.4f",
                duration(logs.seconds()), logs.imagesPerSecond(), logs.loss(), logs.accuracy()));
        if (logs.hasValidation()) {
            sb.append(String.format(Locale.ROOT, " - val_loss: %.4f - val_accuracy: %.4f", logs.valLoss(), logs.valAccuracy()));
        }
        sb.append(String.format(Locale.ROOT, " - lr: %.1e", logs.learningRate()));
        if (interactive) {
            sb.append("\u001b[K");
        }
        out.println(sb);
        out.flush();
    }

    static String bar(int done, int total) {
        int digits = Integer.toString(total).length();
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%" + digits + "d/%d [", done, total));
        for (int i = 0; i < WIDTH; i++) {
            if (i < filled - 1 || (i == filled - 1 && done == total)) {
                sb.append('=');
            } else if (i == filled - 1 || (filled == 0 && i == 0 && done > 0)) {
                sb.append('>');
            } else {
                sb.append('.');
            }
        }
        return sb.append(']').toString();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
