package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.fer4j.cli.MainTest.Result;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.models.Pretrained;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fer4j export --format onnx} and {@code fer4j import --format onnx}, end to end. */
class OnnxCommandsTest {
    @TempDir
    Path dir;

    @Test
    void exportThenImportGivesTheSameModel() throws Exception {
        Path onnx = dir.resolve("fer2013.onnx");
        Result e = MainTest.run("export", "--model", "fer2013", "--format", "onnx", onnx.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("Exported fer-vgg") && e.out().contains("opset 17"), e.out());
        assertTrue(Files.size(onnx) > 1_000_000);

        Path back = dir.resolve("back.fer4j");
        Result i = MainTest.run("import", "--format", "onnx", "--out", back.toString(), onnx.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("classes angry,disgust,fear,happy,sad,surprise,neutral"), i.out());

        Checkpoint original = Pretrained.load("fer2013");
        Checkpoint imported = ModelFile.load(back);
        assertEquals(original.info().classNames(), imported.info().classNames());
        assertEquals(original.info().normalization(), imported.info().normalization());
        Tensor x = Tensor.zeros(2, 1, 48, 48);
        SplittableRandom r = new SplittableRandom(1);
        for (int k = 0; k < x.size(); k++) {
            x.data()[k] = (float) r.nextDouble();
        }
        assertArrayEquals(original.model().predict(x).data(), imported.model().predict(x).data(), 0f);
    }

    @Test
    void detectorExportsWithSoftmaxRefused() {
        Result ok = MainTest.run("export", "--model", "tiny-face-detector", dir.resolve("faces.onnx").toString());
        assertEquals(0, ok.code(), ok.err());
        Result bad = MainTest.run("export", "--model", "tiny-face-detector", "--softmax", dir.resolve("f.onnx").toString());
        assertEquals(Main.EXIT_USER, bad.code());
        assertTrue(bad.err().contains("--softmax needs a classifier"), bad.err());
    }

    @Test
    void badOnnxIsOneLineAndNonZero() throws Exception {
        Path junk = dir.resolve("junk.onnx");
        Files.writeString(junk, "this is not a model");
        Result r = MainTest.run("import", "--out", dir.resolve("x.fer4j").toString(), junk.toString());
        assertEquals(Main.EXIT_USER, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("fer4j import: " + junk), r.err());

        Result arch = MainTest.run("export", "--model", "fer-ref", dir.resolve("a.onnx").toString());
        assertEquals(Main.EXIT_USER, arch.code());
        assertTrue(arch.err().contains("without trained weights"), arch.err());

        Result format = MainTest.run("export", "--model", "fer2013", "--format", "tflite", dir.resolve("a.onnx").toString());
        assertEquals(Main.EXIT_USER, format.code());
        assertTrue(format.err().startsWith("fer4j export: Invalid value for option '--format': expected onnx, got 'tflite'"),
                format.err());

        Result tfjs = MainTest.run("import", "--format", "tfjs", "--out", dir.resolve("y.fer4j").toString(), "model.json");
        assertEquals(Main.EXIT_USER, tfjs.code());
        assertTrue(tfjs.err().contains("--arch is required"), tfjs.err());
    }
}
