package org.fer4j.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.fer4j.engine.layers.Layer;
import org.fer4j.engine.layers.Layers;
import org.fer4j.engine.layers.Residual;
import org.fer4j.kernels.KernelsProvider;

/**
 * A stack of layers: {@code forward} loops over them, {@code backward} loops in reverse (darknet's
 * network). Built once from layer specs and a per-sample input shape, with every shape inferred
 * and checked at construction, so an impossible architecture fails before any data is read.
 *
 * <pre>
 * Sequential model = Sequential.builder("small-cnn", 1, 48, 48)
 *         .add(new Conv2D(32, 3)).add(new ReLU()).add(new MaxPool2D(2))
 *         .add(new Flatten()).add(new Dense(7))
 *         .build(42);
 * </pre>
 */
public final class Sequential {
    private final String name;
    private final int[] inputShape;
    private final List<Layer> layers;
    private final int[] outputShape;
    private final long seed;

    /**
     * Names and builds {@code layers} on {@code inputShape} (per sample, without the batch), with
     * weights initialised from {@code seed}.
     */
    public Sequential(String name, int[] inputShape, List<Layer> layers, long seed) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("model '" + name + "' has no layers");
        }
        for (int d : inputShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("model '" + name + "' input shape " + Tensor.shapeString(inputShape)
                        + " must have positive dimensions");
            }
        }
        this.name = name;
        this.inputShape = inputShape.clone();
        this.layers = List.copyOf(layers);
        this.seed = seed;
        Layers.name(this.layers, "");
        // One generator for the whole model, consumed in layer order: the same seed and
        // architecture always give the same initial weights.
        SplittableRandom random = new SplittableRandom(seed);
        this.outputShape = Layers.buildChain(this.layers, this.inputShape, random, false,
                "model '" + name + "': ");
    }

    public static Builder builder(String name, int... inputShape) {
        return new Builder(name, inputShape);
    }

    /** Rebuilds a model from {@link #config()}; weights are freshly initialised until loaded. */
    public static Sequential fromConfig(Map<String, ?> config) {
        Object n = config.get("name");
        Object shape = config.get("input_shape");
        int[] in;
        if (shape instanceof int[] dims) {
            in = dims.clone();
        } else if (shape instanceof List<?> dims) {
            in = new int[dims.size()];
            for (int i = 0; i < in.length; i++) {
                if (!(dims.get(i) instanceof Number d)) {
                    throw new IllegalArgumentException("model config: 'input_shape' must hold integers, got " + shape);
                }
                in[i] = d.intValue();
            }
        } else {
            throw new IllegalArgumentException("model config: missing 'input_shape' list");
        }
        Object layerList = config.get("layers");
        if (!(layerList instanceof List<?> items)) {
            throw new IllegalArgumentException("model config: missing 'layers' list");
        }
        List<Layer> layers = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("model config: a layer must be an object, got " + item);
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> description = (Map<String, ?>) m;
            layers.add(Layers.fromConfig(description));
        }
        Object s = config.get("seed");
        return new Sequential(n == null ? "model" : n.toString(), in, layers,
                s instanceof Number num ? num.longValue() : 0L);
    }

    /** The architecture as plain maps and lists, for the model file's JSON header. */
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("input_shape", inputShape.clone());
        c.put("seed", seed);
        List<Object> descriptions = new ArrayList<>();
        for (Layer l : layers) {
            descriptions.add(Layers.describe(l));
        }
        c.put("layers", descriptions);
        return c;
    }

    /** {@code [N, ...inputShape] -> [N, ...outputShape]}; the result is the last layer's buffer. */
    public Tensor forward(Tensor x, Mode mode) {
        // x comes from the host (a batch just filled, an image just read): a backend that keeps
        // arrays on a device must upload it again even if it saw this array before.
        KernelsProvider.get().hostWrote(x.data());
        return Layers.forward(layers, x, mode);
    }

    /** Back-propagates {@code dout} (the gradient of the loss with respect to the output); returns dinput. */
    public Tensor backward(Tensor dout) {
        return Layers.backward(layers, dout);
    }

    /** Inference: an EVAL forward whose result the caller owns. */
    public Tensor predict(Tensor x) {
        Tensor out = forward(x, Mode.EVAL);
        KernelsProvider.get().hostRead(out.data()); // the copy below reads it on the host
        return out.copy();
    }

    /** Trainable parameters, in layer order. */
    public List<Param> params() {
        List<Param> out = new ArrayList<>();
        for (Param p : state()) {
            if (p.trainable()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Everything a model file saves: trainable parameters and running statistics, in layer order. */
    public List<Param> state() {
        List<Param> out = new ArrayList<>();
        for (Layer l : layers) {
            out.addAll(l.params());
        }
        return out;
    }

    /**
     * What {@link #copyMatching} did: {@code copied} of this model's {@code total} tensors came from
     * the source; {@code kept} names the others (with {@code "[a, b] -> [c, d]"} where the source
     * has the name in another shape), which keep their initial values.
     */
    public record Transfer(int copied, int total, List<String> kept) {
    }

    /**
     * Transfer learning: copies into this model every tensor of {@code source} (parameters and
     * running statistics) whose name and shape match one of this model's, for instance all but
     * the last layer of a 7-class model into a 4-class one. Nothing else changes: the optimizer
     * state is not part of a model, and the tensors without a match keep their values.
     */
    public Transfer copyMatching(Sequential source) {
        Map<String, Param> byName = new LinkedHashMap<>();
        for (Param p : source.state()) {
            byName.put(p.name(), p);
        }
        int copied = 0;
        List<String> kept = new ArrayList<>();
        List<Param> mine = state();
        for (Param p : mine) {
            Param s = byName.get(p.name());
            if (s != null && Arrays.equals(s.value().shape(), p.value().shape())) {
                System.arraycopy(s.value().data(), 0, p.value().data(), 0, p.value().size());
                copied++;
            } else {
                kept.add(p.name() + (s == null ? "" : " " + Tensor.shapeString(s.value().shape()) + " -> "
                        + Tensor.shapeString(p.value().shape())));
            }
        }
        return new Transfer(copied, mine.size(), List.copyOf(kept));
    }

    public long parameterCount() {
        long count = 0;
        for (Layer l : layers) {
            count += l.parameterCount();
        }
        return count;
    }

    public long stateCount() {
        long count = 0;
        for (Layer l : layers) {
            count += l.stateCount();
        }
        return count;
    }

    public String name() {
        return name;
    }

    public long seed() {
        return seed;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int[] outputShape() {
        return outputShape.clone();
    }

    public List<Layer> layers() {
        return layers;
    }

    /**
     * A Keras-style summary: one row per layer with its output shape and parameter count, nested
     * rows for residual blocks, then the totals.
     */
    public String summary() {
        int w1 = 36;
        int w2 = 22;
        int w3 = 12;
        String rule = "-".repeat(w1 + w2 + w3);
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(name).append("\"  input ").append(Tensor.shapeString(inputShape)).append('\n');
        sb.append(rule).append('\n');
        sb.append(pad("Layer (type)", w1)).append(pad("Output Shape", w2)).append(padLeft("Param #", w3)).append('\n');
        sb.append("=".repeat(w1 + w2 + w3)).append('\n');
        summarize(sb, layers, "", w1, w2, w3);
        sb.append("=".repeat(w1 + w2 + w3)).append('\n');
        long trainable = parameterCount();
        long state = stateCount();
        sb.append("Total params: ").append(grouped(trainable + state))
                .append(" (").append(megabytes(trainable + state)).append(")\n");
        sb.append("Trainable params: ").append(grouped(trainable)).append('\n');
        sb.append("Non-trainable params: ").append(grouped(state)).append('\n');
        sb.append(rule).append('\n');
        return sb.toString();
    }

    private static void summarize(StringBuilder sb, List<Layer> list, String indent, int w1, int w2, int w3) {
        for (Layer l : list) {
            String label = indent + shortName(l.name()) + " (" + l.type() + ")";
            sb.append(pad(label, w1)).append(pad("(N, " + Tensor.shapeString(l.outputShape()).substring(1), w2))
                    .append(padLeft(grouped(l.parameterCount() + l.stateCount()), w3)).append('\n');
            if (l instanceof Residual r) {
                summarize(sb, r.mainPath(), indent + "  main: ", w1, w2, w3);
                summarize(sb, r.shortcutPath(), indent + "  shortcut: ", w1, w2, w3);
            }
        }
    }

    private static String shortName(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    private static String padLeft(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    private static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String megabytes(long floats) {
        return String.format(Locale.ROOT, "%.2f MB", floats * 4.0 / (1024 * 1024));
    }

    /** Collects layer specs; {@link #build(long)} names, shapes and initialises them. */
    public static final class Builder {
        private final String name;
        private final int[] inputShape;
        private final List<Layer> layers = new ArrayList<>();

        private Builder(String name, int[] inputShape) {
            this.name = name;
            this.inputShape = inputShape.clone();
        }

        public Builder add(Layer layer) {
            layers.add(layer);
            return this;
        }

        /** Several layers in order: for helpers that return a group, e.g. {@code SeparableConv.of(...)}. */
        public Builder addAll(List<? extends Layer> group) {
            layers.addAll(group);
            return this;
        }

        public Sequential build(long seed) {
            return new Sequential(name, inputShape, layers, seed);
        }
    }
}
