package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void summaryOfTheReferenceCnn() {
        Result r = run("summary", "fer-ref");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Total params: 2,345,607"), r.out());
        assertTrue(r.out().contains("(N, 128, 4, 4)"), r.out());
    }

    @Test
    void summaryOfABundledModelSaysHowItWasMade() {
        Result r = run("summary", "fer2013");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Classes: angry, disgust, fear, happy, sad, surprise, neutral"), r.out());
        assertTrue(r.out().contains("classifies with flip averaging"), r.out());
        for (String key : new String[] {"architecture: fer-vgg", "data:", "split:", "seed:", "epochs:", "command:",
                "fer4j_version:"}) {
            assertTrue(r.out().contains("  " + key), key + " in " + r.out());
        }
    }

    @Test
    void unknownModelIsOneLineAndNonZero() {
        Result r = run("summary", "fer-nope");
        assertEquals(Main.EXIT_USER, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("unknown model 'fer-nope'"), r.err());
    }

    @Test
    void badFlagValuesNameTheFlag() {
        Result r = run("demo", "--epochs", "-3");
        assertEquals(Main.EXIT_USER, r.code());
        assertTrue(r.err().contains("--epochs must be in 1..100000, got -3"), r.err());
        Result u = run("demo", "--epochs", "many");
        assertEquals(Main.EXIT_USER, u.code());
        assertTrue(u.err().contains("--epochs"), u.err());
    }

    @Test
    void corruptModelFileIsNamed(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("broken.fer4j");
        Files.writeString(bad, "emotion,pixels,Usage\n");
        Result r = run("summary", bad.toString());
        assertEquals(Main.EXIT_USER, r.code());
        assertTrue(r.err().contains(bad.toString()) && r.err().contains("not a fer4j model file"), r.err());
    }

    @Test
    void demoTrainsAndWritesItsRunFolder(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("run");
        Result r = run("demo", "--epochs", "2", "--train", "400", "--test", "200", "--classes", "4",
                "--out", runDir.toString(), "--data", "none");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Backend: fer4j kernels:"), r.out());
        assertTrue(r.out().contains("Held-out accuracy:"), r.out());
        for (String f : new String[] {"best.fer4j", "last.fer4j", "history.csv", "metrics.json", "curves.png",
                "confusion_matrix.png", "report.html"}) {
            assertTrue(Files.size(runDir.resolve(f)) > 0, f);
        }
        assertTrue(javax.imageio.ImageIO.read(runDir.resolve("curves.png").toFile()).getWidth() > 0);
        assertTrue(javax.imageio.ImageIO.read(runDir.resolve("confusion_matrix.png").toFile()).getWidth() > 0);
        assertTrue(Files.readString(runDir.resolve("metrics.json")).contains("\"macro_f1\""));
        assertEquals(3, Files.readAllLines(runDir.resolve("history.csv")).size());
        Result s = run("summary", runDir.resolve("best.fer4j").toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("Classes: 0deg, 45deg, 90deg, 135deg"), s.out());
    }

    @Test
    void demoEvaluatesTheBundledModelWhenGivenFer2013(@TempDir Path dir) throws Exception {
        Path csv = Fixtures.fer2013Csv(dir, 7, 21, 7, 5);
        Path runDir = dir.resolve("run");
        Result r = run("demo", "--epochs", "1", "--train", "64", "--test", "32", "--out", runDir.toString(),
                "--data", csv.toString(), "--cache-dir", dir.resolve("cache").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Held-out accuracy:"), r.out());
        assertTrue(r.out().contains("Bundled model: fer2013 on " + csv + ", split PublicTest"), r.out());
        assertTrue(r.out().contains("split PublicTest (21 images"), r.out());
        assertTrue(r.out().contains("with flip averaging (the bundled model's default; --tta none for one pass)"), r.out());
        assertTrue(Files.readString(runDir.resolve("fer2013-publictest/metrics.json")).contains("\"accuracy\""));

        Result missing = run("demo", "--epochs", "1", "--train", "64", "--test", "32", "--data",
                dir.resolve("nope.csv").toString());
        assertEquals(Main.EXIT_USER, missing.code());
        assertTrue(missing.err().contains("nope.csv does not exist"), missing.err());
    }

    @Test
    void versionAndHelp() {
        Result v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("fer4j "), v.out());
        Result h = run("--help");
        assertTrue(h.out().contains("Examples:") && h.out().contains("summary") && h.out().contains("demo"), h.out());
    }
}
