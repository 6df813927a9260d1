package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fer4j.cli.MainTest.Result;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees when training diverges: {@code --optimizer sgd --lr 10} on a tiny generated
 * FER2013 CSV blows the weights up in the second epoch. The command stops with one line that says
 * so, where the last finite checkpoint is and what to try, exits 2, keeps that checkpoint (which
 * loads: every value finite and in range), and never prints a NaN or an infinity as a figure.
 */
class DivergenceCliTest {
    @TempDir
    Path dir;

    @Test
    void aDivergingRunStopsWithOneLineAndKeepsTheLastFiniteCheckpoint() throws Exception {
        Path csv = Fixtures.fer2013Csv(dir, 40, 8, 4, 1);
        Path run = dir.resolve("run");
        Result r = MainTest.run("train", "--data", csv.toString(), "--model", "bars-cnn", "--out", run.toString(),
                "--epochs", "4", "--batch", "20", "--optimizer", "sgd", "--lr", "10", "--schedule", "none",
                "--cache-dir", dir.resolve("cache").toString());

        assertEquals(Main.EXIT_USER, r.code(), r.err() + r.out());
        List<String> lines = r.err().strip().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line on stderr: " + r.err());
        String line = lines.getFirst();
        Matcher m = Pattern.compile("^fer4j train: training diverged in epoch (\\d+)[:,]").matcher(line);
        assertTrue(m.find(), line);
        int diverged = Integer.parseInt(m.group(1));
        assertTrue(diverged >= 2, "diverges after a finite epoch here: " + line);
        assertTrue(line.contains("the last finite checkpoint is kept in " + run.resolve("last.fer4j")), line);
        assertTrue(line.contains("try a lower --lr (now 10.0) or --clip-norm 1"), line);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());

        // Nothing printed as a figure is NaN or infinite: not the epochs' losses, not the line.
        for (String out : List.of(r.out(), line)) {
            assertFalse(out.contains("NaN") || out.contains("Infinity"), out);
        }

        Checkpoint last = ModelFile.load(run.resolve("last.fer4j"));   // refuses NaN, Inf and values over 1e10
        assertEquals(diverged - 1, ((Number) last.training().get("next_epoch")).intValue(), "the last finite epoch");
        assertFalse(Files.exists(run.resolve("metrics.json")), "no final report for a run that failed");
        try (var files = Files.list(run)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
    }
}
