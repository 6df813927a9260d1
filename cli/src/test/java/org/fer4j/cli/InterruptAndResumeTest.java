package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.fer4j.cli.MainTest.Result;
import org.fer4j.engine.Param;
import org.fer4j.engine.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process that is killed, or stopped with Ctrl-C, loses at most its current epoch, and
 * {@code --resume} continues it to the same weights as a run that was never interrupted.
 */
class InterruptAndResumeTest {
    @TempDir
    Path dir;

    private List<String> trainArgs(Path csv, Path out) {
        return List.of("train", "--data", csv.toString(), "--classes", "angry,disgust,fear,happy", "--model", "bars-cnn",
                "--out", out.toString(), "--epochs", "4", "--batch", "16", "--schedule", "plateau", "--augment", "flip",
                "--threads", "2", "--cache-dir", dir.resolve("cache").toString());
    }

    /** The fer4j CLI in its own JVM, as a user runs it. */
    private Process start(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--add-modules");
        command.add("jdk.incubator.vector");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("process-" + System.nanoTime() + ".log").toFile()).start();
    }

    private static void waitFor(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + file);
            Thread.sleep(50);
        }
    }

    private void assertSameWeights(Path expected, Path actual) throws Exception {
        List<Param> a = ModelFile.load(expected).model().state();
        List<Param> b = ModelFile.load(actual).model().state();
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).value().data(), b.get(i).value().data(), a.get(i).name());
        }
    }

    @Test
    void killedDuringTrainingResumesToTheSameWeights() throws Exception {
        Path csv = Fixtures.fer2013Csv(dir, 320, 64, 4, 5);
        Path straight = dir.resolve("straight");
        Result full = MainTest.run(trainArgs(csv, straight).toArray(new String[0]));
        assertEquals(0, full.code(), full.err());

        Path killed = dir.resolve("killed");
        Process p = start(trainArgs(csv, killed));
        waitFor(killed.resolve("last.fer4j"));      // at least one epoch is on disk
        p.destroyForcibly();                         // SIGKILL: no chance to save anything more
        p.waitFor();
        ModelFile.load(killed.resolve("last.fer4j")); // intact

        Result resumed = MainTest.run("train", "--resume", killed.toString(), "--threads", "2");
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        assertTrue(resumed.out().contains("Resuming"), resumed.out());
        assertSameWeights(straight.resolve("last.fer4j"), killed.resolve("last.fer4j"));
        assertEquals(Files.readString(straight.resolve("history.csv")).lines().map(l -> l.substring(0, l.lastIndexOf(',')))
                        .toList(),
                Files.readString(killed.resolve("history.csv")).lines().map(l -> l.substring(0, l.lastIndexOf(','))).toList());
    }

    @Test
    void ctrlCSavesACheckpointInsideTheEpochAndResumesExactly() throws Exception {
        Path csv = Fixtures.fer2013Csv(dir, 320, 64, 4, 6);
        Path straight = dir.resolve("straight");
        assertEquals(0, MainTest.run(trainArgs(csv, straight).toArray(new String[0])).code());

        Path stopped = dir.resolve("stopped");
        Process p = start(trainArgs(csv, stopped));
        waitFor(stopped.resolve("last.fer4j"));
        Thread.sleep(150);                           // inside the second epoch
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        if (p.exitValue() == 0) {
            return;  // the run finished before the signal arrived: nothing to resume (a slow machine)
        }
        assertEquals(Main.EXIT_INTERRUPTED, p.exitValue(), Files.readString(dir.toFile().listFiles(
                (File f) -> f.getName().startsWith("process-"))[0].toPath()));
        Result resumed = MainTest.run("train", "--resume", stopped.toString(), "--threads", "2");
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        assertSameWeights(straight.resolve("last.fer4j"), stopped.resolve("last.fer4j"));
    }

    @Test
    void resumeOfARunKilledBeforeItsFirstCheckpointStartsAfresh() throws Exception {
        Path csv = Fixtures.fer2013Csv(dir, 64, 16, 4, 7);
        Path run = dir.resolve("early");
        Files.createDirectories(run);
        // What a run killed during data loading leaves: run.json, and a checkpoint save cut short.
        List<String> args = new ArrayList<>(trainArgs(csv, run).subList(1, trainArgs(csv, run).size()));
        Files.writeString(run.resolve(TrainCommand.RUN_FILE), org.fer4j.engine.io.Json.writePretty(
                java.util.Map.of("command", "train", "args", args)));
        Files.write(run.resolve(".last.fer4j.5eed.tmp"), new byte[100]);
        Result r = MainTest.run("train", "--resume", run.toString(), "--epochs", "1");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("starting it afresh"), r.out());
        assertTrue(r.out().contains("Removed 1 temporary file"), r.out());
        assertTrue(Files.exists(run.resolve("last.fer4j")));
        assertEquals(List.of(), tempFiles(run));
    }

    private static List<Path> tempFiles(Path run) throws Exception {
        try (var s = Files.list(run)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    /**
     * kill -9 at seeded random moments of a short run (during start-up, data loading, an epoch or
     * a checkpoint save), then --resume, until the run is complete: the weights equal those of a
     * run never interrupted, and no temporary file is left.
     */
    @Test
    void killedAtRandomMomentsResumesToTheSameWeights() throws Exception {
        Path csv = Fixtures.fer2013Csv(dir, 128, 32, 4, 9);
        Path straight = dir.resolve("straight");
        long t0 = System.nanoTime();
        Result full = MainTest.run(trainArgs(csv, straight).toArray(new String[0]));
        assertEquals(0, full.code(), full.err());
        long runMillis = (System.nanoTime() - t0) / 1_000_000 + 1500;  // plus a JVM start

        java.util.SplittableRandom random = new java.util.SplittableRandom(16);
        Path run = dir.resolve("killed-often");
        int kills = 0;
        boolean started = false;
        for (int attempt = 0; attempt < 3; attempt++) {
            List<String> args = started ? List.of("train", "--resume", run.toString(), "--threads", "2")
                    : trainArgs(csv, run);
            Process p = start(args);
            long delay = random.nextLong(runMillis);
            if (p.waitFor(delay, TimeUnit.MILLISECONDS)) {
                break;  // finished before the kill
            }
            p.destroyForcibly();
            p.waitFor();
            kills++;
            started = Files.exists(run.resolve(TrainCommand.RUN_FILE));
        }
        Result last = started || Files.exists(run.resolve(TrainCommand.RUN_FILE))
                ? MainTest.run("train", "--resume", run.toString(), "--threads", "2")
                : MainTest.run(trainArgs(csv, run).toArray(new String[0]));
        assertEquals(0, last.code(), last.err() + last.out());
        assertTrue(kills > 0, "no kill happened");
        assertSameWeights(straight.resolve("last.fer4j"), run.resolve("last.fer4j"));
        assertEquals(List.of(), tempFiles(run));
    }
}
