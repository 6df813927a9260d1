package org.fer4j.engine.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Atomic file replacement, the way model files and checkpoints are saved: a temporary file
 * {@code .<name>.<random>.tmp} beside the target, written, forced, renamed over the target, and
 * the folder forced so that the rename itself survives a power cut.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the file's content into the temporary file's channel. */
    interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    /** {@link #write} of a UTF-8 text: run records and other small files a resume depends on. */
    public static void writeString(Path target, String text) throws IOException {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        write(target, channel -> {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        });
    }

    /**
     * Writes {@code target} through a temporary file in its folder, forced to disk and renamed over
     * it: a reader sees the old file or the whole new one, never a part, even after a crash or a
     * kill midway. An error names the target ("No space left on device" names no file by itself).
     */
    static void write(Path target, ChannelWriter body) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new NoSuchFileException(target.toString(), null, "cannot save there: folder " + folder + " does not exist");
        }
        Path temp = createTemp(folder, target.getFileName().toString());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                body.write(channel);
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                t.addSuppressed(cleanup);
            }
            if (t instanceof IOException io && !(io instanceof java.nio.file.FileSystemException)) {
                // "No space left on device" names no file by itself.
                throw new IOException(target + ": cannot save: " + (io.getMessage() == null ? "write error"
                        : io.getMessage()), io);
            }
            throw t;
        }
        forceFolder(folder);
    }

    /**
     * Deletes the temporary files that saves of {@code folder/name} killed midway left behind
     * ({@code .<name>.<random>.tmp}); returns how many. Call it only when no save is running.
     */
    public static int removeStaleTemps(Path folder, String name) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(folder, "." + name + ".*.tmp")) {
            for (Path p : stale) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(p)) {
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * {@code .<name>.<random>.tmp} in the target's folder (a rename is atomic only within one file
     * system). Created with CREATE_NEW rather than {@link Files#createTempFile}, which would make
     * the saved model readable by its owner only.
     */
    private static Path createTemp(Path folder, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = folder.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /**
     * Makes the rename itself durable on POSIX systems. Best effort: some platforms (Windows)
     * cannot open a folder as a channel, and the file's content is already on disk.
     */
    private static void forceFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Nothing more can be done portably; see the method comment.
        }
    }
}
