package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.fer4j.cli.MainTest.Result;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.layers.DepthwiseConv2D;
import org.fer4j.engine.layers.Layer;
import org.fer4j.models.faces.TinyFaceDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fer4j detect}, {@code predict} on photos and {@code import}, run as a user runs them. */
class FacesCommandsTest {
    /** face-api's demo photos (MIT), committed as test resources of the models module. */
    static final Path SAMPLES = Path.of("../models/src/test/resources/org/fer4j/models/faces/samples");

    @TempDir
    Path dir;

    @Test
    void detectGivesBoxesInOriginalImagePixels() {
        Result r = MainTest.run("detect", "--format", "json", SAMPLES.resolve("sample1.jpg").toString());
        assertEquals(0, r.code(), r.err());
        List<?> rows = (List<?>) Json.parse(r.out());
        Map<?, ?> row = (Map<?, ?>) rows.get(0);
        assertEquals(1920L, row.get("width"));
        List<?> faces = (List<?>) row.get("faces");
        assertEquals(3, faces.size());
        for (Object f : faces) {
            Map<?, ?> box = (Map<?, ?>) f;
            double x = ((Number) box.get("x")).doubleValue();
            double w = ((Number) box.get("width")).doubleValue();
            assertTrue(x > 100 && x + w < 1920 && w > 200 && w < 400, "a face box in 1920x1280 pixels: " + box);
        }
    }

