package org.fer4j.engine.train;

/**
 * Running figures inside an epoch, after batch {@code batch} (from 0) of {@code batches}: the
 * mean loss and accuracy so far, and the throughput since the epoch began.
 */
public record BatchLogs(int epoch, int batch, int batches, long images, double loss, double accuracy,
                        double seconds) {

    public double imagesPerSecond() {
        return seconds > 0 ? images / seconds : 0;
    }
}
