package org.fer4j.kernels;

/**
 * The shape of one 2-D convolution, as {@link Kernels#convForward}, {@link Kernels#im2col} and
 * {@link Kernels#col2im} read it: an input image {@code [channels, height, width]}, {@code filters}
 * kernels of {@code kh x kw} taps each, moved by {@code strideH, strideW}, the input padded with
 * {@code padTop} rows above and {@code padLeft} columns to the left, and an output of
 * {@code [filters, outH, outW]}. Output position {@code (oy, ox)}, tap {@code (ki, kj)} reads input
 * pixel {@code (oy*strideH - padTop + ki, ox*strideW - padLeft + kj)}, or 0 where that lies outside
 * the image. Padding on the bottom and right is implied by {@code outH, outW}, so asymmetric
 * ("same" with an even overhang) padding needs no more fields; {@link #of} derives the output size
 * from all four pads, as a layer does.
 *
 * <p>A geometry checks itself when it is made (sizes and pads {@code >= 0}, kernel and strides
 * {@code >= 1}, and every derived size within an {@code int}), so that a layer builds its geometry
 * once and the per-call checks ({@link CheckedKernels}) are left with the array spans.
 *
 * @param filters output channels; im2col and col2im do not read it (their column matrix is per
 *     input channel and tap), so any value, e.g. 1, does for them
 */
public record ConvGeometry(int channels, int height, int width, int filters, int kh, int kw,
                           int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {

    private static final String WHAT = "convolution geometry";

    public ConvGeometry {
        check(WHAT, channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, outH, outW);
        Checks.nonNegative(WHAT, "filters", filters);
        // Each derived size indexes a float[]: none may overflow an int.
        long positions = (long) outH * outW;
        long rows = (long) channels * kh * kw;
        fits("channels*height*width", (long) channels * height * width);
        fits("outH*outW", positions);
        fits("channels*kh*kw", rows);
        fits("channels*kh*kw*outH*outW", rows * positions);
        fits("filters*outH*outW", filters * positions);
        fits("filters*channels*kh*kw", filters * rows);
    }

    /**
     * The checks of a geometry, for a caller that names itself in the message ({@code what}):
     * sizes and pads {@code >= 0}, the kernel and the strides {@code >= 1}. The depthwise
     * convolution, which takes its sizes one by one, checks with this too.
     */
    static void check(String what, int channels, int height, int width, int kh, int kw,
                      int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        String[] names = {"channels", "height", "width", "padTop", "padLeft", "outH", "outW"};
        int[] sizes = {channels, height, width, padTop, padLeft, outH, outW};
        for (int i = 0; i < sizes.length; i++) {
            Checks.nonNegative(what, names[i], sizes[i]);
        }
        Checks.positive(what, "kh", kh);
        Checks.positive(what, "kw", kw);
        Checks.positive(what, "strideH", strideH);
        Checks.positive(what, "strideW", strideW);
    }

    /**
     * The geometry a layer computes from its padding on all four sides:
     * {@code outH = (height + padTop + padBottom - kh) / strideH + 1} (floored, and 0 when the
     * padded image is smaller than the kernel), likewise {@code outW}.
     */
    public static ConvGeometry of(int channels, int height, int width, int filters, int kh, int kw,
                                  int strideH, int strideW, int padTop, int padBottom, int padLeft, int padRight) {
        int outH = Math.max(0, Math.floorDiv(height + padTop + padBottom - kh, Math.max(1, strideH)) + 1);
        int outW = Math.max(0, Math.floorDiv(width + padLeft + padRight - kw, Math.max(1, strideW)) + 1);
        return new ConvGeometry(channels, height, width, filters, kh, kw, strideH, strideW, padTop, padLeft,
                outH, outW);
    }

    /** Floats in one input image, {@code channels*height*width}. */
    public int imageSize() {
        return channels * height * width;
    }

    /** Output positions of one image, {@code outH*outW}: the columns of the im2col matrix. */
    public int positions() {
        return outH * outW;
    }

    /** Rows of the im2col matrix, one per input channel and tap: {@code channels*kh*kw}. */
    public int rows() {
        return channels * kh * kw;
    }

    /** Floats in one image's im2col matrix, {@code rows() * positions()}: the workspace {@code col}. */
    public int colSize() {
        return rows() * positions();
    }

    /** Floats in one output image, {@code filters*outH*outW}. */
    public int outputSize() {
        return filters * positions();
    }

    /** Floats in the kernel {@code [filters, channels*kh*kw]}. */
    public int kernelSize() {
        return filters * rows();
    }

    private static void fits(String name, long value) {
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(WHAT + ": " + name + " = " + value + " does not fit in an int");
        }
    }
}