    @Test
    void predictListsEveryFaceAndWritesAnAnnotatedCopy() {
        Path out = dir.resolve("annotated");
        Result r = MainTest.run("predict", "--model", "fer2013", "--top", "2", "--annotate", out.toString(),
                SAMPLES.resolve("sample6.jpg").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sample6.jpg (1920x1537, faces detected): 5 faces"), r.out());
        assertEquals(5, r.out().lines().filter(l -> l.startsWith("  face ")).count(), r.out());
        assertTrue(Files.isRegularFile(out.resolve("sample6.jpg")), "annotated copy");
    }

    @Test
    void aFaceSizedCropIsClassifiedWholeAndSaysSo() throws IOException {
        Path face = dir.resolve("face.png");
        ImageIO.write(new BufferedImage(48, 48, BufferedImage.TYPE_BYTE_GRAY), "png", face.toFile());
        Result r = MainTest.run("predict", "--model", "fer2013", "--format", "json", face.toString());
        assertEquals(0, r.code(), r.err());
        Map<?, ?> row = (Map<?, ?>) ((List<?>) Json.parse(r.out())).get(0);
        assertEquals("off", row.get("detection"));
        assertEquals(1, ((List<?>) row.get("faces")).size());
        assertTrue(row.containsKey("emotion"));
        Result table = MainTest.run("predict", "--model", "fer2013", face.toString());
        assertTrue(table.out().contains("taken as one face crop"), table.out());
    }

    @Test
    void anImageWithNoFaceSaysSoWithExitCode3() throws IOException {
        Path blank = dir.resolve("wall.png");
        ImageIO.write(new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB), "png", blank.toFile());
        Result r = MainTest.run("predict", "--model", "fer2013", blank.toString());
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("no face found"), r.out());
        Result d = MainTest.run("detect", blank.toString());
        assertEquals(3, d.code());
    }

    @Test
    void badImagesStopTheRunOrAreSkippedAndCounted() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("photos"));
        byte[] jpeg = Files.readAllBytes(SAMPLES.resolve("sample2.jpg"));
        Files.write(folder.resolve("a-cut.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        Files.write(folder.resolve("b-empty.jpg"), new byte[0]);
        Files.copy(SAMPLES.resolve("sample2.jpg"), folder.resolve("c-good.jpg"));
        Result stop = MainTest.run("detect", folder.toString());
        assertEquals(2, stop.code());
        assertTrue(stop.err().contains("a-cut.jpg") && stop.err().lines().count() == 1, stop.err());
        Result skip = MainTest.run("detect", "--skip-bad", "--format", "csv", folder.toString());
        assertEquals(0, skip.code(), skip.err());
        assertTrue(skip.err().contains("2 of 3 images skipped"), skip.err());
        assertTrue(skip.out().contains("c-good.jpg,0,"), skip.out());
        assertTrue(MainTest.run("detect", "--input-size", "400", folder.toString()).err().contains("--input-size"));
        assertTrue(MainTest.run("predict", "--model", "fer2013", "--detect", "maybe", folder.toString()).err().contains("--detect"));
    }

    /**
     * The bundled detector written back out as a TensorFlow.js manifest (float32 and uint8
     * tensors, TF layouts) and imported with {@code fer4j import}: the same network, to within the
     * uint8 quantisation of the one quantised tensor.
     */
    @Test
    void importReadsATensorFlowJsManifest() throws IOException {
        Path original = dir.resolve("original.fer4j");
        try (InputStream in = TinyFaceDetector.class.getResourceAsStream("/org/fer4j/models/faces/tiny-face-detector.fer4j")) {
            Files.copy(in, original);
        }
        Sequential net = ModelFile.load(original).model();
        Map<String, String> mapping = TinyFaceDetector.tfjsMapping(net);
        StringBuilder weights = new StringBuilder();
        ByteBuffer bin = ByteBuffer.allocate(4 * 200_000).order(ByteOrder.LITTLE_ENDIAN);
        for (Layer layer : net.layers()) {
            for (Param p : layer.params()) {
                float[] v = p.value().data();
                int[] s = p.value().shape();
                int[] tfShape;
                float[] tf;
                if (s.length == 4 && layer instanceof DepthwiseConv2D) {
                    tfShape = new int[] {s[2], s[3], s[0], 1};
                    tf = new float[v.length];
                    for (int c = 0; c < s[0]; c++) {
                        for (int i = 0; i < s[2] * s[3]; i++) {
                            tf[i * s[0] + c] = v[c * s[2] * s[3] + i];
                        }
                    }
                } else if (s.length == 4) {
                    tfShape = new int[] {s[2], s[3], s[1], s[0]};
                    tf = new float[v.length];
                    for (int o = 0; o < s[0]; o++) {
                        for (int c = 0; c < s[1]; c++) {
                            for (int i = 0; i < s[2] * s[3]; i++) {
                                tf[(i * s[1] + c) * s[0] + o] = v[(o * s[1] + c) * s[2] * s[3] + i];
                            }
                        }
                    }
                } else {
                    tfShape = s;
                    tf = v;
                }
                weights.append(weights.isEmpty() ? "" : ",").append("{\"name\": \"").append(mapping.get(p.name()))
                        .append("\", \"shape\": ").append(Arrays.toString(tfShape)).append(", \"dtype\": \"float32\"");
                if (mapping.get(p.name()).equals("conv8/bias")) {
                    float min = Float.MAX_VALUE;
                    float max = -Float.MAX_VALUE;
                    for (float x : tf) {
                        min = Math.min(min, x);
                        max = Math.max(max, x);
                    }
                    double scale = (max - min) / 255.0;
                    weights.append(", \"quantization\": {\"dtype\": \"uint8\", \"scale\": ").append(scale)
                            .append(", \"min\": ").append(min).append("}");
                    for (float x : tf) {
                        bin.put((byte) Math.round((x - min) / scale));
                    }
                } else {
                    for (float x : tf) {
                        bin.putFloat(x);
                    }
                }
                weights.append("}");
            }
        }
        Files.write(dir.resolve("model.bin"), Arrays.copyOf(bin.array(), bin.position()));
        Path manifest = dir.resolve("model-weights_manifest.json");
        Files.writeString(manifest, "[{\"paths\": [\"model.bin\"], \"weights\": [" + weights + "]}]");

        Path imported = dir.resolve("imported.fer4j");
        Result r = MainTest.run("import", "--arch", "tiny-face-detector", "--out", imported.toString(), manifest.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Imported 19 tensors (1 de-quantized)"), r.out());
        Sequential again = ModelFile.load(imported).model();
        Tensor x = Tensor.zeros(1, 3, 416, 416);
        float[] a = net.forward(x, Mode.EVAL).data().clone();
        float[] b = again.forward(x, Mode.EVAL).data();
        assertArrayEquals(a, b, 0.05f, "same network up to the quantised head bias");

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, Files.readString(manifest).replace("\"conv0/bias\"", "\"conv0/biases\""));
        Result bad = MainTest.run("import", "--arch", "tiny-face-detector", "--out", dir.resolve("x.fer4j").toString(),
                broken.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("missing: tensor 'conv0/bias'") && bad.err().contains("extra: tensor 'conv0/biases'"),
                bad.err());
    }
}
