package org.fer4j.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.DepthwiseConv2D;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.GlobalAveragePooling;
import org.fer4j.engine.layers.Layer;
import org.fer4j.engine.layers.LeakyReLU;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.engine.layers.Residual;
import org.fer4j.onnx.proto.Onnx.AttributeProto;
import org.fer4j.onnx.proto.Onnx.GraphProto;
import org.fer4j.onnx.proto.Onnx.ModelProto;
import org.fer4j.onnx.proto.Onnx.NodeProto;
import org.fer4j.onnx.proto.Onnx.OperatorSetIdProto;
import org.fer4j.onnx.proto.Onnx.StringStringEntryProto;
import org.fer4j.onnx.proto.Onnx.TensorProto;
import org.fer4j.onnx.proto.Onnx.TensorShapeProto;
import org.fer4j.onnx.proto.Onnx.TypeProto;
import org.fer4j.onnx.proto.Onnx.ValueInfoProto;

/**
 * Writes a fer4j {@link Sequential} as an ONNX model (opset {@value #OPSET}): one graph input
 * {@code input [N, C, H, W]}, one output {@code output}, the weights as float32 initializers named
 * after fer4j's weights, and the model's class names, normalisation and metadata as JSON strings in
 * {@code metadata_props} ({@value #CLASS_NAMES}, {@value #NORMALIZATION}, {@value #METADATA}).
 *
 * <pre>
 * fer4j layer          ONNX
 * Conv2D               Conv (pads [top, left, bottom, right]; 'same' puts the odd row/column last)
 * DepthwiseConv2D      Conv with group = channels, weight [C, 1, KH, KW]
 * Dense                Gemm (B = kernel [IN, OUT], transB = 0)
 * BatchNorm            BatchNormalization (inference form: running mean and variance)
 * ReLU, LeakyReLU      Relu, LeakyRelu (alpha = slope)
 * MaxPool2D            MaxPool ('same': pads only at the bottom/right, as fer4j's kernels do)
 * GlobalAveragePooling GlobalAveragePool then Flatten (fer4j's output is [N, C], ONNX's [N, C, 1, 1])
 * Flatten              Flatten (axis 1; both are channels-first, so the order is the same)
 * Dropout              Dropout with its ratio as an input: the identity at inference
 * Residual             its main path and shortcut from one value, then Add
 * (option) softmax     Softmax over the last axis of the output
 * </pre>
 */
public final class OnnxExport {
    /** The operator set written; every operator above has had its current form since 13 or earlier. */
    public static final int OPSET = 17;
    /** The IR version that goes with opset 17. */
    public static final int IR_VERSION = 8;
    public static final String CLASS_NAMES = "fer4j.class_names";
    public static final String NORMALIZATION = "fer4j.normalization";
    public static final String METADATA = "fer4j.metadata";
    public static final String MODEL_NAME = "fer4j.model";
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";

    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();

    private OnnxExport() {
    }

    /** The model as an ONNX message; {@code softmax} appends a Softmax so that the output is probabilities. */
    public static ModelProto toProto(Sequential model, ModelInfo info, boolean softmax) {
        OnnxExport e = new OnnxExport();
        String last = e.chain(model.layers(), INPUT);
        if (softmax) {
            if (model.outputShape().length != 1) {
                throw new IllegalArgumentException("softmax needs a flat (classes) output; model '" + model.name()
                        + "' gives " + org.fer4j.engine.Tensor.shapeString(model.outputShape()));
            }
            last = e.node("Softmax", "softmax", List.of(last), List.of(intAttr("axis", -1)));
        }
        // The last node writes the graph output under its fixed name.
        NodeProto tail = e.nodes.removeLast();
        e.nodes.add(tail.toBuilder().setOutput(0, OUTPUT).build());

        GraphProto graph = GraphProto.newBuilder()
                .setName(model.name())
                .addAllNode(e.nodes)
                .addAllInitializer(e.initializers)
                .addInput(valueInfo(INPUT, model.inputShape()))
                .addOutput(valueInfo(OUTPUT, model.outputShape()))
                .build();
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("fer4j")
                .setProducerVersion(version())
                .setModelVersion(1)
                .setDocString("fer4j model '" + model.name() + "'" + (softmax ? ", output: class probabilities" : ""))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .addMetadataProps(entry(MODEL_NAME, model.name()));
        if (info != null) {
            m.addMetadataProps(entry(CLASS_NAMES, Json.write(info.classNames())))
                    .addMetadataProps(entry(NORMALIZATION, Json.write(info.normalization().toMap())))
                    .addMetadataProps(entry(METADATA, Json.write(info.metadata())));
        }
        return m.build();
    }

