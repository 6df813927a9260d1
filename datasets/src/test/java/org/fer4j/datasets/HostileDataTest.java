package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's crafted inputs: each refused with one {@link BadDataException} naming the file, before
 * it costs memory, with and without --skip-bad (a limit is never skipped).
 */
class HostileDataTest {
    @TempDir
    Path dir;

    private static final LoadOptions STRICT = LoadOptions.DEFAULT.toBuilder().useCache(false).threads(1).build();
    private static final LoadOptions SKIP = STRICT.toBuilder().skipBad(true).build();

    @Test
    void everyCraftedDataFileIsRefused() throws Exception {
        for (Map.Entry<String, byte[]> e : Crafted.all().entrySet()) {
            for (LoadOptions o : new LoadOptions[] {STRICT, SKIP}) {
                BadDataException x = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                        BadDataException.class, () -> Fer2013Csv.read(new ByteArrayInputStream(e.getValue()), e.getKey(), o),
                        e.getKey() + " was accepted"), e.getKey());
                assertTrue(x.getMessage().startsWith(e.getKey()), x.getMessage());
                assertFalse(x.getMessage().chars().anyMatch(c -> c < 0x20), "control character in: " + x.getMessage());
            }
        }
    }

    private static String refusal(String name) throws Exception {
        return refusal(name, SKIP);
    }

    private static String refusal(String name, LoadOptions o) throws Exception {
        byte[] bytes = Crafted.all().get(name);
        return assertThrows(BadDataException.class, () -> Fer2013Csv.read(new ByteArrayInputStream(bytes), name, o))
                .getMessage();
    }

    @Test
    void eachLimitNamesItself() throws Exception {
        assertTrue(refusal("long-line.csv.gz").contains("a row of more than 1048576 characters"), refusal("long-line.csv.gz"));
        assertTrue(refusal("bomb-newlines.csv.gz").contains("more than 100000 bad rows"), refusal("bomb-newlines.csv.gz"));
        assertTrue(refusal("bomb-newlines.csv.gz", STRICT).contains("line 2: empty line"));
        assertTrue(refusal("many-fields.csv").contains("more than 64 fields"));
        assertTrue(refusal("usgae-header.csv").contains("unknown column 'Usgae'"));
        assertTrue(refusal("duplicate-column.csv").contains("appears twice"));
        assertTrue(refusal("arabic-digit.csv").contains("no images"), "a U+0663 label is a bad row, not class 3");
        assertTrue(refusal("escape-in-usage.csv", STRICT).contains("\\e]0;owned\\x07"), refusal("escape-in-usage.csv", STRICT));
        assertTrue(refusal("tar-bomb.tar.gz").contains("inflates"), refusal("tar-bomb.tar.gz"));
        assertTrue(refusal("tar-huge-member.tar.gz").contains("truncated tar"), refusal("tar-huge-member.tar.gz"));
    }

    @Test
    void aValidRowStillReads() throws Exception {
        byte[] ok = ("emotion,pixels,Usage\n" + Crafted.row("3", "Training") + "\n" + Crafted.row("+03", "PublicTest") + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Dataset d = Fer2013Csv.read(new ByteArrayInputStream(ok), "ok.csv", STRICT);
        assertEquals(2, d.size());
        // Usage is optional, in any column order.
        byte[] noUsage = ("pixels,emotion\n\"" + Crafted.row("3", "x").split("\"")[1] + "\",3\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, Fer2013Csv.read(new ByteArrayInputStream(noUsage), "no-usage.csv", STRICT).size());
    }

    @Test
    void imagesAreRefusedBeforeDecodingOrWhenTruncated() throws Exception {
        for (Map.Entry<String, byte[]> e : Crafted.images().entrySet()) {
            BadDataException x = assertThrows(BadDataException.class, () -> Images.decode(e.getValue(), e.getKey()),
                    e.getKey() + " was accepted");
            assertTrue(x.getMessage().startsWith(e.getKey()), x.getMessage());
        }
        String big = assertThrows(BadDataException.class, () -> Images.decode(Crafted.pngClaiming(20_000, 20_000), "a.png"))
                .getMessage();
        assertTrue(big.contains("20000x20000 pixels (400000000) is over the limit of 16777216"), big);
        // --max-pixels raises the limit: then the same header gets as far as its (missing) pixel data.
        String raised = assertThrows(BadDataException.class, () -> Images.decode(Crafted.pngClaiming(300, 300), "b.png", 100))
                .getMessage();
        assertTrue(raised.contains("over the limit of 100"), raised);
        // The test can fail: the untruncated JPEG decodes.
        assertEquals(64, Images.decode(Crafted.image("jpg"), "full.jpg").getWidth());
    }

    @Test
    void aFolderOfHugeHeadersIsRefusedAndSkippedAndCounted() throws Exception {
        Fixtures.classFolder(dir, null, "happy", 3, 1);
        Fixtures.classFolder(dir, null, "sad", 3, 2);
        for (int i = 0; i < 4; i++) {
            Files.write(dir.resolve("happy/bomb" + i + ".png"), Crafted.pngClaiming(46_000, 46_000));
        }
        Files.write(dir.resolve("sad/cut.jpg"), Crafted.truncatedJpeg(0.5));
        String m = assertThrows(BadDataException.class, () -> ImageFolder.read(dir, STRICT)).getMessage();
        assertTrue(m.contains("bomb0.png") && m.contains("over the limit"), m);
        Dataset d = ImageFolder.read(dir, SKIP.toBuilder().threads(4).build());
        assertEquals(6, d.size());
        assertEquals(5, d.report().badCount());
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void pipesDevicesAndLinksOutOfTheFolderAreRefused() throws Exception {
        Fixtures.classFolder(dir, null, "happy", 2, 1);
        Fixtures.classFolder(dir, null, "sad", 2, 2);
        Path outside = Files.createTempFile("outside", ".png");
        try {
            Files.write(outside, Crafted.image("png"));
            Files.createSymbolicLink(dir.resolve("happy/zero.jpg"), Path.of("/dev/zero"));
            Files.createSymbolicLink(dir.resolve("happy/away.png"), outside);
            Files.createSymbolicLink(dir.resolve("sad/inside.png"), dir.resolve("happy/img0.png"));
            boolean fifo = new ProcessBuilder("mkfifo", dir.resolve("sad/pipe.jpg").toString()).start().waitFor() == 0;
            String m = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(BadDataException.class,
                    () -> ImageFolder.read(dir, STRICT))).getMessage();
            assertTrue(m.contains("away.png") || m.contains("zero.jpg"), m);
            Dataset d = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> ImageFolder.read(dir, SKIP));
            assertEquals(5, d.size(), "the 4 files and the link that stays inside");
            assertEquals(fifo ? 3 : 2, d.report().badCount(), d.report().badMessages().toString());
            String all = String.join("\n", d.report().badMessages());
            assertTrue(all.contains("outside the data folder"), all);
            if (fifo) {
                assertTrue(all.contains("pipe.jpg: not a regular file"), all);
                Path pipe = dir.resolve("sad/pipe.jpg");
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(BadDataException.class,
                        () -> Fer2013Csv.read(pipe, STRICT)));
            }
        } finally {
            Files.deleteIfExists(outside);
        }
    }
}
