package org.fer4j.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files whose checksum is valid but whose content is not a usable model: refused on load,
 * naming the field, before any prediction can print NaN or a control character.
 */
class HostileModelFileTest {
    @TempDir
    Path dir;

    private Path saved(float poison) throws IOException {
        Sequential model = TestModels.small(3);
        Param last = model.params().getLast();
        last.value().data()[0] = poison;
        Path path = dir.resolve("poisoned.fer4j");
        ModelFile.save(path, model, ModelInfo.of(TestModels.CLASSES, Normalization.UNIT));
        return path;
    }

    private static void refused(Path path, String... fragments) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(path));
        assertTrue(e.getMessage().startsWith(path.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "'" + f + "' not in: " + e.getMessage());
        }
    }

    @Test
    void nonFiniteOrHugeWeightsAreRefused() throws IOException {
        refused(saved(Float.NaN), "NaN", "not a finite number");
        refused(saved(Float.POSITIVE_INFINITY), "Infinity");
        refused(saved(1.4e20f), "1.4E20", "plausible range");
        // The test can fail: an ordinary weight loads.
        assertEquals(0.5f, ModelFile.load(saved(0.5f)).model().params().getLast().value().data()[0]);
    }

    @Test
    void normalizationOutOfRangeIsRefused() throws IOException {
        Path path = saved(0.5f);
        TestModels.editHeader(path, h -> h.put("normalization", Map.of("scale", 1e38, "mean", 0.0, "std", 1.0)));
        refused(path, "normalization scale");
        TestModels.editHeader(path, h -> h.put("normalization", Map.of("scale", 1.0, "mean", 0.0, "std", 1e-30)));
        refused(path, "normalization std");
    }

    @Test
    void classNamesMustBePrintableBoundedAndUnique() throws IOException {
        Path path = saved(0.5f);
        TestModels.editHeader(path, h -> h.put("classes", List.of("angry", "\u001b[31mhappy", "neutral")));
        refused(path, "classes[1]", "\\e[31mhappy", "printable");
        TestModels.editHeader(path, h -> h.put("classes", List.of("angry", "hap\npy", "neutral")));
        refused(path, "classes[1]", "hap\\npy");
        TestModels.editHeader(path, h -> h.put("classes", List.of("angry", "x".repeat(1 << 20), "neutral")));
        refused(path, "classes[1]", "1048576 characters");
        TestModels.editHeader(path, h -> h.put("classes", List.of("angry", "angry", "neutral")));
        refused(path, "appears twice");
        TestModels.editHeader(path, h -> h.put("classes", List.of("angry", "\u202ehappy", "neutral")));
        refused(path, "\\u202e");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void aNamedPipeIsRefusedWithoutWaiting() throws Exception {
        Path fifo = dir.resolve("pipe.fer4j");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        if (p.waitFor() != 0) {
            return;  // no mkfifo here
        }
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refused(fifo, "not a regular file"));
        Path device = Path.of("/dev/zero");
        if (Files.exists(device)) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refused(device, "not a regular file"));
        }
        assertFalse(Files.isRegularFile(fifo));
    }
}
