package org.fer4j.engine.optim;

/** The same learning rate every epoch. */
public record ConstantLr(float lr) implements LrSchedule {

    public ConstantLr {
        Hyper.positive("lr", lr);
    }

    @Override
    public float learningRate(int epoch) {
        Hyper.epoch(epoch);
        return lr;
    }
}
