package org.fer4j.datasets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.fer4j.engine.io.Text;

/**
 * The FER2013 CSV as Kaggle ships it, read in one streaming pass through Apache Commons CSV:
 *
 * <pre>
 * emotion,pixels,Usage
 * 0,"70 80 82 ... 2304 values 0..255, row-major 48x48 ...",Training
 * </pre>
 *
 * {@code emotion} is 0 Angry, 1 Disgust, 2 Fear, 3 Happy, 4 Sad, 5 Surprise, 6 Neutral;
 * {@code Usage} is Training, PublicTest or PrivateTest (the column may be missing: then the file has
 * no split of its own). The columns may come in any order. The input may be the plain {@code .csv},
 * a gzip of it ({@code .csv.gz}), or a tar archive holding it, gzipped or not (Kaggle's
 * {@code fer2013.tar.gz} with {@code fer2013/fer2013.csv}); the kind is told from the bytes, not the
 * name. Only one row is held as text at a time: the pixels go straight into one {@code uint8} array.
 */
public final class Fer2013Csv {
    /** FER2013 images are 48x48. */
    public static final int SIDE = 48;
    public static final int PIXELS = SIDE * SIDE;

    static final List<String> USAGES = List.of("Training", "PublicTest", "PrivateTest");
    private static final String HEADER = "emotion,pixels,Usage";

    private Fer2013Csv() {
    }

