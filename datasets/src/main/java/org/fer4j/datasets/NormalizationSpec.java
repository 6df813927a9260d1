package org.fer4j.datasets;

import java.util.Locale;
import org.fer4j.engine.io.Normalization;

/**
 * What the user asks for; {@link #resolve} turns it into the engine's {@link Normalization}, which
 * the model file records so that prediction prepares images exactly as training did.
 *
 * <pre>
 * unit                  x / 255                          pixels in [0, 1] (the default)
 * dataset               (x / 255 - mean) / std           mean, std of the training images in [0, 1] units
 * none                  x                                raw 0..255
 * mean=0.5,std=0.25     (x / 255 - 0.5) / 0.25           fixed values in [0, 1] units
 * </pre>
 *
 * @param kind unit, dataset, none or fixed
 * @param mean for fixed: subtracted after scaling to [0, 1]
 * @param std  for fixed: divided by last, &gt; 0
 */
public record NormalizationSpec(Kind kind, float mean, float std) {

    public enum Kind { UNIT, DATASET, NONE, FIXED }

    public static final NormalizationSpec UNIT = new NormalizationSpec(Kind.UNIT, 0, 1);
    public static final NormalizationSpec DATASET = new NormalizationSpec(Kind.DATASET, 0, 1);
    public static final NormalizationSpec NONE = new NormalizationSpec(Kind.NONE, 0, 1);

    public NormalizationSpec {
        if (!Float.isFinite(mean) || !(std > 0) || !Float.isFinite(std)) {
            throw new IllegalArgumentException("--normalize: std must be > 0 and mean finite, got mean " + mean
                    + ", std " + std);
        }
    }

    public static NormalizationSpec parse(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        switch (s) {
            case "unit", "scale", "01" -> {
                return UNIT;
            }
            case "dataset", "standard", "meanstd" -> {
                return DATASET;
            }
            case "none", "raw" -> {
                return NONE;
            }
            default -> {
            }
        }
        Float mean = null;
        Float std = null;
        for (String item : s.split(",")) {
            String[] kv = item.split("=", 2);
            try {
                if (kv.length == 2 && kv[0].strip().equals("mean")) {
                    mean = Float.parseFloat(kv[1].strip());
                    continue;
                }
                if (kv.length == 2 && kv[0].strip().equals("std")) {
                    std = Float.parseFloat(kv[1].strip());
                    continue;
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--normalize " + spec + ": '" + kv[1].strip() + "' is not a number");
            }
            mean = null;
            break;
        }
        if (mean == null || std == null) {
            throw new IllegalArgumentException("--normalize " + spec
                    + ": expected unit, dataset, none, or mean=M,std=S (in [0, 1] units)");
        }
        return new NormalizationSpec(Kind.FIXED, mean, std);
    }

    /**
     * The normalization for images whose raw values have {@code mean} and {@code std} (0..255 units,
     * over the training set); only {@code dataset} uses them.
     */
    public Normalization resolve(double rawMean, double rawStd) {
        return switch (kind) {
            case UNIT -> Normalization.UNIT;
            case NONE -> Normalization.NONE;
            case FIXED -> new Normalization(1f / 255, mean, std);
            case DATASET -> new Normalization(1f / 255, (float) (rawMean / 255), (float) Math.max(rawStd / 255, 1e-6));
        };
    }

    public String describe() {
        return switch (kind) {
            case UNIT -> "unit";
            case DATASET -> "dataset";
            case NONE -> "none";
            case FIXED -> "mean=" + mean + ",std=" + std;
        };
    }
}
