package org.fer4j.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @Test
    void writeStringReplacesTheFileWholeAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run.json");
        AtomicFiles.writeString(run, "{\"a\": 1}\n");
        AtomicFiles.writeString(run, "{\"command\": \"train\", \"é\": 2}\n");
        assertEquals("{\"command\": \"train\", \"é\": 2}\n", Files.readString(run));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "only run.json, no .run.json.*.tmp");
        }
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(dir.resolve("no/such/run.json"), "x"));
        assertEquals(true, e.getMessage().contains("does not exist"), e.getMessage());
    }
}
