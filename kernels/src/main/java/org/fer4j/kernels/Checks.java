package org.fer4j.kernels;

/**
 * O(1) argument checks shared by every {@link Kernels} implementation. A kernel checks its sizes
 * and that each array is long enough for the span it touches before its loops run, so a wrong
 * size fails with a message naming the kernel and the argument, not with an
 * {@link ArrayIndexOutOfBoundsException} deep inside a loop (or, worse, a silent read of a
 * neighbouring image). Nothing here looks at the data itself.
 *
 * <p>Spans are computed in {@code long}, so that a product of sizes such as
 * {@code C*kh*kw*outH*outW} that overflows {@code int} is reported as too large instead of
 * wrapping around to a small or negative count.
 */
final class Checks {

    private Checks() {
    }

    static void nonNegative(String kernel, String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(kernel + ": " + name + " must be >= 0, got " + value);
        }
    }

    static void positive(String kernel, String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(kernel + ": " + name + " must be >= 1, got " + value);
        }
    }

    /** {@code array[off, off + count)} must exist; {@code array} may be null only when count is 0. */
    static void span(String kernel, String name, float[] array, long off, long count) {
        span(kernel, name, array == null ? -1 : array.length, off, count);
    }

    static void span(String kernel, String name, int[] array, long off, long count) {
        span(kernel, name, array == null ? -1 : array.length, off, count);
    }

    private static void span(String kernel, String name, int length, long off, long count) {
        nonNegative(kernel, name + " offset", off);
        if (count == 0) {
            return;
        }
        if (length < 0) {
            throw new IllegalArgumentException(kernel + ": " + name + " is null");
        }
        if (off + count > length) {
            throw new IllegalArgumentException(kernel + ": " + name + " needs " + count
                    + " elements from offset " + off + ", but its length is " + length);
        }
    }

    /**
     * A row-major {@code rows x cols} matrix stored from {@code off} with leading dimension
     * {@code ld}: needs {@code ld >= cols} and {@code (rows-1)*ld + cols} elements (the last row
     * need not be padded out to {@code ld}).
     */
    static void matrix(String kernel, String name, float[] array, int off, int rows, int cols, int ld) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(kernel + ": ld" + name + " must be >= "
                    + Math.max(1, cols) + " (the stored width of " + name + "), got " + ld);
        }
        long count = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        span(kernel, name, array, off, count);
    }
}
