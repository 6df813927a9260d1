package org.fer4j.engine.io;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How raw pixel values become model input, saved with the model so that prediction prepares
 * images exactly as training did:
 *
 * <pre>
 * x' = (x * scale - mean) / std      x: a raw pixel value, e.g. 0..255 for 8-bit grey
 * </pre>
 *
 * @param scale applied first; {@code 1/255} maps 8-bit pixels to [0, 1]. Finite and not 0.
 * @param mean  subtracted after scaling; finite
 * @param std   divided by last; finite and > 0
 */
public record Normalization(float scale, float mean, float std) {

    /** 8-bit pixels to [0, 1]. */
    public static final Normalization UNIT = new Normalization(1f / 255, 0f, 1f);

    /** The identity: the model takes raw values. */
    public static final Normalization NONE = new Normalization(1f, 0f, 1f);

    private static final Set<String> KEYS = Set.of("scale", "mean", "std");

    /** Smallest magnitude of scale and std. */
    public static final float MIN_SCALE = 1e-6f;
    /** Largest magnitude of scale, mean and std. */
    public static final float MAX_SCALE = 1e6f;

    public Normalization {
        // Pixels are 0..255: a scale, mean or std outside these bounds makes inputs of 1e30 or 1e-30.
        if (!(Math.abs(scale) >= MIN_SCALE && Math.abs(scale) <= MAX_SCALE)) {
            throw new IllegalArgumentException("normalization scale must be in +-[" + MIN_SCALE + ", " + MAX_SCALE
                    + "], got " + scale);
        }
        if (!(Math.abs(mean) <= MAX_SCALE)) {
            throw new IllegalArgumentException("normalization mean must be in [-" + MAX_SCALE + ", " + MAX_SCALE
                    + "], got " + mean);
        }
        if (!(std >= MIN_SCALE && std <= MAX_SCALE)) {
            throw new IllegalArgumentException("normalization std must be in [" + MIN_SCALE + ", " + MAX_SCALE
                    + "], got " + std);
        }
    }

    /**
     * Normalizes {@code x} in place. The single implementation for training and prediction alike:
     * the expression is evaluated in float in this order so that both get the same bits.
     */
    public void apply(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (x[i] * scale - mean) / std;
        }
    }

    /** {@code {"scale": s, "mean": m, "std": d}}: the form in the model file's header. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", scale);
        m.put("mean", mean);
        m.put("std", std);
        return m;
    }

    /** Reads what {@link #toMap()} wrote; every key is required and no other key is allowed. */
    public static Normalization fromMap(Map<String, ?> map) {
        for (String key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("normalization: unknown key '" + key
                        + "', expected scale, mean and std");
            }
        }
        return new Normalization(number(map, "scale"), number(map, "mean"), number(map, "std"));
    }

    private static float number(Map<String, ?> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("normalization: '" + key + "' must be a number, got "
                    + (v == null && !map.containsKey(key) ? "nothing" : v));
        }
        return n.floatValue();
    }
}
