package org.fer4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.train.ModelCheckpoint;
import org.fer4j.engine.train.TrainConfig;
import org.fer4j.engine.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fer4j spark train}'s recipe flags: their errors, and a short local[2] run using them. */
class SparkTrainTest {
    @TempDir
    Path dir;

    @Test
    void badRecipeFlagsAreNamed() {
        assertEquals("--label-smoothing must be in [0, 1), got 1.0", error("--label-smoothing", "1"));
        assertEquals("--label-smoothing must be a number, got 'lots'", error("--label-smoothing", "lots"));
        assertEquals("--schedule must be none, cosine, plateau or step, got 'linear'", error("--schedule", "linear"));
        assertEquals("--min-lr must be in [0, --lr) = [0, 0.001), got 0.01", error("--schedule", "cosine", "--min-lr", "0.01"));
        assertEquals("--warmup must be in 0..9, got 10", error("--schedule", "cosine", "--warmup", "10"));
        assertEquals("--factor must be in (0, 1), got 1.0", error("--schedule", "plateau", "--factor", "1"));
        assertEquals("--patience must be in 0..100000, got -1", error("--schedule", "plateau", "--patience", "-1"));
        String aug = error("--augment", "rotation=ten");
        assertTrue(aug.startsWith("--augment: rotation=ten"), aug);
        String unknown = error("--augment", "sparkle");
        assertTrue(unknown.startsWith("--augment") && unknown.contains("sparkle"), unknown);
    }

    @Test
    void schedulesFollowFerTrain() {
        assertEquals(null, SparkTrain.schedule(flags(), 1e-3f, 10));
        var cosine = SparkTrain.schedule(flags("--schedule", "cosine", "--min-lr", "0", "--warmup", "0"), 1e-3f, 10);
        assertEquals(1e-3f, cosine.learningRate(0), 1e-9f);
        assertEquals(5e-4f, cosine.learningRate(5), 1e-6f);
        assertTrue(SparkTrain.schedule(flags("--schedule", "PLATEAU"), 1e-3f, 10).monitorsMetric());
        assertEquals(2.5e-4f, SparkTrain.schedule(flags("--schedule", "step", "--step-size", "2", "--factor", "0.5"), 1e-3f, 10)
                .learningRate(4), 1e-9f);
    }

