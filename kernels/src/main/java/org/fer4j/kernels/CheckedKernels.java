package org.fer4j.kernels;

import java.util.Objects;

/**
 * The argument checks of every kernel, written once: a {@link Kernels} that checks each call's
 * sizes and array spans, in O(1) before anything runs (the loss also checks each label), and then
 * hands the call to a backend. {@link KernelsProvider} puts one around every backend it gives out,
 * so that the scalar, vector and OpenCL backends are pure maths and assume valid arguments
 * (Lucene's {@code VectorUtil} pattern: the facade checks, the implementations compute).
 *
 * <p>A wrong size therefore fails with one line naming the kernel and the argument
 * ({@code "reluForward: x needs 3 elements from offset 0, but its length is 2"}), the same on
 * every backend, instead of an {@link ArrayIndexOutOfBoundsException} deep inside a loop, a silent
 * read of a neighbouring image, or on a device a write into a neighbouring array of its arena.
 *
 * <p>The contract, checked by {@code FacadeAcceptanceTest} for every backend: no backend may
 * reject a call that these checks accept. A backend may still refuse an operation it does not
 * implement at all ({@link UnsupportedOperationException}, the OpenCL backend's depthwise
 * convolution for instance).
 *
 * <p>Every method of {@link Kernels}, default methods included, is overridden here: a default
 * method left to the interface would run on this wrapper, not on the backend, and quietly bypass
 * a backend's own version of it (a test checks that none is missing).
 */
public final class CheckedKernels implements Kernels {

    private final Kernels backend;

    private CheckedKernels(Kernels backend) {
        this.backend = backend;
    }

    /** {@code backend} behind the argument checks; a backend already wrapped is returned as it is. */
    public static Kernels of(Kernels backend) {
        Objects.requireNonNull(backend, "backend");
        return backend instanceof CheckedKernels ? backend : new CheckedKernels(backend);
    }

    /**
     * The backend behind {@code kernels}' checks, or {@code kernels} itself when it is not wrapped:
     * for callers that need a backend's own extras (the OpenCL backend's transfer counters).
     */
    public static Kernels backendOf(Kernels kernels) {
        return kernels instanceof CheckedKernels checked ? checked.backend : kernels;
    }

    // ---------------------------------------------------------------- what runs, host/device

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public String describe() {
        return backend.describe();
    }

    @Override
    public int vectorBits() {
        return backend.vectorBits();
    }

    @Override
    public void hostWrote(float[] a) {
        backend.hostWrote(a);
    }

    @Override
    public void hostRead(float[] a) {
        backend.hostRead(a);
    }

    @Override
    public void synchronize() {
        backend.synchronize();
    }

    // ---------------------------------------------------------------- BLAS-like

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        Checks.sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        backend.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void axpy(float[] y, int yOff, float[] x, int xOff, int n, float alpha) {
        Checks.nonNegative("axpy", "n", n);
        Checks.span("axpy", "y", y, yOff, n);
        Checks.span("axpy", "x", x, xOff, n);
        backend.axpy(y, yOff, x, xOff, n, alpha);
    }

    @Override
    public void scale(float[] x, int off, int n, float alpha) {
        Checks.slice("scale", x, off, n);
        backend.scale(x, off, n, alpha);
    }

    @Override
    public void fill(float[] x, int off, int n, float value) {
        Checks.slice("fill", x, off, n);
        backend.fill(x, off, n, value);
    }

    @Override
    public void add(float[] y, float[] a, float[] b, int n) {
        Checks.elementwise("add", n, "y", y, "a", a, "b", b);
        backend.add(y, a, b, n);
    }

    @Override
    public void mul(float[] y, float[] a, float[] b, int n) {
        Checks.elementwise("mul", n, "y", y, "a", a, "b", b);
        backend.mul(y, a, b, n);
    }

    @Override
    public double sumOfSquares(float[] x, int off, int n) {
        Checks.slice("sumOfSquares", x, off, n);
        return backend.sumOfSquares(x, off, n);
    }

    // ---------------------------------------------------------------- bias

    @Override
    public void addBias(float[] y, float[] bias, int n, int c, int spatial) {
        Checks.bias("addBias", "y", y, 0, bias, n, c, spatial);
        backend.addBias(y, bias, n, c, spatial);
    }

    @Override
    public void fillBias(float[] y, int off, float[] bias, int images, int c, int spatial) {
        Checks.bias("fillBias", "y", y, off, bias, images, c, spatial);
        backend.fillBias(y, off, bias, images, c, spatial);
    }

    @Override
    public void biasBackward(float[] dbias, float[] dy, int n, int c, int spatial) {
        Checks.bias("biasBackward", "dy", dy, 0, dbias, n, c, spatial);
        backend.biasBackward(dbias, dy, n, c, spatial);
    }

    // ---------------------------------------------------------------- convolution

