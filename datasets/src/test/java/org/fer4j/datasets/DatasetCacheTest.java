package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCacheTest {
    @TempDir
    Path dir;

    private LoadOptions options() {
        return LoadOptions.DEFAULT.toBuilder().cacheDir(dir.resolve("cache")).build();
    }

    private static void assertSameData(Dataset a, Dataset b) {
        assertEquals(a.size(), b.size());
        assertEquals(a.classNames(), b.classNames());
        assertEquals(a.splitNames(), b.splitNames());
        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(a.labels(), b.labels());
        assertArrayEquals(a.splits(), b.splits());
        LoadReport ra = a.report();
        LoadReport rb = b.report();
        assertEquals(List.of(ra.source(), ra.format(), ra.badCount(), ra.badMessages(), ra.ignoredFiles()),
                List.of(rb.source(), rb.format(), rb.badCount(), rb.badMessages(), rb.ignoredFiles()));
    }

    @Test
    void secondLoadComesFromTheCacheAndIsIdentical() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(12, 1)));
        Dataset first = Datasets.load(csv, options());
        assertFalse(first.origin().fromCache());
        assertTrue(Files.isRegularFile(first.origin().cacheFile()), "cache written");
        Dataset second = Datasets.load(csv, options());
        assertTrue(second.origin().fromCache());
        assertEquals(first.origin().cacheFile(), second.origin().cacheFile());
        assertSameData(first, second);
    }

    @Test
    void aChangedSourceIsDecodedAgain() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(12, 1)));
        FileTime t = Files.getLastModifiedTime(csv);
        Datasets.load(csv, options());
        // Same size, new content and a new modification time.
        Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(12, 2)));
        Files.setLastModifiedTime(csv, FileTime.from(t.toInstant().plusSeconds(5)));
        Dataset again = Datasets.load(csv, options());
        assertFalse(again.origin().fromCache());
        assertTrue(again.origin().note().contains("source changed"), again.origin().note());
        assertSameData(Fer2013Csv.read(csv, options()), again);
        assertTrue(Datasets.load(csv, options()).origin().fromCache());
    }

    @Test
    void aChangedFolderIsDecodedAgain() throws IOException {
        Path root = dir.resolve("faces");
        Fixtures.classFolder(root, null, "happy", 2, 0);
        Fixtures.classFolder(root, null, "sad", 2, 5);
        assertEquals(4, Datasets.load(root, options()).size());
        assertTrue(Datasets.load(root, options()).origin().fromCache());
        Fixtures.classFolder(root, null, "sad", 3, 5);   // adds sad/img2.png
        Dataset d = Datasets.load(root, options());
        assertFalse(d.origin().fromCache());
        assertEquals(5, d.size());
    }

    @Test
    void optionsThatChangeTheBytesHaveTheirOwnEntry() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(3, 1)));
        Dataset d48 = Datasets.load(csv, options());
        Dataset d32 = Datasets.load(csv, options().toBuilder().size(32).build());
        assertFalse(d32.origin().fromCache());
        assertEquals(32, d32.height());
        assertNotEquals(d48.origin().cacheFile(), d32.origin().cacheFile());
        assertTrue(Datasets.load(csv, options()).origin().fromCache());
    }

    @Test
    void aCorruptCacheFileIsRebuilt() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(5, 1)));
        Dataset first = Datasets.load(csv, options());
        Path file = first.origin().cacheFile();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 100] ^= 0x55;   // a pixel: the checksum no longer matches
        Files.write(file, bytes);
        Dataset again = Datasets.load(csv, options());
        assertFalse(again.origin().fromCache());
        assertTrue(again.origin().note().contains("unreadable"), again.origin().note());
        assertSameData(first, again);
        Files.write(file, new byte[] {1, 2, 3});
        assertFalse(Datasets.load(csv, options()).origin().fromCache());
        assertTrue(Datasets.load(csv, options()).origin().fromCache());
    }

    @Test
    void skippedRowsAreRememberedByTheCache() throws IOException {
        String text = Fixtures.csv(Fixtures.rows(3, 1)) + "1,\"1 2 3\",Training\n";
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", text);
        LoadOptions skip = options().toBuilder().skipBad(true).build();
        assertEquals(1, Datasets.load(csv, skip).report().badCount());
        Dataset cached = Datasets.load(csv, skip);
        assertTrue(cached.origin().fromCache());
        assertEquals(1, cached.report().badCount());
        assertEquals(List.of(csv + " line 5: expected 2304 pixels, found 3"), cached.report().badMessages());
    }

    @Test
    void noCacheWritesNothing() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(2, 1)));
        Dataset d = Datasets.load(csv, options().toBuilder().useCache(false).build());
        assertEquals(null, d.origin().cacheFile());
        assertFalse(Files.exists(dir.resolve("cache")));
    }

    @Test
    void anUnwritableCacheIsANoteNotAFailure() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(2, 1)));
        Path blocker = Files.writeString(dir.resolve("file-not-dir"), "x");
        Dataset d = Datasets.load(csv, options().toBuilder().cacheDir(blocker.resolve("sub")).build());
        assertEquals(2, d.size());
        assertTrue(d.origin().note().contains("could not write the cache"), d.origin().note());
    }

    @Test
    void defaultDirHonoursTheSystemProperty() {
        String before = System.getProperty("fer4j.cache.dir");
        try {
            System.setProperty("fer4j.cache.dir", dir.toString());
            assertEquals(dir, DatasetCache.defaultDir());
        } finally {
            if (before == null) {
                System.clearProperty("fer4j.cache.dir");
            } else {
                System.setProperty("fer4j.cache.dir", before);
            }
        }
    }
}
