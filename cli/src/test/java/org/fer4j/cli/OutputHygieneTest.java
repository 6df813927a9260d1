package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.fer4j.cli.MainTest.Result;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.models.ModelZoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text from files (folder names, metadata, CSV fields, file names) reaches the terminal escaped:
 * no ESC, no forged line, and no Java class name in an error.
 */
class OutputHygieneTest {
    private static final String ESC = "\u001b";

    @TempDir
    Path dir;

    private static void clean(Result r) {
        String all = r.out() + r.err();
        assertFalse(all.replace(ESC + "[K", "").contains(ESC), "a raw ESC reached the terminal: " + all);
        assertFalse(all.contains("Exception"), "a Java class name: " + all);
        assertFalse(all.contains("\tat "), "a stack trace: " + all);
    }

    @Test
    void metadataOfAModelIsEscapedBySummary() throws Exception {
        Path model = dir.resolve("m.fer4j");
        ModelFile.save(model, ModelZoo.entry("bars-cnn").build(2, 1), new ModelInfo(List.of("a", "b"), Normalization.UNIT,
                Map.of("notes", ESC + "]0;pwned" + "\u0007\nforged line", ESC + "[2Jkey", "x")));
        Result r = MainTest.run("summary", model.toString());
        assertEquals(0, r.code(), r.err());
        clean(r);
        assertTrue(r.out().contains("\\e]0;pwned\\x07\\nforged line"), r.out());
        assertTrue(r.out().contains("\\e[2Jkey: x"), r.out());
    }

    @Test
    void folderNamesAndFileNamesAreEscapedByInspectAndErrors() throws Exception {
        for (String cls : new String[] {"happy", "sad" + ESC + "[31m"}) {
            Path d = Files.createDirectories(dir.resolve("data").resolve(cls));
            for (int i = 0; i < 3; i++) {
                BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_BYTE_GRAY);
                img.getRaster().setSample(i, i, 0, 200);
                ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
            }
        }
        Result r = MainTest.run("inspect", dir.resolve("data").toString(), "--no-cache");
        assertEquals(0, r.code(), r.err());
        clean(r);
        assertTrue(r.out().contains("sad\\e[31m"), r.out());

        Files.write(dir.resolve("data/happy/bad" + ESC + "[2J.png"), new byte[] {1, 2, 3});
        Result bad = MainTest.run("inspect", dir.resolve("data").toString(), "--no-cache");
        assertEquals(Main.EXIT_USER, bad.code(), bad.err());
        clean(bad);
        assertTrue(bad.err().contains("bad\\e[2J.png"), bad.err());
    }

    @Test
    void aCsvFieldWithEscapesIsShownEscaped() throws Exception {
        Path csv = dir.resolve("x.csv");
        Files.writeString(csv, "emotion,pixels,Usage\n" + ESC + "[31m9,\"1 2\",Training\n");
        Result r = MainTest.run("inspect", csv.toString(), "--no-cache");
        assertEquals(Main.EXIT_USER, r.code());
        clean(r);
        assertTrue(r.err().contains("x.csv line 2"), r.err());
    }

    @Test
    void aTruncatedGzipNamesTheFileAndNoClassName() throws Exception {
        Path gz = dir.resolve("cut.csv.gz");
        byte[] full = Files.readAllBytes(Fixtures.fer2013Csv(dir, 20, 5, 3, 1));
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(b)) {
            out.write(full);
        }
        Files.write(gz, java.util.Arrays.copyOf(b.toByteArray(), b.size() / 2));
        Result r = MainTest.run("inspect", gz.toString(), "--no-cache");
        assertEquals(Main.EXIT_USER, r.code(), r.err());
        clean(r);
        assertTrue(r.err().contains("cut.csv.gz"), r.err());
    }
}
