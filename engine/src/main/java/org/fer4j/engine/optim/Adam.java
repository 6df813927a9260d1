package org.fer4j.engine.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Param;
import org.fer4j.kernels.Kernels;

/**
 * Adam (Kingma and Ba, 2015, "Adam: A Method for Stochastic Optimization",
 * <a href="https://arxiv.org/abs/1412.6980">arXiv:1412.6980</a>), with bias correction.
 * Weight decay is either an L2 term added to the gradient, as in the paper and PyTorch's
 * {@code Adam}, or decoupled from the gradient, which is {@link AdamW}: the same optimizer with
 * one setting changed (tinygrad's habit of making simpler optimizers settings of richer ones).
 * {@link Kernels#adamUpdate} holds the math.
 *
 * <p>Why decoupling matters: with L2 the decay term passes through the adaptive denominator, so
 * weights with large gradient history are decayed less; AdamW decays every weight by the same
 * fraction {@code lr * weightDecay} per step.
 *
 * <p>State: {@code m/<param name>} (first moment) and {@code v/<param name>} (second moment).
 * The step count {@code t} of the bias correction is {@link #steps()}, which the checkpoint saves
 * with the state.
 */
public sealed class Adam extends Optimizer permits AdamW {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final boolean decoupled;
    private final float[][] m;   // [param][param size]
    private final float[][] v;   // [param][param size]
    private final Map<String, float[]> state = new LinkedHashMap<>();

    /** The paper's defaults: beta1 0.9, beta2 0.999, eps 1e-8, and no weight decay. */
    public Adam(List<Param> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 0f);
    }

    /** Adam with {@code weightDecay} as L2 regularisation added to the gradient. */
    public Adam(List<Param> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, false);
    }

    Adam(List<Param> params, float lr, float beta1, float beta2, float eps, float weightDecay,
         boolean decoupled) {
        super(params, lr);
        this.beta1 = Hyper.unitInterval("beta1", beta1);
        this.beta2 = Hyper.unitInterval("beta2", beta2);
        this.eps = Hyper.positive("eps", eps);
        this.weightDecay = Hyper.nonNegative("weightDecay", weightDecay);
        this.decoupled = decoupled;
        this.m = newState("m/", this.params, state);
        this.v = newState("v/", this.params, state);
    }

    @Override
    public String type() {
        return decoupled ? "adamw" : "adam";
    }

    @Override
    public Map<String, Object> config() {
        return toConfig().toMap();
    }

    /**
     * The current settings, learning rate included, as a config that
     * {@link OptimizerConfig#create} turns back into an optimizer like this one.
     */
    public OptimizerConfig toConfig() {
        return (decoupled ? OptimizerConfig.ADAMW : OptimizerConfig.ADAM).toBuilder()
                .lr(learningRate).beta1(beta1).beta2(beta2).eps(eps).weightDecay(weightDecay)
                .build();
    }

    @Override
    protected void update(int index, Param p, long t) {
        float decay = p.decay() ? weightDecay : 0f;
        kernels.adamUpdate(p.value().data(), p.grad().data(), m[index], v[index], p.value().size(),
                learningRate, beta1, beta2, eps, decay, decoupled, t);
    }

    @Override
    public Map<String, float[]> state() {
        return Collections.unmodifiableMap(state);
    }

    public float beta1() {
        return beta1;
    }

    public float beta2() {
        return beta2;
    }

    public float eps() {
        return eps;
    }

    public float weightDecay() {
        return weightDecay;
    }

    /** Whether weight decay is decoupled from the gradient (AdamW) rather than added to it (L2). */
    public boolean decoupled() {
        return decoupled;
    }
}
