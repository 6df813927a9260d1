package org.fer4j.engine.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Lowers the learning rate when the monitored value stops improving, with the semantics of
 * Keras' {@code ReduceLROnPlateau}: an epoch improves when its value beats the best so far by
 * more than {@code minDelta} (below {@code best - minDelta} in mode {@link Mode#MIN}, above
 * {@code best + minDelta} in {@link Mode#MAX}); after {@code patience} epochs in a row without
 * improvement the rate becomes {@code max(lr * factor, minLr)}, and the next {@code cooldown}
 * epochs are not counted. The new rate applies from the next epoch. A NaN value never improves.
 *
 * <p>One detail kept from Keras so that runs compare: the cooldown counter is decremented before
 * an epoch is judged, so the {@code cooldown}-th epoch after a reduction already counts towards
 * patience and only {@code cooldown - 1} epochs are ignored (with {@code patience = 1} and
 * {@code cooldown = 2}, a flat plateau reduces every second epoch, not every third).
 */
public final class ReduceOnPlateau implements LrSchedule {

    /** Whether a lower monitored value (a loss) or a higher one (an accuracy) is better. */
    public enum Mode {
        MIN, MAX
    }

    private static final Set<String> STATE_KEYS = Set.of("lr", "best", "wait", "cooldown_counter");

    private final float initialLr;
    private final Mode mode;
    private final float factor;
    private final int patience;
    private final double minDelta;
    private final int cooldown;
    private final float minLr;

    private float lr;
    private double best;
    private int wait;             // epochs since the last improvement, outside cooldown
    private int cooldownCounter;  // epochs of cooldown left

    /** Keras' defaults for the rest: mode min, minDelta 1e-4, no cooldown, minLr 0. */
    public ReduceOnPlateau(float initialLr, float factor, int patience) {
        this(initialLr, Mode.MIN, factor, patience, 1e-4, 0, 0f);
    }

    /**
     * @param initialLr the rate until the first reduction, > 0
     * @param factor    multiplies the rate at each reduction, in (0, 1)
     * @param patience  epochs without improvement before a reduction, >= 0
     * @param minDelta  the least change that counts as an improvement, >= 0 (absolute)
     * @param cooldown  epochs after a reduction that are not counted, >= 0
     * @param minLr     the rate never goes below this, in [0, initialLr)
     */
    public ReduceOnPlateau(float initialLr, Mode mode, float factor, int patience, double minDelta,
                           int cooldown, float minLr) {
        this.initialLr = Hyper.positive("initialLr", initialLr);
        if (mode == null) {
            throw new IllegalArgumentException("mode must be MIN or MAX, got null");
        }
        this.mode = mode;
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("factor must be in (0, 1), got " + factor);
        }
        this.factor = factor;
        this.patience = Hyper.nonNegative("patience", patience);
        this.minDelta = Hyper.nonNegative("minDelta", minDelta);
        this.cooldown = Hyper.nonNegative("cooldown", cooldown);
        if (!(minLr >= 0 && minLr < initialLr)) {
            throw new IllegalArgumentException("minLr must be in [0, initialLr = " + initialLr + "), got " + minLr);
        }
        this.minLr = minLr;
        reset();
    }

    /** Forgets every observation: the rate is {@code initialLr} again. */
    public void reset() {
        lr = initialLr;
        best = worst();
        wait = 0;
        cooldownCounter = 0;
    }

    /** The rate of the current plateau: it depends on what was observed, not on {@code epoch}. */
    @Override
    public float learningRate(int epoch) {
        Hyper.epoch(epoch);
        return lr;
    }

    @Override
    public void observe(int epoch, double monitored) {
        if (cooldownCounter > 0) {
            cooldownCounter--;
            wait = 0;
        }
        if (improves(monitored)) {
            best = monitored;
            wait = 0;
        } else if (cooldownCounter == 0) {
            wait++;
            if (wait >= patience && lr > minLr) {
                lr = Math.max(lr * factor, minLr);
                cooldownCounter = cooldown;
                wait = 0;
            }
        }
    }

    private boolean improves(double value) {
        return mode == Mode.MIN ? value < best - minDelta : value > best + minDelta;
    }

    private double worst() {
        return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    @Override
    public boolean monitorsMetric() {
        return true;
    }

    /**
     * {@code lr}, {@code wait}, {@code cooldown_counter} and, once a value has been seen,
     * {@code best}: JSON has no infinity, so the "nothing seen yet" best is left out instead.
     */
    @Override
    public Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("lr", lr);
        if (Double.isFinite(best)) {
            s.put("best", best);
        }
        s.put("wait", wait);
        s.put("cooldown_counter", cooldownCounter);
        return s;
    }

    @Override
    public void loadState(Map<String, ?> state) {
        for (String key : state.keySet()) {
            if (!STATE_KEYS.contains(key)) {
                throw new IllegalArgumentException("ReduceOnPlateau state: unknown key '" + key + "', expected some of "
                        + STATE_KEYS.stream().sorted().toList());
            }
        }
        float newLr = Hyper.positive("ReduceOnPlateau state lr", number(state, "lr").floatValue());
        int newWait = Hyper.nonNegative("ReduceOnPlateau state wait", number(state, "wait").intValue());
        int newCooldown = Hyper.nonNegative("ReduceOnPlateau state cooldown_counter",
                number(state, "cooldown_counter").intValue());
        lr = newLr;
        wait = newWait;
        cooldownCounter = newCooldown;
        best = state.containsKey("best") ? number(state, "best").doubleValue() : worst();
    }

    private static Number number(Map<String, ?> state, String key) {
        if (!(state.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("ReduceOnPlateau state: '" + key + "' must be a number, got "
                    + state.get(key));
        }
        return n;
    }

    public float initialLr() {
        return initialLr;
    }

    public Mode mode() {
        return mode;
    }

    public float factor() {
        return factor;
    }

    public int patience() {
        return patience;
    }

    public double minDelta() {
        return minDelta;
    }

    public int cooldown() {
        return cooldown;
    }

    public float minLr() {
        return minLr;
    }

    /** The best monitored value so far; infinite (the worst) before any. */
    public double best() {
        return best;
    }

    @Override
    public String toString() {
        return "ReduceOnPlateau[initialLr=" + initialLr + ", mode=" + mode + ", factor=" + factor
                + ", patience=" + patience + ", minDelta=" + minDelta + ", cooldown=" + cooldown
                + ", minLr=" + minLr + "]";
    }
}
