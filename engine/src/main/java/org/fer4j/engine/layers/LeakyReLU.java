package org.fer4j.engine.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;

/**
 * Leaky ReLU (Maas et al. 2013): {@code y = x if x > 0 else slope * x}, with {@code slope} in
 * [0, 1) (default 0.1, darknet's and the YOLO face detectors'); backward
 * {@code dx = dy if x > 0 else slope * dy}.
 *
 * <pre>
 * x  [N, ...]   input: the cache backward reads (a reference, not a copy)
 * y  [N, ...]   output
 * </pre>
 *
 * The cache is the input rather than the output as in {@link ReLU}: the two give the same mask
 * for a slope in [0, 1), and keeping the input reads more plainly against the definition. No
 * layer writes into its input, so the reference stays valid until backward. Never fused into a
 * convolution (only {@link ReLU} is), but it counts as ReLU-like for initialisation: a layer
 * feeding it gets He initialisation ({@link #isRelu}).
 */
public final class LeakyReLU extends Layer {
    public static final float DEFAULT_SLOPE = 0.1f;

    private final float slope;

    private Tensor input;   // [N, ...], the cache
    private Tensor output;  // [N, ...]
    private Tensor dinput;  // [N, ...]

    public LeakyReLU() {
        this(DEFAULT_SLOPE);
    }

    public LeakyReLU(float slope) {
        if (!(slope >= 0f && slope < 1f)) {
            throw new IllegalArgumentException("LeakyReLU slope must be in [0, 1), got " + slope);
        }
        this.slope = slope;
    }

    static LeakyReLU fromConfig(Map<String, ?> c) {
        return new LeakyReLU((float) Config.getDouble("LeakyReLU", c, "slope", DEFAULT_SLOPE));
    }

    @Override
    public String type() {
        return "LeakyReLU";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("slope", slope);
        return c;
    }

    private boolean appliedByPrevious;

    public float slope() {
        return slope;
    }

    /** He initialisation suits it as it suits ReLU (He et al. derive it for this family). */
    @Override
    public boolean isRelu() {
        return true;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        return in;
    }

    /**
     * The convolution before this layer applies it as it writes its output (an operator fusion,
     * {@link Layers#buildChain}). Forward then passes its input on, which is already
     * {@code leaky(z)}; backward reads it in place of {@code z}: with a slope > 0, {@code leaky(z) > 0}
     * exactly where {@code z > 0}, so the gradient is the same.
     */
    void appliedByPrevious() {
        appliedByPrevious = true;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        batchOf(x);
        input = x;
        if (appliedByPrevious) {
            output = x;
            return output;
        }
        output = reuse(output, x.shape());
        kernels.leakyReluForward(output.data(), x.data(), slope, x.size());
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        dinput = reuse(dinput, dout.shape());
        kernels.leakyReluBackward(dinput.data(), dout.data(), input.data(), slope, dout.size());
        return dinput;
    }
}
