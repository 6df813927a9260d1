package org.fer4j.datasets;

import java.util.ArrayList;
import java.util.List;
import org.fer4j.engine.io.Text;

/**
 * Where a reader reports each bad row or file. By default the first one stops the load (no training
 * starts on half a data set); with {@code skipBad} every one is counted and the first
 * {@link #KEPT} messages are kept for the report. Never a silent drop. Readers call it from one
 * thread, in input order, so the first error reported is the first in the file.
 */
final class BadInput {
    static final int KEPT = 20;
    /**
     * Even with --skip-bad, a source with more bad rows or files than this is not the data it
     * claims to be (a gzip of blank lines, the wrong file): the load stops.
     */
    static final int MAX_BAD = 100_000;

    private final boolean skipBad;
    private final List<String> messages = new ArrayList<>();
    private int count;

    BadInput(boolean skipBad) {
        this.skipBad = skipBad;
    }

    /** Throws {@code message} as a {@link BadDataException}, or counts it when skipping. */
    void report(String message) throws BadDataException {
        // Messages quote file names and CSV fields: control characters are shown, not sent to the terminal.
        String safe = Text.escape(message, 2000);
        if (!skipBad) {
            throw new BadDataException(safe + " (use --skip-bad to skip bad rows and files)");
        }
        count++;
        if (count > MAX_BAD) {
            throw new BadDataException(safe + "; more than " + MAX_BAD + " bad rows or files in all, the limit even with "
                    + "--skip-bad: is this the right file?");
        }
        if (messages.size() < KEPT) {
            messages.add(safe);
        }
    }

    int count() {
        return count;
    }

    List<String> messages() {
        return List.copyOf(messages);
    }
}
