package org.fer4j.onnx;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.DepthwiseConv2D;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.GlobalAveragePooling;
import org.fer4j.engine.layers.Init;
import org.fer4j.engine.layers.LeakyReLU;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.engine.layers.Residual;
import org.fer4j.onnx.proto.Onnx.AttributeProto;
import org.fer4j.onnx.proto.Onnx.GraphProto;
import org.fer4j.onnx.proto.Onnx.ModelProto;
import org.fer4j.onnx.proto.Onnx.NodeProto;
import org.fer4j.onnx.proto.Onnx.TensorProto;

/**
 * Mutated valid ONNX files, byte-level and structural: the import either succeeds (and the model
 * runs) or throws {@link OnnxException}; never any other exception. Seeded, so a failure repeats.
 */
class OnnxFuzzProperties {
    private static final byte[] VALID_A = OnnxExport.toProto(Sequential.builder("fuzz-a", 2, 10, 10)
            .add(new Conv2D(4, 3, 1, Padding.SAME)).add(new BatchNorm()).add(new LeakyReLU())
            .add(new MaxPool2D(2)).add(new Residual(new Conv2D(4, 3, 1, Padding.SAME), new ReLU()))
            .add(new DepthwiseConv2D(3, 3, 1, 1, Padding.of(1, 1), true, Init.AUTO))
            .add(new Dropout(0.2f)).add(new Flatten()).add(new Dense(5)).build(1), null, true).toByteArray();
    private static final byte[] VALID_B = OnnxExport.toProto(Sequential.builder("fuzz-b", 1, 7, 7)
            .add(new Conv2D(3, 2)).add(new ReLU()).add(new GlobalAveragePooling()).add(new Dense(2)).build(2),
            null, false).toByteArray();
    private static final List<String> OPS = List.of("Conv", "Gemm", "MatMul", "Add", "Relu", "LeakyRelu", "MaxPool",
            "GlobalAveragePool", "Flatten", "Reshape", "Dropout", "Identity", "Softmax", "BatchNormalization", "Loop", "");

    @Property(tries = 400, seed = "20260415")
    void mutatedFilesImportOrFailClearly(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] base = r.nextBoolean() ? VALID_A : VALID_B;
        byte[] bytes = r.nextInt(3) == 0 ? structural(base, r) : bytewise(base, r);
        OnnxImport.Result result;
        try {
            result = OnnxImport.read(bytes, "fuzz.onnx");
        } catch (OnnxException expected) {
            if (expected.getMessage() == null || !expected.getMessage().startsWith("fuzz.onnx: ")) {
                throw new AssertionError("an error that does not name the file: " + expected.getMessage());
            }
            return;
        }
        Sequential m = result.model();
        if (Tensor.checkedSize(m.inputShape()) <= 1 << 16) {
            m.predict(OrtSupport.randomInput(m, 1, seed));
        }
    }

    private static byte[] bytewise(byte[] base, SplittableRandom r) {
        byte[] b = base.clone();
        switch (r.nextInt(4)) {
            case 0 -> {
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 2 -> {
                int at = r.nextInt(b.length);
                int n = 1 + r.nextInt(16);
                byte[] out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, at);
                for (int i = 0; i < n; i++) {
                    out[at + i] = (byte) r.nextInt(256);
                }
                System.arraycopy(b, at, out, at + n, b.length - at);
                b = out;
            }
            default -> {
                int at = r.nextInt(b.length);
                for (int i = at; i < Math.min(b.length, at + 1 + r.nextInt(10)); i++) {
                    b[i] = (byte) 0xFF;
                }
            }
        }
        return b;
    }

    private static byte[] structural(byte[] base, SplittableRandom r) throws Exception {
        ModelProto m = ModelProto.parseFrom(base);
        GraphProto.Builder g = m.getGraph().toBuilder();
        int nodes = g.getNodeCount();
        int k = r.nextInt(nodes);
        NodeProto.Builder n = g.getNode(k).toBuilder();
        switch (r.nextInt(8)) {
            case 0 -> n.setOpType(OPS.get(r.nextInt(OPS.size())));
            case 1 -> g.removeNode(k);
            case 2 -> n.setInput(0, g.getNode(r.nextInt(nodes)).getOutput(0));  // rewiring; may make a cycle
            case 3 -> {
                if (n.getAttributeCount() > 0) {
                    int a = r.nextInt(n.getAttributeCount());
                    AttributeProto.Builder at = n.getAttribute(a).toBuilder();
                    if (at.getIntsCount() > 0) {
                        at.setInts(r.nextInt(at.getIntsCount()), r.nextLong(-3, 1L << 40));
                    } else {
                        at.setI(r.nextLong(-3, 100)).setF((float) r.nextGaussian());
                    }
                    n.setAttribute(a, at);
                }
            }
            case 4 -> {
                if (g.getInitializerCount() > 0) {
                    int i = r.nextInt(g.getInitializerCount());
                    TensorProto.Builder t = g.getInitializer(i).toBuilder();
                    if (t.getDimsCount() > 0) {
                        t.setDims(r.nextInt(t.getDimsCount()), r.nextBoolean() ? r.nextLong(-2, 1L << 40) : r.nextLong(0, 64));
                    } else {
                        t.addDims(r.nextLong(0, 1L << 32));
                    }
                    g.setInitializer(i, t);
                }
            }
            case 5 -> {
                if (g.getInitializerCount() > 0) {
                    g.removeInitializer(r.nextInt(g.getInitializerCount()));
                }
            }
            case 6 -> n.addInput("extra_" + r.nextInt(3));
            default -> n.setOutput(0, g.getNode(r.nextInt(nodes)).getOutput(0));  // a value produced twice
        }
        if (k < g.getNodeCount() && g.getNode(k).getName().equals(n.getName())) {
            g.setNode(k, n);
        }
        return m.toBuilder().setGraph(g).build().toByteArray();
    }
}
