package org.fer4j.cli;

import java.util.Locale;

/**
 * Range checks for numeric flags. Every numeric flag has a documented range (see
 * {@code docs/cli.md}, "Flag ranges") and a value outside it is one line naming the flag:
 * {@code --threads must be in 1..256, got 1000}. The upper bounds are far above any useful value;
 * they exist so that a typo cannot ask for 100,000 threads or a 2^31 batch before anything checks.
 */
final class Flags {
    /** Engine threads: more than this is a typo, and each thread costs its own buffers. */
    static final int MAX_THREADS = 256;
    /** Batch size of train, eval, bench and demo. */
    static final int MAX_BATCH = 65_536;
    /** Epochs (and epoch counts such as --patience, --step-size, --warmup, --early-stopping). */
    static final int MAX_EPOCHS = 100_000;
    /** Learning rate: above this any network diverges at once. */
    static final float MAX_LR = 10f;

    private Flags() {
    }

    static int intIn(String flag, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(flag + " must be in " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    static long longIn(String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(flag + " must be in " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    /** {@code min <= value <= max}, finite. */
    static double closed(String flag, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(flag + " must be in [" + fmt(min) + ", " + fmt(max) + "], got " + fmt(value));
        }
        return value;
    }

    /** {@code min < value <= max}, finite. */
    static double openClosed(String flag, double value, double min, double max) {
        if (!(value > min && value <= max)) {
            throw new IllegalArgumentException(flag + " must be in (" + fmt(min) + ", " + fmt(max) + "], got " + fmt(value));
        }
        return value;
    }

    /** {@code min <= value < max}, finite. */
    static double closedOpen(String flag, double value, double min, double max) {
        if (!(value >= min && value < max)) {
            throw new IllegalArgumentException(flag + " must be in [" + fmt(min) + ", " + fmt(max) + "), got " + fmt(value));
        }
        return value;
    }

    /** {@code min < value < max}. */
    static double open(String flag, double value, double min, double max) {
        if (!(value > min && value < max)) {
            throw new IllegalArgumentException(flag + " must be in (" + fmt(min) + ", " + fmt(max) + "), got " + fmt(value));
        }
        return value;
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", (float) v == v ? Float.toString((float) v) : Double.toString(v));
    }
}
