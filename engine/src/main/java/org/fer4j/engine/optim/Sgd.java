package org.fer4j.engine.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Param;
import org.fer4j.kernels.Kernels;

/**
 * Stochastic gradient descent, optionally with momentum (Polyak, 1964, "Some methods of speeding
 * up the convergence of iteration methods") or Nesterov momentum in the form of Sutskever et al.,
 * 2013, "On the importance of initialization and momentum in deep learning"
 * (<a href="https://proceedings.mlr.press/v28/sutskever13.html">PMLR 28</a>). Weight decay is an
 * L2 term added to the gradient, which for plain SGD is the same as decoupled decay scaled by the
 * learning rate. The update is PyTorch's; {@link Kernels#sgdUpdate} holds the math.
 *
 * <p>State: {@code velocity/<param name>}, one array per parameter, only when momentum is used.
 */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;
    private final float[][] velocity;   // [param][param size]; null without momentum
    private final Map<String, float[]> state = new LinkedHashMap<>();

    /** Plain SGD: no momentum, no weight decay. */
    public Sgd(List<Param> params, float lr) {
        this(params, lr, 0f, false, 0f);
    }

    public Sgd(List<Param> params, float lr, float momentum, boolean nesterov, float weightDecay) {
        super(params, lr);
        this.momentum = Hyper.unitInterval("momentum", momentum);
        Hyper.nesterov(nesterov, momentum);
        this.nesterov = nesterov;
        this.weightDecay = Hyper.nonNegative("weightDecay", weightDecay);
        this.velocity = momentum > 0 ? newState("velocity/", this.params, state) : null;
    }

    @Override
    public String type() {
        return "sgd";
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
        return OptimizerConfig.SGD.toBuilder()
                .lr(learningRate).momentum(momentum).nesterov(nesterov).weightDecay(weightDecay)
                .build();
    }

    @Override
    protected void update(int index, Param p, long t) {
        float decay = p.decay() ? weightDecay : 0f;
        kernels.sgdUpdate(p.value().data(), p.grad().data(), velocity == null ? null : velocity[index],
                p.value().size(), learningRate, momentum, decay, nesterov);
    }

    @Override
    public Map<String, float[]> state() {
        return Collections.unmodifiableMap(state);
    }

    public float momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    public float weightDecay() {
        return weightDecay;
    }
}
