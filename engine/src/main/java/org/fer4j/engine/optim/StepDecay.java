package org.fer4j.engine.optim;

/**
 * Multiplies the rate by {@code gamma} every {@code stepSize} epochs:
 * {@code lr(e) = baseLr * gamma^floor(e / stepSize)} (PyTorch's {@code StepLR}). The classic
 * schedule of Krizhevsky et al. 2012 and He et al. 2016 (divide by 10 at fixed epochs).
 *
 * @param baseLr   the rate of epochs {@code [0, stepSize)}, > 0
 * @param stepSize epochs between two decays, > 0
 * @param gamma    the factor, in (0, 1]
 */
public record StepDecay(float baseLr, int stepSize, float gamma) implements LrSchedule {

    public StepDecay {
        Hyper.positive("baseLr", baseLr);
        Hyper.positive("stepSize", stepSize);
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
        }
    }

    @Override
    public float learningRate(int epoch) {
        int decays = Hyper.epoch(epoch) / stepSize;
        return (float) (baseLr * Math.pow(gamma, decays));
    }
}
