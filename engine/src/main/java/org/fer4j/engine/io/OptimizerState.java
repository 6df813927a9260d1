package org.fer4j.engine.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Param;
import org.fer4j.engine.optim.Optimizer;
import org.fer4j.kernels.KernelsProvider;

/**
 * A snapshot of an optimizer, saved in a checkpoint so that training resumes where it stopped:
 * the same next step as if it had never stopped.
 *
 * @param config the optimizer's {@link Optimizer#config()}: its {@code type} and hyper-parameters,
 *               the learning rate at the time of the snapshot included. Deep, unmodifiable copy.
 * @param steps  steps taken so far; Adam's bias correction depends on it. {@code >= 0}
 * @param arrays the per-parameter state by name ({@code m/conv2d_1/kernel}, ...), in the
 *               optimizer's order; copied on construction. The map is unmodifiable; the arrays are
 *               not copied again on access, so treat them as read-only.
 */
public record OptimizerState(Map<String, Object> config, long steps, Map<String, float[]> arrays) {

    public OptimizerState {
        if (config == null || !(config.get("type") instanceof String)) {
            throw new IllegalArgumentException("optimizer state: config must name the optimizer's 'type', got " + config);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> frozen = (Map<String, Object>) Json.immutableCopy(config, "optimizer config");
        config = frozen;
        if (steps < 0) {
            throw new IllegalArgumentException("optimizer state: steps must be >= 0, got " + steps);
        }
        if (arrays == null) {
            throw new IllegalArgumentException("optimizer state: arrays must not be null; use an empty map");
        }
        Map<String, float[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : arrays.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("optimizer state: array " + e.getKey() + " is "
                        + (e.getKey() == null ? "unnamed" : "null"));
            }
            copy.put(e.getKey(), e.getValue().clone());
        }
        arrays = Collections.unmodifiableMap(copy);
    }

    /** A copy of {@code optimizer}'s configuration, step count and state arrays. */
    public static OptimizerState of(Optimizer optimizer) {
        KernelsProvider.get().synchronize(); // the moments may be on a device: copy the current ones
        return new OptimizerState(optimizer.config(), optimizer.steps(), optimizer.state());
    }

    /** The optimizer type, {@code sgd}, {@code adam} or {@code adamw}. */
    public String type() {
        return (String) config.get("type");
    }

    /**
     * Restores this snapshot into {@code optimizer}, which must be of the same type and built over
     * the same parameters (see {@link Optimizer#loadState}, which checks names and lengths).
     * Hyper-parameters are not changed: {@code optimizer} keeps its own, learning rate included.
     */
    public void applyTo(Optimizer optimizer) {
        KernelsProvider.get().synchronize(); // the host writes below are then the current data
        if (!optimizer.type().equals(type())) {
            throw new IllegalArgumentException("optimizer state was saved from " + type()
                    + " and cannot be applied to " + optimizer.type());
        }
        optimizer.loadState(steps, arrays);
    }

    /** A new optimizer over {@code params} with the saved configuration, then this snapshot applied. */
    public Optimizer restore(List<Param> params) {
        Optimizer optimizer = Optimizer.fromConfig(config, params);
        applyTo(optimizer);
        return optimizer;
    }
}