    /** Whether {@code file} is one this reader takes, by its name. */
    static boolean accepts(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".csv") || name.endsWith(".csv.gz") || name.endsWith(".tar.gz")
                || name.endsWith(".tgz") || name.endsWith(".tar");
    }

    public static Dataset read(Path file, LoadOptions options) throws IOException {
        if (!Files.isRegularFile(file)) {
            // A named pipe would block the open; /dev/zero would never end.
            throw new BadDataException(file + ": " + (Files.exists(file) ? "not a regular file (a pipe, socket or device)"
                    : "no such file"));
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), options);
        }
    }

    /** Reads from {@code raw}; {@code name} is what errors call the file. */
    public static Dataset read(InputStream raw, String name, LoadOptions options) throws IOException {
        long start = System.nanoTime();
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        String format = "FER2013 CSV";
        InputStream data = in;
        boolean gzip = startsWith(in, new byte[] {0x1f, (byte) 0x8b});
        String csvName = name;
        try {
            if (gzip) {
                InputLimits.Counting compressed = new InputLimits.Counting(in);
                data = new BufferedInputStream(new InputLimits.InflationGuard(new GZIPInputStream(compressed, 1 << 16),
                        compressed, name), 1 << 16);
                format += " (gzip)";
            }
            byte[] head = new byte[512];
            data.mark(512);
            int n = data.readNBytes(head, 0, 512);
            data.reset();
            if (TarStream.looksLikeTar(head, n)) {
                TarStream.Entry entry = TarStream.find(data, Fer2013Csv::isCsvMember, name);
                data = entry.content();
                csvName = name + "!" + Text.escape(entry.name(), 200);  // a member name is text from the file
                format = "FER2013 CSV in a tar archive" + (gzip ? " (gzip)" : "");
            }
        } catch (BadDataException e) {
            throw e;
        } catch (IOException e) {
            throw streamError(e, name, name, gzip, 0);
        }
        Reader reader = new InputLimits.CsvGuard(new InputStreamReader(data, StandardCharsets.UTF_8), csvName);
        Dataset d = parse(reader, csvName, name, gzip, format, options);
        double seconds = (System.nanoTime() - start) / 1e9;
        LoadReport r = d.report();
        return new Dataset(d.height(), d.width(), d.pixels(), d.labels(), d.splits(), d.classNames(), d.splitNames(),
                new LoadReport(r.source(), r.format(), r.badCount(), r.badMessages(), 0, seconds), Dataset.Origin.DECODED);
    }

    private static boolean isCsvMember(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        return base.toLowerCase(Locale.ROOT).endsWith(".csv") && !base.startsWith("._");
    }

    private static boolean startsWith(BufferedInputStream in, byte[] magic) throws IOException {
        in.mark(magic.length);
        byte[] b = in.readNBytes(magic.length);
        in.reset();
        return Arrays.equals(b, magic);
    }

    private static Dataset parse(Reader reader, String csvName, String fileName, boolean gzip, String format,
                                 LoadOptions options) throws IOException {
        CSVFormat csv = CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(false).get();
        BadInput bad = new BadInput(options.skipBad());
        int h = options.height();
        int w = options.width();
        int imageSize = h * w;
        byte[] pixels = new byte[imageSize * 1024];
        int[] labels = new int[1024];
        byte[] splits = new byte[1024];
        int count = 0;
        byte[] row = new byte[PIXELS];
        long line = 0;   // the line the last record ended on
        boolean hasUsage;
        try (CSVParser parser = CSVParser.builder().setReader(reader).setFormat(csv).get()) {
            Iterator<CSVRecord> it = parser.iterator();
            if (!it.hasNext()) {
                throw new BadDataException(csvName + ": the file is empty, expected the header " + HEADER);
            }
            CSVRecord header = it.next();
            line = Math.max(1, parser.getCurrentLineNumber());
            int[] columns = columns(header, csvName);
            int emotionCol = columns[0];
            int pixelsCol = columns[1];
            int usageCol = columns[2];
            hasUsage = usageCol >= 0;
            while (it.hasNext()) {
                CSVRecord record = it.next();
                long at = line + 1;
                line = Math.max(at, parser.getCurrentLineNumber());
                String where = csvName + " line " + at + ": ";
                if (record.size() == 1 && record.get(0).isBlank()) {
                    bad.report(where + "empty line, expected a row of " + HEADER);
                    continue;
                }
                if (record.size() != header.size()) {
                    bad.report(where + "expected " + header.size() + " fields (" + String.join(",", header.values())
                            + "), found " + record.size());
                    continue;
                }
                String problem = parsePixels(record.get(pixelsCol), row);
                if (problem != null) {
                    bad.report(where + problem);
                    continue;
                }
                String emotion = record.get(emotionCol).strip();
                int label = emotionLabel(emotion);
                if (label < 0) {
                    bad.report(where + "expected an emotion label 0..6, found '" + clip(emotion) + "'");
                    continue;
                }
                int split = 0;
                if (usageCol >= 0) {
                    split = usage(record.get(usageCol).strip());
                    if (split < 0) {
                        bad.report(where + "expected Usage Training, PublicTest or PrivateTest, found '"
                                + clip(record.get(usageCol)) + "'");
                        continue;
                    }
                }
                if (count == labels.length) {
                    labels = Arrays.copyOf(labels, count * 2);
                    splits = Arrays.copyOf(splits, count * 2);
                    pixels = Arrays.copyOf(pixels, count * 2 * imageSize);
                }
                store(row, pixels, count * imageSize, h, w);
                labels[count] = label;
                splits[count] = (byte) split;
                count++;
            }
        } catch (UncheckedIOException e) {
            throw streamError(e.getCause(), csvName, fileName, gzip, line);
        } catch (BadDataException e) {
            throw e;
        } catch (IOException e) {
            throw streamError(e, csvName, fileName, gzip, line);
        }
        if (count == 0) {
            throw new BadDataException(csvName + ": no images: the file has a header but "
                    + (bad.count() > 0 ? "every row is bad (" + bad.count() + " bad rows)" : "no rows"));
        }
        return finish(pixels, labels, splits, count, h, w, hasUsage, fileName, format, bad);
    }

    /** Column indexes of emotion, pixels and Usage (-1: absent) from the header record. */
    private static int[] columns(CSVRecord header, String csvName) throws BadDataException {
        int[] columns = {-1, -1, -1};
        List<String> known = List.of("emotion", "pixels", "usage");
        String unknown = null;
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).replace("\uFEFF", "").strip().toLowerCase(Locale.ROOT);
            int k = known.indexOf(name);
            if (k < 0) {
                unknown = unknown == null ? header.get(i) : unknown;
                continue;
            }
            if (columns[k] >= 0) {
                throw new BadDataException(csvName + " line 1: the column '" + clip(header.get(i)) + "' appears twice");
            }
            columns[k] = i;
        }
        // An unknown column is an error: a misspelt Usage would otherwise silently mean "no split".
        if (unknown != null && columns[0] >= 0 && columns[1] >= 0) {
            throw new BadDataException(csvName + " line 1: unknown column '" + clip(unknown) + "'; expected the header "
                    + HEADER + " (Usage optional, any order)");
        }
        if (columns[0] < 0 || columns[1] < 0) {
            throw new BadDataException(csvName + " line 1: expected the header " + HEADER + ", found '"
                    + clip(String.join(",", header.values())) + "'");
        }
        return columns;
    }

    /**
     * Parses space-separated 0..255 values into {@code row}; returns what is wrong, or {@code null}.
     * Hand-written: it runs 74 million times on the full file.
     */
    static String parsePixels(String text, byte[] row) {
        int count = 0;
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && isSpace(text.charAt(i))) {
                i++;
            }
            if (i == n) {
                break;
            }
            int start = i;
            int value = 0;
            boolean digits = true;
            while (i < n && !isSpace(text.charAt(i))) {
                char c = text.charAt(i);
                if (c < '0' || c > '9' || i - start > 8) {
                    digits = false;
                } else if (digits) {
                    value = value * 10 + (c - '0');
                }
                i++;
            }
            if (!digits) {
                return "pixel " + (count + 1) + " is '" + clip(text.substring(start, i))
                        + "', expected an integer 0..255";
            }
            if (value > 255) {
                return "pixel " + (count + 1) + " is " + value + ", expected 0..255";
            }
            if (count < row.length) {
                row[count] = (byte) value;
            }
            count++;
        }
        if (count != row.length) {
            return "expected " + row.length + " pixels, found " + count;
        }
        return null;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** 0..6, or -1 when {@code s} is not one of those integers. */
    private static int emotionLabel(String s) {
        if (s.length() == 1 && s.charAt(0) >= '0' && s.charAt(0) <= '6') {
            return s.charAt(0) - '0';
        }
        // Leading zeros or a plus sign, but ASCII digits only: Integer.parseInt would read U+0663 as 3.
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c == '+' || (c >= '0' && c <= '9'))) {
            return -1;
        }
        try {
            int v = Integer.parseInt(s);
            return v >= 0 && v <= 6 ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int usage(String s) {
        for (int i = 0; i < USAGES.size(); i++) {
            if (USAGES.get(i).equalsIgnoreCase(s)) {
                return i;
            }
        }
        return -1;
    }

    /** Writes the 48x48 {@code row} at {@code off} as {@code h x w}, resampling when the sizes differ. */
    private static void store(byte[] row, byte[] pixels, int off, int h, int w) {
        if (h == SIDE && w == SIDE) {
            System.arraycopy(row, 0, pixels, off, PIXELS);
            return;
        }
        float[] f = new float[PIXELS];
        for (int i = 0; i < PIXELS; i++) {
            f[i] = row[i] & 0xFF;
        }
        float[] r = Resampler.resize(f, SIDE, SIDE, h, w);
        for (int i = 0; i < r.length; i++) {
            pixels[off + i] = (byte) Math.max(0, Math.min(255, Math.round(r[i])));
        }
    }

    private static BadDataException streamError(IOException e, String csvName, String fileName, boolean gzip,
                                                long line) {
        if (e instanceof BadDataException b) {
            return b;
        }
        String why = e.getMessage() == null ? "read error" : e.getMessage();
        if (gzip && (e instanceof java.io.EOFException || e instanceof java.util.zip.ZipException)) {
            return new BadDataException(fileName + ": truncated or corrupt gzip " + (line == 0 ? "before the header"
                    : "after line " + line) + " (" + why + "); download the file again", e);
        }
        return new BadDataException(csvName + " line " + (line + 1) + ": " + why.replace('\n', ' '), e);
    }

    private static Dataset finish(byte[] pixels, int[] labels, byte[] splits, int count, int h, int w,
                                  boolean hasUsage, String fileName, String format, BadInput bad) {
        List<String> splitNames = new ArrayList<>();
        if (!hasUsage) {
            splitNames.add(Dataset.ALL);
        } else {
            // Keep only the usages that occur, in Training, PublicTest, PrivateTest order.
            boolean[] used = new boolean[USAGES.size()];
            for (int i = 0; i < count; i++) {
                used[splits[i]] = true;
            }
            byte[] remap = new byte[USAGES.size()];
            for (int u = 0; u < USAGES.size(); u++) {
                if (used[u]) {
                    remap[u] = (byte) splitNames.size();
                    splitNames.add(USAGES.get(u));
                }
            }
            for (int i = 0; i < count; i++) {
                splits[i] = remap[splits[i]];
            }
        }
        return new Dataset(h, w, Arrays.copyOf(pixels, count * h * w), Arrays.copyOf(labels, count),
                Arrays.copyOf(splits, count), ClassNames.FER2013, splitNames,
                new LoadReport(fileName, format, bad.count(), bad.messages(), 0, 0), Dataset.Origin.DECODED);
    }

    static String clip(String s) {
        String one = Text.escape(s);
        return one.length() <= 40 ? one : one.substring(0, 37) + "...";
    }
}