    /** Writes the model to {@code path} (through a temporary file, then a rename). */
    public static void write(Path path, Sequential model, ModelInfo info, boolean softmax) throws IOException {
        byte[] bytes = toProto(model, info, softmax).toByteArray();
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Emits {@code layers} in order from value {@code x}; returns the last value's name. */
    private String chain(List<Layer> layers, String x) {
        for (Layer l : layers) {
            x = layer(l, x);
        }
        return x;
    }

    private String layer(Layer l, String x) {
        String name = l.name();
        Map<String, Object> c = l.config();
        return switch (l) {
            case Conv2D conv -> conv(name, x, conv, c, 1, "bias");
            case DepthwiseConv2D dw -> conv(name, x, dw, c, dw.inputShape()[0], "useBias");
            case Dense dense -> node("Gemm", name, inputs(x, dense), List.of());
            case BatchNorm bn -> node("BatchNormalization", name, inputs(x, bn), List.of(
                    floatAttr("epsilon", ((Number) c.get("eps")).floatValue()),
                    floatAttr("momentum", ((Number) c.get("momentum")).floatValue())));
            case ReLU r -> node("Relu", name, List.of(x), List.of());
            case LeakyReLU lr -> node("LeakyRelu", name, List.of(x), List.of(floatAttr("alpha", lr.slope())));
            case MaxPool2D pool -> maxPool(name, x, pool, c);
            case GlobalAveragePooling gap -> node("Flatten", name + "/flatten",
                    List.of(node("GlobalAveragePool", name, List.of(x), List.of())), List.of(intAttr("axis", 1)));
            case Flatten f -> node("Flatten", name, List.of(x), List.of(intAttr("axis", 1)));
            case Dropout d -> {
                String ratio = name + "/ratio";
                initializers.add(TensorProto.newBuilder().setName(ratio).setDataType(TensorProto.DataType.FLOAT_VALUE)
                        .addFloatData(((Number) c.get("rate")).floatValue()).build());
                yield node("Dropout", name, List.of(x, ratio), List.of());
            }
            case Residual r -> {
                String a = chain(r.mainPath(), x);
                String b = r.shortcutPath().isEmpty() ? x : chain(r.shortcutPath(), x);
                yield node("Add", name, List.of(a, b), List.of());
            }
            default -> throw new IllegalArgumentException("layer " + name + " (" + l.type()
                    + ") has no ONNX export; exported: Conv2D, DepthwiseConv2D, Dense, BatchNorm, ReLU, LeakyReLU, "
                    + "MaxPool2D, GlobalAveragePooling, Flatten, Dropout, Residual");
        };
    }

    private String conv(String name, String x, Layer l, Map<String, Object> c, int group, String biasKey) {
        int[] k = (int[]) c.get("kernel");
        int[] s = (int[]) c.get("stride");
        String padding = (String) c.get("padding");
        int[] in = l.inputShape();
        int[] v = pads(padding, in[1], k[0], s[0], false);
        int[] h = pads(padding, in[2], k[1], s[1], true);
        return node("Conv", name, inputs(x, l), List.of(
                intsAttr("kernel_shape", k[0], k[1]),
                intsAttr("strides", s[0], s[1]),
                intsAttr("pads", v[0], h[0], v[1], h[1]),
                intsAttr("dilations", 1, 1),
                intAttr("group", group)));
    }

    /** {@code {before, after}} along one axis for fer4j's padding text (see Padding). */
    private static int[] pads(String padding, int in, int kernel, int stride, boolean horizontal) {
        return switch (padding) {
            case "valid" -> new int[] {0, 0};
            case "same" -> {
                int out = (in + stride - 1) / stride;
                int total = Math.max((out - 1) * stride + kernel - in, 0);
                yield new int[] {total / 2, total - total / 2};
            }
            default -> {
                // explicit and symmetric: "P" or "PH,PW" (Padding.text). When the stride leaves the
                // last rows unread, fer4j and ONNX both drop them: out = floor((in + 2P - K) / S) + 1.
                String[] parts = padding.split(",");
                int p = Integer.parseInt(parts[horizontal && parts.length == 2 ? 1 : 0].trim());
                yield new int[] {p, p};
            }
        };
    }

    private String maxPool(String name, String x, MaxPool2D pool, Map<String, Object> c) {
        int[] k = (int[]) c.get("pool");
        int[] s = (int[]) c.get("stride");
        int[] in = pool.inputShape();
        int[] out = pool.outputShape();
        // fer4j's 'same' pooling cuts windows at the bottom/right edge; ONNX pads with -infinity
        // there, which is the same maximum.
        int bottom = Math.max((out[1] - 1) * s[0] + k[0] - in[1], 0);
        int right = Math.max((out[2] - 1) * s[1] + k[1] - in[2], 0);
        return node("MaxPool", name, List.of(x), List.of(
                intsAttr("kernel_shape", k[0], k[1]),
                intsAttr("strides", s[0], s[1]),
                intsAttr("pads", 0, 0, bottom, right)));
    }

    /** {@code x} then the layer's weights, each added as an initializer named after the fer4j weight. */
    private List<String> inputs(String x, Layer l) {
        List<String> in = new ArrayList<>();
        in.add(x);
        for (Param p : l.params()) {
            initializers.add(tensor(p.name(), p.value().shape(), p.value().data()));
            in.add(p.name());
        }
        return in;
    }

    private String node(String op, String name, List<String> inputs, List<AttributeProto> attributes) {
        nodes.add(NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(name)
                .addAllAttribute(attributes).build());
        return name;
    }

    static TensorProto tensor(String name, int[] shape, float[] data) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (int d : shape) {
            t.addDims(d);
        }
        // raw_data is little-endian, as the IR specification requires
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(data.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        return t.setRawData(com.google.protobuf.ByteString.copyFrom(bytes.array())).build();
    }

    private static ValueInfoProto valueInfo(String name, int[] perSample) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int d : perSample) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
