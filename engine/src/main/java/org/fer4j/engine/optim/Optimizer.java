package org.fer4j.engine.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Param;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;

/**
 * The base of every optimizer (tinygrad's shape): it owns the parameter list, the learning rate,
 * the step count, {@link #zeroGrad()} and {@link #step()}; a subclass writes only its update
 * ({@link #update}) and names the per-parameter state it keeps ({@link #state()}), which the model
 * file saves so that training resumes exactly.
 */
public abstract class Optimizer {
    protected final Kernels kernels = KernelsProvider.get();
    protected final List<Param> params;
    protected float learningRate;
    private long steps;

    protected Optimizer(List<Param> params, float learningRate) {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        List<Param> trainable = new ArrayList<>();
        for (Param p : params) {
            if (p.trainable()) {
                trainable.add(p);
            }
        }
        this.params = List.copyOf(trainable);
        this.learningRate = learningRate;
    }

    /** Short type name written to checkpoints: {@code sgd}, {@code adam}, {@code adamw}. */
    public abstract String type();

    /** Hyper-parameters (for checkpoints and logs), learning rate included. */
    public abstract Map<String, Object> config();

    /** Applies this optimizer's rule to parameter {@code index}, at step {@code t >= 1}. */
    protected abstract void update(int index, Param p, long t);

    /**
     * Per-parameter state arrays by name (e.g. {@code m/conv2d_1/kernel}), live: the checkpoint
     * writes them and {@link #loadState} copies into them. Empty for plain SGD.
     */
    public abstract Map<String, float[]> state();

    public final void step() {
        steps++;
        for (int i = 0; i < params.size(); i++) {
            update(i, params.get(i), steps);
        }
    }

    public final void zeroGrad() {
        for (Param p : params) {
            kernels.fill(p.grad().data(), 0, p.grad().size(), 0f);
        }
    }

    public final List<Param> params() {
        return params;
    }

    public final float learningRate() {
        return learningRate;
    }

    public final void setLearningRate(float lr) {
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        }
        this.learningRate = lr;
    }

    public final long steps() {
        return steps;
    }

    /** Restores the step count and the state arrays saved from an optimizer of the same type and model. */
    public final void loadState(long steps, Map<String, float[]> saved) {
        Map<String, float[]> live = state();
        if (!live.keySet().equals(saved.keySet())) {
            throw new IllegalArgumentException("optimizer state does not match this model: expected "
                    + live.keySet() + ", found " + saved.keySet());
        }
        for (Map.Entry<String, float[]> e : live.entrySet()) {
            float[] src = saved.get(e.getKey());
            if (src.length != e.getValue().length) {
                throw new IllegalArgumentException("optimizer state " + e.getKey() + " has " + src.length
                        + " values, expected " + e.getValue().length);
            }
            System.arraycopy(src, 0, e.getValue(), 0, src.length);
        }
        this.steps = steps;
    }

    /**
     * Rebuilds an optimizer from the map its {@link #config()} wrote (resuming from a checkpoint);
     * see {@link OptimizerConfig#fromMap} for what the map may hold.
     */
    public static Optimizer fromConfig(Map<String, ?> config, List<Param> params) {
        return OptimizerConfig.fromMap(config).create(params);
    }

    /**
     * One zeroed state array per parameter, in parameter order, registered in {@code state} under
     * {@code prefix + name}. The checkpoint maps state back by these names, so two parameters with
     * one name would silently share a slot: that fails here instead.
     */
    protected static float[][] newState(String prefix, List<Param> params, Map<String, float[]> state) {
        float[][] slots = new float[params.size()][];
        for (int i = 0; i < slots.length; i++) {
            Param p = params.get(i);
            slots[i] = new float[p.value().size()];
            if (state.putIfAbsent(prefix + p.name(), slots[i]) != null) {
                throw new IllegalArgumentException("two parameters are named '" + p.name()
                        + "'; optimizer state needs unique names");
            }
        }
        return slots;
    }

    protected static Map<String, Object> baseConfig(String type, float lr) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("lr", lr);
        return c;
    }
}
