package org.fer4j.engine.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch measured. Validation figures are {@code NaN} when there is no validation data.
 * Epochs count from 0 here and from 1 wherever a person reads them.
 */
public record EpochLogs(int epoch, double loss, double accuracy, double valLoss, double valAccuracy,
                        float learningRate, double seconds, long images) {

    public boolean hasValidation() {
        return !Double.isNaN(valLoss);
    }

    /**
     * A metric by its Keras name: {@code loss}, {@code accuracy}, {@code val_loss},
     * {@code val_accuracy}.
     */
    public double metric(String name) {
        return switch (name) {
            case "loss" -> loss;
            case "accuracy" -> accuracy;
            case "val_loss" -> valLoss;
            case "val_accuracy" -> valAccuracy;
            default -> throw new IllegalArgumentException("unknown metric '" + name
                    + "'; expected loss, accuracy, val_loss or val_accuracy");
        };
    }

    /** Whether larger is better for {@link #metric(String)}. */
    public static boolean higherIsBetter(String metric) {
        return metric.endsWith("accuracy");
    }

    public double imagesPerSecond() {
        return seconds > 0 ? images / seconds : 0;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("loss", loss);
        m.put("accuracy", accuracy);
        if (hasValidation()) {
            m.put("val_loss", valLoss);
            m.put("val_accuracy", valAccuracy);
        }
        m.put("lr", learningRate);
        m.put("seconds", seconds);
        m.put("images", images);
        return m;
    }

    static EpochLogs fromMap(Map<String, ?> m) {
        return new EpochLogs(((Number) m.get("epoch")).intValue(), num(m, "loss"), num(m, "accuracy"),
                num(m, "val_loss"), num(m, "val_accuracy"), (float) num(m, "lr"), num(m, "seconds"),
                m.get("images") instanceof Number n ? n.longValue() : 0);
    }

    private static double num(Map<String, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