    @Override
    public void im2col(float[] col, int colOff, float[] img, int imgOff, ConvGeometry g) {
        Checks.conv("im2col", col, colOff, img, imgOff, g);
        backend.im2col(col, colOff, img, imgOff, g);
    }

    @Override
    public void convForward(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel,
                            float[] bias, float[] col, ConvGeometry g, boolean relu, float slope) {
        Checks.convForward(y, yOff, img, imgOff, images, kernel, bias, col, g);
        backend.convForward(y, yOff, img, imgOff, images, kernel, bias, col, g, relu, slope);
    }

    @Override
    public void fixKernel(float[] kernel) {
        Checks.fixKernel(kernel);
        backend.fixKernel(kernel);
    }

    @Override
    public void convForwardPooled(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel,
                                  float[] bias, float[] col, ConvGeometry g, boolean relu, float slope,
                                  float[] full) {
        Checks.convForwardPooled(y, yOff, img, imgOff, images, kernel, bias, col, g, full);
        backend.convForwardPooled(y, yOff, img, imgOff, images, kernel, bias, col, g, relu, slope, full);
    }

    @Override
    public void convBackwardKernel(float[] dkernel, float[] dy, int dyOff, float[] x, int xOff, int images,
                                   float[] col, ConvGeometry g) {
        Checks.convBackwardKernel(dkernel, dy, dyOff, x, xOff, images, col, g);
        backend.convBackwardKernel(dkernel, dy, dyOff, x, xOff, images, col, g);
    }

    @Override
    public void convBackwardData(float[] dx, int dxOff, float[] dy, int dyOff, int images, float[] kernel,
                                 float[] dcol, ConvGeometry g) {
        Checks.convBackwardData(dx, dxOff, dy, dyOff, images, kernel, dcol, g);
        backend.convBackwardData(dx, dxOff, dy, dyOff, images, kernel, dcol, g);
    }

    @Override
    public void col2im(float[] img, int imgOff, float[] col, int colOff, ConvGeometry g) {
        Checks.conv("col2im", col, colOff, img, imgOff, g);
        backend.col2im(img, imgOff, col, colOff, g);
    }

    @Override
    public void depthwiseConvForward(float[] y, float[] x, float[] weight, float[] bias,
                                     int n, int channels, int height, int width, int kh, int kw,
                                     int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        Checks.depthwiseConv("depthwiseConvForward", y, x, weight, n, channels, height, width, kh, kw,
                strideH, strideW, padTop, padLeft, outH, outW);
        if (bias != null) {
            Checks.span("depthwiseConvForward", "bias", bias, 0, channels);
        }
        backend.depthwiseConvForward(y, x, weight, bias, n, channels, height, width, kh, kw,
                strideH, strideW, padTop, padLeft, outH, outW);
    }

    @Override
    public void depthwiseConvBackward(float[] dx, float[] dweight, float[] dbias, float[] dy, float[] x,
                                      float[] weight, int n, int channels, int height, int width, int kh, int kw,
                                      int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        Checks.depthwiseConvBackward(dx, dweight, dbias, dy, x, weight, n, channels, height, width, kh, kw,
                strideH, strideW, padTop, padLeft, outH, outW);
        backend.depthwiseConvBackward(dx, dweight, dbias, dy, x, weight, n, channels, height, width, kh, kw,
                strideH, strideW, padTop, padLeft, outH, outW);
    }

    // ---------------------------------------------------------------- pooling

    @Override
    public void maxPoolForward(float[] out, int[] argmax, float[] in,
                               int planes, int height, int width, int kh, int kw,
                               int strideH, int strideW, int outH, int outW) {
        Checks.maxPool(out, argmax, in, planes, height, width, kh, kw, strideH, strideW, outH, outW);
        backend.maxPoolForward(out, argmax, in, planes, height, width, kh, kw, strideH, strideW, outH, outW);
    }

    @Override
    public void maxPoolValues(float[] out, float[] in, int planes, int height, int width, int kh, int kw,
                              int strideH, int strideW, int outH, int outW, int[] scratch) {
        Checks.maxPool(out, scratch, in, planes, height, width, kh, kw, strideH, strideW, outH, outW);
        backend.maxPoolValues(out, in, planes, height, width, kh, kw, strideH, strideW, outH, outW, scratch);
    }

    @Override
    public void maxPoolBackward(float[] din, float[] dout, int[] argmax, int inCount, int outCount) {
        Checks.nonNegative("maxPoolBackward", "inCount", inCount);
        Checks.nonNegative("maxPoolBackward", "outCount", outCount);
        Checks.span("maxPoolBackward", "din", din, 0, inCount);
        Checks.span("maxPoolBackward", "dout", dout, 0, outCount);
        Checks.span("maxPoolBackward", "argmax", argmax, 0, outCount);
        backend.maxPoolBackward(din, dout, argmax, inCount, outCount);
    }

