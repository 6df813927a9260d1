package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.fer4j.cli.MainTest.Result;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user's path end to end on small generated data: train, then eval, then predict. */
class TrainEvalPredictTest {
    @TempDir
    Path dir;

    private String cache() {
        return dir.resolve("cache").toString();
    }

    @Test
    void csvTrainEvalPredict() throws Exception {
        Path csv = Fixtures.fer2013Csv(dir, 480, 160, 4, 1);
        Path run = dir.resolve("run");
        // The CSV names all seven FER2013 emotions; the generated faces use the first four.
        Result train = MainTest.run("train", "--data", csv.toString(), "--classes", "angry,disgust,fear,happy",
                "--model", "bars-cnn", "--out", run.toString(),
                "--epochs", "3", "--batch", "32", "--lr", "0.003", "--schedule", "cosine", "--cache-dir", cache());
        assertEquals(0, train.code(), train.err() + train.out());
        assertTrue(train.out().contains("Backend: fer4j kernels:"), train.out());
        assertTrue(train.out().contains("split: own"), train.out());
        assertTrue(train.out().contains("Total params"), train.out());
        assertTrue(train.out().contains("Epoch 3/3"), train.out());
        for (String f : List.of("best.fer4j", "last.fer4j", "run.json", "history.csv", "curves.png", "confusion_matrix.png",
                "metrics.json", "report.html")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertEquals(4, Files.readAllLines(run.resolve("history.csv")).size());
        assertTrue(ImageIO.read(run.resolve("curves.png").toFile()).getWidth() > 0);
        Map<?, ?> metrics = (Map<?, ?>) Json.parse(Files.readString(run.resolve("metrics.json")));
        assertTrue(((Number) metrics.get("accuracy")).doubleValue() > 0.6, metrics.toString());
        Map<String, Object> meta = ModelFile.load(run.resolve("best.fer4j")).info().metadata();
        assertEquals("bars-cnn", meta.get("architecture"));
        assertTrue(meta.containsKey("validation_accuracy"), meta.toString());

        Result eval = MainTest.run("eval", "--model", run.resolve("best.fer4j").toString(), "--data", csv.toString(),
                "--split", "PublicTest", "--json", "--out", dir.resolve("eval").toString(), "--cache-dir", cache());
        assertEquals(0, eval.code(), eval.err());
        Map<?, ?> json = (Map<?, ?>) Json.parse(eval.out().strip());
        assertEquals(((Number) metrics.get("accuracy")).doubleValue(), ((Number) json.get("accuracy")).doubleValue(), 1e-9);
        assertTrue(json.containsKey("macro_f1") && json.containsKey("per_class"), json.toString());
        assertTrue(Files.exists(dir.resolve("eval").resolve("confusion_matrix.png")));
        // Two files separated by a comma: an ensemble, evaluated like one model.
        Result ensemble = MainTest.run("eval", "--model", run.resolve("best.fer4j") + "," + run.resolve("last.fer4j"),
                "--data", csv.toString(), "--split", "PublicTest", "--json", "--out", dir.resolve("eval2").toString(),
                "--cache-dir", cache());
        assertEquals(0, ensemble.code(), ensemble.err());
        double both = ((Number) ((Map<?, ?>) Json.parse(ensemble.out().strip())).get("accuracy")).doubleValue();
        assertTrue(both > 0.6, ensemble.out());

        Path images = dir.resolve("faces");
        Files.createDirectories(images);
        var bars = org.fer4j.engine.data.SyntheticBars.generate(8, 48, 4, 99);
        var batch = bars.batches(8, false, 0).next();
        for (int i = 0; i < 8; i++) {
            Fixtures.writePng(images.resolve("face" + i + ".png"), batch.x().data(), i * 48 * 48);
        }
        Result predict = MainTest.run("predict", "--model", run.resolve("best.fer4j").toString(), "--format", "json",
                images.toString());
        assertEquals(0, predict.code(), predict.err());
        List<?> rows = (List<?>) Json.parse(predict.out());
        assertEquals(8, rows.size());
        int right = 0;
        for (int i = 0; i < 8; i++) {
            Map<?, ?> row = (Map<?, ?>) rows.get(i);
            assertTrue(((String) row.get("file")).endsWith("face" + i + ".png"));
            // One entry per face; a 48x48 face crop is classified whole (one face).
            List<?> faces = (List<?>) row.get("faces");
            assertEquals(1, faces.size(), row.toString());
            Map<?, ?> face = (Map<?, ?>) faces.get(0);
            assertEquals(4, ((Map<?, ?>) face.get("probabilities")).size());
            if (face.get("emotion").equals(Fixtures.ferName(batch.y()[i]))) {
                right++;
            }
        }
        assertTrue(right >= 5, right + " of 8 right: " + predict.out());
        Result table = MainTest.run("predict", "--model", run.resolve("best.fer4j").toString(), "--top", "2",
                images.resolve("face0.png").toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("face0.png") && table.out().contains("%"), table.out());
    }

    @Test
    void foldersWithAClassSubset() throws Exception {
        Path root = Fixtures.imageFolders(dir.resolve("faces"), List.of("happy", "sad", "surprise", "neutral"), 40, 10, 3);
        Path run = dir.resolve("run");
        Result train = MainTest.run("train", "--data", root.toString(), "--classes", "happy,surprise,neutral",
                "--model", "bars-cnn", "--out", run.toString(), "--epochs", "2", "--batch", "16", "--augment", "flip",
                "--label-smoothing", "0.1", "--class-weights", "balanced", "--cache-dir", cache());
        assertEquals(0, train.code(), train.err() + train.out());
        assertEquals(List.of("happy", "surprise", "neutral"),
                ModelFile.load(run.resolve("best.fer4j")).info().classNames());
        assertTrue(train.out().contains("Best model (best.fer4j) on the test split (30 images)"), train.out());
    }
}
