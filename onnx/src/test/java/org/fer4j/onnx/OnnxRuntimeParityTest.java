package org.fer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.models.ModelZoo;
import org.fer4j.models.Pretrained;
import org.fer4j.models.faces.TinyFaceDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every named architecture and every bundled model, exported to ONNX and run by ONNX Runtime on
 * the same random images as fer4j: probabilities agree within 1e-4 (absolute), and the detector's
 * raw outputs within 1e-4 of their largest magnitude. The measured differences are printed.
 */
class OnnxRuntimeParityTest {
    static final double PROBABILITY_TOLERANCE = 1e-4;
    static final double RELATIVE_TOLERANCE = 1e-4;

    static Stream<String> architectures() {
        return ModelZoo.names().stream();
    }

    static Stream<String> bundled() {
        return Pretrained.available().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void namedArchitectureMatchesOnnxRuntime(String name) throws Exception {
        Sequential model = ModelZoo.build(name, 7);
        OrtSupport.perturbState(model, 11);
        List<String> classes = new java.util.ArrayList<>();
        for (int i = 0; i < model.outputShape()[0]; i++) {
            classes.add("c" + i);
        }
        compareClassifier(name + " (random weights)", model, ModelInfo.of(classes, Normalization.UNIT), 4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundled")
    void bundledModelMatchesOnnxRuntime(String name) throws Exception {
        Checkpoint c = Pretrained.load(name);
        compareClassifier(name + " (bundled)", c.model(), c.info(), 8);
    }

    @Test
    void bundledModelsAreThere() {
        assertTrue(Pretrained.available().size() >= 3, "bundled models: " + Pretrained.available());
    }

    private static void compareClassifier(String label, Sequential model, ModelInfo info, int n) throws Exception {
        Tensor x = OrtSupport.randomInput(model, n, 2024);
        float[] logits = model.predict(x).data();
        float[] probabilities = OrtSupport.softmaxRows(logits, n);

        float[] ortProbabilities = OrtSupport.run(OnnxExport.toProto(model, info, true).toByteArray(), x);
        float[] ortLogits = OrtSupport.run(OnnxExport.toProto(model, info, false).toByteArray(), x);
        double dp = OrtSupport.maxAbsDiff(probabilities, ortProbabilities);
        double dl = OrtSupport.maxAbsDiff(logits, ortLogits);
        System.out.printf(Locale.ROOT, "ONNX Runtime vs fer4j, %-28s max |dprob| %.3g, max |dlogit| %.3g (logits up to %.3g)%n",
                label, dp, dl, OrtSupport.maxAbs(logits));
        assertTrue(dp <= PROBABILITY_TOLERANCE, label + ": probabilities differ by " + dp);
        for (int i = 0; i < n; i++) {
            assertEquals(argmax(probabilities, i, logits.length / n), argmax(ortProbabilities, i, logits.length / n),
                    label + ": image " + i + " predicted differently");
        }
    }

    @Test
    void tinyFaceDetectorMatchesOnnxRuntime() throws Exception {
        Sequential model = TinyFaceDetector.build(416, 3);
        OrtSupport.perturbState(model, 5);
        compareRaw("tiny-face-detector (random)", model);
    }

    @Test
    void bundledFaceDetectorMatchesOnnxRuntime() throws Exception {
        compareRaw("tiny-face-detector (bundled)", OrtSupport.bundledDetector().model());
    }

    private static void compareRaw(String label, Sequential model) throws Exception {
        // inputs on the detector's scale: pixels minus the mean colour, so roughly -120..140
        Tensor x = OrtSupport.randomInput(model, 2, 99);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] *= 128;
        }
        float[] ours = model.predict(x).data();
        float[] ort = OrtSupport.run(OnnxExport.toProto(model, null, false).toByteArray(), x);
        double diff = OrtSupport.maxAbsDiff(ours, ort);
        double scale = Math.max(1, OrtSupport.maxAbs(ours));
        System.out.printf(Locale.ROOT, "ONNX Runtime vs fer4j, %-28s max |dout| %.3g, outputs up to %.3g, relative %.3g%n",
                label, diff, scale, diff / scale);
        assertTrue(diff <= RELATIVE_TOLERANCE * scale, label + ": outputs differ by " + diff + " (largest " + scale + ")");
    }

    private static int argmax(float[] p, int row, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (p[row * k + j] > p[row * k + best]) {
                best = j;
            }
        }
        return best;
    }
}
