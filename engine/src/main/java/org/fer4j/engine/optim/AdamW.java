package org.fer4j.engine.optim;

import java.util.List;
import org.fer4j.engine.Param;

/**
 * AdamW (Loshchilov and Hutter, 2019, "Decoupled Weight Decay Regularization",
 * <a href="https://arxiv.org/abs/1711.05101">arXiv:1711.05101</a>): {@link Adam} with the weight
 * decay taken out of the gradient and applied to the weights directly,
 * {@code w -= lr * weightDecay * w}, before the Adam step. The default decay is 0.01, as in
 * PyTorch. Only parameters whose {@link Param#decay()} is set are decayed.
 */
public final class AdamW extends Adam {
    public static final float DEFAULT_WEIGHT_DECAY = 0.01f;

    /** beta1 0.9, beta2 0.999, eps 1e-8 and weight decay 0.01. */
    public AdamW(List<Param> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, DEFAULT_WEIGHT_DECAY);
    }

    public AdamW(List<Param> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        super(params, lr, beta1, beta2, eps, weightDecay, true);
    }
}
