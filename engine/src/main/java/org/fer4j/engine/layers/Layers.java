package org.fer4j.engine.layers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;

/**
 * What {@code Sequential} and {@link Residual} share: naming a chain of layers, building it with
 * shape inference and initialisation hints, running it forward and backward, and turning layer
 * configurations back into layers.
 */
public final class Layers {
    private static final Map<String, Function<Map<String, ?>, Layer>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("Conv2D", Conv2D::fromConfig);
        FACTORIES.put("MaxPool2D", MaxPool2D::fromConfig);
        FACTORIES.put("BatchNorm", BatchNorm::fromConfig);
        FACTORIES.put("Dropout", Dropout::fromConfig);
        FACTORIES.put("Dense", Dense::fromConfig);
        FACTORIES.put("ReLU", ReLU::fromConfig);
        FACTORIES.put("Flatten", Flatten::fromConfig);
        FACTORIES.put("GlobalAveragePooling", GlobalAveragePooling::fromConfig);
        FACTORIES.put("Residual", Residual::fromConfig);
        FACTORIES.put("LeakyReLU", LeakyReLU::fromConfig);
        FACTORIES.put("DepthwiseConv2D", DepthwiseConv2D::fromConfig);
    }

    private Layers() {
    }

    /** A layer from its {@code {"type": ..., "config": {...}}} description. */
    public static Layer fromConfig(Map<String, ?> description) {
        Object type = description.get("type");
        Function<Map<String, ?>, Layer> factory = FACTORIES.get(String.valueOf(type));
        if (factory == null) {
            throw new IllegalArgumentException("unknown layer type '" + type + "'; known: " + FACTORIES.keySet());
        }
        Object config = description.get("config");
        @SuppressWarnings("unchecked")
        Map<String, ?> map = config instanceof Map<?, ?> m ? (Map<String, ?>) m : Map.of();
        return factory.apply(map);
    }

    /** The inverse of {@link #fromConfig}. */
    public static Map<String, Object> describe(Layer layer) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", layer.type());
        d.put("name", layer.name());
        d.put("config", layer.config());
        return d;
    }

    static List<Object> describeAll(List<Layer> layers) {
        List<Object> out = new ArrayList<>(layers.size());
        for (Layer l : layers) {
            out.add(describe(l));
        }
        return out;
    }

    static List<Layer> fromConfigs(String owner, Object list) {
        if (!(list instanceof List<?> items)) {
            throw new IllegalArgumentException(owner + " config: expected a list of layers, got " + list);
        }
        List<Layer> layers = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(owner + " config: expected a layer object, got " + item);
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> description = (Map<String, ?>) m;
            layers.add(fromConfig(description));
        }
        return layers;
    }

    /**
     * Names the layers Keras' way ({@code conv2d_1}, {@code conv2d_2}, {@code re_lu_1}, ...),
     * under {@code prefix} when it is not empty.
     */
    public static void name(List<Layer> layers, String prefix) {
        Map<String, Integer> counters = new HashMap<>();
        for (Layer l : layers) {
            String base = snake(l.type());
            int k = counters.merge(base, 1, Integer::sum);
            l.setName((prefix.isEmpty() ? "" : prefix + "/") + base + "_" + k);
        }
    }

    /**
     * Whether {@link #buildChain} fuses a ReLU into the convolution before it: true unless the
     * system property {@code fer4j.fusion} is {@code false} (for measuring what fusion saves; the
     * results are the same bits either way on the vector backend, within rounding elsewhere).
     */
    static final boolean FUSION = !"false".equalsIgnoreCase(System.getProperty("fer4j.fusion"));

    /**
     * Builds each layer on the previous one's output shape and returns the last output shape.
     * A layer learns whether a ReLU follows it (looking past batch-norm, dropout, max-pooling and
     * flatten), which selects He over Glorot initialisation. Build errors are rethrown naming the
     * layer's index, name and type, the shape it got, and what it needs.
     *
     * <p>Then a {@link Conv2D} directly followed by a {@link ReLU} is fused: the convolution
     * applies {@code max(y, 0)} as its GEMM stores the output and the ReLU passes it on (an
     * operator fusion, like oneDNN's post-ops). The layers, their names, the summary and the model
     * file stay as they were; only the work moves.
     */
    public static int[] buildChain(List<Layer> layers, int[] inputShape, RandomGenerator random,
                                   boolean chainFollowedByRelu, String where) {
        int[] shape = inputShape.clone();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            boolean relu = chainFollowedByRelu;
            for (int j = i + 1; j < layers.size(); j++) {
                Layer next = layers.get(j);
                if (next.isRelu()) {
                    relu = true;
                    break;
                }
                if (!next.isScalePreserving()) {
                    relu = false;
                    break;
                }
            }
            try {
                shape = l.build(shape, new Layer.BuildContext(random, relu));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "layer " + i + " '" + l.name() + "' (" + l.type()
                        + ") got input " + Tensor.shapeString(shape) + ": " + e.getMessage(), e);
            }
            if (Tensor.checkedSize(shape) == 0) {
                throw new IllegalArgumentException(where + "layer " + i + " '" + l.name() + "' (" + l.type()
                        + ") produces the empty shape " + Tensor.shapeString(shape));
            }
        }
        for (int i = 0; FUSION && i + 1 < layers.size(); i++) {
            if (layers.get(i) instanceof Conv2D conv && layers.get(i + 1) instanceof ReLU relu) {
                conv.fuseRelu();
                relu.appliedByPrevious();
            } else if (layers.get(i) instanceof Conv2D conv && layers.get(i + 1) instanceof LeakyReLU leaky
                    && leaky.slope() > 0f) {
                conv.fuseLeakyRelu(leaky.slope());
                leaky.appliedByPrevious();
            }
        }
        return shape;
    }

    /**
     * For inference copies ({@code InferenceModel}): the index of the {@link MaxPool2D} that the
     * {@link Conv2D} at {@code i} of the built chain {@code layers} can do itself, or -1. That is a
     * 2x2, stride-2 pool ({@link MaxPool2D#isHalving}) right after the convolution, after a batch-
     * norm folded into it ({@code foldedBatchNorm}) and after a ReLU or a LeakyReLU of positive
     * slope: activations that are monotone, so that they commute with the max.
     */
    public static int fusablePool(List<Layer> layers, int i, boolean foldedBatchNorm) {
        if (!(layers.get(i) instanceof Conv2D)) {
            return -1;
        }
        int j = i + 1;
        if (foldedBatchNorm && j < layers.size() && layers.get(j) instanceof BatchNorm) {
            j++;
        }
        if (j < layers.size() && (layers.get(j) instanceof ReLU
                || layers.get(j) instanceof LeakyReLU leaky && leaky.slope() > 0f)) {
            j++;
        }
        return j < layers.size() && layers.get(j) instanceof MaxPool2D pool && pool.isHalving() ? j : -1;
    }

    /** {@code conv}, unbuilt, made to do the 2x2, stride-2 max-pool after it itself: see {@link Conv2D}. */
    public static Conv2D withFusedPool(Conv2D conv) {
        conv.fusePool();
        return conv;
    }

    public static Tensor forward(List<Layer> layers, Tensor x, Mode mode) {
        for (Layer l : layers) {
            x = l.forward(x, mode);
        }
        return x;
    }

    public static Tensor backward(List<Layer> layers, Tensor dout) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            dout = layers.get(i).backward(dout);
        }
        return dout;
    }

    /** {@code MaxPool2D -> max_pool2d}, {@code ReLU -> re_lu}: Keras' naming of layer instances. */
    static String snake(String type) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < type.length(); i++) {
            char ch = type.charAt(i);
            boolean boundary = Character.isUpperCase(ch) && i > 0
                    && (Character.isLowerCase(type.charAt(i - 1))
                        || (i + 1 < type.length() && Character.isLowerCase(type.charAt(i + 1))));
            if (boundary) {
                sb.append('_');
            }
            sb.append(Character.toLowerCase(ch));
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