    @Override
    public void avgPoolGlobalForward(float[] out, float[] in, int planes, int spatial) {
        Checks.globalPool("avgPoolGlobalForward", "in", in, "out", out, planes, spatial);
        backend.avgPoolGlobalForward(out, in, planes, spatial);
    }

    @Override
    public void avgPoolGlobalBackward(float[] din, float[] dout, int planes, int spatial) {
        Checks.globalPool("avgPoolGlobalBackward", "din", din, "dout", dout, planes, spatial);
        backend.avgPoolGlobalBackward(din, dout, planes, spatial);
    }

    // ---------------------------------------------------------------- batch normalisation

    @Override
    public void batchNormStats(float[] mean, float[] var, float[] x, int n, int c, int spatial) {
        Checks.batchNormStats(mean, var, x, n, c, spatial);
        backend.batchNormStats(mean, var, x, n, c, spatial);
    }

    @Override
    public void batchNormForward(float[] y, float[] xhat, float[] x, float[] mean, float[] invStd,
                                 float[] gamma, float[] beta, int n, int c, int spatial) {
        Checks.batchNormForward(y, xhat, x, mean, invStd, gamma, beta, n, c, spatial);
        backend.batchNormForward(y, xhat, x, mean, invStd, gamma, beta, n, c, spatial);
    }

    @Override
    public void batchNormBackward(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] xhat,
                                  float[] invStd, float[] gamma, int n, int c, int spatial) {
        Checks.batchNormBackward(dx, dgamma, dbeta, dy, xhat, invStd, gamma, n, c, spatial);
        backend.batchNormBackward(dx, dgamma, dbeta, dy, xhat, invStd, gamma, n, c, spatial);
    }

    // ---------------------------------------------------------------- activations, dropout

    @Override
    public void reluForward(float[] y, float[] x, int n) {
        Checks.elementwise("reluForward", n, "y", y, "x", x);
        backend.reluForward(y, x, n);
    }

    @Override
    public void reluInPlace(float[] x, int off, int n) {
        Checks.slice("reluInPlace", x, off, n);
        backend.reluInPlace(x, off, n);
    }

    @Override
    public void reluBackward(float[] dx, float[] dy, float[] y, int n) {
        Checks.elementwise("reluBackward", n, "dx", dx, "dy", dy, "y", y);
        backend.reluBackward(dx, dy, y, n);
    }

    @Override
    public void leakyReluForward(float[] y, float[] x, float slope, int n) {
        Checks.elementwise("leakyReluForward", n, "y", y, "x", x);
        backend.leakyReluForward(y, x, slope, n);
    }

    @Override
    public void leakyReluBackward(float[] dx, float[] dy, float[] x, float slope, int n) {
        Checks.elementwise("leakyReluBackward", n, "dx", dx, "dy", dy, "x", x);
        backend.leakyReluBackward(dx, dy, x, slope, n);
    }

    @Override
    public void dropoutMask(float[] mask, int n, float rate, long seed) {
        Checks.dropout(mask, n, rate);
        backend.dropoutMask(mask, n, rate, seed);
    }

    // ---------------------------------------------------------------- loss

    @Override
    public double softmaxCrossEntropyForward(float[] probs, float[] logits, int[] labels, int n, int k,
                                             float smoothing, float[] classWeights) {
        Checks.loss("softmaxCrossEntropyForward", "logits", logits, "probs", probs, labels, n, k,
                smoothing, classWeights);
        return backend.softmaxCrossEntropyForward(probs, logits, labels, n, k, smoothing, classWeights);
    }

    @Override
    public void softmaxCrossEntropyBackward(float[] dlogits, float[] probs, int[] labels, int n, int k,
                                            float smoothing, float[] classWeights) {
        Checks.loss("softmaxCrossEntropyBackward", "probs", probs, "dlogits", dlogits, labels, n, k,
                smoothing, classWeights);
        backend.softmaxCrossEntropyBackward(dlogits, probs, labels, n, k, smoothing, classWeights);
    }

    // ---------------------------------------------------------------- optimizer updates

    @Override
    public void sgdUpdate(float[] w, float[] g, float[] velocity, int n,
                          float lr, float momentum, float weightDecay, boolean nesterov) {
        Checks.sgd(w, g, velocity, n, momentum);
        backend.sgdUpdate(w, g, velocity, n, lr, momentum, weightDecay, nesterov);
    }

    @Override
    public void adamUpdate(float[] w, float[] g, float[] m, float[] v, int n,
                           float lr, float beta1, float beta2, float eps, float weightDecay,
                           boolean decoupled, long t) {
        Checks.adam(w, g, m, v, n, beta1, beta2, t);
        backend.adamUpdate(w, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, t);
    }

    @Override
    public String toString() {
        return "checked " + backend.name();
    }
}
