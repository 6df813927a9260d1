package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    private static MainTest.Result run(String... args) {
        return MainTest.run(args);
    }

    /** {@code n} rows: labels round-robin, every 4th row PublicTest, each image a different constant. */
    static String csv(int n) {
        StringBuilder sb = new StringBuilder("emotion,pixels,Usage\n");
        for (int i = 0; i < n; i++) {
            String[] px = new String[2304];
            Arrays.fill(px, Integer.toString(i % 256));
            sb.append(i % 7).append(",\"").append(String.join(" ", px)).append("\",")
                    .append(i % 4 == 3 ? "PublicTest" : "Training").append('\n');
        }
        return sb.toString();
    }

    @Test
    void printsCountsPerSplitAndClassThenComesFromTheCache(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("fer2013.csv"), csv(28));
        String cache = dir.resolve("cache").toString();
        MainTest.Result r = run("inspect", csv.toString(), "--cache-dir", cache);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("28 images of 48x48 grey"), r.out());
        assertTrue(r.out().contains("Split: own (Training -> train, PublicTest -> val)"), r.out());
        assertTrue(r.out().matches("(?s).*angry\\s+3\\s+1\\s+4\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*total\\s+21\\s+7\\s+28\\n.*"), r.out());
        assertTrue(r.out().contains("Duplicates: none"), r.out());
        assertTrue(r.out().contains("Bad rows: none"), r.out());
        assertTrue(r.out().contains("decoded, cached in"), r.out());
        MainTest.Result again = run("inspect", csv.toString(), "--cache-dir", cache);
        assertTrue(again.out().contains("from the cache"), again.out());
    }

    @Test
    void subsetSplitAndPreviewOfAFolderSet(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("CK+48");
        for (String cls : new String[] {"anger", "contempt", "happy"}) {
            for (int i = 0; i < 10; i++) {
                BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_BYTE_GRAY);
                img.getRaster().setSample(i, i, 0, 200 + cls.length());
                Files.createDirectories(root.resolve(cls));
                ImageIO.write(img, "png", root.resolve(cls).resolve(i + ".png").toFile());
            }
        }
        Path preview = dir.resolve("preview.png");
        MainTest.Result r = run("inspect", root.toString(), "--no-cache", "--merge", "contempt->disgust",
                "--classes", "happy,disgust", "--split", "80/20", "--augment", "standard", "--preview", preview.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*happy\\s+8\\s+2\\s+10\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*disgust\\s+8\\s+2\\s+10\\n.*"), r.out());
        assertTrue(r.out().contains("(not cached)"), r.out());
        assertTrue(Files.size(preview) > 0);
    }

    @Test
    void badRowsStopTheLoadOrAreCountedWithSkipBad(@TempDir Path dir) throws Exception {
        String text = csv(5).replaceFirst("\n2,\"2 2 2", "\n2,\"2 2");   // row 3 (line 4) loses a pixel
        Path csv = Files.writeString(dir.resolve("fer2013.csv"), text);
        MainTest.Result r = run("inspect", csv.toString(), "--no-cache");
        assertNotEquals(0, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(csv + " line 4: expected 2304 pixels, found 2303"), r.err());
        MainTest.Result skip = run("inspect", csv.toString(), "--no-cache", "--skip-bad");
        assertEquals(0, skip.code(), skip.err());
        assertTrue(skip.out().contains("Bad rows: 1 skipped"), skip.out());
        assertTrue(skip.out().contains("4 images"), skip.out());
    }

    @Test
    void badOptionsNameTheOption(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("fer2013.csv"), csv(7));
        MainTest.Result r = run("inspect", csv.toString(), "--no-cache", "--classes", "hapy");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--classes: no class 'hapy'"), r.err());
        r = run("inspect", csv.toString(), "--split", "80-20");
        assertTrue(r.err().contains("--split 80-20"), r.err());
        r = run("inspect", csv.toString(), "--augment", "twirl");
        assertTrue(r.err().contains("--augment: unknown augmentation 'twirl'"), r.err());
        r = run("inspect", dir.resolve("missing.csv").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
