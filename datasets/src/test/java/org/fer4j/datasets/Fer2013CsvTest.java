package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Fer2013CsvTest {
    private static final LoadOptions OPTIONS = LoadOptions.DEFAULT.toBuilder().useCache(false).build();
    private static final LoadOptions SKIP = OPTIONS.toBuilder().skipBad(true).build();

    @TempDir
    Path dir;

    private static void assertSameRows(List<Fixtures.Row> rows, Dataset d) {
        assertEquals(rows.size(), d.size());
        assertEquals(ClassNames.FER2013, d.classNames());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(rows.get(i).emotion(), d.label(i), "label of row " + i);
            assertEquals(rows.get(i).usage(), d.splitNames().get(d.split(i)), "usage of row " + i);
            byte[] img = d.image(i);
            for (int k = 0; k < img.length; k++) {
                if ((img[k] & 0xFF) != rows.get(i).pixels()[k]) {
                    throw new AssertionError("row " + i + " pixel " + k + ": " + (img[k] & 0xFF) + " != "
                            + rows.get(i).pixels()[k]);
                }
            }
        }
    }

    @Test
    void readsPlainCsvWithItsUsageSplits() throws IOException {
        List<Fixtures.Row> rows = Fixtures.rows(20, 1);
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(rows));
        Dataset d = Fer2013Csv.read(csv, OPTIONS);
        assertSameRows(rows, d);
        assertEquals(List.of("Training", "PublicTest"), d.splitNames());
        assertEquals(48, d.height());
        assertEquals(48, d.width());
        assertEquals(0, d.report().badCount());
        assertTrue(d.hasOwnSplit());
    }

    @Test
    void readsGzipAndTheKaggleTarGzAndAPlainTar() throws IOException {
        List<Fixtures.Row> rows = Fixtures.rows(9, 2);
        byte[] csv = Fixtures.csv(rows).getBytes(StandardCharsets.UTF_8);
        Path gz = dir.resolve("fer2013.csv.gz");
        Files.write(gz, Fixtures.gzip(csv));
        assertSameRows(rows, Fer2013Csv.read(gz, OPTIONS));
        assertTrue(Fer2013Csv.read(gz, OPTIONS).report().format().contains("gzip"));

        byte[] tar = Fixtures.tar(List.of("fer2013/README", "fer2013/fer2013.csv"),
                List.of("not this one".getBytes(StandardCharsets.UTF_8), csv));
        Path tgz = dir.resolve("fer2013.tar.gz");
        Files.write(tgz, Fixtures.gzip(tar));
        Dataset d = Fer2013Csv.read(tgz, OPTIONS);
        assertSameRows(rows, d);
        assertTrue(d.report().format().contains("tar"), d.report().format());

        Path plainTar = dir.resolve("fer2013.tar");
        Files.write(plainTar, tar);
        assertSameRows(rows, Fer2013Csv.read(plainTar, OPTIONS));
    }

    @Test
    void tarWithAGnuLongNameIsFollowed() throws IOException {
        List<Fixtures.Row> rows = Fixtures.rows(3, 3);
        String longName = "a".repeat(120) + "/fer2013.csv";
        byte[] tar = Fixtures.tar(List.of(longName), List.of(Fixtures.csv(rows).getBytes(StandardCharsets.UTF_8)));
        Path tgz = dir.resolve("long.tar.gz");
        Files.write(tgz, Fixtures.gzip(tar));
        assertSameRows(rows, Fer2013Csv.read(tgz, OPTIONS));
    }

    @Test
    void tarWithAPaxPathIsFollowed() throws IOException {
        List<Fixtures.Row> rows = Fixtures.rows(2, 3);
        byte[] tar = Fixtures.paxTar("fer2013/fer2013.csv", Fixtures.csv(rows).getBytes(StandardCharsets.UTF_8));
        Path tgz = dir.resolve("pax.tar.gz");
        Files.write(tgz, Fixtures.gzip(tar));
        Dataset d = Fer2013Csv.read(tgz, OPTIONS);
        assertSameRows(rows, d);
    }

    @Test
    void truncatedTarIsNamed() throws IOException {
        byte[] tar = Fixtures.tar(List.of("fer2013/fer2013.csv"),
                List.of(Fixtures.csv(Fixtures.rows(3, 3)).getBytes(StandardCharsets.UTF_8)));
        Path file = dir.resolve("fer2013.tar");
        Files.write(file, Arrays.copyOf(tar, 4000));
        BadDataException e = assertThrows(BadDataException.class, () -> Fer2013Csv.read(file, SKIP));
        assertTrue(e.getMessage().contains("truncated tar archive"), e.getMessage());
    }

    @Test
    void tarWithoutACsvNamesWhatItHolds() throws IOException {
        byte[] tar = Fixtures.tar(List.of("fer2013/README.txt"), List.of("hello".getBytes(StandardCharsets.UTF_8)));
        Path tgz = dir.resolve("fer2013.tar.gz");
        Files.write(tgz, Fixtures.gzip(tar));
        BadDataException e = assertThrows(BadDataException.class, () -> Fer2013Csv.read(tgz, OPTIONS));
        assertTrue(e.getMessage().contains("fer2013.tar.gz") && e.getMessage().contains("no fer2013.csv")
                && e.getMessage().contains("fer2013/README.txt"), e.getMessage());
    }

    @Test
    void columnsMayComeInAnyOrderAndUsageMayBeMissing() throws IOException {
        List<Fixtures.Row> rows = Fixtures.rows(4, 4);
        StringBuilder sb = new StringBuilder("pixels,emotion\n");
        for (Fixtures.Row r : rows) {
            String line = r.line();
            String px = line.substring(line.indexOf('"'), line.lastIndexOf('"') + 1);
            sb.append(px).append(',').append(r.emotion()).append('\n');
        }
        Dataset d = Fer2013Csv.read(Fixtures.writeCsv(dir, "train.csv", sb.toString()), OPTIONS);
        assertEquals(4, d.size());
        assertEquals(List.of(Dataset.ALL), d.splitNames());
        assertTrue(!d.hasOwnSplit());
        assertEquals(rows.get(2).emotion(), d.label(2));
    }

    @Test
    void resamplesToAnotherInputSize() throws IOException {
        List<Fixtures.Row> rows = Fixtures.rows(2, 5);
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(rows));
        Dataset d = Fer2013Csv.read(csv, OPTIONS.toBuilder().size(24).build());
        assertEquals(24, d.height());
        // Area averaging by 2: each output pixel is the rounded mean of a 2x2 block.
        int[] px = rows.get(1).pixels();
        double mean = (px[0] + px[1] + px[48] + px[49]) / 4.0;
        assertEquals(Math.round(mean), d.image(1)[0] & 0xFF, 0.5001);
    }

    // ---- bad input: one line naming the file, the line and what was expected --------------------

    private BadDataException badRow(String row) throws IOException {
        List<Fixtures.Row> rows = Fixtures.rows(3, 6);
        String text = "emotion,pixels,Usage\n" + rows.get(0).line() + "\n" + rows.get(1).line() + "\n" + row + "\n"
                + rows.get(2).line() + "\n";
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", text);
        BadDataException e = assertThrows(BadDataException.class, () -> Fer2013Csv.read(csv, OPTIONS));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith(csv + " line 4: "), e.getMessage());
        // With skip-bad the same file loads, and the bad row is counted, never dropped silently.
        Dataset d = Fer2013Csv.read(csv, SKIP);
        assertEquals(3, d.size());
        assertEquals(1, d.report().badCount());
        assertTrue(d.report().badMessages().get(0).startsWith(csv + " line 4: "), d.report().badMessages().toString());
        return e;
    }

    private static String pixels(int count, String replaceAt10) {
        String[] v = new String[count];
        Arrays.fill(v, "7");
        if (replaceAt10 != null) {
            v[9] = replaceAt10;
        }
        return String.join(" ", v);
    }

    @Test
    void wrongPixelCount() throws IOException {
        BadDataException e = badRow("3,\"" + pixels(2303, null) + "\",Training");
        assertTrue(e.getMessage().contains("expected 2304 pixels, found 2303"), e.getMessage());
        e = badRow("3,\"" + pixels(2305, null) + "\",Training");
        assertTrue(e.getMessage().contains("expected 2304 pixels, found 2305"), e.getMessage());
    }

    @Test
    void nonNumericPixel() throws IOException {
        BadDataException e = badRow("3,\"" + pixels(2304, "x7") + "\",Training");
        assertTrue(e.getMessage().contains("pixel 10 is 'x7', expected an integer 0..255"), e.getMessage());
    }

    @Test
    void pixelOutsideTheByteRange() throws IOException {
        BadDataException e = badRow("3,\"" + pixels(2304, "256") + "\",Training");
        assertTrue(e.getMessage().contains("pixel 10 is 256, expected 0..255"), e.getMessage());
        e = badRow("3,\"" + pixels(2304, "-1") + "\",Training");
        assertTrue(e.getMessage().contains("pixel 10 is '-1'"), e.getMessage());
    }

    @Test
    void unknownLabel() throws IOException {
        BadDataException e = badRow("7,\"" + pixels(2304, null) + "\",Training");
        assertTrue(e.getMessage().contains("expected an emotion label 0..6, found '7'"), e.getMessage());
        e = badRow("happy,\"" + pixels(2304, null) + "\",Training");
        assertTrue(e.getMessage().contains("found 'happy'"), e.getMessage());
    }

    @Test
    void unknownUsage() throws IOException {
        BadDataException e = badRow("3,\"" + pixels(2304, null) + "\",Validation");
        assertTrue(e.getMessage().contains("expected Usage Training, PublicTest or PrivateTest, found 'Validation'"),
                e.getMessage());
    }

    @Test
    void emptyLine() throws IOException {
        BadDataException e = badRow("");
        assertTrue(e.getMessage().contains("empty line"), e.getMessage());
    }

    @Test
    void wrongFieldCount() throws IOException {
        BadDataException e = badRow("3,\"" + pixels(2304, null) + "\"");
        assertTrue(e.getMessage().contains("expected 3 fields (emotion,pixels,Usage), found 2"), e.getMessage());
    }

    @Test
    void missingHeader() throws IOException {
        List<Fixtures.Row> rows = Fixtures.rows(2, 7);
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", rows.get(0).line() + "\n" + rows.get(1).line() + "\n");
        BadDataException e = assertThrows(BadDataException.class, () -> Fer2013Csv.read(csv, SKIP));
        assertTrue(e.getMessage().startsWith(csv + " line 1: expected the header emotion,pixels,Usage, found '0,"),
                e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", "");
        BadDataException e = assertThrows(BadDataException.class, () -> Fer2013Csv.read(csv, OPTIONS));
        assertTrue(e.getMessage().contains("the file is empty"), e.getMessage());
    }

    @Test
    void truncatedGzipIsNamedEvenWhenSkippingBadRows() throws IOException {
        byte[] gz = Fixtures.gzip(Fixtures.csv(Fixtures.rows(30, 8)).getBytes(StandardCharsets.UTF_8));
        Path file = dir.resolve("fer2013.csv.gz");
        Files.write(file, Arrays.copyOf(gz, gz.length * 2 / 3));
        BadDataException e = assertThrows(BadDataException.class, () -> Fer2013Csv.read(file, SKIP));
        assertTrue(e.getMessage().startsWith(file + ": truncated or corrupt gzip after line "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        // Cut inside the first block, before a single row.
        Files.write(file, Arrays.copyOf(gz, 40));
        e = assertThrows(BadDataException.class, () -> Fer2013Csv.read(file, SKIP));
        assertTrue(e.getMessage().startsWith(file + ": truncated or corrupt gzip before the header"), e.getMessage());
    }

    @Test
    void skipBadCountsEveryBadRowAndKeepsTheGoodOnes() throws IOException {
        List<Fixtures.Row> rows = Fixtures.rows(5, 9);
        StringBuilder sb = new StringBuilder("emotion,pixels,Usage\n");
        for (int i = 0; i < rows.size(); i++) {
            sb.append(rows.get(i).line()).append('\n');
            sb.append("9,\"1 2 3\",Training\n");
        }
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", sb.toString());
        Dataset d = Fer2013Csv.read(csv, SKIP);
        assertSameRows(rows, d);
        assertEquals(5, d.report().badCount());
        assertEquals(csv + " line 3: expected 2304 pixels, found 3", d.report().badMessages().get(0));
        assertEquals(csv + " line 11: expected 2304 pixels, found 3", d.report().badMessages().get(4));
    }

    @Test
    void everyRowBadIsAnErrorEvenWhenSkipping() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", "emotion,pixels,Usage\n9,\"1 2\",Training\n");
        BadDataException e = assertThrows(BadDataException.class, () -> Fer2013Csv.read(csv, SKIP));
        assertTrue(e.getMessage().contains("every row is bad"), e.getMessage());
    }

    @Test
    void parsePixelsAcceptsAnyWhitespaceAndRejectsOverflow() {
        byte[] row = new byte[3];
        assertEquals(null, Fer2013Csv.parsePixels(" 1\t2  255 ", row));
        assertArrayEquals(new byte[] {1, 2, (byte) 255}, row);
        assertTrue(Fer2013Csv.parsePixels("1 2 99999999999", row).contains("pixel 3 is '99999999999'"));
    }
}
