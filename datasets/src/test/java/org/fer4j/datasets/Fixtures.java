package org.fer4j.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Small generated inputs that the tests write into their temporary folders. */
final class Fixtures {
    private Fixtures() {
    }

    /** One CSV row: its label, usage and 2304 pixel values. */
    record Row(int emotion, String usage, int[] pixels) {
        String line() {
            StringBuilder sb = new StringBuilder().append(emotion).append(",\"");
            for (int i = 0; i < pixels.length; i++) {
                if (i > 0) {
                    sb.append(' ');
                }
                sb.append(pixels[i]);
            }
            return sb.append("\",").append(usage).toString();
        }
    }

    /** {@code count} rows, labels round-robin 0..6, every 5th row PublicTest, pixels random but distinct per row. */
    static List<Row> rows(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] px = new int[Fer2013Csv.PIXELS];
            for (int k = 0; k < px.length; k++) {
                px[k] = r.nextInt(256);
            }
            rows.add(new Row(i % 7, i % 5 == 4 ? "PublicTest" : "Training", px));
        }
        return rows;
    }

    static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder("emotion,pixels,Usage\n");
        for (Row row : rows) {
            sb.append(row.line()).append('\n');
        }
        return sb.toString();
    }

    static Path writeCsv(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    /** A ustar archive of the given (path, content) members, written by hand as the tests' reference. */
    static byte[] tar(List<String> names, List<byte[]> contents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int m = 0; m < names.size(); m++) {
            String name = names.get(m);
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            if (nameBytes.length > 100) {   // GNU long name: an 'L' member whose data is the name
                out.write(header("././@LongLink", nameBytes.length + 1, (byte) 'L'));
                out.write(nameBytes);
                out.write(new byte[pad(nameBytes.length) - nameBytes.length]);
                name = name.substring(0, 99);
            }
            byte[] content = contents.get(m);
            out.write(header(name, content.length, (byte) '0'));
            out.write(content);
            out.write(new byte[pad(content.length) - content.length]);
        }
        out.write(new byte[1024]);
        return out.toByteArray();
    }

    /** A pax archive: an 'x' extended header whose {@code path} record names the member, then the member. */
    static byte[] paxTar(String path, byte[] content) throws IOException {
        String body = "path=" + path + "\n";
        int len = body.length() + 3;
        String record = len + " " + body;
        if (record.length() != len) {
            record = (len + 1) + " " + body;
        }
        byte[] rec = record.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header("PaxHeaders/short", rec.length, (byte) 'x'));
        out.write(rec);
        out.write(new byte[pad(rec.length) - rec.length]);
        out.write(header("short-name-that-pax-overrides", content.length, (byte) '0'));
        out.write(content);
        out.write(new byte[pad(content.length) - content.length]);
        out.write(new byte[1024]);
        return out.toByteArray();
    }

    static int pad(int n) {
        return (n + 511) / 512 * 512;
    }

    static byte[] header(String name, long size, byte type) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        put(h, 100, String.format("%07o", 0644));
        put(h, 108, String.format("%07o", 0));
        put(h, 116, String.format("%07o", 0));
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 0));
        h[156] = type;
        put(h, 257, "ustar");
        h[262] = 0;
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    /** A grey image whose pixel (x, y) is {@code (seed * 37 + x * 5 + y * 11) mod 256}. */
    static BufferedImage grey(int w, int h, int seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (seed * 37 + x * 5 + y * 11) & 0xFF);
            }
        }
        return img;
    }

    static Path writeImage(BufferedImage img, Path file, String format) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IOException("no writer for " + format);
        }
        return file;
    }

    /** {@code root/<split>/<class>/img<i>.png} (or {@code root/<class>/...} when split is null) with {@code n} images. */
    static void classFolder(Path root, String split, String cls, int n, int seed) throws IOException {
        Path dir = split == null ? root.resolve(cls) : root.resolve(split).resolve(cls);
        for (int i = 0; i < n; i++) {
            writeImage(grey(48, 48, seed + i), dir.resolve("img" + i + ".png"), "png");
        }
    }
}
