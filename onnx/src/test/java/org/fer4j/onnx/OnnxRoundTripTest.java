package org.fer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
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
import org.fer4j.engine.layers.LeakyReLU;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.engine.layers.Residual;
import org.fer4j.models.ModelZoo;
import org.fer4j.models.Pretrained;
import org.fer4j.models.faces.TinyFaceDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Export then import gives the same architecture, the same weights and bit-identical outputs. */
class OnnxRoundTripTest {
    @TempDir
    Path dir;

    static Stream<String> architectures() {
        return ModelZoo.names().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void namedArchitectureRoundTrips(String name) throws Exception {
        Sequential model = ModelZoo.build(name, 3);
        OrtSupport.perturbState(model, 4);
        assertRoundTrip(model, ModelInfo.of(classes(model), Normalization.UNIT).withMetadata("note", "round trip"));
    }

    @Test
    void bundledModelsAndDetectorRoundTripThroughFiles() throws Exception {
        for (String name : Pretrained.available()) {
            Checkpoint c = Pretrained.load(name);
            Path file = dir.resolve(name + ".onnx");
            OnnxExport.write(file, c.model(), c.info(), false);
            OnnxImport.Result r = OnnxImport.read(file);
            assertEquals(c.info().classNames(), r.classNames(), name);
            assertEquals(c.info().normalization(), r.normalization(), name);
            assertEquals(c.info().metadata(), r.metadata(), name);
            Tensor x = OrtSupport.randomInput(c.model(), 3, 8);
            assertArrayEquals(c.model().predict(x).data(), r.model().predict(x).data(), 0f, name);
        }
        Sequential detector = OrtSupport.bundledDetector().model();
        OnnxImport.Result r = OnnxImport.read(OnnxExport.toProto(detector, null, false).toByteArray(), "detector");
        Tensor x = OrtSupport.randomInput(detector, 1, 8);
        assertArrayEquals(detector.predict(x).data(), r.model().predict(x).data(), 0f);
        assertTrue(r.classNames().isEmpty());
    }

    @Test
    void everyLayerKindRoundTrips() throws Exception {
        Sequential model = Sequential.builder("every-layer", 3, 19, 17)
                .add(new Conv2D(6, 3, 3, 2, 1, Padding.SAME, true, Init.AUTO)).add(new BatchNorm()).add(new ReLU())
                .add(new Conv2D(6, 3, 2, 1, 2, Padding.of(1, 2), false, Init.AUTO)).add(new LeakyReLU(0.2f))
                .add(new DepthwiseConv2D(3, 3, 1, 1, Padding.of(1, 1), true, Init.AUTO))
                .add(new MaxPool2D(2, 2, Padding.SAME))
                .add(new Residual(List.of(new Conv2D(8, 1), new ReLU()), List.of(new Conv2D(8, 1, 1, 1, 1, Padding.VALID, false, Init.AUTO))))
                .add(new Residual(new Conv2D(8, 3, 1, Padding.SAME), new BatchNorm()))
                .add(new Dropout(0.3f))
                .add(new Flatten()).add(new Dense(12)).add(new BatchNorm()).add(new ReLU()).add(new Dense(4, false, Init.AUTO))
                .build(5);
        OrtSupport.perturbState(model, 6);
        assertRoundTrip(model, ModelInfo.of(classes(model), new Normalization(1f / 255, 0.5f, 0.25f)));
        // and ONNX Runtime agrees with it too
        Tensor x = OrtSupport.randomInput(model, 3, 1);
        double d = OrtSupport.maxAbsDiff(model.predict(x).data(),
                OrtSupport.run(OnnxExport.toProto(model, null, false).toByteArray(), x));
        assertTrue(d < 1e-4, "every-layer model differs from ONNX Runtime by " + d);
    }

    @Test
    void globalPoolingModelRoundTrips() throws Exception {
        Sequential model = Sequential.builder("gap", 2, 9, 9)
                .add(new Conv2D(5, 3)).add(new ReLU()).add(new GlobalAveragePooling()).add(new Dense(3)).build(2);
        assertRoundTrip(model, null);
    }

    @Test
    void softmaxIsReportedAndNotALayer() throws Exception {
        Sequential model = ModelZoo.build("bars-cnn", 1);
        OnnxImport.Result r = OnnxImport.read(OnnxExport.toProto(model, null, true).toByteArray(), "bars");
        assertTrue(r.softmax());
        assertEquals(model.layers().size(), r.model().layers().size());
        OnnxImport.Result plain = OnnxImport.read(OnnxExport.toProto(model, null, false).toByteArray(), "bars");
        assertFalse(plain.softmax());
    }

    @Test
    void importedModelSavesAsFer4jFile() throws Exception {
        Sequential model = ModelZoo.build("bars-cnn", 1);
        OnnxImport.Result r = OnnxImport.read(OnnxExport.toProto(model, null, false).toByteArray(), "bars");
        ModelInfo info = r.info(null);
        assertEquals(List.of("class_0", "class_1", "class_2", "class_3"), info.classNames());
        Path file = dir.resolve("bars.fer4j");
        ModelFile.save(file, r.model(), info);
        Checkpoint back = ModelFile.load(file);
        Tensor x = OrtSupport.randomInput(model, 2, 3);
        assertArrayEquals(model.predict(x).data(), back.model().predict(x).data(), 0f);
        assertTrue(Files.size(file) > 0);
    }

    private static void assertRoundTrip(Sequential model, ModelInfo info) throws Exception {
        byte[] bytes = OnnxExport.toProto(model, info, false).toByteArray();
        OnnxImport.Result r = OnnxImport.read(bytes, model.name() + ".onnx");
        Sequential back = r.model();
        assertEquals(model.name(), back.name());
        assertArrayEquals(model.inputShape(), back.inputShape());
        assertArrayEquals(model.outputShape(), back.outputShape());
        assertEquals(model.parameterCount(), back.parameterCount());
        assertEquals(model.stateCount(), back.stateCount());
        if (info != null) {
            assertEquals(info.classNames(), r.classNames());
            assertEquals(info.normalization(), r.normalization());
        }
        Tensor x = OrtSupport.randomInput(model, 3, 77);
        assertArrayEquals(model.predict(x).data(), back.predict(x).data(), 0f, model.name() + ": outputs after the round trip");
    }

    private static List<String> classes(Sequential model) {
        return java.util.stream.IntStream.range(0, model.outputShape()[0]).mapToObj(i -> "c" + i).toList();
    }

    @Test
    void detectorArchitectureRoundTrips() throws Exception {
        Sequential model = TinyFaceDetector.build(64, 3);
        OrtSupport.perturbState(model, 2);
        assertRoundTrip(model, null);
    }
}
