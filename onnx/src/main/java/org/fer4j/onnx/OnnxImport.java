package org.fer4j.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.DepthwiseConv2D;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.GlobalAveragePooling;
import org.fer4j.engine.layers.Init;
import org.fer4j.engine.layers.Layer;
import org.fer4j.engine.layers.LeakyReLU;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;
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
import org.fer4j.onnx.proto.Onnx.ValueInfoProto;

/**
 * Reads an ONNX convolutional network into a fer4j {@link Sequential}, for inference and
 * fine-tuning. The graph must be a chain from one float input {@code [N, C, H, W]} to one output,
 * where a value may fork into two paths that meet again at an {@code Add} (a residual block).
 *
 * <pre>
 * ONNX                                  fer4j
 * Conv (group 1)                        Conv2D (pads symmetric, or TensorFlow's 'same')
 * Conv (group = channels, [C,1,KH,KW])  DepthwiseConv2D
 * Gemm (alpha = beta = 1, transA = 0)   Dense (transB = 1 weights are transposed)
 * MatMul [+ Add of a constant bias]     Dense
 * BatchNormalization (inference)        BatchNorm
 * Relu, LeakyRelu                       ReLU, LeakyReLU
 * MaxPool                               MaxPool2D (valid, or 'same' padded at the bottom/right)
 * GlobalAveragePool                     GlobalAveragePooling
 * Flatten (axis 1), Reshape to [N, -1]  Flatten (nothing after a global pooling)
 * Dropout, Identity                     Dropout, nothing
 * Add of two paths from one value       Residual
 * Softmax, last                         nothing: reported as {@link Result#softmax()}
 * Constant                              an initializer
 * </pre>
 *
 * Anything else is refused with an {@link OnnxException} whose one line names the node, its
 * operator and what is supported. The reader is defensive: it checks every size against the bytes
 * that are really there before allocating, detects cycles before walking the graph, and reads
 * external data only from files beside the model.
 */
public final class OnnxImport {
    /** Larger files are refused before they are read (protobuf's own limit is 2 GiB). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;
    /** Input height and width above this are refused (a 16384 x 16384 map is already 1 GiB a channel). */
    static final int MAX_SIDE = 16384;
    static final long MAX_INPUT_ELEMENTS = 1L << 26;
    static final int MAX_NODES = 100_000;
    static final int MAX_NESTING = 64;
    /** One tensor's elements: 2^31 - 1 bytes over 4 bytes a float. */
    static final long MAX_TENSOR_ELEMENTS = (Integer.MAX_VALUE - 16) / 4;

    private static final String SUPPORTED = "Conv, Gemm, MatMul, Add (bias or residual), BatchNormalization, Relu, "
            + "LeakyRelu, MaxPool, GlobalAveragePool, Flatten, Reshape, Dropout, Identity, Softmax (last), Constant";

    /**
     * An imported model and what its file said about it.
     *
     * @param classNames    from {@code fer4j.class_names}, empty when the file has none
     * @param normalization from {@code fer4j.normalization}, {@code null} when the file has none
     * @param metadata      from {@code fer4j.metadata}, empty when the file has none
     * @param softmax       whether the ONNX graph ended in a Softmax (fer4j models output logits,
     *                      so it is not a layer)
     */
    public record Result(Sequential model, List<String> classNames, Normalization normalization,
                         Map<String, Object> metadata, boolean softmax, String producer) {

        /** The model info for a .fer4j file: the file's class names, or {@code fallback} when it has none. */
        public ModelInfo info(List<String> fallback) {
            List<String> names = fallback != null && !fallback.isEmpty() ? fallback : classNames;
            if (names.isEmpty()) {
                int[] out = model.outputShape();
                names = new ArrayList<>();
                if (out.length != 1) {
                    names.add("output");  // a dense predictor (a detector's [C, H, W] map): one name for the map
                }
                for (int i = 0; out.length == 1 && i < out[0]; i++) {
                    names.add("class_" + i);
                }
            }
            return new ModelInfo(names, normalization == null ? Normalization.NONE : normalization, metadata);
        }
    }

    private final String source;
    private final Path folder;  // for external data; null when reading bytes
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, NodeProto> producer = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Set<NodeProto> visited = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<String> usedInitializers = new HashSet<>();
    private final Map<Layer, float[][]> weights = new IdentityHashMap<>();
    private String graphOutput;
    private int depth;
    private boolean softmax;
    private int opset;

    private OnnxImport(String source, Path folder) {
        this.source = source;
        this.folder = folder;
    }

