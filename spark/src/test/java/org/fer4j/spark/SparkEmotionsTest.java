package org.fer4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fer4j.models.EmotionClassifier;
import org.fer4j.models.EmotionClassifier.FacePrediction;
import org.fer4j.models.faces.Box;
import org.fer4j.models.faces.FaceDetector;
import org.fer4j.models.faces.ImageDecoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch inference on a local[2] Spark session against the single-process API on the same files:
 * the rows must be the ones {@code fer4j predict} computes (its calls, repeated here), bit for bit.
 */
class SparkEmotionsTest {
    /** The models module's test photos (1920 pixels wide, with faces), reused rather than copied. */
    private static final Path SAMPLES = Path.of("..", "models", "src", "test", "resources", "org", "fer4j", "models",
            "faces", "samples");

    @TempDir
    static Path dir;

    private static SparkSession spark;

    @BeforeAll
    static void images() throws IOException {
        spark = LocalSpark.get();
        Path images = Files.createDirectories(dir.resolve("images"));
        for (String name : List.of("sample1.jpg", "sample4.jpg")) {
            Files.copy(SAMPLES.resolve(name), images.resolve(name));
        }
        // Face-sized crops (128 pixels or less): classified whole, as predict --detect auto does.
        BufferedImage photo = ImageIO.read(SAMPLES.resolve("sample2.jpg").toFile());
        SplittableRandom random = new SplittableRandom(7);
        Path crops = Files.createDirectories(images.resolve("crops"));
        for (int i = 0; i < 6; i++) {
            int side = 48 + random.nextInt(81);
            BufferedImage crop = new BufferedImage(side, side, i % 2 == 0 ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
            Graphics2D g = crop.createGraphics();
            int sx = random.nextInt(photo.getWidth() - 400);
            int sy = random.nextInt(photo.getHeight() - 400);
            g.drawImage(photo, 0, 0, side, side, sx, sy, sx + 400, sy + 400, null);
            g.dispose();
            ImageIO.write(crop, "png", crops.resolve("crop" + i + ".png").toFile());
        }
        // A photo without a face: one row, no face, no error.
        BufferedImage blank = new BufferedImage(320, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = blank.createGraphics();
        g.setColor(new Color(90, 140, 200));
        g.fillRect(0, 0, 320, 200);
        g.dispose();
        ImageIO.write(blank, "png", images.resolve("sky.png").toFile());
        // Bad files: a truncated JPEG and text named .jpg.
        byte[] jpeg = Files.readAllBytes(SAMPLES.resolve("sample3.jpg"));
        Files.write(images.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 3));
        Files.writeString(images.resolve("notes.jpg"), "not an image\n");
        // Not an image name: not read, as predict skips it in a folder.
        Files.writeString(images.resolve("readme.txt"), "skip me\n");
    }

    @Test
    void imagesGiveTheRowsOfThePredictCommandExactly() throws Exception {
        Path images = dir.resolve("images");
        // Settings no other test uses, so that this JVM's pool holds no model for them yet (the
        // batch size only matters for pixel rows).
        SparkEmotions fer = SparkEmotions.create(spark, PredictOptions.DEFAULT.withBatchSize(63));
        // More partitions than task slots: the models must still be loaded once per slot.
        int loadsBefore = ModelPool.loads();
        List<Row> rows = fer.predict(SparkEmotions.readImages(spark, images.toString()).repartition(5)).collectAsList();
        int loads = ModelPool.loads() - loadsBefore;
        assertTrue(loads >= 1 && loads <= 2, "models loaded: " + loads + " for 5 partitions on 2 task slots");

        Map<String, List<Row>> byFile = byFile(rows);
        List<Path> files;
        try (var walk = Files.walk(images)) {
            files = walk.filter(f -> f.toString().matches(".*\\.(jpg|png)")).sorted().toList();
        }
        assertEquals(files.size(), byFile.size(), "one or more rows per image, none for readme.txt: " + byFile.keySet());

        EmotionClassifier classifier = EmotionClassifier.pretrained("fer2013");
        FaceDetector detector = FaceDetector.pretrained();
        int faces = 0;
        for (Path file : files) {
            List<Row> got = byFile.get(file.toAbsolutePath().toString());
            assertNotNull(got, "no rows for " + file + " in " + byFile.keySet());
            BufferedImage image;
            try {
                image = ImageDecoder.read(file, ImageDecoder.DEFAULT_MAX_PIXELS);
            } catch (IOException e) {
                assertEquals(1, got.size());
                String error = got.get(0).getAs("error");
                assertNotNull(error, file + " should give an error row");
                assertTrue(error.contains(file.getFileName().toString()), error);
                continue;
            }
            // What PredictCommand does for one file with --detect auto.
            boolean detecting = Math.max(image.getWidth(), image.getHeight()) > 128;
            List<FacePrediction> expected = detecting ? classifier.predictFaces(image, detector)
                    : List.of(new FacePrediction(new Box(0, 0, image.getWidth(), image.getHeight()), 1f, classifier.predict(image)));
            if (expected.isEmpty()) {
                assertEquals(1, got.size());
                assertNull(got.get(0).getAs("face"));
                assertNull(got.get(0).getAs("error"));
                assertEquals(Boolean.TRUE, got.get(0).getAs("detected"));
                continue;
            }
            assertEquals(expected.size(), got.size(), file.toString());
            for (int i = 0; i < expected.size(); i++) {
                Row r = got.get(i);
                FacePrediction f = expected.get(i);
                assertNull(r.getAs("error"));
                assertEquals(detecting, r.getAs("detected"));
                assertEquals(i, (int) r.getAs("face"));
                assertEquals(f.box(), new Box(r.getAs("x"), r.getAs("y"), r.getAs("width"), r.getAs("height")));
                assertEquals(f.faceScore(), (float) r.getAs("face_score"));
                assertEquals(f.prediction().label(), r.getAs("emotion"));
                assertEquals(f.prediction().confidence(), (float) r.getAs("confidence"));
                assertArrayEquals(f.prediction().probabilities(), floats(r.getList(r.fieldIndex("probabilities"))), file.toString());
                faces++;
            }
        }
        assertTrue(faces >= 8, "the photos and crops hold faces: " + faces);
        assertEquals(2, rows.stream().filter(r -> r.getAs("error") != null).count());
        assertEquals(classifier.classNames(), List.of(fer.schema().apply("probabilities").metadata().getStringArray("classes")));
    }

    @Test
    void detectionOffClassifiesEachImageWhole() throws Exception {
        Path photo = dir.resolve("images").resolve("sample1.jpg");
        SparkEmotions fer = SparkEmotions.create(spark, PredictOptions.DEFAULT.withDetect(PredictOptions.Detect.OFF).withFlip(false));
        List<Row> rows = fer.predict(SparkEmotions.readImages(spark, photo.toString())).collectAsList();
        assertEquals(1, rows.size());
        EmotionClassifier single = EmotionClassifier.pretrained("fer2013").withFlipAveraging(false);
        float[] expected = single.predict(ImageDecoder.read(photo, ImageDecoder.DEFAULT_MAX_PIXELS)).probabilities();
        assertArrayEquals(expected, floats(rows.get(0).getList(rows.get(0).fieldIndex("probabilities"))));
        assertEquals(Boolean.FALSE, rows.get(0).getAs("detected"));
    }

    @Test
    void pixelRowsInEveryFormGiveThePredictionsOfTheirFaces() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        int n = 80;  // more than one batch of 64
        float[][] faces = new float[n][48 * 48];
        List<Row> strings = new ArrayList<>();
        List<Row> arrays = new ArrayList<>();
        List<Row> binary = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            List<Integer> ints = new ArrayList<>();
            byte[] bytes = new byte[48 * 48];
            for (int p = 0; p < faces[i].length; p++) {
                int v = (int) (128 + 60 * Math.sin((p % 48) * 0.1 * (1 + i % 5)) + random.nextInt(40)) & 0xFF;
                faces[i][p] = v;
                sb.append(p == 0 ? "" : " ").append(v);
                ints.add(v);
                bytes[p] = (byte) v;
            }
            strings.add(RowFactory.create(i % 7, sb.toString(), "Training", (long) i));
            arrays.add(RowFactory.create("face" + i, ints));
            binary.add(RowFactory.create(bytes));
        }
        strings.add(RowFactory.create(0, "1 2 3", "Training", 1000L));
        strings.add(RowFactory.create(0, "12 x 7", "Training", 1001L));
        strings.add(RowFactory.create(0, "300 " + "0 ".repeat(48 * 48 - 1), "Training", 1002L));
        StructType fer2013 = new StructType().add("emotion", DataTypes.IntegerType).add("pixels", DataTypes.StringType)
                .add("Usage", DataTypes.StringType).add("id", DataTypes.LongType);
        StructType withArrays = new StructType().add("path", DataTypes.StringType)
                .add("pixels", DataTypes.createArrayType(DataTypes.IntegerType));
        StructType withBytes = new StructType().add("pixels", DataTypes.BinaryType);