    @Test
    void plateauNeedsValidationRows() throws Exception {
        Path csv = fer2013Csv(16, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkTrain.run(new String[] {
                "--data", csv.toString(), "--out", dir.resolve("run").toString(), "--master", "local[2]", "--epochs", "1",
                "--schedule", "plateau"}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertEquals("--schedule plateau needs validation rows (Usage = PublicTest) in --data", e.getMessage());
    }

    @Test
    void aRunWithTheRecipeWritesLoadableModels() throws Exception {
        Path csv = fer2013Csv(32, 8);
        Path run = dir.resolve("run");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int rc = SparkTrain.run(new String[] {"--data", csv.toString(), "--out", run.toString(), "--master", "local[2]",
                "--workers", "2", "--average-every", "2", "--epochs", "2", "--batch", "8", "--seed", "3",
                "--augment", "standard", "--label-smoothing", "0.1", "--schedule", "cosine", "--warmup", "1"},
                new PrintStream(text, true, StandardCharsets.UTF_8));
        String out = text.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("Augmentation: flip"), out);
        assertTrue(out.contains("Done: 2 epochs"), out);
        for (String name : List.of(ModelCheckpoint.BEST, ModelCheckpoint.LAST)) {
            Checkpoint c = ModelFile.load(run.resolve(name));
            assertEquals("fer-ref", c.model().name());
            assertEquals(7, c.model().outputShape()[0]);
            assertTrue(c.info().metadata().get("command").toString().contains("--schedule cosine"), name);
        }
        // last.fer4j is resumable as any run's: the trainer state says 2 epochs were trained.
        Checkpoint last = ModelFile.load(run.resolve(ModelCheckpoint.LAST));
        Trainer t = new Trainer(last.model(), org.fer4j.engine.optim.OptimizerConfig.preset(
                org.fer4j.engine.optim.OptimizerConfig.Type.ADAM).create(last.model().params()),
                new org.fer4j.engine.layers.SoftmaxCrossEntropy(0.1f, null), null, TrainConfig.DEFAULT);
        ModelCheckpoint.restore(t, last);
        assertEquals(2, t.nextEpoch());
        // Cosine with one warm-up epoch: half of --lr, then --lr where the cosine starts.
        List<String> history = Files.readAllLines(run.resolve("history.csv"));
        assertEquals(3, history.size(), String.join("\n", history));
        assertEquals(5e-4, Double.parseDouble(history.get(1).split(",")[5]), 1e-9);
        assertEquals(1e-3, Double.parseDouble(history.get(2).split(",")[5]), 1e-9);
    }

    @Test
    void resumeContinuesTheRunToTheWeightsOfAnUninterruptedOne() throws Exception {
        Path csv = fer2013Csv(16, 4);
        List<String> recipe = List.of("--data", csv.toString(), "--master", "local[2]", "--workers", "2", "--average-every",
                "1", "--batch", "8", "--seed", "4", "--augment", "flip,shift=0.1", "--label-smoothing", "0.1",
                "--schedule", "step", "--step-size", "1", "--factor", "0.5");
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        assertEquals(0, train(recipe, "--out", whole.toString(), "--epochs", "2"));
        assertEquals(0, train(recipe, "--out", parts.toString(), "--epochs", "1"));
        assertTrue(Files.isRegularFile(parts.resolve(SparkTrain.RUN_FILE)));

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(0, SparkTrain.run(new String[] {"--resume", parts.toString(), "--epochs", "2"},
                new PrintStream(text, true, StandardCharsets.UTF_8)));
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("Resuming " + parts + " from last.fer4j at epoch 2 of 2"));
        List<String> a = Files.readAllLines(whole.resolve("history.csv"));
        List<String> b = Files.readAllLines(parts.resolve("history.csv"));
        assertEquals(3, b.size(), String.join("\n", b));
        for (int i = 0; i < 3; i++) {   // the same figures but the seconds
            assertEquals(a.get(i).substring(0, a.get(i).lastIndexOf(',')), b.get(i).substring(0, b.get(i).lastIndexOf(',')));
        }
        var wa = ModelFile.load(whole.resolve(ModelCheckpoint.LAST)).model().state();
        var wb = ModelFile.load(parts.resolve(ModelCheckpoint.LAST)).model().state();
        for (int i = 0; i < wa.size(); i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(wa.get(i).value().data(), wb.get(i).value().data(), wa.get(i).name());
        }

        assertEquals("--lr cannot change when resuming; the run keeps its own settings (only --epochs and --master may be "
                + "given with --resume)", assertThrows(IllegalArgumentException.class, () -> SparkTrain.run(new String[] {
                        "--resume", parts.toString(), "--lr", "0.1"}, System.out)).getMessage());
        String missing = assertThrows(IllegalArgumentException.class, () -> SparkTrain.run(new String[] {"--resume",
                dir.resolve("nothing").toString()}, System.out)).getMessage();
        assertTrue(missing.startsWith("--resume ") && missing.contains("expected a run folder with run.json"), missing);
    }

    private static int train(List<String> recipe, String... more) throws Exception {
        String[] args = Stream.concat(recipe.stream(), Stream.of(more)).toArray(String[]::new);
        return SparkTrain.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static Flags flags(String... args) {
        return new Flags(args, java.util.Set.of("--schedule", "--min-lr", "--warmup", "--patience", "--factor", "--step-size"),
                java.util.Set.of());
    }

    private static String error(String... extra) {
        String[] args = Stream.concat(Stream.of("--data", "x.csv", "--out", "y"), Stream.of(extra)).toArray(String[]::new);
        return assertThrows(IllegalArgumentException.class, () -> SparkTrain.run(args, System.out)).getMessage();
    }

    /** A small FER2013-style CSV of random faces: {@code training} Training rows, {@code validation} PublicTest rows. */
    private Path fer2013Csv(int training, int validation) throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        StringBuilder sb = new StringBuilder("emotion,pixels,Usage\n");
        for (int i = 0; i < training + validation; i++) {
            sb.append(random.nextInt(7)).append(",\"");
            for (int p = 0; p < 48 * 48; p++) {
                sb.append(p == 0 ? "" : " ").append(random.nextInt(256));
            }
            sb.append("\",").append(i < training ? "Training" : "PublicTest").append('\n');
        }
        Path csv = dir.resolve("faces.csv");
        Files.writeString(csv, sb);
        return csv;
    }
}
