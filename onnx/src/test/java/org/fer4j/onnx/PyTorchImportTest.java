package org.fer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX files made by PyTorch (tools/onnx/make_pytorch_fixtures.py) import into fer4j and predict
 * what PyTorch predicted on the recorded input.
 */
class PyTorchImportTest {
    static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"residual_net", "flatten_net"})
    void importsAndMatchesPyTorch(String name) throws Exception {
        Path onnx = Path.of(PyTorchImportTest.class.getResource("pytorch/" + name + ".onnx").toURI());
        Path json = Path.of(PyTorchImportTest.class.getResource("pytorch/" + name + ".json").toURI());
        @SuppressWarnings("unchecked")
        Map<String, Object> fixture = (Map<String, Object>) Json.parse(Files.readString(json));
        Tensor x = new Tensor(floats(fixture.get("input")), ints(fixture.get("input_shape")));
        float[] expected = floats(fixture.get("output"));

        OnnxImport.Result r = OnnxImport.read(onnx);
        float[] out = r.model().predict(x).data();
        if (r.softmax()) {
            out = OrtSupport.softmaxRows(out, x.dim(0));
        }
        double d = OrtSupport.maxAbsDiff(expected, out);
        double ort = OrtSupport.maxAbsDiff(expected, OrtSupport.run(Files.readAllBytes(onnx), x));
        List<String> ops = org.fer4j.onnx.proto.Onnx.ModelProto.parseFrom(Files.readAllBytes(onnx)).getGraph().getNodeList()
                .stream().map(n -> n.getOpType()).toList();
        System.out.printf(Locale.ROOT, "PyTorch %s (%s) imported: max |fer4j - PyTorch| %.3g, |ONNX Runtime - PyTorch| %.3g, %d layers from %s%n",
                name, fixture.get("producer"), d, ort, r.model().layers().size(), ops);
        assertTrue(d <= TOLERANCE, name + ": fer4j differs from PyTorch by " + d);
        assertEquals(name.equals("flatten_net"), r.softmax());
    }

    private static float[] floats(Object list) {
        List<?> l = (List<?>) list;
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).floatValue();
        }
        return out;
    }

    private static int[] ints(Object list) {
        List<?> l = (List<?>) list;
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).intValue();
        }
        return out;
    }
}
