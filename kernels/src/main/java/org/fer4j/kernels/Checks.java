package org.fer4j.kernels;

/**
 * The O(1) argument checks behind {@link CheckedKernels}, the one place that calls them: sizes,
 * and that each array is long enough for the span it touches, so that a wrong size fails with a
 * message naming the kernel and the argument, not with an {@link ArrayIndexOutOfBoundsException}
 * deep inside a loop (or, worse, a silent read of a neighbouring image). Nothing here looks at the
 * data itself, except {@link #loss}, which checks each label.
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

    /** fixKernel: the kernel must be an array (an empty one is fine: nothing is kept for it). */
    static void fixKernel(float[] kernel) {
        if (kernel == null) {
            throw new IllegalArgumentException("fixKernel: kernel is null");
        }
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

    /** sgemm: sizes, and each matrix as stored (A is k x m when transA, B is n x k when transB). */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc) {
        nonNegative("sgemm", "m", m);
        nonNegative("sgemm", "n", n);
        nonNegative("sgemm", "k", k);
        // As stored: A is m x k (k x m when transA), B is k x n (n x k when transB), C is m x n.
        matrix("sgemm", "a", a, aOff, transA ? k : m, transA ? m : k, lda);
        matrix("sgemm", "b", b, bOff, transB ? n : k, transB ? k : n, ldb);
        matrix("sgemm", "c", c, cOff, m, n, ldc);
    }

    /**
     * maxPoolForward: sizes, every window starting inside its plane (it may overhang the bottom
     * and right edge: TensorFlow's "same" padding), and the three spans.
     */
    static void maxPool(float[] out, int[] argmax, float[] in, int planes, int height, int width,
                        int kh, int kw, int strideH, int strideW, int outH, int outW) {
        String kernel = "maxPoolForward";
        nonNegative(kernel, "planes", planes);
        positive(kernel, "height", height);
        positive(kernel, "width", width);
        positive(kernel, "kh", kh);
        positive(kernel, "kw", kw);
        positive(kernel, "strideH", strideH);
        positive(kernel, "strideW", strideW);
        nonNegative(kernel, "outH", outH);
        nonNegative(kernel, "outW", outW);
        // The last window must start inside the plane; its overhang, if any, is ignored.
        if (outH > 0 && (long) (outH - 1) * strideH >= height) {
            throw new IllegalArgumentException(kernel + ": outH = " + outH + " windows at stride " + strideH
                    + " need height > " + ((long) (outH - 1) * strideH) + ", got " + height);
        }
        if (outW > 0 && (long) (outW - 1) * strideW >= width) {
            throw new IllegalArgumentException(kernel + ": outW = " + outW + " windows at stride " + strideW
                    + " need width > " + ((long) (outW - 1) * strideW) + ", got " + width);
        }
        long outCount = (long) planes * outH * outW;
        span(kernel, "in", in, 0, (long) planes * height * width);
        span(kernel, "out", out, 0, outCount);
        span(kernel, "argmax", argmax, 0, outCount);
    }

    /** depthwiseConvForward and depthwiseConvBackward: the geometry and the spans of x, y and weight. */
    static void depthwiseConv(String kernel, float[] y, float[] x, float[] weight,
                                     int n, int channels, int height, int width, int kh, int kw,
                                     int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        nonNegative(kernel, "n", n);
        ConvGeometry.check(kernel, channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, outH, outW);
        span(kernel, "x", x, 0, (long) n * channels * height * width);
        span(kernel, kernel.endsWith("Backward") ? "dy" : "y", y, 0, (long) n * channels * outH * outW);
        span(kernel, "weight", weight, 0, (long) channels * kh * kw);
    }

    /** depthwiseConvBackward: the geometry, and the spans of dy, x, weight, dx, dweight and dbias. */
    static void depthwiseConvBackward(float[] dx, float[] dweight, float[] dbias, float[] dy, float[] x,
                                             float[] weight, int n, int channels, int height, int width,
                                             int kh, int kw, int strideH, int strideW, int padTop, int padLeft,
                                             int outH, int outW) {
        String k = "depthwiseConvBackward";
        depthwiseConv(k, dy, x, weight, n, channels, height, width, kh, kw, strideH, strideW, padTop, padLeft,
                outH, outW);
        span(k, "dx", dx, 0, (long) n * channels * height * width);
        span(k, "dweight", dweight, 0, (long) channels * kh * kw);
        if (dbias != null) {
            span(k, "dbias", dbias, 0, channels);
        }
    }

    /** batchNormStats: sizes (at least one value per channel) and spans. */
    static void batchNormStats(float[] mean, float[] var, float[] x, int n, int c, int spatial) {
        String k = "batchNormStats";
        ncs(k, n, c, spatial);
        long count = (long) n * spatial;
        positive(k, "n*spatial", count);
        span(k, "x", x, 0, count * c);
        span(k, "mean", mean, 0, c);
        span(k, "var", var, 0, c);
    }

    /** batchNormForward: sizes and spans ({@code xhat} may be null: inference keeps no normalised copy). */
    static void batchNormForward(float[] y, float[] xhat, float[] x, float[] mean, float[] invStd,
                                        float[] gamma, float[] beta, int n, int c, int spatial) {
        String kernel = "batchNormForward";
        ncs(kernel, n, c, spatial);
        long size = (long) n * c * spatial;
        span(kernel, "x", x, 0, size);
        span(kernel, "y", y, 0, size);
        if (xhat != null) {
            span(kernel, "xhat", xhat, 0, size);
        }
        perChannel(kernel, c, "mean", mean, "invStd", invStd, "gamma", gamma, "beta", beta);
    }

    /** Batch norm's four per-channel arrays, {@code c} values each. */
    private static void perChannel(String kernel, int c, String name1, float[] a1, String name2, float[] a2,
                                   String name3, float[] a3, String name4, float[] a4) {
        span(kernel, name1, a1, 0, c);
        span(kernel, name2, a2, 0, c);
        span(kernel, name3, a3, 0, c);
        span(kernel, name4, a4, 0, c);
    }

    /** batchNormBackward: sizes (at least one value per channel) and spans. */
    static void batchNormBackward(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] xhat,
                                         float[] invStd, float[] gamma, int n, int c, int spatial) {
        String kernel = "batchNormBackward";
        ncs(kernel, n, c, spatial);
        long count = (long) n * spatial;
        positive(kernel, "n*spatial", count);
        long size = count * c;
        span(kernel, "dx", dx, 0, size);
        span(kernel, "dy", dy, 0, size);
        span(kernel, "xhat", xhat, 0, size);
        perChannel(kernel, c, "dgamma", dgamma, "dbeta", dbeta, "invStd", invStd, "gamma", gamma);
    }

    /** sgdUpdate: sizes and spans; {@code velocity} only with momentum (plain SGD never touches it). */
    static void sgd(float[] w, float[] g, float[] velocity, int n, float momentum) {
        String k = "sgdUpdate";
        nonNegative(k, "n", n);
        span(k, "w", w, 0, n);
        span(k, "g", g, 0, n);
        if (momentum != 0f) {
            span(k, "velocity", velocity, 0, n);
        }
    }

    /** adamUpdate: sizes, the step, the betas and the four spans. */
    static void adam(float[] w, float[] g, float[] m, float[] v, int n, float beta1, float beta2, long t) {
        String kernel = "adamUpdate";
        nonNegative(kernel, "n", n);
        positive(kernel, "t", t);
        if (!(beta1 >= 0f && beta1 < 1f)) {
            throw new IllegalArgumentException(kernel + ": beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException(kernel + ": beta2 must be in [0, 1), got " + beta2);
        }
        span(kernel, "w", w, 0, n);
        span(kernel, "g", g, 0, n);
        span(kernel, "m", m, 0, n);
        span(kernel, "v", v, 0, n);
    }

    /** dropoutMask: the size, the span and a rate in [0, 1). */
    static void dropout(float[] mask, int n, float rate) {
        nonNegative("dropoutMask", "n", n);
        span("dropoutMask", "mask", mask, 0, n);
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("dropoutMask: rate must be in [0, 1), got " + rate);
        }
    }

    /** {@code x[off, off + n)}: the size and the span. */
    static void slice(String kernel, float[] x, int off, int n) {
        nonNegative(kernel, "n", n);
        span(kernel, "x", x, off, n);
    }

    /** Two arrays of {@code n} elements from 0 (an elementwise kernel). */
    static void elementwise(String kernel, int n, String name1, float[] a1, String name2, float[] a2) {
        nonNegative(kernel, "n", n);
        span(kernel, name1, a1, 0, n);
        span(kernel, name2, a2, 0, n);
    }

    /** Three arrays of {@code n} elements from 0 (an elementwise kernel). */
    static void elementwise(String kernel, int n, String name1, float[] a1, String name2, float[] a2,
                            String name3, float[] a3) {
        elementwise(kernel, n, name1, a1, name2, a2);
        span(kernel, name3, a3, 0, n);
    }

    /** The bias kernels: an {@code [N, C, S]} buffer from {@code off} and a bias (or its gradient) of C. */
    static void bias(String kernel, String name, float[] ncs, int off, float[] bias, int n, int c, int spatial) {
        ncs(kernel, n, c, spatial);
        span(kernel, name, ncs, off, (long) n * c * spatial);
        span(kernel, name.startsWith("d") ? "dbias" : "bias", bias, 0, c);
    }

    /** Global pooling: {@code planes x spatial} values in {@code full}, one per plane in {@code perPlane}. */
    static void globalPool(String kernel, String fullName, float[] full, String planeName, float[] perPlane,
                           int planes, int spatial) {
        nonNegative(kernel, "planes", planes);
        positive(kernel, "spatial", spatial);
        span(kernel, fullName, full, 0, (long) planes * spatial);
        span(kernel, planeName, perPlane, 0, planes);
    }

    /** An {@code [N, C, S]} buffer's sizes. */
    static void ncs(String kernel, int n, int c, int spatial) {
        nonNegative(kernel, "n", n);
        nonNegative(kernel, "c", c);
        nonNegative(kernel, "spatial", spatial);
    }

    /** im2col and col2im: both spans (the geometry checked itself when it was made). */
    static void conv(String kernel, float[] col, int colOff, float[] img, int imgOff, ConvGeometry g) {
        geometry(kernel, g);
        span(kernel, "img", img, imgOff, g.imageSize());
        span(kernel, "col", col, colOff, g.colSize());
    }

    private static void geometry(String kernel, ConvGeometry g) {
        if (g == null) {
            throw new IllegalArgumentException(kernel + ": the geometry is null");
        }
    }

    /** convForward: the workspace (one image's col), the images, the kernel, the bias and y. */
    static void convForward(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel,
                            float[] bias, float[] col, ConvGeometry g) {
        String k = "convForward";
        geometry(k, g);
        nonNegative(k, "images", images);
        if (bias != null) {
            span(k, "bias", bias, 0, g.filters());
        }
        span(k, "col", col, 0, g.colSize());
        span(k, "img", img, imgOff, (long) images * g.imageSize());
        span(k, "kernel", kernel, 0, g.kernelSize());
        span(k, "y", y, yOff, (long) images * g.outputSize());
    }

    /** convForwardPooled: as convForward, with y the pooled output and full the convolution's. */
    static void convForwardPooled(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel,
                                  float[] bias, float[] col, ConvGeometry g, float[] full) {
        String k = "convForwardPooled";
        geometry(k, g);
        nonNegative(k, "images", images);
        if (g.outH() < 2 || g.outW() < 2) {
            throw new IllegalArgumentException(k + ": the convolution's output must be at least 2x2 to pool, got "
                    + g.outH() + "x" + g.outW());
        }
        if (bias != null) {
            span(k, "bias", bias, 0, g.filters());
        }
        span(k, "col", col, 0, g.colSize());
        span(k, "img", img, imgOff, (long) images * g.imageSize());
        span(k, "kernel", kernel, 0, g.kernelSize());
        span(k, "full", full, 0, (long) images * g.outputSize());
        span(k, "y", y, yOff, (long) images * g.filters() * (g.outH() / 2) * (g.outW() / 2));
    }

    /** convBackwardKernel: the workspace (one image's col), dy, x and dkernel. */
    static void convBackwardKernel(float[] dkernel, float[] dy, int dyOff, float[] x, int xOff, int images,
                                   float[] col, ConvGeometry g) {
        String k = "convBackwardKernel";
        geometry(k, g);
        nonNegative(k, "images", images);
        span(k, "col", col, 0, g.colSize());
        span(k, "dy", dy, dyOff, (long) images * g.outputSize());
        span(k, "x", x, xOff, (long) images * g.imageSize());
        span(k, "dkernel", dkernel, 0, g.kernelSize());
    }

    /** convBackwardData: the workspace (one image's dcol), dy, the kernel and dx. */
    static void convBackwardData(float[] dx, int dxOff, float[] dy, int dyOff, int images, float[] kernel,
                                 float[] dcol, ConvGeometry g) {
        String k = "convBackwardData";
        geometry(k, g);
        nonNegative(k, "images", images);
        span(k, "dcol", dcol, 0, g.colSize());
        span(k, "dy", dy, dyOff, (long) images * g.outputSize());
        span(k, "kernel", kernel, 0, g.kernelSize());
        span(k, "dx", dx, dxOff, (long) images * g.imageSize());
    }

    /**
     * The softmax cross-entropy kernels: sizes, the two {@code [n, k]} buffers, the labels (each in
     * [0, k): O(n), the only check that reads data, because a bad label would index past its row),
     * the smoothing and the class weights.
     */
    static void loss(String kernel, String inName, float[] in, String outName, float[] out, int[] labels,
                     int n, int k, float smoothing, float[] classWeights) {
        positive(kernel, "n", n); // the mean over an empty batch is undefined
        positive(kernel, "k", k);
        span(kernel, "labels", labels, 0, n);
        if (!(smoothing >= 0f && smoothing <= 1f)) {
            throw new IllegalArgumentException(kernel + ": smoothing must be in [0, 1], got " + smoothing);
        }
        if (classWeights != null) {
            span(kernel, "classWeights", classWeights, 0, k);
        }
        span(kernel, inName, in, 0, (long) n * k);
        span(kernel, outName, out, 0, (long) n * k);
        for (int row = 0; row < n; row++) {
            int label = labels[row];
            if (label < 0 || label >= k) {
                throw new IllegalArgumentException(kernel + ": row " + row + " has label " + label
                        + ", outside [0, " + k + ")");
            }
        }
    }
}
