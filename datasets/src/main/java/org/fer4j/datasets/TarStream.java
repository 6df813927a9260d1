package org.fer4j.datasets;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;
import org.fer4j.engine.io.Text;

/**
 * Streams one member out of a tar archive such as Kaggle's {@code fer2013.tar.gz}, through Apache
 * Commons Compress ({@link TarArchiveInputStream}: ustar, GNU long names, pax records), with this
 * project's defences around it:
 * <ul>
 *   <li>only regular members are read (type {@code '0'}, NUL or {@code '7'}); links, devices,
 *       FIFOs and directories are passed over. Nothing is ever written to disk, so a member name
 *       (such as {@code ../../etc/passwd}) is never a path, only text, and it is escaped in every
 *       message;</li>
 *   <li>an extended header (GNU long name or link, pax) over 1 MiB is refused from the size in its
 *       header block, before Commons Compress reads it into memory;</li>
 *   <li>a member that ends early, and anything Commons Compress finds corrupt, is a
 *       {@link BadDataException} naming the archive;</li>
 *   <li>the inflated size of a gzip archive is bounded by the caller's
 *       {@code InputLimits.InflationGuard} around the stream given here.</li>
 * </ul>
 */
final class TarStream {
    /** The largest extended header (long name, pax records) read into memory. */
    static final long MAX_EXTENDED_HEADER = 1 << 20;

    private TarStream() {
    }

    /** A member of the archive: its path and a stream over exactly its bytes. */
    record Entry(String name, InputStream content) {
    }

    /** Whether {@code header} (its first {@code length} bytes) looks like a tar header block. */
    static boolean looksLikeTar(byte[] header, int length) {
        return TarArchiveInputStream.matches(header, length);
    }

    /**
     * Advances {@code in} to the first regular file whose path {@code wanted} accepts and returns it;
     * {@code archive} names the archive in errors. The entry's stream reads from {@code in}.
     */
    static Entry find(InputStream in, Predicate<String> wanted, String archive) throws IOException {
        Guarded tar = new Guarded(in, archive);
        List<String> seen = new ArrayList<>();
        try {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                byte type = e.getLinkFlag();
                boolean regular = type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM
                        || type == TarConstants.LF_CONTIG;
                String name = e.getName();
                if (regular && wanted.test(name)) {
                    return new Entry(name, new Member(tar, e.getSize(), archive + "!" + Text.escape(name, 200)));
                }
                if (regular && seen.size() < 10) {
                    seen.add(Text.escape(name, 200));
                }
            }
        } catch (BadDataException e) {
            throw e;
        } catch (IOException e) {
            throw problem(e, archive);
        }
        throw new BadDataException(archive + ": no fer2013.csv inside the archive, expected fer2013/fer2013.csv"
                + (seen.isEmpty() ? " (the archive is empty)" : " (found " + String.join(", ", seen) + ")"));
    }

    /**
     * Commons Compress's own complaints become one line naming the archive; failures of the
     * stream under it (a truncated gzip) go to the caller as they are.
     */
    private static IOException problem(IOException e, String archive) {
        if (e.getClass() != IOException.class) {
            return e;   // EOFException, ZipException ... from the stream below
        }
        String why = Text.escape(String.valueOf(e.getMessage()), 200);
        return why.toLowerCase(java.util.Locale.ROOT).contains("truncated")
                ? new BadDataException(archive + ": truncated tar archive (" + why + ")", e)
                : new BadDataException(archive + ": not a valid tar archive (" + why + ")", e);
    }

    /** Refuses an oversized extended header from its header block, before it is read. */
    private static final class Guarded extends TarArchiveInputStream {
        private final String archive;

        Guarded(InputStream in, String archive) {
            super(in, "UTF-8");
            this.archive = archive;
        }

        @Override
        protected byte[] readRecord() throws IOException {
            byte[] record = super.readRecord();
            if (record == null || record.length < TarConstants.DEFAULT_RCDSIZE) {
                return record;
            }
            byte type = record[TarConstants.NAMELEN + TarConstants.MODELEN + TarConstants.UIDLEN + TarConstants.GIDLEN
                    + TarConstants.SIZELEN + TarConstants.MODTIMELEN + TarConstants.CHKSUMLEN];
            boolean extended = type == TarConstants.LF_GNUTYPE_LONGNAME || type == TarConstants.LF_GNUTYPE_LONGLINK
                    || type == TarConstants.LF_PAX_EXTENDED_HEADER_LC || type == TarConstants.LF_PAX_EXTENDED_HEADER_UC
                    || type == TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER;
            if (extended) {
                long size;
                try {
                    size = TarUtils.parseOctalOrBinary(record, TarConstants.NAMELEN + TarConstants.MODELEN
                            + TarConstants.UIDLEN + TarConstants.GIDLEN, TarConstants.SIZELEN);
                } catch (IllegalArgumentException e) {
                    throw new BadDataException(archive + ": not a valid tar archive (bad size field in a header block)", e);
                }
                if (size > MAX_EXTENDED_HEADER) {
                    throw new BadDataException(archive + ": tar extended header of " + size
                            + " bytes, expected at most 1 MiB");
                }
            }
            return record;
        }
    }

    /** The member's bytes: exactly its size, and a clear error if the archive ends before. */
    private static final class Member extends FilterInputStream {
        private long remaining;
        private final String name;

        Member(InputStream tar, long size, String name) {
            super(tar);
            this.remaining = size;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, remaining));
            } catch (IOException e) {
                if (e.getClass() == IOException.class) {   // Commons Compress: "Truncated TAR archive"
                    throw truncated(e);
                }
                throw e;   // the stream below (a truncated gzip): the caller names it
            }
            if (n < 0) {
                throw truncated(null);
            }
            remaining -= n;
            return n;
        }

        private BadDataException truncated(IOException cause) {
            return new BadDataException(name + ": truncated tar archive: the member ends " + remaining + " bytes early",
                    cause);
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
