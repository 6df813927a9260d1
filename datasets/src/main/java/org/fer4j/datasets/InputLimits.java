package org.fer4j.datasets;

import java.io.FilterInputStream;
import java.io.FilterReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;

/**
 * Limits on what a data file may make the reader hold, checked while streaming so that a hostile
 * file is refused before it costs memory:
 *
 * <ul>
 *   <li>{@link #MAX_RECORD_CHARS} per CSV record (a FER2013 row is about 9,000 characters; a gzip
 *       of one 2 GB line otherwise ends in OutOfMemoryError inside the CSV parser);</li>
 *   <li>{@link #MAX_FIELDS} fields per CSV record;</li>
 *   <li>gzip output of at most {@link #MAX_INFLATION} times the compressed bytes read so far, plus
 *       {@link #INFLATION_SLACK} (FER2013 inflates 3 to 1; a gzip bomb of zeros 1,000 to 1).</li>
 * </ul>
 *
 * A breach is a {@link LimitException}: one line naming the file, the place and the limit.
 */
final class InputLimits {
    /** Characters in one CSV record, quotes and line breaks inside quotes included. */
    static final int MAX_RECORD_CHARS = 1 << 20;
    /** Fields in one CSV record (FER2013 has 3). */
    static final int MAX_FIELDS = 64;
    /** Inflated bytes per compressed byte. */
    static final long MAX_INFLATION = 100;
    /** Inflated bytes allowed on top of the ratio: the gzip header and the first blocks. */
    static final long INFLATION_SLACK = 1L << 20;

    private InputLimits() {
    }

    /** A limit was exceeded: never skipped by --skip-bad, since the rest of the file cannot be trusted. */
    static final class LimitException extends BadDataException {
        LimitException(String message) {
            super(message);
        }
    }

    /**
     * Passes characters through while counting the record's length and fields, RFC 4180 style: a
     * record ends at a line break outside quotes; a doubled quote inside quotes toggles twice.
     */
    static final class CsvGuard extends FilterReader {
        private final String name;
        private boolean quoted;
        private long line = 1;
        private long recordStartLine = 1;
        private int recordChars;
        private int fields = 1;

        CsvGuard(Reader in, String name) {
            super(in);
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (c >= 0) {
                see((char) c);
            }
            return c;
        }

        @Override
        public int read(char[] buffer, int off, int len) throws IOException {
            int n = in.read(buffer, off, len);
            for (int i = 0; i < n; i++) {
                see(buffer[off + i]);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            char[] b = new char[(int) Math.min(n, 8192)];
            int r = read(b, 0, b.length);
            return Math.max(0, r);
        }

        private void see(char c) throws LimitException {
            if (c == '\n') {
                line++;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '\n') {
                recordChars = 0;
                fields = 1;
                recordStartLine = line;
                return;
            } else if (!quoted && c == ',' && ++fields > MAX_FIELDS) {
                throw new LimitException(name + " line " + recordStartLine + ": more than " + MAX_FIELDS
                        + " fields in one row, the limit (FER2013 has 3: emotion,pixels,Usage)");
            }
            if (++recordChars > MAX_RECORD_CHARS) {
                throw new LimitException(name + " line " + recordStartLine + ": a row of more than " + MAX_RECORD_CHARS
                        + " characters, the limit (a FER2013 row has about 9,000)");
            }
        }
    }

    /** Counts the bytes read through it (the compressed side of a gzip stream). */
    static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(n);
            count += Math.max(0, s);
            return s;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /** Refuses a decompressed stream that grows beyond {@link #MAX_INFLATION} times its input. */
    static final class InflationGuard extends FilterInputStream {
        private final Counting compressed;
        private final String name;
        private long inflated;

        InflationGuard(InputStream inflater, Counting compressed, String name) {
            super(inflater);
            this.compressed = compressed;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] b = new byte[(int) Math.min(n, 8192)];
            int r = read(b, 0, b.length);
            return Math.max(0, r);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void add(int n) throws LimitException {
            inflated += n;
            if (inflated > MAX_INFLATION * compressed.count + INFLATION_SLACK) {
                throw new LimitException(name + ": the gzip data inflates to more than " + MAX_INFLATION
                        + " times its compressed size (" + inflated + " bytes from " + compressed.count
                        + "), the limit; a decompression bomb or a corrupt file");
            }
        }
    }
}
