package org.fer4j.engine.train;

import org.fer4j.engine.metrics.ConfusionMatrix;

/** Mean loss, accuracy and the confusion matrix of a model over a data set. */
public record Evaluation(double loss, double accuracy, ConfusionMatrix confusion) {
}
