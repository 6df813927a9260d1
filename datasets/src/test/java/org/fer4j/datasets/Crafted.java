package org.fer4j.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/**
 * The crafted hostile inputs of issue 16, made from scratch so that no test needs a file from
 * outside: each is small on disk (a few KB) and large or wrong once read. {@link #all()} is the
 * corpus that {@code HostileDataTest} and the fuzz tests replay on every build.
 */
final class Crafted {
    private Crafted() {
    }

    /** A PNG of a valid signature and IHDR that claims {@code w x h} pixels, with one tiny IDAT. */
    static byte[] pngClaiming(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(w);
        d.writeInt(h);
        d.writeByte(8);   // bit depth
        d.writeByte(0);   // grey
        d.writeByte(0);
        d.writeByte(0);
        d.writeByte(0);
        chunk(out, "IHDR", ihdr.toByteArray());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[64]);
        deflater.finish();
        byte[] idat = new byte[128];
        int n = deflater.deflate(idat);
        chunk(out, "IDAT", java.util.Arrays.copyOf(idat, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    /** A 64x64 JPEG cut after {@code fraction} of its bytes. */
    static byte[] truncatedJpeg(double fraction) throws IOException {
        byte[] full = image("jpg");
        return java.util.Arrays.copyOf(full, (int) (full.length * fraction));
    }

    /** A 64x64 grey gradient with noise, encoded as {@code format}. */
    static byte[] image(String format) throws IOException {
        BufferedImage img = Fixtures.grey(64, 64, 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    /** gzip of {@code header} then {@code count} copies of {@code unit}, streamed: small on disk. */
    static byte[] gzipOf(String header, String unit, long count) throws IOException {
        return gzipOf(header.getBytes(StandardCharsets.UTF_8), unit, count);
    }

    static byte[] gzipOf(byte[] header, String unit, long count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes, 1 << 16)) {
            gz.write(header);
            byte[] u = unit.getBytes(StandardCharsets.UTF_8);
            byte[] block = new byte[u.length * Math.max(1, 65536 / u.length)];
            for (int i = 0; i < block.length; i++) {
                block[i] = u[i % u.length];
            }
            long per = block.length / u.length;
            for (long done = 0; done < count; done += per) {
                gz.write(block, 0, (int) (Math.min(per, count - done) * u.length));
            }
        }
        return bytes.toByteArray();
    }

    /** One valid FER2013 row with emotion {@code emotion} (a string, to allow odd digits). */
    static String row(String emotion, String usage) {
        StringBuilder sb = new StringBuilder(emotion).append(",\"");
        for (int i = 0; i < Fer2013Csv.PIXELS; i++) {
            sb.append(i == 0 ? "" : " ").append(i % 256);
        }
        return sb.append("\",").append(usage).toString();
    }

    /**
     * The crafted data files by name: each must be refused by the reader with a
     * {@link BadDataException} (never another exception, never OutOfMemoryError).
     */
    static synchronized Map<String, byte[]> all() throws IOException {
        if (all != null) {
            return all;
        }
        Map<String, byte[]> m = new LinkedHashMap<>();
        String header = "emotion,pixels,Usage\n";
        // 16 MB of one line from 16 KB (2 GB is the same file, longer): the record limit stops it at 1 MiB.
        m.put("long-line.csv.gz", gzipOf(header + "0,\"", "1 ", 1L << 23));
        // 8 MB of blank lines from 8 KB: the inflation limit (blank lines alone are only bad rows).
        m.put("bomb-newlines.csv.gz", gzipOf(header, "\n", 8L << 20));
        m.put("many-fields.csv", (header + "0" + ",".repeat(10_000) + "\n").getBytes(StandardCharsets.UTF_8));
        m.put("usgae-header.csv", ("emotion,pixels,Usgae\n" + row("0", "Training") + "\n").getBytes(StandardCharsets.UTF_8));
        m.put("arabic-digit.csv", (header + row("\u0663", "Training") + "\n").getBytes(StandardCharsets.UTF_8));
        m.put("fullwidth-digit.csv", (header + row("\uFF13", "Training") + "\n").getBytes(StandardCharsets.UTF_8));
        m.put("escape-in-usage.csv", (header + row("0", "\u001b]0;owned\u0007Training") + "\n")
                .getBytes(StandardCharsets.UTF_8));
        m.put("duplicate-column.csv", ("emotion,pixels,pixels\n" + row("0", "Training") + "\n")
                .getBytes(StandardCharsets.UTF_8));
        m.put("tar-huge-member.tar.gz", Fixtures.gzip(tarHeaderOnly("fer2013/fer2013.csv", 1L << 40)));
        m.put("tar-bomb.tar.gz", gzipOf(tarHeaderOnly("fer2013/other.bin", 1L << 33), "\0", 1L << 25));
        all = java.util.Collections.unmodifiableMap(m);
        return all;
    }

    private static Map<String, byte[]> all;

    /** Images that must be refused (the first three before decoding). */
    static Map<String, byte[]> images() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("claims-46000x46000.png", pngClaiming(46_000, 46_000));
        m.put("claims-20000x20000.png", pngClaiming(20_000, 20_000));
        m.put("claims-2147483647x1.png", pngClaiming(Integer.MAX_VALUE, 1));
        m.put("truncated-half.jpg", truncatedJpeg(0.5));
        m.put("truncated-90.jpg", truncatedJpeg(0.9));
        m.put("empty.png", new byte[0]);
        m.put("text.jpg", "not an image".getBytes(StandardCharsets.US_ASCII));
        return m;
    }

    /** A ustar header block for a regular file of the claimed {@code size}, in GNU base-256 when large. */
    static byte[] tarHeaderOnly(String name, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, n.length);
        h[124] = (byte) 0x80;
        for (int i = 0; i < 8; i++) {
            h[135 - i] = (byte) (size >>> (8 * i));
        }
        h[156] = '0';
        byte[] magic = "ustar\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, h, 257, magic.length);
        return h;
    }

    static List<String> names() throws IOException {
        return List.copyOf(all().keySet());
    }
}
