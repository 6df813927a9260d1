package org.fer4j.engine.layers;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;

/**
 * One layer: configuration, weights, and a forward/backward pair that sit side by side.
 *
 * <p>Life cycle: construct with the configuration (the "spec"), then {@link #build} once with the
 * per-sample input shape, which checks the shape, creates and initialises the weights and returns
 * the per-sample output shape. After that {@code forward} maps {@code [N, ...in]} to
 * {@code [N, ...out]} and fills the layer's cache; {@code backward} reads only that cache,
 * returns the gradient of the input and <em>adds</em> into the parameter gradients.
 *
 * <p>A layer never chooses its kernels backend: it asks {@link KernelsProvider}.
 */
public abstract class Layer {
    /** The kernels in use; resolved once per process by {@link KernelsProvider}. */
    protected final Kernels kernels = KernelsProvider.get();

    private String name;
    private int[] inputShape;
    private int[] outputShape;

    /** The type name written to model files and the summary, e.g. {@code Conv2D}. */
    public abstract String type();

    /**
     * The configuration that, with {@link Layers#fromConfig}, rebuilds this layer: only numbers,
     * strings, booleans, {@code int[]}, lists and nested maps.
     */
    public abstract Map<String, Object> config();

    /**
     * Checks the per-sample input shape, creates the weights and returns the per-sample output
     * shape. Throws {@link IllegalArgumentException} with a message that says what the layer
     * needs; {@code Sequential} adds the layer's index, name and the shape it got.
     */
    protected abstract int[] doBuild(int[] inputShape, BuildContext context);

    public abstract Tensor forward(Tensor input, Mode mode);

    public abstract Tensor backward(Tensor dout);

    /** Trainable weights and saved state (running statistics), in a stable order. */
    public List<Param> params() {
        return List.of();
    }

    /** Whether this layer is an activation that makes He initialisation the right choice before it. */
    public boolean isRelu() {
        return false;
    }

    /** Whether this layer passes its input's scale through unchanged for the purpose of initialisation. */
    public boolean isScalePreserving() {
        return false;
    }

    public final int[] build(int[] inputShape, BuildContext context) {
        if (this.outputShape != null) {
            throw new IllegalStateException("layer " + name() + " is already built");
        }
        int[] out = doBuild(inputShape.clone(), context);
        this.inputShape = inputShape.clone();
        this.outputShape = out.clone();
        return out.clone();
    }

    public final boolean isBuilt() {
        return outputShape != null;
    }

    public final int[] inputShape() {
        requireBuilt();
        return inputShape.clone();
    }

    public final int[] outputShape() {
        requireBuilt();
        return outputShape.clone();
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long count = 0;
        for (Param p : params()) {
            if (p.trainable()) {
                count += p.value().size();
            }
        }
        return count;
    }

    /** Number of saved, non-trainable scalars (running statistics). */
    public long stateCount() {
        long count = 0;
        for (Param p : params()) {
            if (!p.trainable()) {
                count += p.value().size();
            }
        }
        return count;
    }

    public final String name() {
        return name == null ? type() : name;
    }

    /** Set by {@code Sequential} before {@link #build}; prefixes the names of the weights. */
    public final void setName(String name) {
        this.name = name;
    }

    protected final void requireBuilt() {
        if (outputShape == null) {
            throw new IllegalStateException("layer " + name() + " is used before build()");
        }
    }

    /**
     * Checks that {@code input} is {@code [N, ...inputShape]} and returns N. Layers call it at the
     * top of {@code forward} so that a wrong tensor fails with the layer named.
     */
    protected final int batchOf(Tensor input) {
        requireBuilt();
        int[] s = input.shape();
        boolean ok = s.length == inputShape.length + 1;
        for (int i = 0; ok && i < inputShape.length; i++) {
            ok = s[i + 1] == inputShape[i];
        }
        if (!ok) {
            throw new IllegalArgumentException("layer " + name() + " (" + type() + ") expects input (N, "
                    + Tensor.shapeString(inputShape).substring(1) + ", got " + Tensor.shapeString(s));
        }
        return s[0];
    }

    /** Returns {@code reuse} when it already has {@code shape}, else a new zero tensor: no allocation per batch. */
    protected static Tensor reuse(Tensor reuse, int... shape) {
        return reuse != null && reuse.hasShape(shape) ? reuse : Tensor.zeros(shape);
    }

    protected static int[] prepend(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** What a layer's {@code build} receives besides the input shape. */
    public record BuildContext(RandomGenerator random, boolean followedByRelu) {
    }
}
