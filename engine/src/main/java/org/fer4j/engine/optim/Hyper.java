package org.fer4j.engine.optim;

/**
 * Checks of hyper-parameters, shared by the optimizers, {@link OptimizerConfig} and the schedules
 * so that a bad value fails with one message wherever it is given: the parameter, the allowed
 * range and the value, e.g. {@code momentum must be in [0, 1), got 1.5}. NaN and infinities fail
 * every check.
 */
final class Hyper {

    private Hyper() {
    }

    static float positive(String name, float value) {
        if (!(value > 0) || !Float.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    static float nonNegative(String name, float value) {
        if (!(value >= 0) || !Float.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    static double nonNegative(String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    /** {@code [0, 1)}: momentum and the Adam betas; 1 would never forget a gradient. */
    static float unitInterval(String name, float value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
        }
        return value;
    }

    static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    static int nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    static int epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        return epoch;
    }

    static void nesterov(boolean nesterov, float momentum) {
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("nesterov requires momentum > 0, got momentum " + momentum);
        }
    }
}
