package org.fer4j.datasets;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Decoded data sets kept on disk so that the second load of the same source takes a fraction of a
 * second: the pixels as {@code uint8}, nothing recomputed.
 *
 * <p>One file per (source path, image size, skip-bad), named by a hash of those. Inside, a
 * fingerprint of the source: size and modification time of the file, or of every file under a
 * folder (with its path). A load whose fingerprint differs (the source changed) decodes again and overwrites the
 * entry. Files are written to a temporary name and renamed, so a crash never leaves half a cache.
 *
 * <pre>
 * "FER4JDS1"  int version  UTF key  UTF fingerprint
 * int height, width, count   int K, K x UTF class name   int S, S x UTF split name
 * UTF source, UTF format, int badCount, int M, M x UTF message, int ignored, double decodeSeconds
 * int[count] labels   byte[count] splits   byte[count*height*width] pixels   long CRC-32 of those three
 * </pre>
 *
 * All numbers big-endian ({@link DataOutputStream}).
 */
public final class DatasetCache {
    private static final byte[] MAGIC = "FER4JDS1".getBytes(StandardCharsets.US_ASCII);
    /** Bump when the decoding (grey conversion, resampling) or this format changes: old entries are then ignored. */
    static final int VERSION = 1;
    static final String EXTENSION = ".f4jd";

    private final Path dir;

    public DatasetCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /**
     * {@code -Dfer4j.cache.dir}, else {@code $FER4J_CACHE_DIR}, else {@code $XDG_CACHE_HOME/fer4j/datasets},
     * else {@code ~/.cache/fer4j/datasets}.
     */
    public static Path defaultDir() {
        String p = System.getProperty("fer4j.cache.dir");
        if (p == null || p.isBlank()) {
            p = System.getenv("FER4J_CACHE_DIR");
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("fer4j").resolve("datasets");
    }

    /** What identifies an entry: the source's absolute path and the options that change the decoded bytes. */
    static String key(Path source, LoadOptions o) {
        return "fer4j-dataset v" + VERSION + " | " + source.toAbsolutePath().normalize() + " | " + o.height() + "x"
                + o.width() + " | skipBad=" + o.skipBad()
                + (o.maxPixels() == Images.DEFAULT_MAX_PIXELS ? "" : " | maxPixels=" + o.maxPixels());
    }

    /** The entry's file: a hash of the key, plus the source's name to help a person who looks. */
    Path fileFor(Path source, LoadOptions o) {
        Path name = source.toAbsolutePath().normalize().getFileName();
        String readable = (name == null ? "root" : name.toString()).replaceAll("[^A-Za-z0-9._+-]", "_");
        if (readable.length() > 40) {
            readable = readable.substring(0, 40);
        }
        return dir.resolve(sha256(key(source, o)).substring(0, 20) + "-" + readable + "-" + o.height() + "x"
                + o.width() + EXTENSION);
    }

    /**
     * The source's fingerprint: for a file, its size and modification time; for a folder, the count
     * and a hash of every file's relative path, size and modification time.
     */
    static String fingerprint(Path source) throws IOException {
        BasicFileAttributes a = Files.readAttributes(source, BasicFileAttributes.class);
        if (!a.isDirectory()) {
            return "file size=" + a.size() + " mtime=" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        }
        // An order-free sum over files of a mix of (path, size, mtime): no sorting, one stat per file.
        long[] acc = new long[2];
        int rootLength = source.toString().length();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                long pathHash = f.toString().substring(rootLength).hashCode();
                acc[0] += Seeds.mix(Seeds.mix(pathHash, attrs.size()), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS));
                acc[1]++;
                return FileVisitResult.CONTINUE;
            }
        });
        return "folder files=" + acc[1] + " hash=" + Long.toHexString(acc[0]);
    }

    /** The cached data set, or {@code null} when there is no entry for this key and fingerprint. */
    Dataset read(Path file, String key, String fingerprint) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC) || in.readInt() != VERSION) {
                return null;
            }
            if (!in.readUTF().equals(key) || !in.readUTF().equals(fingerprint)) {
                return null;
            }
            int h = in.readInt();
            int w = in.readInt();
            int count = in.readInt();
            List<String> classes = readList(in);
            List<String> splitNames = readList(in);
            String source = in.readUTF();
            String format = in.readUTF();
            int badCount = in.readInt();
            List<String> messages = readList(in);
            int ignored = in.readInt();
            double decodeSeconds = in.readDouble();
            if (h <= 0 || w <= 0 || count < 0 || (long) count * h * w > Integer.MAX_VALUE - 8) {
                throw new IOException("bad sizes in the header");
            }
            int[] labels = new int[count];
            byte[] labelBytes = new byte[count * 4];
            in.readFully(labelBytes);
            java.nio.ByteBuffer.wrap(labelBytes).asIntBuffer().get(labels);
            byte[] splits = new byte[count];
            in.readFully(splits);
            byte[] pixels = new byte[count * h * w];
            in.readFully(pixels);
            CRC32 crc = new CRC32();
            crc.update(labelBytes);
            crc.update(splits);
            crc.update(pixels);
            if (in.readLong() != crc.getValue()) {
                throw new IOException("checksum mismatch");
            }
            for (int i = 0; i < count; i++) {
                if (labels[i] < 0 || labels[i] >= classes.size() || splits[i] < 0 || splits[i] >= splitNames.size()) {
                    throw new IOException("label or split out of range at image " + i);
                }
            }
            return new Dataset(h, w, pixels, labels, splits, classes, splitNames,
                    new LoadReport(source, format, badCount, messages, ignored, decodeSeconds), Dataset.Origin.DECODED);
        } catch (java.io.EOFException e) {
            throw new IOException("truncated", e);
        }
    }

    /** Writes {@code d} under {@code file}, atomically. */
    void write(Path file, String key, String fingerprint, Dataset d) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeUTF(key);
                out.writeUTF(fingerprint);
                out.writeInt(d.height());
                out.writeInt(d.width());
                out.writeInt(d.size());
                writeList(out, d.classNames());
                writeList(out, d.splitNames());
                LoadReport r = d.report();
                out.writeUTF(r.source());
                out.writeUTF(r.format());
                out.writeInt(r.badCount());
                writeList(out, r.badMessages());
                out.writeInt(r.ignoredFiles());
                out.writeDouble(r.decodeSeconds());
                byte[] labelBytes = new byte[d.size() * 4];
                java.nio.ByteBuffer.wrap(labelBytes).asIntBuffer().put(d.labels());
                out.write(labelBytes);
                out.write(d.splits());
                out.write(d.pixels());
                CRC32 crc = new CRC32();
                crc.update(labelBytes);
                crc.update(d.splits());
                crc.update(d.pixels());
                out.writeLong(crc.getValue());
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static List<String> readList(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 100_000) {
            throw new IOException("bad list length " + n);
        }
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(in.readUTF());
        }
        return list;
    }

    private static void writeList(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            // writeUTF takes at most 65535 bytes; messages are one line, names short.
            out.writeUTF(s.length() > 10_000 ? s.substring(0, 10_000) : s);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static String sha256(String s) {
        return HexFormat.of().formatHex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