        SparkEmotions fer = SparkEmotions.create(spark, PredictOptions.DEFAULT);
        // One face per forward pass: the same computation as EmotionClassifier.predict(float[]).
        SparkEmotions one = SparkEmotions.create(spark, PredictOptions.DEFAULT.withBatchSize(1));
        EmotionClassifier single = EmotionClassifier.pretrained("fer2013");
        List<Row> fromStrings = fer.predict(spark.createDataFrame(strings, fer2013).repartition(2)).collectAsList();
        List<Row> fromArrays = fer.predict(spark.createDataFrame(arrays, withArrays).coalesce(1)).collectAsList();
        List<Row> fromBytes = one.predict(spark.createDataFrame(binary, withBytes).coalesce(1)).collectAsList();
        assertEquals(n + 3, fromStrings.size());
        Map<String, Row> byId = new TreeMap<>();
        for (Row r : fromStrings) {
            byId.put(r.getAs("path"), r);
        }
        for (int i = 0; i < n; i++) {
            float[] expected = single.predict(faces[i]).probabilities();
            // Batches of 64 faces: the GEMMs block differently, so the sums round differently.
            Row s = byId.get(Long.toString(i));
            assertArrayEquals(expected, floats(s.getList(s.fieldIndex("probabilities"))), 1e-6f, "string row " + i);
            assertEquals("face" + i, fromArrays.get(i).getAs("path"));
            assertArrayEquals(expected, floats(fromArrays.get(i).getList(fromArrays.get(i).fieldIndex("probabilities"))), 1e-6f);
            assertNull(fromBytes.get(i).getAs("path"));
            assertArrayEquals(expected, floats(fromBytes.get(i).getList(fromBytes.get(i).fieldIndex("probabilities"))));
        }
        assertEquals("expected 2304 pixels (48x48), found 3", byId.get("1000").getAs("error"));
        assertEquals("pixels: value 2 is 'x', expected a number 0..255", byId.get("1001").getAs("error"));
        assertEquals("pixels: value 1 is 300.0, expected 0..255", byId.get("1002").getAs("error"));
        assertNull(byId.get("1002").getAs("emotion"));
    }

    @Test
    void inputWithoutImagesOrPixelsIsRefusedNamingItsColumns() {
        Dataset<Row> other = spark.createDataFrame(List.of(RowFactory.create("a")),
                new StructType().add("name", DataTypes.StringType));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkEmotions.create(spark, PredictOptions.DEFAULT).predict(other));
        assertTrue(e.getMessage().contains("the columns are: name"), e.getMessage());
        IllegalArgumentException model = assertThrows(IllegalArgumentException.class,
                () -> SparkEmotions.create(spark, PredictOptions.DEFAULT.withModel("no-such-model")));
        assertTrue(model.getMessage().startsWith("--model no-such-model: no such file"), model.getMessage());
    }

    private static Map<String, List<Row>> byFile(List<Row> rows) {
        Map<String, List<Row>> out = new TreeMap<>();
        for (Row r : rows) {
            String path = r.getAs("path");
            out.computeIfAbsent(Path.of(java.net.URI.create(path)).toString(), k -> new ArrayList<>()).add(r);
        }
        for (List<Row> l : out.values()) {
            l.sort(Comparator.comparing(r -> r.getAs("face") == null ? -1 : (int) r.getAs("face")));
        }
        return out;
    }

    private static float[] floats(List<Float> list) {
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
