package org.fer4j.engine.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;

/**
 * Inverted dropout (Srivastava et al. 2014): in training each value is kept with probability
 * {@code 1 - rate} and scaled by {@code 1/(1 - rate)}, so evaluation is the identity.
 *
 * <pre>
 * mask [N, ...]   0 or 1/(1-rate): the cache backward reads
 * y = x * mask,   dx = dy * mask
 * </pre>
 *
 * The mask of the t-th training forward comes from the seed {@code mix(seed, t)}: the same model
 * seed gives the same masks on every backend and thread count.
 */
public final class Dropout extends Layer {
    private final float rate;

    private long seed;
    private long calls;
    private boolean holdMask;

    private Mode mode;
    private float[] mask;
    private Tensor output;
    private Tensor dinput;

    public Dropout(float rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    static Dropout fromConfig(Map<String, ?> c) {
        return new Dropout((float) Config.getDouble("Dropout", c, "rate", 0.5));
    }

    @Override
    public String type() {
        return "Dropout";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("rate", rate);
        return c;
    }

    @Override
    public boolean isScalePreserving() {
        return true;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        seed = context.random().nextLong();
        return in;
    }

    /**
     * Keeps reusing the current mask instead of drawing a new one per training forward: for
     * gradient checks, which must see one fixed function of the input.
     */
    public void holdMask(boolean hold) {
        this.holdMask = hold;
    }

    /** How many masks this layer has drawn: with the seed, all a checkpoint needs to resume its masks exactly. */
    public long draws() {
        return calls;
    }

    public void setDraws(long draws) {
        if (draws < 0) {
            throw new IllegalArgumentException("dropout draws must be >= 0, got " + draws);
        }
        this.calls = draws;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        batchOf(x);
        this.mode = mode;
        if (mode == Mode.EVAL || rate == 0f) {
            return x;
        }
        boolean fresh = mask == null || mask.length != x.size();
        if (fresh) {
            mask = new float[x.size()];
        }
        if (fresh || !holdMask) {
            kernels.dropoutMask(mask, mask.length, rate, mix(seed, calls++));
        }
        output = reuse(output, x.shape());
        kernels.mul(output.data(), x.data(), mask, mask.length);
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        if (mode == Mode.EVAL || rate == 0f) {
            return dout;
        }
        dinput = reuse(dinput, dout.shape());
        kernels.mul(dinput.data(), dout.data(), mask, mask.length);
        return dinput;
    }

    /** SplitMix64's finaliser over (seed, counter): well-spread seeds for consecutive calls. */
    private static long mix(long seed, long counter) {
        long z = seed + (counter + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