    /** Reads the ONNX file at {@code file}; external data is looked up beside it. */
    public static Result read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new OnnxException(file + ": " + size + " bytes is larger than an ONNX protobuf can be (2 GiB);"
                    + " store the weights as external data");
        }
        Path folder = file.toAbsolutePath().getParent();
        return new OnnxImport(file.toString(), folder).convert(Files.readAllBytes(file));
    }

    /** Reads an ONNX model from memory; {@code name} appears in errors. External data is refused. */
    public static Result read(byte[] bytes, String name) throws OnnxException {
        return new OnnxImport(name, null).convert(bytes);
    }

    private Result convert(byte[] bytes) throws OnnxException {
        try {
            return convertChecked(bytes);
        } catch (OnnxException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            // a layer or Sequential refusing what it was given: still the file's fault
            throw new OnnxException(source + ": " + e.getMessage(), e);
        }
    }

    private Result convertChecked(byte[] bytes) throws OnnxException {
        if (bytes.length == 0) {
            throw fail("the file is empty");
        }
        ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(64);
            model = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw fail("not a readable ONNX model (truncated or not protobuf): " + e.getMessage());
        } catch (IOException e) {
            throw fail("cannot parse: " + e.getMessage());
        }
        if (!model.hasGraph()) {
            throw fail("not an ONNX model: it has no graph" + (model.hasIrVersion() ? "" : " and no IR version"));
        }
        opset = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = (int) Math.min(Integer.MAX_VALUE, Math.max(-1, o.getVersion()));
            }
        }
        if (opset < 7) {
            throw fail("the model imports " + (opset < 0 ? "no default ONNX operator set" : "operator set " + opset)
                    + "; operator sets 7 and newer are supported");
        }
        GraphProto g = model.getGraph();
        if (g.getNodeCount() > MAX_NODES) {
            throw fail("the graph has " + g.getNodeCount() + " nodes; at most " + MAX_NODES + " are supported");
        }
        if (g.getSparseInitializerCount() > 0) {
            throw fail("sparse initializers are not supported (tensor '" + g.getSparseInitializer(0).getValues().getName() + "')");
        }
        for (TensorProto t : g.getInitializerList()) {
            if (initializers.put(t.getName(), t) != null) {
                throw fail("initializer '" + t.getName() + "' appears twice");
            }
            checkStoredSize(t);
        }
        indexNodes(g);
        String input = graphInput(g);
        int[] shape = inputShape(g, input);
        if (g.getOutputCount() != 1) {
            throw fail("the graph has " + g.getOutputCount() + " outputs; exactly one is supported");
        }
        graphOutput = g.getOutput(0).getName();
        if (!graphOutput.equals(input) && !producer.containsKey(graphOutput)) {
            throw fail("no node produces the graph output '" + graphOutput + "'");
        }

        Walk top = walk(input, shape, false, false);
        if (!top.end.equals(graphOutput)) {
            throw fail("the path from the input ends at '" + top.end + "', not at the graph output '" + graphOutput + "'");
        }
        for (NodeProto n : g.getNodeList()) {
            if (!visited.contains(n)) {
                throw fail(node(n) + ": not on the path from the input to the output; only a chain with residual "
                        + "branches is supported");
            }
        }
        if (top.layers.isEmpty()) {
            throw fail("the graph has no layers fer4j can run");
        }

        String name = g.getName().isBlank() ? "onnx-model" : g.getName();
        Map<String, String> meta = new HashMap<>();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            meta.put(e.getKey(), e.getValue());
        }
        if (meta.containsKey(OnnxExport.MODEL_NAME) && !meta.get(OnnxExport.MODEL_NAME).isBlank()) {
            name = meta.get(OnnxExport.MODEL_NAME);
        }
        Sequential seq = new Sequential(name, shape, top.layers, 0);
        for (Map.Entry<Layer, float[][]> e : weights.entrySet()) {
            List<Param> params = e.getKey().params();
            float[][] values = e.getValue();
            if (params.size() != values.length) {
                throw new IllegalStateException("layer " + e.getKey().name() + " has " + params.size()
                        + " weights, the import prepared " + values.length);
            }
            for (int i = 0; i < values.length; i++) {
                float[] dst = params.get(i).value().data();
                if (dst.length != values[i].length) {
                    throw fail("weight " + params.get(i).name() + " needs " + dst.length + " values, the file gives "
                            + values[i].length);
                }
                System.arraycopy(values[i], 0, dst, 0, dst.length);
            }
        }
        return new Result(seq, classNames(meta), normalization(meta), metadata(meta), softmax,
                model.getProducerName() + (model.getProducerVersion().isEmpty() ? "" : " " + model.getProducerVersion()));
    }

    // ---------------------------------------------------------------- graph structure

    private void indexNodes(GraphProto g) throws OnnxException {
        for (NodeProto n : g.getNodeList()) {
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                throw unsupported(n, "operator domain '" + n.getDomain() + "' (only the default ONNX domain)");
            }
            if (n.getOpType().equals("Constant")) {
                constant(n);
                continue;
            }
            for (String out : n.getOutputList()) {
                if (out.isEmpty()) {
                    continue;
                }
                if (initializers.containsKey(out) || producer.put(out, n) != null) {
                    throw fail(node(n) + ": its output '" + out + "' is produced twice");
                }
            }
        }
        for (NodeProto n : g.getNodeList()) {
            if (visited.contains(n)) {
                continue;  // a Constant, now an initializer
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !initializers.containsKey(in)) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        checkAcyclic(g);
    }

    private void constant(NodeProto n) throws OnnxException {
        if (n.getOutputCount() != 1 || n.getAttributeCount() != 1 || !n.getAttribute(0).getName().equals("value")
                || !n.getAttribute(0).hasT()) {
            throw unsupported(n, "a Constant other than one 'value' tensor");
        }
        TensorProto t = n.getAttribute(0).getT().toBuilder().setName(n.getOutput(0)).build();
        if (initializers.put(n.getOutput(0), t) != null) {
            throw fail(node(n) + ": its output '" + n.getOutput(0) + "' is produced twice");
        }
        visited.add(n);
    }

    /** Kahn's algorithm over the nodes; what is left over lies on a cycle. */
    private void checkAcyclic(GraphProto g) throws OnnxException {
        Map<NodeProto, Integer> pending = new IdentityHashMap<>();
        Deque<NodeProto> ready = new ArrayDeque<>();
        for (NodeProto n : g.getNodeList()) {
            if (visited.contains(n)) {
                continue;
            }
            int count = 0;
            for (String in : n.getInputList()) {
                if (producer.containsKey(in)) {
                    count++;
                }
            }
            pending.put(n, count);
            if (count == 0) {
                ready.add(n);
            }
        }
        int done = 0;
        while (!ready.isEmpty()) {
            NodeProto n = ready.poll();
            done++;
            for (String out : n.getOutputList()) {
                for (NodeProto c : consumers.getOrDefault(out, List.of())) {
                    for (String in : c.getInputList()) {
                        if (in.equals(out) && pending.merge(c, -1, Integer::sum) == 0) {
                            ready.add(c);
                        }
                    }
                }
            }
        }
        if (done < pending.size()) {
            for (Map.Entry<NodeProto, Integer> e : pending.entrySet()) {
                if (e.getValue() > 0) {
                    throw fail(node(e.getKey()) + ": lies on a cycle; an ONNX graph must be acyclic");
                }
            }
        }
    }

    private String graphInput(GraphProto g) throws OnnxException {
        List<String> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                inputs.add(v.getName());
            }
        }
        if (inputs.size() != 1) {
            throw fail("the graph has " + inputs.size() + " inputs " + inputs + " besides its weights; exactly one image input is supported");
        }
        // every value a node reads must come from somewhere
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !in.equals(inputs.get(0)) && !initializers.containsKey(in) && !producer.containsKey(in)) {
                    throw fail(node(n) + ": its input '" + in + "' is neither the graph input, a weight nor a node's output");
                }
            }
        }
        return inputs.get(0);
    }

    private int[] inputShape(GraphProto g, String input) throws OnnxException {
        ValueInfoProto v = g.getInputList().stream().filter(i -> i.getName().equals(input)).findFirst().orElseThrow();
        if (!v.getType().hasTensorType() || v.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw fail("input '" + input + "' is not a float32 tensor; fer4j models take float32 images");
        }
        TensorShapeProto s = v.getType().getTensorType().getShape();
        if (s.getDimCount() != 4) {
            throw fail("input '" + input + "' has rank " + s.getDimCount() + "; an image input [N, C, H, W] is supported");
        }
        int[] shape = new int[3];
        long elements = 1;
        for (int i = 1; i < 4; i++) {
            TensorShapeProto.Dimension d = s.getDim(i);
            if (!d.hasDimValue()) {
                throw fail("input '" + input + "' dimension " + i + " is '" + d.getDimParam()
                        + "', not a number; fer4j needs a fixed channels, height and width");
            }
            long value = d.getDimValue();
            long max = i == 1 ? 4096 : MAX_SIDE;
            if (value < 1 || value > max) {
                throw fail("input '" + input + "' dimension " + i + " is " + value + "; expected 1.." + max);
            }
            shape[i - 1] = (int) value;
            elements *= value;
        }
        if (elements > MAX_INPUT_ELEMENTS) {
            throw fail("input '" + input + "' has " + elements + " values per image; at most " + MAX_INPUT_ELEMENTS + " are supported");
        }
        return shape;
    }

    // ---------------------------------------------------------------- the walk

    /** Layers from a walk, the value where it stopped, and the per-sample shape there. */
    private record Walk(List<Layer> layers, String end, int[] shape, NodeProto join, boolean squeezed) {
    }

    /**
     * Converts nodes from value {@code x} on. Inside a branch ({@code branch}) the walk stops at the
     * Add that joins it with its sibling; otherwise at the graph output. {@code squeezed}: the ONNX
     * value is [N, C, 1, 1] where fer4j holds [N, C] (after a global pooling).
     */
    private Walk walk(String x, int[] shape, boolean branch, boolean squeezed) throws OnnxException {
        List<Layer> layers = new ArrayList<>();
        while (true) {
            List<NodeProto> next = consumers.getOrDefault(x, List.of());
            if (x.equals(graphOutput)) {
                if (!next.isEmpty()) {
                    throw fail(node(next.get(0)) + ": reads the graph output '" + x + "'; the output must be the last value");
                }
                if (branch) {
                    throw fail("a branch reaches the graph output '" + x + "' without joining its sibling at an Add");
                }
                return new Walk(layers, x, shape, null, squeezed);
            }
            if (next.isEmpty()) {
                throw fail("value '" + x + "' is not used by any node and is not the graph output");
            }
            if (next.size() == 1 && isJoin(next.get(0))) {
                if (!branch) {
                    throw fail(node(next.get(0)) + ": adds two values that do not fork from one; only residual adds "
                            + "(two paths from one value) are supported");
                }
                return new Walk(layers, x, shape, next.get(0), squeezed);
            }
            if (next.size() == 1) {
                NodeProto n = next.get(0);
                markVisited(n);
                Step step = convert(n, x, shape, squeezed);
                if (step.layer != null) {
                    layers.add(step.layer);
                }
                x = step.out;
                shape = step.shape;
                squeezed = step.squeezed;
                continue;
            }
            if (next.size() > 2) {
                throw fail("value '" + x + "' feeds " + next.size() + " nodes; at most two (a residual block) are supported");
            }
            Walk a = branch(next.get(0), x, shape, squeezed);
            Walk b = branch(next.get(1), x, shape, squeezed);
            if (a.join != b.join) {
                throw fail("the two paths from '" + x + "' end at different nodes (" + node(a.join) + ", " + node(b.join)
                        + "); only residual blocks that rejoin at one Add are supported");
            }
            NodeProto add = a.join;
            markVisited(add);
            if (!java.util.Arrays.equals(a.shape, b.shape)) {
                throw fail(node(add) + ": adds shapes " + Tensor.shapeString(a.shape) + " and " + Tensor.shapeString(b.shape));
            }
            boolean aIsMain = a.layers.size() >= b.layers.size();
            List<Layer> main = aIsMain ? a.layers : b.layers;
            List<Layer> shortcut = aIsMain ? b.layers : a.layers;
            if (main.isEmpty()) {
                throw unsupported(add, "an Add of a value to itself");
            }
            layers.add(new Residual(main, shortcut));
            requireSingleOutput(add);
            x = add.getOutput(0);
            shape = a.shape;
            squeezed = a.squeezed && b.squeezed;
        }
    }

    private Walk branch(NodeProto first, String x, int[] shape, boolean squeezed) throws OnnxException {
        if (isJoin(first)) {
            return new Walk(List.of(), x, shape, first, squeezed);
        }
        markVisited(first);
        Step step = convert(first, x, shape, squeezed);
        // each nested block is one more level of recursion here and in fer4j's Residual
        if (++depth > MAX_NESTING) {
            throw fail(node(first) + ": residual blocks nested more than " + MAX_NESTING + " deep");
        }
        Walk rest = walk(step.out, step.shape, true, step.squeezed);
        depth--;
        List<Layer> layers = new ArrayList<>();
        if (step.layer != null) {
            layers.add(step.layer);
        }
        layers.addAll(rest.layers);
        return new Walk(layers, rest.end, rest.shape, rest.join, rest.squeezed);
    }

    private boolean isJoin(NodeProto n) {
        return n.getOpType().equals("Add") && n.getInputCount() == 2
                && !initializers.containsKey(n.getInput(0)) && !initializers.containsKey(n.getInput(1));
    }

    private void markVisited(NodeProto n) throws OnnxException {
        if (!visited.add(n)) {
            throw fail(node(n) + ": reached twice; the graph is not a chain of residual blocks");
        }
    }

    /** One converted node: the fer4j layer (null for a no-op), the ONNX value it produced and its shape. */
    private record Step(Layer layer, String out, int[] shape, boolean squeezed) {
    }

    private Step convert(NodeProto n, String x, int[] shape, boolean squeezed) throws OnnxException {
        if (n.getInputCount() == 0 || !n.getInput(0).equals(x)) {
            throw unsupported(n, "reading '" + x + "' other than as its first input");
        }
        return switch (n.getOpType()) {
            case "Conv" -> conv(n, shape, squeezed);
            case "Gemm" -> gemm(n, shape, squeezed);
            case "MatMul" -> matMul(n, shape, squeezed);
            case "BatchNormalization" -> batchNorm(n, shape, squeezed);
            case "Relu" -> elementwise(n, new ReLU(), shape, squeezed);
            case "LeakyRelu" -> elementwise(n, new LeakyReLU(floatAttr(n, "alpha", 0.01f)), shape, squeezed);
            case "MaxPool" -> maxPool(n, shape, squeezed);
            case "GlobalAveragePool" -> {
                expectInputs(n, 1, 1);
                requireRank3(n, shape, squeezed);
                yield new Step(new GlobalAveragePooling(), out(n), new int[] {shape[0]}, true);
            }
            case "Flatten" -> {
                expectInputs(n, 1, 1);
                long axis = intAttr(n, "axis", 1);
                if (axis != 1) {
                    throw unsupported(n, "axis " + axis + " (only axis 1: [N, C, H, W] -> [N, C*H*W])");
                }
                yield flatten(n, shape);
            }
            case "Reshape" -> reshape(n, shape);
            case "Dropout" -> dropout(n, shape, squeezed);
            case "Identity" -> {
                expectInputs(n, 1, 1);
                yield new Step(null, out(n), shape, squeezed);
            }
            case "Softmax" -> {
                requireSingleOutput(n);
                long axis = intAttr(n, "axis", opset >= 13 ? -1 : 1);
                if (!out(n).equals(graphOutput) || shape.length != 1 || (axis != -1 && axis != 1)) {
                    throw unsupported(n, "a Softmax other than over the classes at the very end");
                }
                softmax = true;
                yield new Step(null, out(n), shape, squeezed);
            }
            case "Add" -> throw unsupported(n, "an Add of a constant other than a MatMul's bias");
            default -> throw unsupported(n, "the operator; supported: " + SUPPORTED);
        };
    }

    private Step conv(NodeProto n, int[] shape, boolean squeezed) throws OnnxException {
        expectInputs(n, 2, 3);
        requireRank3(n, shape, squeezed);
        int c = shape[0];
        int h = shape[1];
        int w = shape[2];
        TensorProto wt = weight(n, 1);
        if (wt.getDimsCount() != 4) {
            throw unsupported(n, "a weight of rank " + wt.getDimsCount() + " (only 2-D convolutions, [F, C, KH, KW])");
        }
        int f = dim(n, wt, 0);
        int wc = dim(n, wt, 1);
        int kh = dim(n, wt, 2);
        int kw = dim(n, wt, 3);
        long group = intAttr(n, "group", 1);
        boolean depthwise = group != 1;
        if (depthwise && !(group == c && wc == 1 && f == c)) {
            throw unsupported(n, "group " + group + " with weight " + dims(wt) + " on " + c
                    + " channels (only group 1, or depthwise: group = channels with weight [C, 1, KH, KW])");
        }
        if (!depthwise && wc != c) {
            throw fail(node(n) + ": weight " + dims(wt) + " expects " + wc + " input channels, the input has " + c);
        }
        long[] ks = intsAttr(n, "kernel_shape", new long[] {kh, kw});
        if (ks.length != 2 || ks[0] != kh || ks[1] != kw) {
            throw fail(node(n) + ": kernel_shape " + java.util.Arrays.toString(ks) + " disagrees with weight " + dims(wt));
        }
        requireOnes(n, "dilations");
        int[] stride = pair(n, "strides");
        Padding padding = convPadding(n, h, w, kh, kw, stride);
        boolean bias = n.getInputCount() == 3 && !n.getInput(2).isEmpty();
        float[] kernel = floats(n, wt);
        Layer layer;
        float[][] values;
        if (bias) {
            float[] b = floats(n, vector(n, 2, f));
            values = new float[][] {kernel, b};
        } else {
            values = new float[][] {kernel};
        }
        if (depthwise) {
            DepthwiseConv2D dw = new DepthwiseConv2D(kh, kw, stride[0], stride[1], padding, true, Init.AUTO);
            layer = bias ? dw : dw.withoutBias();
        } else {
            layer = new Conv2D(f, kh, kw, stride[0], stride[1], padding, bias, Init.AUTO);
        }
        weights.put(layer, values);
        int outH = outSize(padding, h, kh, stride[0], false);
        int outW = outSize(padding, w, kw, stride[1], true);
        return new Step(layer, out(n), new int[] {f, outH, outW}, false);
    }

    /**
     * fer4j's convolution is fixed by its leading pad and output size per axis; an ONNX padding is
     * accepted when a fer4j padding (symmetric explicit, or 'same') gives both.
     */
    private Padding convPadding(NodeProto n, int h, int w, int kh, int kw, int[] stride) throws OnnxException {
        String autoPad = stringAttr(n, "auto_pad", "NOTSET");
        long[] pads;
        switch (autoPad) {
            case "NOTSET" -> pads = intsAttr(n, "pads", new long[4]);
            case "VALID" -> pads = new long[4];
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] v = samePads(h, kh, stride[0], autoPad.equals("SAME_UPPER"));
                int[] hz = samePads(w, kw, stride[1], autoPad.equals("SAME_UPPER"));
                pads = new long[] {v[0], hz[0], v[1], hz[1]};
            }
            default -> throw unsupported(n, "auto_pad '" + autoPad + "'");
        }
        if (pads.length != 4) {
            throw fail(node(n) + ": pads has " + pads.length + " values; a 2-D convolution needs 4");
        }
        for (long p : pads) {
            if (p < 0 || p > 1024) {
                throw unsupported(n, "pads " + java.util.Arrays.toString(pads) + " (each must be 0..1024)");
            }
        }
        long outH = (h + pads[0] + pads[2] - kh) / stride[0] + 1;
        long outW = (w + pads[1] + pads[3] - kw) / stride[1] + 1;
        if (h + pads[0] + pads[2] < kh || w + pads[1] + pads[3] < kw) {
            throw fail(node(n) + ": a " + kh + "x" + kw + " kernel does not fit the padded " + h + "x" + w + " input");
        }
        Padding explicit = pads[0] == 0 && pads[1] == 0 ? Padding.VALID : Padding.of((int) pads[0], (int) pads[1]);
        if (outSize(explicit, h, kh, stride[0], false) == outH && outSize(explicit, w, kw, stride[1], true) == outW) {
            return explicit;
        }
        int[] sv = samePads(h, kh, stride[0], true);
        int[] sh = samePads(w, kw, stride[1], true);
        if (sv[0] == pads[0] && sh[0] == pads[1] && outSize(Padding.SAME, h, kh, stride[0], false) == outH
                && outSize(Padding.SAME, w, kw, stride[1], true) == outW) {
            return Padding.SAME;
        }
        throw unsupported(n, "pads " + java.util.Arrays.toString(pads) + " on a " + h + "x" + w + " input "
                + "(only symmetric pads, or TensorFlow's 'same' with the odd row/column at the bottom/right)");
    }

    /** {@code {before, after}} for ONNX's SAME_UPPER (extra at the end) or SAME_LOWER. */
    private static int[] samePads(int in, int k, int s, boolean upper) {
        int out = (in + s - 1) / s;
        int total = Math.max((out - 1) * s + k - in, 0);
        int small = total / 2;
        return upper ? new int[] {small, total - small} : new int[] {total - small, small};
    }

    private static int outSize(Padding p, int in, int k, int s, boolean horizontal) {
        return switch (p.mode()) {
            case VALID -> in >= k ? (in - k) / s + 1 : 0;
            case SAME -> (in + s - 1) / s;
            case EXPLICIT -> {
                int pad = horizontal ? p.width() : p.height();
                yield in + 2 * pad >= k ? (in + 2 * pad - k) / s + 1 : 0;
            }
        };
    }

    private Step gemm(NodeProto n, int[] shape, boolean squeezed) throws OnnxException {
        expectInputs(n, 2, 3);
        requireFlat(n, shape, squeezed);
        float alpha = floatAttr(n, "alpha", 1f);
        float beta = floatAttr(n, "beta", 1f);
        long transA = intAttr(n, "transA", 0);
        long transB = intAttr(n, "transB", 0);
        if (alpha != 1f || transA != 0) {
            throw unsupported(n, "alpha " + alpha + ", transA " + transA + " (only alpha 1, transA 0)");
        }
        TensorProto bt = weight(n, 1);
        if (bt.getDimsCount() != 2) {
            throw fail(node(n) + ": weight " + dims(bt) + " is not a matrix");
        }
        int rows = dim(n, bt, 0);
        int cols = dim(n, bt, 1);
        int in = transB == 0 ? rows : cols;
        int units = transB == 0 ? cols : rows;
        if (in != shape[0]) {
            throw fail(node(n) + ": weight " + dims(bt) + (transB == 0 ? "" : " (transposed)") + " expects " + in
                    + " inputs, the input has " + shape[0]);
        }
        float[] b = floats(n, bt);
        float[] kernel = transB == 0 ? b : transpose(b, rows, cols);
        boolean bias = n.getInputCount() == 3 && !n.getInput(2).isEmpty();
        float[] biasValues = null;
        if (bias) {
            biasValues = floats(n, vector(n, 2, units));
            if (beta != 1f) {
                for (int i = 0; i < units; i++) {
                    biasValues[i] *= beta;
                }
            }
        }
        return dense(n, out(n), kernel, biasValues, units);
    }

    private Step matMul(NodeProto n, int[] shape, boolean squeezed) throws OnnxException {
        expectInputs(n, 2, 2);
        requireFlat(n, shape, squeezed);
        TensorProto bt = weight(n, 1);
        if (bt.getDimsCount() != 2 || dim(n, bt, 0) != shape[0]) {
            throw fail(node(n) + ": weight " + dims(bt) + " does not multiply an input of " + shape[0] + " features");
        }
        int units = dim(n, bt, 1);
        float[] kernel = floats(n, bt);
        String out = out(n);
        List<NodeProto> next = consumers.getOrDefault(out, List.of());
        if (next.size() == 1 && next.get(0).getOpType().equals("Add") && !out.equals(graphOutput)) {
            NodeProto add = next.get(0);
            int other = add.getInputCount() == 2 && add.getInput(0).equals(out) ? 1 : 0;
            if (add.getInputCount() == 2 && initializers.containsKey(add.getInput(other))) {
                markVisited(add);
                TensorProto biasTensor = initializers.get(add.getInput(other));
                usedInitializers.add(add.getInput(other));
                float[] bias = floats(add, biasTensor);
                if (bias.length != units) {
                    throw fail(node(add) + ": bias " + dims(biasTensor) + " does not match " + units + " units");
                }
                requireSingleOutput(add);
                return dense(n, add.getOutput(0), kernel, bias, units);
            }
        }
        return dense(n, out, kernel, null, units);
    }

    private Step dense(NodeProto n, String out, float[] kernel, float[] bias, int units) {
        Dense layer = new Dense(units, bias != null, Init.AUTO);
        weights.put(layer, bias == null ? new float[][] {kernel} : new float[][] {kernel, bias});
        return new Step(layer, out, new int[] {units}, false);
    }

    private Step batchNorm(NodeProto n, int[] shape, boolean squeezed) throws OnnxException {
        expectInputs(n, 5, 5);
        requireSingleOutput(n);
        if (intAttr(n, "training_mode", 0) != 0 || (opset < 9 && intAttr(n, "spatial", 1) != 1)) {
            throw unsupported(n, "training mode or non-spatial statistics (only the inference form)");
        }
        float eps = floatAttr(n, "epsilon", 1e-5f);
        float momentum = floatAttr(n, "momentum", 0.9f);
        if (!(eps > 0) || !(momentum >= 0 && momentum < 1)) {
            throw fail(node(n) + ": epsilon " + eps + " must be > 0 and momentum " + momentum + " in [0, 1)");
        }
        int c = shape[0];
        float[][] values = new float[4][];
        for (int i = 0; i < 4; i++) {
            values[i] = floats(n, vector(n, i + 1, c));
        }
        BatchNorm layer = new BatchNorm(momentum, eps);
        weights.put(layer, values);  // fer4j's order is gamma, beta, running mean, running variance: ONNX's
        return new Step(layer, out(n), shape, squeezed);
    }

    private Step elementwise(NodeProto n, Layer layer, int[] shape, boolean squeezed) throws OnnxException {
        expectInputs(n, 1, 1);
        requireSingleOutput(n);
        return new Step(layer, out(n), shape, squeezed);
    }

    private Step maxPool(NodeProto n, int[] shape, boolean squeezed) throws OnnxException {
        expectInputs(n, 1, 1);
        requireSingleOutput(n);
        requireRank3(n, shape, squeezed);
        int h = shape[1];
        int w = shape[2];
        long[] ks = intsAttr(n, "kernel_shape", null);
        if (ks == null || ks.length != 2 || ks[0] < 1 || ks[1] < 1 || ks[0] > MAX_SIDE || ks[1] > MAX_SIDE) {
            throw fail(node(n) + ": kernel_shape must be two positive sizes, got "
                    + (ks == null ? "none" : java.util.Arrays.toString(ks)));
        }
        int kh = (int) ks[0];
        int kw = (int) ks[1];
        int[] s = pair(n, "strides");
        requireOnes(n, "dilations");
        if (intAttr(n, "storage_order", 0) != 0) {
            throw unsupported(n, "storage_order 1");
        }
        String autoPad = stringAttr(n, "auto_pad", "NOTSET");
        long[] pads = switch (autoPad) {
            case "NOTSET" -> intsAttr(n, "pads", new long[4]);
            case "VALID" -> new long[4];
            case "SAME_UPPER" -> {
                int[] v = samePads(h, kh, s[0], true);
                int[] hz = samePads(w, kw, s[1], true);
                yield new long[] {v[0], hz[0], v[1], hz[1]};
            }
            default -> throw unsupported(n, "auto_pad '" + autoPad + "' (NOTSET, VALID, SAME_UPPER)");
        };
        if (pads.length != 4 || pads[0] < 0 || pads[1] < 0 || pads[2] < 0 || pads[3] < 0) {
            throw fail(node(n) + ": pads must be 4 values >= 0, got " + java.util.Arrays.toString(pads));
        }
        boolean ceil = intAttr(n, "ceil_mode", 0) != 0;
        long outH = outPool(h + pads[0] + pads[2], kh, s[0], ceil);
        long outW = outPool(w + pads[1] + pads[3], kw, s[1], ceil);
        if (pads[0] == 0 && pads[1] == 0) {
            if (h >= kh && w >= kw && outH == (h - kh) / s[0] + 1 && outW == (w - kw) / s[1] + 1) {
                return new Step(new MaxPool2D(kh, kw, s[0], s[1], Padding.VALID), out(n), new int[] {shape[0], (int) outH, (int) outW}, false);
            }
            long sameH = (h + s[0] - 1) / s[0];
            long sameW = (w + s[1] - 1) / s[1];
            long totalH = (sameH - 1) * s[0] + kh - h;
            long totalW = (sameW - 1) * s[1] + kw - w;
            if (outH == sameH && outW == sameW && totalH <= 1 && totalW <= 1) {
                return new Step(new MaxPool2D(kh, kw, s[0], s[1], Padding.SAME), out(n), new int[] {shape[0], (int) outH, (int) outW}, false);
            }
        }
        throw unsupported(n, "pads " + java.util.Arrays.toString(pads) + (ceil ? " with ceil_mode" : "") + " on a " + h + "x" + w
                + " input (only no padding, or at most one row/column at the bottom/right: fer4j's 'same')");
    }

    private static long outPool(long padded, int k, int s, boolean ceil) {
        if (padded < k) {
            return 0;
        }
        return (ceil ? (padded - k + s - 1) / s : (padded - k) / s) + 1;
    }

    private Step flatten(NodeProto n, int[] shape) throws OnnxException {
        requireSingleOutput(n);
        if (shape.length == 1) {
            return new Step(null, out(n), shape, false);  // [N, C, 1, 1] after a global pooling: already flat in fer4j
        }
        long features = Tensor.checkedSize(shape);
        return new Step(new Flatten(), out(n), new int[] {(int) features}, false);
    }

    private Step reshape(NodeProto n, int[] shape) throws OnnxException {
        expectInputs(n, 2, 2);
        TensorProto t = weight(n, 1);
        long[] target = longs(n, t);
        long features = Tensor.checkedSize(shape);
        boolean flat = target.length == 2
                && (target[1] == -1 || target[1] == features)
                && (target[0] == 0 || target[0] == -1 && target[1] == features || target[0] > 0 && target[1] == -1
                    || target[0] > 0 && target[1] == features);
        if (!flat) {
            throw unsupported(n, "a reshape to " + java.util.Arrays.toString(target) + " (only [N, -1], a flatten)");
        }
        if (intAttr(n, "allowzero", 0) != 0 && target[0] == 0) {
            throw unsupported(n, "allowzero with a 0 in the shape");
        }
        return flatten(n, shape);
    }

    private Step dropout(NodeProto n, int[] shape, boolean squeezed) throws OnnxException {
        expectInputs(n, 1, 3);
        for (int i = 1; i < n.getOutputCount(); i++) {
            if (!n.getOutput(i).isEmpty() && consumers.containsKey(n.getOutput(i))) {
                throw unsupported(n, "using its mask output");
            }
        }
        float rate = floatAttr(n, "ratio", 0.5f);
        if (n.getInputCount() >= 2 && !n.getInput(1).isEmpty()) {
            float[] r = floats(n, weight(n, 1));
            if (r.length != 1) {
                throw fail(node(n) + ": ratio must be one value");
            }
            rate = r[0];
        }
        if (n.getInputCount() == 3 && !n.getInput(2).isEmpty()) {
            TensorProto t = weight(n, 2);
            if (t.getDataType() != TensorProto.DataType.BOOL_VALUE || bytes(n, t, 1).length != 1 || bytes(n, t, 1)[0] != 0) {
                throw unsupported(n, "training_mode other than false");
            }
        }
        if (!(rate >= 0 && rate < 1)) {
            throw fail(node(n) + ": ratio " + rate + " must be in [0, 1)");
        }
        return new Step(new Dropout(rate), out(n), shape, squeezed);
    }

    // ---------------------------------------------------------------- checks and attributes

    private void expectInputs(NodeProto n, int min, int max) throws OnnxException {
        if (n.getInputCount() < min || n.getInputCount() > max) {
            throw fail(node(n) + ": has " + n.getInputCount() + " inputs, expected " + (min == max ? min : min + " to " + max));
        }
        for (int i = 1; i < n.getInputCount(); i++) {
            String in = n.getInput(i);
            if (!in.isEmpty() && !initializers.containsKey(in)) {
                throw unsupported(n, "input " + i + " '" + in + "' computed by the graph (only weights stored in the file)");
            }
        }
    }

    private void requireSingleOutput(NodeProto n) throws OnnxException {
        if (n.getOutputCount() < 1 || n.getOutput(0).isEmpty()) {
            throw fail(node(n) + ": has no output");
        }
        for (int i = 1; i < n.getOutputCount(); i++) {
            if (!n.getOutput(i).isEmpty() && consumers.containsKey(n.getOutput(i))) {
                throw unsupported(n, "using its output " + i);
            }
        }
    }

    private String out(NodeProto n) throws OnnxException {
        requireSingleOutput(n);
        return n.getOutput(0);
    }

    private void requireRank3(NodeProto n, int[] shape, boolean squeezed) throws OnnxException {
        if (shape.length != 3 || squeezed) {
            throw unsupported(n, "an input of shape (N, " + Tensor.shapeString(shape).substring(1)
                    + (squeezed ? " after a global pooling" : "") + " (it needs a [N, C, H, W] map)");
        }
    }

    private void requireFlat(NodeProto n, int[] shape, boolean squeezed) throws OnnxException {
        if (shape.length != 1 || squeezed) {
            throw unsupported(n, "an input that is not flat [N, features]" + (squeezed ? " (add a Flatten after the pooling)" : ""));
        }
    }

    private void requireOnes(NodeProto n, String name) throws OnnxException {
        long[] v = intsAttr(n, name, new long[] {1, 1});
        for (long d : v) {
            if (d != 1) {
                throw unsupported(n, name + " " + java.util.Arrays.toString(v) + " (only 1)");
            }
        }
    }

    private int[] pair(NodeProto n, String name) throws OnnxException {
        long[] v = intsAttr(n, name, new long[] {1, 1});
        if (v.length != 2 || v[0] < 1 || v[1] < 1 || v[0] > MAX_SIDE || v[1] > MAX_SIDE) {
            throw fail(node(n) + ": " + name + " must be two sizes in 1.." + MAX_SIDE + ", got " + java.util.Arrays.toString(v));
        }
        return new int[] {(int) v[0], (int) v[1]};
    }

    private static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private long intAttr(NodeProto n, String name, long fallback) throws OnnxException {
        AttributeProto a = attr(n, name);
        if (a == null) {
            return fallback;
        }
        if (!a.hasI()) {
            throw fail(node(n) + ": attribute '" + name + "' must be an integer");
        }
        return a.getI();
    }

    private float floatAttr(NodeProto n, String name, float fallback) throws OnnxException {
        AttributeProto a = attr(n, name);
        if (a == null) {
            return fallback;
        }
        if (!a.hasF()) {
            throw fail(node(n) + ": attribute '" + name + "' must be a float");
        }
        return a.getF();
    }

    private long[] intsAttr(NodeProto n, String name, long[] fallback) throws OnnxException {
        AttributeProto a = attr(n, name);
        if (a == null) {
            return fallback;
        }
        if (a.getIntsCount() > 16) {
            throw fail(node(n) + ": attribute '" + name + "' has " + a.getIntsCount() + " values");
        }
        long[] v = new long[a.getIntsCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.getInts(i);
        }
        return v;
    }

    private String stringAttr(NodeProto n, String name, String fallback) {
        AttributeProto a = attr(n, name);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    // ---------------------------------------------------------------- tensors

    private TensorProto weight(NodeProto n, int index) throws OnnxException {
        String name = n.getInput(index);
        TensorProto t = initializers.get(name);
        if (t == null) {
            throw unsupported(n, "input " + index + " '" + name + "' that is not a stored weight");
        }
        usedInitializers.add(name);
        return t;
    }

    /** Input {@code index} as a vector of {@code size} values ([size] or [1, size]). */
    private TensorProto vector(NodeProto n, int index, int size) throws OnnxException {
        TensorProto t = weight(n, index);
        long count = elements(n, t);
        if (count != size) {
            throw fail(node(n) + ": '" + t.getName() + "' " + dims(t) + " should hold " + size + " values");
        }
        return t;
    }

    private int dim(NodeProto n, TensorProto t, int i) throws OnnxException {
        long d = t.getDims(i);
        if (d < 1 || d > Integer.MAX_VALUE / 4) {
            throw fail(node(n) + ": tensor '" + t.getName() + "' has dimension " + d);
        }
        return (int) d;
    }

    /** The element count, refused when a dimension is negative or the product passes 2^31 - 1. */
    private long elements(NodeProto n, TensorProto t) throws OnnxException {
        String where = n == null ? "tensor '" + t.getName() + "'" : node(n) + ": tensor '" + t.getName() + "'";
        if (t.getDimsCount() > 8) {
            throw fail(where + " has rank " + t.getDimsCount() + "; at most 8 is supported");
        }
        long count = 1;
        for (long d : t.getDimsList()) {
            if (d < 0) {
                throw fail(where + " has a negative dimension " + d);
            }
            if (d > 0 && count > MAX_TENSOR_ELEMENTS / d) {
                throw fail(where + " claims dimensions " + dims(t) + "; at most " + MAX_TENSOR_ELEMENTS
                        + " elements are supported");
            }
            count *= d;
        }
        return count;
    }

    /**
     * A tensor's dimensions against the values stored in the file, before anything is allocated:
     * a tensor that claims 2^40 elements but holds 144 bytes is refused here. External data is
     * checked against its file when it is read.
     */
    private void checkStoredSize(TensorProto t) throws OnnxException {
        long count = elements(null, t);
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return;
        }
        int width = switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.INT32_VALUE -> 4;
            case TensorProto.DataType.INT64_VALUE, TensorProto.DataType.DOUBLE_VALUE -> 8;
            default -> 0;  // other types are refused by name where a node reads them
        };
        long stored = t.hasRawData() ? t.getRawData().size() / Math.max(width, 1)
                : t.getFloatDataCount() + t.getInt64DataCount() + t.getInt32DataCount() + t.getDoubleDataCount();
        if (width > 0 && stored != count) {
            throw fail("tensor '" + t.getName() + "' claims dimensions " + dims(t) + " (" + count + " values) but holds "
                    + stored);
        }
    }

    private float[] floats(NodeProto n, TensorProto t) throws OnnxException {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw unsupported(n, "tensor '" + t.getName() + "' of data type " + t.getDataType() + " (only float32 weights)");
        }
        int count = (int) elements(n, t);
        if (t.getFloatDataCount() > 0) {
            if (t.getFloatDataCount() != count) {
                throw fail(node(n) + ": tensor '" + t.getName() + "' " + dims(t) + " holds " + t.getFloatDataCount() + " values");
            }
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                out[i] = t.getFloatData(i);
            }
            return out;
        }
        byte[] raw = bytes(n, t, 4);
        float[] out = new float[count];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private long[] longs(NodeProto n, TensorProto t) throws OnnxException {
        if (t.getDataType() != TensorProto.DataType.INT64_VALUE) {
            throw unsupported(n, "tensor '" + t.getName() + "' of data type " + t.getDataType() + " (an int64 shape)");
        }
        int count = (int) elements(n, t);
        if (count > 16) {
            throw fail(node(n) + ": shape tensor '" + t.getName() + "' has " + count + " values");
        }
        if (t.getInt64DataCount() > 0) {
            if (t.getInt64DataCount() != count) {
                throw fail(node(n) + ": tensor '" + t.getName() + "' " + dims(t) + " holds " + t.getInt64DataCount() + " values");
            }
            long[] out = new long[count];
            for (int i = 0; i < count; i++) {
                out[i] = t.getInt64Data(i);
            }
            return out;
        }
        byte[] raw = bytes(n, t, 8);
        long[] out = new long[count];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    /** The tensor's bytes, from raw_data or external data, checked to be exactly count * width. */
    private byte[] bytes(NodeProto n, TensorProto t, int width) throws OnnxException {
        long expected = elements(n, t) * width;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return external(n, t, expected);
        }
        ByteString raw = t.getRawData();
        if (raw.size() != expected) {
            throw fail(node(n) + ": tensor '" + t.getName() + "' " + dims(t) + " needs " + expected + " bytes, the file holds "
                    + raw.size());
        }
        return raw.toByteArray();
    }

    private byte[] external(NodeProto n, TensorProto t, long expected) throws OnnxException {
        String where = node(n) + ": tensor '" + t.getName() + "' is stored as external data";
        if (folder == null) {
            throw fail(where + ", which needs the model read from a file (its folder holds the data)");
        }
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    case "checksum" -> { }
                    default -> throw fail(where + " with an unknown key '" + e.getKey() + "'");
                }
            } catch (NumberFormatException ex) {
                throw fail(where + " with " + e.getKey() + " '" + e.getValue() + "', not a number");
            }
        }
        if (location == null || location.isEmpty()) {
            throw fail(where + " without a location");
        }
        Path file = folder.resolve(location).normalize();
        if (Path.of(location).isAbsolute() || !file.startsWith(folder.normalize())) {
            throw fail(where + " at '" + location + "', outside the model's folder; refused");
        }
        if (length < 0) {
            length = expected;
        }
        if (offset < 0 || length != expected) {
            throw fail(where + " with offset " + offset + " and length " + length + "; it needs " + expected + " bytes");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset + length > ch.size()) {
                throw fail(where + " in '" + location + "' at " + offset + ".." + (offset + length) + ", past its end ("
                        + ch.size() + " bytes)");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) length);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw fail(where + " in '" + location + "', which ended early");
                }
            }
            return buf.array();
        } catch (OnnxException e) {
            throw e;
        } catch (IOException e) {
            throw fail(where + " in '" + location + "', which cannot be read: " + e);
        }
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    private static String dims(TensorProto t) {
        return t.getDimsList().toString();
    }

    // ---------------------------------------------------------------- metadata

    private List<String> classNames(Map<String, String> meta) throws OnnxException {
        String v = meta.get(OnnxExport.CLASS_NAMES);
        if (v == null) {
            return List.of();
        }
        try {
            if (Json.parse(v) instanceof List<?> list) {
                List<String> out = new ArrayList<>();
                for (Object o : list) {
                    out.add(String.valueOf(o));
                }
                return out;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw fail("metadata '" + OnnxExport.CLASS_NAMES + "' is not a JSON list of names");
    }

    private Normalization normalization(Map<String, String> meta) throws OnnxException {
        String v = meta.get(OnnxExport.NORMALIZATION);
        if (v == null) {
            return null;
        }
        try {
            if (Json.parse(v) instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, ?> map = (Map<String, ?>) m;
                return Normalization.fromMap(map);
            }
        } catch (IllegalArgumentException | ClassCastException e) {
            // reported below
        }
        throw fail("metadata '" + OnnxExport.NORMALIZATION + "' is not a JSON object {scale, mean, std}");
    }

    private Map<String, Object> metadata(Map<String, String> meta) throws OnnxException {
        String v = meta.get(OnnxExport.METADATA);
        if (v == null) {
            return Map.of();
        }
        try {
            if (Json.parse(v) instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) m;
                return map;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw fail("metadata '" + OnnxExport.METADATA + "' is not a JSON object");
    }

    // ---------------------------------------------------------------- errors

    private static String node(NodeProto n) {
        if (n == null) {
            return "the graph output";
        }
        return "node '" + (n.getName().isEmpty() ? String.join(",", n.getOutputList()) : n.getName()) + "' (" + n.getOpType() + ")";
    }

    private OnnxException fail(String what) {
        return new OnnxException(source + ": " + what);
    }

    private OnnxException unsupported(NodeProto n, String what) {
        return fail(node(n) + ": unsupported: " + what);
    }
}
