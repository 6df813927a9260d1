package org.fer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.onnx.proto.Onnx.AttributeProto;
import org.fer4j.onnx.proto.Onnx.GraphProto;
import org.fer4j.onnx.proto.Onnx.ModelProto;
import org.fer4j.onnx.proto.Onnx.NodeProto;
import org.fer4j.onnx.proto.Onnx.StringStringEntryProto;
import org.fer4j.onnx.proto.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken and hostile files give one clear {@link OnnxException}: no other exception, no OOM, no hang. */
class OnnxHostileFilesTest {
    @TempDir
    Path dir;

    static Sequential small() {
        return Sequential.builder("small", 1, 8, 8)
                .add(new Conv2D(4, 3)).add(new ReLU()).add(new MaxPool2D(2))
                .add(new Flatten()).add(new Dense(3)).build(1);
    }

    static ModelProto valid() {
        return OnnxExport.toProto(small(), null, false);
    }

    private static String refused(byte[] bytes) {
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImport.read(bytes, "bad.onnx"));
        String m = e.getMessage();
        assertTrue(m.startsWith("bad.onnx: "), m);
        assertTrue(!m.contains("\n"), "one line: " + m);
        return m;
    }

    private static String refused(ModelProto m) {
        return refused(m.toByteArray());
    }

    @Test
    void emptyAndForeignFiles() {
        assertTrue(refused(new byte[0]).contains("empty"));
        refused("\u0089PNG\r\n\u001a\n not a model at all".getBytes(StandardCharsets.ISO_8859_1));
        refused("{\"format\": \"layers-model\"}".getBytes(StandardCharsets.UTF_8));
        assertTrue(refused(ModelProto.newBuilder().setIrVersion(8).build()).contains("no graph"));
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] bytes = valid().toByteArray();
        for (int cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length / 300)) {
            byte[] part = java.util.Arrays.copyOf(bytes, cut);
            try {
                OnnxImport.read(part, "bad.onnx");
                // ONNX has no length or checksum: a cut between two fields of the model leaves a
                // shorter, complete message (here: without its trailing metadata). Anything else
                // must be refused.
                assertArrayEquals(part, ModelProto.parseFrom(part).toByteArray(), "cut at " + cut);
                assertTrue(cut > bytes.length - valid().getMetadataProps(0).getSerializedSize() * 4, "cut at " + cut);
            } catch (OnnxException expected) {
                // the usual outcome
            } catch (Exception e) {
                throw new AssertionError("cut at " + cut + ": " + e, e);
            }
        }
    }

    @Test
    void absurdDimensionsAreRefusedBeforeAllocating() {
        ModelProto m = valid();
        GraphProto.Builder g = m.getGraph().toBuilder();
        // 2^40 elements claimed by a weight that holds 144 bytes
        g.setInitializer(0, g.getInitializer(0).toBuilder().clearDims().addDims(1L << 20).addDims(1L << 20));
        String msg = refused(m.toBuilder().setGraph(g).build());
        assertTrue(msg.contains("conv2d_1/kernel") && msg.contains("claims"), msg);

        GraphProto.Builder g2 = m.getGraph().toBuilder();
        g2.setInitializer(0, g2.getInitializer(0).toBuilder().setDims(0, Long.MAX_VALUE));
        refused(m.toBuilder().setGraph(g2).build());

        GraphProto.Builder g3 = m.getGraph().toBuilder();
        g3.setInput(0, g3.getInput(0).toBuilder().setType(g3.getInput(0).getType().toBuilder().setTensorType(
                g3.getInput(0).getType().getTensorType().toBuilder().setShape(
                        g3.getInput(0).getType().getTensorType().getShape().toBuilder()
                                .setDim(2, g3.getInput(0).getType().getTensorType().getShape().getDim(2).toBuilder().setDimValue(1L << 40))))));
        assertTrue(refused(m.toBuilder().setGraph(g3).build()).contains("dimension 2"));
    }

    @Test
    void cyclesAndMissingInputsAreRefused() {
        ModelProto m = valid();
        GraphProto.Builder g = m.getGraph().toBuilder();
        // the ReLU now reads the max-pool's output, which reads the ReLU's: a cycle
        g.setNode(1, g.getNode(1).toBuilder().setInput(0, g.getNode(2).getOutput(0)));
        assertTrue(refused(m.toBuilder().setGraph(g).build()).contains("cycle"));

        GraphProto.Builder g2 = m.getGraph().toBuilder();
        g2.setNode(2, g2.getNode(2).toBuilder().setInput(0, "ghost"));
        assertTrue(refused(m.toBuilder().setGraph(g2).build()).contains("'ghost'"));

        GraphProto.Builder g3 = m.getGraph().toBuilder().removeInitializer(1);
        refused(m.toBuilder().setGraph(g3).build());

        GraphProto.Builder g4 = m.getGraph().toBuilder();
        g4.setNode(0, g4.getNode(0).toBuilder().setInput(0, g4.getNode(0).getOutput(0)));
        refused(m.toBuilder().setGraph(g4).build());
    }

    @Test
    void unsupportedOperatorNamesNodeOpAndWhatIsSupported() {
        ModelProto m = valid();
        GraphProto.Builder g = m.getGraph().toBuilder();
        g.setNode(1, g.getNode(1).toBuilder().setOpType("Sigmoid"));
        String msg = refused(m.toBuilder().setGraph(g).build());
        assertTrue(msg.contains("node 're_lu_1' (Sigmoid)") && msg.contains("supported: Conv"), msg);

        GraphProto.Builder g2 = m.getGraph().toBuilder();
        g2.setNode(0, g2.getNode(0).toBuilder().setAttribute(3, OnnxExport.intsAttr("dilations", 2, 2)));
        msg = refused(m.toBuilder().setGraph(g2).build());
        assertTrue(msg.contains("node 'conv2d_1' (Conv)") && msg.contains("dilations"), msg);

        GraphProto.Builder g3 = m.getGraph().toBuilder();
        g3.setNode(0, g3.getNode(0).toBuilder().setAttribute(2, OnnxExport.intsAttr("pads", 2, 0, 0, 0)));
        msg = refused(m.toBuilder().setGraph(g3).build());
        assertTrue(msg.contains("pads [2, 0, 0, 0]"), msg);
    }

    @Test
    void deeplyNestedResidualBlocksAreRefusedNotOverflowed() {
        // Relu(x) + (Relu(x) + (Relu(x) + ...)) 5000 deep: each level forks and joins
        GraphProto.Builder g = valid().getGraph().toBuilder().clearNode().clearInitializer().clearOutput();
        String x = OnnxExport.INPUT;
        int depth = 5000;
        for (int i = 0; i < depth; i++) {
            g.addNode(NodeProto.newBuilder().setOpType("Relu").setName("r" + i).addInput(x).addOutput("r" + i));
            x = "r" + i;
        }
        String acc = x;
        for (int i = depth - 1; i > 0; i--) {
            g.addNode(NodeProto.newBuilder().setOpType("Add").setName("a" + i).addInput(acc).addInput("r" + (i - 1))
                    .addOutput("a" + i));
            acc = "a" + i;
        }
        g.addOutput(valid().getGraph().getOutput(0).toBuilder().setName(acc));
        String msg = refused(valid().toBuilder().setGraph(g).build());
        assertTrue(msg.contains("nested") || msg.contains("residual"), msg);
    }

    @Test
    void deeplyNestedMessagesAreRefused() {
        GraphProto inner = GraphProto.newBuilder().setName("leaf").build();
        for (int i = 0; i < 500; i++) {
            inner = GraphProto.newBuilder().addNode(NodeProto.newBuilder().setOpType("If")
                    .addAttribute(AttributeProto.newBuilder().setName("then_branch").setG(inner))).build();
        }
        refused(valid().toBuilder().setGraph(inner).build());
    }

    @Test
    void externalDataIsReadFromBesideTheModel() throws Exception {
        Sequential model = small();
        ModelProto m = OnnxExport.toProto(model, null, false);
        GraphProto.Builder g = m.getGraph().toBuilder();
        TensorProto kernel = g.getInitializer(0);
        byte[] data = kernel.getRawData().toByteArray();
        byte[] padded = new byte[data.length + 16];
        System.arraycopy(data, 0, padded, 16, data.length);
        Files.write(dir.resolve("weights.bin"), padded);
        g.setInitializer(0, kernel.toBuilder().clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", "weights.bin"))
                .addExternalData(entry("offset", "16"))
                .addExternalData(entry("length", Integer.toString(data.length))));
        ModelProto external = m.toBuilder().setGraph(g).build();
        Path file = dir.resolve("model.onnx");
        Files.write(file, external.toByteArray());

        Tensor x = OrtSupport.randomInput(model, 2, 1);
        assertArrayEquals(model.predict(x).data(), OnnxImport.read(file).model().predict(x).data(), 0f);
        // ONNX Runtime reads the same file the same way
        assertTrue(OrtSupport.maxAbsDiff(model.predict(x).data(), ortFromFile(file, x)) < 1e-5);

        // from memory there is no folder to read it from
        assertTrue(refused(external.toByteArray()).contains("external data"));

        // outside the folder, past the end of the file, a missing file
        for (String[] bad : new String[][] {{"../weights.bin", "16"}, {"/etc/passwd", "0"}, {"weights.bin", "100"},
                                            {"missing.bin", "0"}}) {
            GraphProto.Builder b = external.getGraph().toBuilder();
            b.setInitializer(0, b.getInitializer(0).toBuilder().clearExternalData()
                    .addExternalData(entry("location", bad[0])).addExternalData(entry("offset", bad[1])));
            Path f = dir.resolve("bad.onnx");
            Files.write(f, external.toBuilder().setGraph(b).build().toByteArray());
            OnnxException e = assertThrows(OnnxException.class, () -> OnnxImport.read(f), bad[0]);
            assertTrue(e.getMessage().contains("external data"), e.getMessage());
        }
    }

    private static float[] ortFromFile(Path file, Tensor x) throws Exception {
        // ONNX Runtime resolves external data against the model's path, so it must load the file
        try (var options = new ai.onnxruntime.OrtSession.SessionOptions();
             var session = OrtSupport.ENV.createSession(file.toString(), options);
             var in = ai.onnxruntime.OnnxTensor.createTensor(OrtSupport.ENV, java.nio.FloatBuffer.wrap(x.data()),
                     new long[] {x.dim(0), x.dim(1), x.dim(2), x.dim(3)});
             var r = session.run(java.util.Map.of(OnnxExport.INPUT, in))) {
            java.nio.FloatBuffer out = ((ai.onnxruntime.OnnxTensor) r.get(0)).getFloatBuffer();
            float[] v = new float[out.remaining()];
            out.get(v);
            return v;
        }
    }

    @Test
    void wrongDataTypesAndSizesAreRefused() {
        ModelProto m = valid();
        GraphProto.Builder g = m.getGraph().toBuilder();
        g.setInitializer(0, g.getInitializer(0).toBuilder().setDataType(TensorProto.DataType.FLOAT16_VALUE));
        assertTrue(refused(m.toBuilder().setGraph(g).build()).contains("only float32"));

        GraphProto.Builder g2 = m.getGraph().toBuilder();
        g2.setInitializer(0, g2.getInitializer(0).toBuilder().setRawData(ByteString.copyFrom(new byte[7])));
        assertTrue(refused(m.toBuilder().setGraph(g2).build()).contains("holds"));
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}
