package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.fer4j.cli.MainTest.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every user mistake gets one line naming the thing and what was expected, and exit code 2. */
class BadInputTest {
    @TempDir
    Path dir;
    Path csv;

    @BeforeEach
    void data() throws Exception {
        csv = Fixtures.fer2013Csv(dir, 40, 8, 4, 1);
    }

    private Result train(String... extra) {
        String[] base = {"train", "--data", csv.toString(), "--model", "bars-cnn", "--out", dir.resolve("run").toString(),
                "--epochs", "1", "--cache-dir", dir.resolve("cache").toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return MainTest.run(all);
    }

    private static void assertUserError(Result r, String... fragments) {
        assertEquals(Main.EXIT_USER, r.code(), r.err() + r.out());
        String line = r.err().strip().lines().filter(l -> l.startsWith("fer4j")).findFirst().orElse(r.err());
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + f + "' not in: " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "no stack trace for a user error: " + r.err());
    }

    @Test
    void impossibleFlagValues() {
        assertUserError(train("--epochs", "-3"), "--epochs must be in 1..100000, got -3");
        assertUserError(train("--split", "80/30"), "80/30");
        assertUserError(train("--lr", "0"), "--lr must be in (0, 10]");
        assertUserError(train("--schedule", "sometimes"), "--schedule", "plateau");
        assertUserError(train("--optimizer", "rmsprop"), "rmsprop");
        assertUserError(train("--augment", "wobble"), "wobble");
        assertUserError(MainTest.run("train", "--epochs", "many"), "--epochs", "many");
    }

    @Test
    void unknownModelAndUnknownClass() {
        assertUserError(MainTest.run("train", "--data", csv.toString(), "--model", "fer-nope", "--out",
                dir.resolve("r").toString(), "--cache-dir", dir.resolve("cache").toString()), "fer-nope", "fer-ref");
        assertUserError(train("--classes", "happy,joy"), "joy");
        assertUserError(MainTest.run("predict", "--model", "fer-nope", csv.toString()), "fer-nope");
    }

    @Test
    void missingAndMalformedFiles() throws Exception {
        assertUserError(MainTest.run("train", "--data", dir.resolve("nope.csv").toString(), "--model", "bars-cnn",
                "--out", dir.resolve("r").toString()), "nope.csv");
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "emotion,pixels,Usage\n0,\"1 2 3\",Training\n");
        assertUserError(MainTest.run("train", "--data", bad.toString(), "--model", "bars-cnn", "--out",
                dir.resolve("r2").toString(), "--no-cache"), "bad.csv", "line 2", "2304");
        Path notImage = dir.resolve("face.png");
        Files.writeString(notImage, "not an image");
        Path model = dir.resolve("m.fer4j");
        Files.writeString(model, "junk");
        assertUserError(MainTest.run("predict", "--model", model.toString(), notImage.toString()), "m.fer4j");
    }

    @Test
    void aRunFolderIsNeverOverwrittenByAccident() {
        assertEquals(0, train().code());
        assertUserError(train(), "already holds a run", "--resume", "--overwrite");
        Result again = train("--overwrite");
        assertEquals(0, again.code(), again.err());
        assertUserError(MainTest.run("train", "--resume", dir.resolve("nothing").toString()), "run.json");
        assertUserError(MainTest.run("train", "--resume", dir.resolve("run").toString(), "--lr", "0.1"),
                "--lr cannot change when resuming");
    }
}
