package org.fer4j.engine.layers;

/**
 * Zero padding of a convolution: {@code valid} (none), {@code same} (output size
 * {@code ceil(in / stride)}, the extra row or column going to the bottom and right as in
 * TensorFlow), or explicit symmetric amounts per axis.
 */
public record Padding(Mode mode, int height, int width) {

    public enum Mode { VALID, SAME, EXPLICIT }

    public static final Padding VALID = new Padding(Mode.VALID, 0, 0);
    public static final Padding SAME = new Padding(Mode.SAME, 0, 0);

    public Padding {
        if (height < 0 || width < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got " + height + "x" + width);
        }
    }

    public static Padding of(int height, int width) {
        return new Padding(Mode.EXPLICIT, height, width);
    }

    /** Parses {@code valid}, {@code same}, {@code 1} or {@code 1,2}. */
    public static Padding parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("valid")) {
            return VALID;
        }
        if (t.equals("same")) {
            return SAME;
        }
        try {
            String[] parts = t.split(",");
            if (parts.length == 1) {
                int p = Integer.parseInt(parts[0].trim());
                return of(p, p);
            }
            if (parts.length == 2) {
                return of(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
            }
        } catch (NumberFormatException e) {
            // fall through to the one error message below
        }
        throw new IllegalArgumentException("padding must be 'valid', 'same', 'P' or 'PH,PW'; got '" + text + "'");
    }

    /** The inverse of {@link #parse}. */
    public String text() {
        return switch (mode) {
            case VALID -> "valid";
            case SAME -> "same";
            case EXPLICIT -> height == width ? Integer.toString(height) : height + "," + width;
        };
    }

    /**
     * Output size and leading pad along one axis: {@code {out, padBefore}}. The trailing pad is
     * whatever makes {@code (out - 1) * stride + kernel} fit, so callers need not carry it.
     */
    int[] resolve(int in, int kernel, int stride, boolean horizontal) {
        return switch (mode) {
            case VALID -> new int[] {in >= kernel ? (in - kernel) / stride + 1 : 0, 0};
            case SAME -> {
                int out = (in + stride - 1) / stride;
                int total = Math.max((out - 1) * stride + kernel - in, 0);
                yield new int[] {out, total / 2};
            }
            case EXPLICIT -> {
                int p = horizontal ? width : height;
                int padded = in + 2 * p;
                yield new int[] {padded >= kernel ? (padded - kernel) / stride + 1 : 0, p};
            }
        };
    }

    /**
     * The geometry of a sliding window over a {@code (channels, height, width)} input: output size
     * and leading pads per axis. What {@link Conv2D} and {@link DepthwiseConv2D} both work out at
     * build time, with the same checks and messages.
     */
    record Window(int channels, int height, int width, int outH, int outW, int padTop, int padLeft) {
    }

    /** Resolves this padding for a {@code kh x kw} window at the given strides over {@code in}. */
    Window window(int[] in, int kh, int kw, int strideH, int strideW) {
        if (in.length != 3) {
            throw new IllegalArgumentException("needs a (channels, height, width) input");
        }
        int[] v = resolve(in[1], kh, strideH, false);
        int[] h = resolve(in[2], kw, strideW, true);
        if (v[0] <= 0 || h[0] <= 0) {
            throw new IllegalArgumentException("needs an input of at least " + kh + "x" + kw
                    + " (after " + text() + " padding) for its " + kh + "x" + kw + " kernel");
        }
        return new Window(in[0], in[1], in[2], v[0], h[0], v[1], h[1]);
    }
}
