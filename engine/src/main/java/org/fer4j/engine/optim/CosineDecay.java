package org.fer4j.engine.optim;

/**
 * Cosine annealing from {@code baseLr} to {@code minLr} (Loshchilov and Hutter, 2017, "SGDR:
 * Stochastic Gradient Descent with Warm Restarts", <a href="https://arxiv.org/abs/1608.03983">
 * arXiv:1608.03983</a>, without the restarts), after an optional linear warmup (Goyal et al.,
 * 2017, "Accurate, Large Minibatch SGD", <a href="https://arxiv.org/abs/1706.02677">
 * arXiv:1706.02677</a>). With {@code W = warmupEpochs} and {@code T = totalEpochs}:
 *
 * <pre>
 * e &lt; W:       lr = baseLr * (e + 1) / (W + 1)
 * W &lt;= e &lt; T:  lr = minLr + (baseLr - minLr) * (1 + cos(pi * (e - W) / (T - W))) / 2
 * e &gt;= T:      lr = minLr
 * </pre>
 *
 * Warmup climbs in equal steps to {@code baseLr}, reached at epoch {@code W} where the cosine
 * starts; it never starts at 0, since an epoch at rate 0 would be wasted (and the optimizer
 * rejects it). Like PyTorch's {@code CosineAnnealingLR}, the cosine reaches {@code minLr} at epoch
 * {@code T}, just past the last trained epoch {@code T - 1}, so the last epoch still learns when
 * {@code minLr} is 0; training on past {@code T} with {@code minLr} 0 would ask for a rate of 0,
 * which the optimizer rejects.
 *
 * @param baseLr       the peak rate, > 0
 * @param totalEpochs  epochs of training, warmup included, > 0
 * @param minLr        the final rate, in [0, baseLr]
 * @param warmupEpochs epochs of linear warmup, in [0, totalEpochs)
 */
public record CosineDecay(float baseLr, int totalEpochs, float minLr, int warmupEpochs) implements LrSchedule {

    public CosineDecay {
        Hyper.positive("baseLr", baseLr);
        Hyper.positive("totalEpochs", totalEpochs);
        if (!(minLr >= 0 && minLr <= baseLr)) {
            throw new IllegalArgumentException("minLr must be in [0, baseLr = " + baseLr + "], got " + minLr);
        }
        if (warmupEpochs < 0 || warmupEpochs >= totalEpochs) {
            throw new IllegalArgumentException("warmupEpochs must be in [0, totalEpochs = " + totalEpochs
                    + "), got " + warmupEpochs);
        }
    }

    /** From {@code baseLr} to 0 over {@code totalEpochs}, no warmup. */
    public CosineDecay(float baseLr, int totalEpochs) {
        this(baseLr, totalEpochs, 0f, 0);
    }

    @Override
    public float learningRate(int epoch) {
        Hyper.epoch(epoch);
        if (epoch < warmupEpochs) {
            return (float) ((double) baseLr * (epoch + 1) / (warmupEpochs + 1));
        }
        if (epoch >= totalEpochs) {
            return minLr;
        }
        double progress = (double) (epoch - warmupEpochs) / (totalEpochs - warmupEpochs);
        return (float) (minLr + (baseLr - (double) minLr) * (1 + Math.cos(Math.PI * progress)) / 2);
    }
}
