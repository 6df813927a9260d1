package org.fer4j.datasets;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.fer4j.engine.io.Text;

/**
 * Just enough of tar (POSIX ustar, with GNU long names and pax {@code path} records) to stream one
 * member out of an archive such as Kaggle's {@code fer2013.tar.gz}: no temporary files, nothing
 * held in memory but one 512-byte block.
 *
 * <pre>
 * archive = (header block, data blocks padded to 512 bytes)*, two zero blocks
 * header  = name[0,100) size[124,136) octal typeflag[156] magic[257,263)="ustar" prefix[345,500)
 * </pre>
 */
final class TarStream {
    private static final int BLOCK = 512;

    private TarStream() {
    }

    /** A member of the archive: its path and a stream over exactly its bytes. */
    record Entry(String name, InputStream content) {
    }

    /** Whether {@code header} (at least 512 bytes) looks like a tar header block. */
    static boolean looksLikeTar(byte[] header, int length) {
        return length >= 263 && header[257] == 'u' && header[258] == 's' && header[259] == 't'
                && header[260] == 'a' && header[261] == 'r';
    }

    /**
     * Advances {@code in} to the first regular file whose path {@code wanted} accepts and returns it;
     * {@code archive} names the archive in errors. The entry's stream reads from {@code in}.
     */
    static Entry find(InputStream in, Predicate<String> wanted, String archive) throws IOException {
        byte[] header = new byte[BLOCK];
        List<String> seen = new ArrayList<>();
        String longName = null;
        while (true) {
            int n = in.readNBytes(header, 0, BLOCK);
            if (n == 0 || isZero(header, n)) {
                break;
            }
            if (n < BLOCK) {
                throw new BadDataException(archive + ": truncated tar archive (a header block of " + n
                        + " bytes, expected 512)");
            }
            long size = number(header, 124, 12, archive);
            byte type = header[156];
            String name = longName != null ? longName : path(header);
            longName = null;
            switch (type) {
                case 'L' -> {   // GNU: the data is the next member's full name
                    longName = cString(readData(in, size, archive));
                    continue;
                }
                case 'x' -> {   // pax extended header: "len key=value\n" records
                    longName = paxPath(readData(in, size, archive));
                    continue;
                }
                default -> {
                }
            }
            boolean regular = type == '0' || type == 0 || type == '7';
            if (regular && wanted.test(name)) {
                return new Entry(name, new Bounded(in, size, archive + "!" + name));
            }
            if (regular && seen.size() < 10) {
                seen.add(Text.escape(name, 200));
            }
            skipFully(in, padded(size), archive);
        }
        throw new BadDataException(archive + ": no fer2013.csv inside the archive, expected fer2013/fer2013.csv"
                + (seen.isEmpty() ? " (the archive is empty)" : " (found " + String.join(", ", seen) + ")"));
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static boolean isZero(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String path(byte[] h) {
        String name = cString(h, 0, 100);
        if (looksLikeTar(h, BLOCK)) {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    private static String cString(byte[] b) {
        return cString(b, 0, b.length);
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** An octal field, or GNU's base-256 form (high bit of the first byte set) for large sizes. */
    private static long number(byte[] h, int off, int len, String archive) throws BadDataException {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7F;
            for (int i = 1; i < len; i++) {
                v = (v << 8) | (h[off + i] & 0xFF);
            }
            return v;
        }
        long v = 0;
        boolean digits = false;
        for (int i = off; i < off + len; i++) {
            byte c = h[i];
            if (c == 0 || (c == ' ' && digits)) {
                break;
            }
            if (c == ' ') {
                continue;
            }
            if (c < '0' || c > '7') {
                throw new BadDataException(archive + ": not a tar archive (bad size field in a header block)");
            }
            v = v * 8 + (c - '0');
            digits = true;
        }
        return v;
    }

    private static byte[] readData(InputStream in, long size, String archive) throws IOException {
        if (size > 1 << 20) {
            throw new BadDataException(archive + ": tar extended header of " + size + " bytes, expected at most 1 MiB");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new BadDataException(archive + ": truncated tar archive");
        }
        skipFully(in, padded(size) - size, archive);
        return data;
    }

    private static String paxPath(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        String path = null;
        for (String record : text.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                path = record.substring(space + 1 + "path=".length());
            }
        }
        return path;
    }

    private static void skipFully(InputStream in, long n, String archive) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw new BadDataException(archive + ": truncated tar archive", e);
        }
    }

    /** Reads at most {@code remaining} bytes of the underlying stream, then reports end of stream. */
    private static final class Bounded extends FilterInputStream {
        private long remaining;
        private final String name;

        Bounded(InputStream in, long size, String name) {
            super(in);
            this.remaining = size;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw truncated();
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw truncated();
            }
            remaining -= n;
            return n;
        }

        private BadDataException truncated() {
            return new BadDataException(name + ": truncated tar archive: the member ends " + remaining + " bytes early");
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(Math.min(n, remaining));
            remaining -= s;
            return s;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
