package org.fer4j.kernels;

/**
 * The numeric kernels every layer and optimizer of fer4j calls. They work on {@code float[]}
 * arrays, offsets and {@code int} sizes, and know nothing of tensors or layers: that is what lets
 * the scalar reference, the Vector API and the OpenCL implementations be tested against each other
 * directly.
 *
 * <p>Conventions, as in llm.c: arguments go outputs, inputs, weights, then sizes; gradient buffers
 * start with {@code d}. A backward kernel <em>writes</em> the gradient of its input
 * ({@code dx = ...}) and <em>accumulates</em> into parameter gradients ({@code dgamma += ...}), so
 * that zeroing parameter gradients stays one separate call per step. {@link #sgemm} departs from
 * the argument order on purpose: it keeps the BLAS order that every reader of GEMM code knows.
 *
 * <p>Shape legend: {@code N} batch, {@code C} channels, {@code H, W} height and width,
 * {@code K} classes. Image tensors are NCHW and contiguous.
 *
 * <p>Implementations must be stateless apart from caches they own and thread-safe for distinct
 * output arrays. Get the one in use from {@link KernelsProvider#get()}.
 *
 * <p>The kernels handed out by {@link KernelsProvider} check every call's sizes and that each
 * array is long enough for the span it touches, in O(1) before anything runs, and throw
 * {@link IllegalArgumentException} naming the kernel and the argument (a negative size, an array
 * too short from its offset). Those checks are written once, in {@link CheckedKernels}, which
 * the provider puts around every backend: a backend itself is pure maths and may assume valid
 * arguments. Inputs are never modified unless documented; in particular the optimizer updates do
 * not write {@code g}.
 */
public interface Kernels {

    /** Short name of this implementation, e.g. {@code "scalar"}. */
    String name();

    /** One line on what runs, for the start of every training or benchmark run. */
    default String describe() {
        return name();
    }

    /**
     * Width in bits of the SIMD vectors this implementation computes with, e.g. 512 for
     * {@code FloatVector} on AVX-512; 0 when it does not use SIMD vectors itself.
     */
    default int vectorBits() {
        return 0;
    }

    // ---------------------------------------------------------------- host/device coherence

    /*
     * A backend that keeps arrays in device memory between calls (OpenCL) must know when the host
     * touches them directly, outside any kernel. The engine calls these three at those points;
     * for the CPU backends, whose kernels work on the host arrays themselves, they do nothing.
     */

    /**
     * The host has written {@code a} (a new input batch, loaded weights): a device copy of it is
     * stale and must be uploaded again before a kernel reads it.
     */
    default void hostWrote(float[] a) {
    }

    /** Makes the host copy of {@code a} current (a kernel may have written it on the device). */
    default void hostRead(float[] a) {
    }

    /**
     * Brings every array whose latest value is on the device back to the host, and from then on
     * treats every host array as the current one (so host writes after this call are seen). For
     * checkpoints, model saving and loading, and the end of an epoch.
     */
    default void synchronize() {
    }

    // ---------------------------------------------------------------- BLAS-like

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, row-major, where {@code op(A)} is {@code m x k}
     * and {@code op(B)} is {@code k x n}. With {@code transA} the array holds A as {@code k x m}
     * (row-major, leading dimension {@code lda}); likewise {@code transB}: B stored {@code n x k}.
     * Element {@code (i, j)} of a row-major matrix with leading dimension {@code ld} lives at
     * {@code off + i * ld + j}. When {@code beta == 0}, C is not read (NaN in C does not leak).
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /** {@code y[yOff + i] += alpha * x[xOff + i]} for {@code i < n}. */
    void axpy(float[] y, int yOff, float[] x, int xOff, int n, float alpha);

    /** {@code x[off + i] *= alpha} for {@code i < n}. */
    void scale(float[] x, int off, int n, float alpha);

    /** {@code x[off + i] = value} for {@code i < n}. */
    void fill(float[] x, int off, int n, float value);

    /** {@code y[i] = a[i] + b[i]} for {@code i < n}; {@code y} may alias {@code a} or {@code b}. */
    void add(float[] y, float[] a, float[] b, int n);

    /** {@code y[i] = a[i] * b[i]} for {@code i < n}; {@code y} may alias {@code a} or {@code b}. */
    void mul(float[] y, float[] a, float[] b, int n);

    /** {@code sum_i x[off + i]^2}, accumulated in double (gradient-norm clipping). */
    double sumOfSquares(float[] x, int off, int n);

    // ---------------------------------------------------------------- bias

    /** {@code y[n, c, s] += bias[c]}; y is {@code [N, C, S]} (S = H*W, or 1 for dense features). */
    void addBias(float[] y, float[] bias, int n, int c, int spatial);

    /**
     * {@code y[off + (i*C + c)*S + s] = bias[c]} for {@code i < images}: the starting value of a
     * convolution's output, to which a GEMM with {@code beta = 1} then adds. The default is one
     * {@link #fill} per image and channel, which costs the CPU backends nothing; a device backend
     * overrides it to make one launch of what would otherwise be {@code images x C} launches.
     */
    default void fillBias(float[] y, int off, float[] bias, int images, int c, int spatial) {
        for (int i = 0; i < images; i++) {
            for (int f = 0; f < c; f++) {
                fill(y, off + (i * c + f) * spatial, spatial, bias[f]);
            }
        }
    }

    /** {@code dbias[c] += sum over n, s of dy[n, c, s]}. */
    void biasBackward(float[] dbias, float[] dy, int n, int c, int spatial);

    // ---------------------------------------------------------------- convolution helpers

    /**
     * Unfolds one image {@code img[C, H, W]} (from {@code imgOff}) into
     * {@code col[C*kh*kw, outH*outW]} (from {@code colOff}), with the sizes of {@code g}: row
     * {@code (ch*kh + ki)*kw + kj}, column {@code oy*outW + ox} holds
     * {@code img[ch, oy*strideH - padTop + ki, ox*strideW - padLeft + kj]}, or 0 where that falls
     * outside the image (see {@link ConvGeometry}; {@code g.filters()} is not read).
     */
    void im2col(float[] col, int colOff, float[] img, int imgOff, ConvGeometry g);

    /**
     * The convolution of {@code images} consecutive images, each as one product with its bias and
     * activation: {@code y[t] = act(kernel . im2col(img[t]) + bias)}, with {@code y[t] [F, outH*outW]}
     * at {@code yOff + t*F*outH*outW}, {@code img[t] [C, H, W]} at {@code imgOff + t*C*H*W},
     * {@code kernel [F, C*kh*kw]} row-major from 0, {@code bias[F]} (one value per row of
     * {@code y[t]}; null for none), {@code act} the identity, or when {@code relu}
     * {@code v > 0 ? v : slope * v}: a ReLU for slope 0, a leaky ReLU for a slope in (0, 1),
     * and the sizes those of {@code g} ({@code F = g.filters()}). {@code y}'s previous contents are
     * not read. {@code col} is a workspace of at least {@code g.colSize()} floats (one image) that
     * an implementation may use; its contents afterwards are unspecified.
     *
     * <p>The default, and the reference, is exactly that, step by step: {@link #fillBias} (or
     * zeros), then image by image {@code im2col} into {@code col} and {@code sgemm} adding to y,
     * then {@link #reluInPlace} (or the leaky ReLU). A backend may instead unfold each image straight
     * into its GEMM's packed panels, never writing {@code col}, pack the kernel once for all the
     * images, and apply the bias and the ReLU as it stores each tile of y (an epilogue, fusing three
     * passes over y into the GEMM's one); and for 3x3 kernels at stride 1 it may use another
     * algorithm with fewer multiplications (the vector backend's Winograd F(2x2,3x3), see
     * {@link Winograd}), whose result differs from the reference's by rounding only.
     */
    default void convForward(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel,
                             float[] bias, float[] col, ConvGeometry g, boolean relu, float slope) {
        int filters = g.filters();
        int rows = g.rows();
        int positions = g.positions();
        if (bias != null) {
            fillBias(y, yOff, bias, images, filters, positions);
        }
        for (int t = 0; t < images; t++) {
            im2col(col, 0, img, imgOff + t * g.imageSize(), g);
            sgemm(false, false, filters, positions, rows, 1f, kernel, 0, rows, col, 0, positions,
                    bias == null ? 0f : 1f, y, yOff + t * g.outputSize(), positions);
        }
        if (relu && slope == 0f) {
            reluInPlace(y, yOff, images * g.outputSize());
        } else if (relu) {
            // A fused leaky ReLU, as LeakyReLU's forward computes it (the OpenCL backend has no
            // device kernel for it, and refuses the LeakyReLU layer anyway).
            for (int i = yOff, end = yOff + images * g.outputSize(); i < end; i++) {
                y[i] = y[i] > 0f ? y[i] : slope * y[i];
            }
        }
    }

    /**
     * Declares that the convolution kernel {@code kernel} will not change from now on: a backend
     * may then keep what it derives from it in {@link #convForward} and {@link #convForwardPooled}
     * (the vector backend: the kernel packed for its GEMM, and its Winograd transforms) from one
     * call to the next, instead of deriving it again on every call, which at batch 1 is a large
     * part of a layer's time. The results are the same bits. Writing to {@code kernel} afterwards
     * is not allowed: a backend that kept its forms goes on computing with the old values. For
     * inference copies, whose weights are fixed ({@code InferenceModel}); the default keeps
     * nothing.
     */
    default void fixKernel(float[] kernel) {
    }

    /**
     * {@link #convForward} followed by 2x2 max pooling at stride 2 of every output plane: {@code
     * y[t] [F, outH/2, outW/2]} at {@code yOff + t*F*(outH/2)*(outW/2)} holds exactly what
     * {@link #maxPoolValues} (2x2 windows, stride 2, valid: an odd last row or column of the
     * convolution is dropped) writes for {@code convForward}'s output, the same value on ties and
     * NaNs. At inference a convolution followed by its activation and a 2x2 max-pool computes
     * this (the ReLU commutes with the max), and a backend may then never store the convolution's
     * output at full size: four times the pooled output, written once and read once more. The
     * output must be at least 2x2. {@code full} is a workspace of at least {@code
     * images*g.outputSize()} floats that a backend may leave untouched.
     *
     * <p>The default, and the reference, is exactly that: {@code convForward} into {@code full},
     * then each window's first element replaced by any later one that is greater ({@link
     * #maxPoolForward}'s order and its strict comparison, so the first of equal maxima and a NaN
     * in the first place win), written straight to {@code y} at {@code yOff} on the host ({@link
     * #hostRead} of {@code full} before, {@link #hostWrote} of {@code y} after, for a backend that
     * keeps arrays on a device). The vector backend
     * pools the tiles of its Winograd convolution as it transforms them back ({@link Winograd}).
     */
    default void convForwardPooled(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel,
                                   float[] bias, float[] col, ConvGeometry g, boolean relu, float slope,
                                   float[] full) {
        if (images == 0 || g.filters() == 0) {
            return;
        }
        convForward(full, 0, img, imgOff, images, kernel, bias, col, g, relu, slope);
        hostRead(full);  // a device backend (OpenCL) may hold the convolution's output on the device
        int planes = images * g.filters();
        int width = g.outW();
        int outH = g.outH() / 2;
        int outW = width / 2;
        for (int p = 0; p < planes; p++) {
            int o = yOff + p * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++, o++) {
                    int at = p * g.positions() + 2 * oy * width + 2 * ox;
                    float max = full[at];
                    max = full[at + 1] > max ? full[at + 1] : max;
                    max = full[at + width] > max ? full[at + width] : max;
                    y[o] = full[at + width + 1] > max ? full[at + width + 1] : max;
                }
            }
        }
        hostWrote(y);
    }

    /**
     * The gradient of {@link #convForward}'s kernel, added to {@code dkernel [F, C*kh*kw]}: {@code
     * dkernel += sum over t of dy[t] . im2col(x[t])^T} for {@code images} consecutive images,
     * {@code dy[t] [F, outH*outW]} at {@code dyOff + t*F*outH*outW}, {@code x[t] [C, H, W]} (the
     * forward's input) at {@code xOff + t*C*H*W}, and the sizes those of {@code g}. {@code col} is
     * a workspace of at least {@code g.colSize()} floats; its contents afterwards are unspecified.
     *
     * <p>The default, and the reference, is exactly that, image by image: {@link #im2col} into
     * {@code col}, then {@link #sgemm} adding to dkernel. A backend may compute it another way
     * with the same result up to rounding: the vector backend sums a 3x3, stride-1 convolution's
     * by Winograd's algorithm over all the images' tiles (see {@link Winograd}).
     */
    default void convBackwardKernel(float[] dkernel, float[] dy, int dyOff, float[] x, int xOff, int images,
                                    float[] col, ConvGeometry g) {
        int rows = g.rows();
        int positions = g.positions();
        for (int t = 0; t < images; t++) {
            im2col(col, 0, x, xOff + t * g.imageSize(), g);
            // dkernel [F, rows] += dy[t] [F, P] . col^T [P, rows]
            sgemm(false, true, g.filters(), rows, positions, 1f, dy, dyOff + t * g.outputSize(), positions,
                    col, 0, positions, 1f, dkernel, 0, rows);
        }
    }

    /**
     * The gradient of {@link #convForward}'s input (without its bias and activation) for
     * {@code images} consecutive images: {@code dx[t] = col2im(kernel^T . dy[t])}, with
     * {@code dx[t] [C, H, W]} at {@code dxOff + t*C*H*W} (overwritten, not added to),
     * {@code dy[t] [F, outH*outW]} at {@code dyOff + t*F*outH*outW}, {@code kernel [F, C*kh*kw]}
     * from 0, and the sizes those of {@code g}. {@code dcol} is a workspace of at least
     * {@code g.colSize()} floats; its contents afterwards are unspecified.
     *
     * <p>The default, and the reference, is exactly that, image by image: {@code dcol = kernel^T .
     * dy[t]} by {@link #sgemm}, {@code dx[t]} zeroed, then {@link #col2im}. A backend may compute
     * it another way with the same result up to rounding: the vector backend computes a 3x3,
     * stride-1 convolution's as the forward convolution of {@code dy} with the kernel turned by
     * 180 degrees and its filters and channels swapped, by Winograd (see {@link Winograd}).
     */
    default void convBackwardData(float[] dx, int dxOff, float[] dy, int dyOff, int images, float[] kernel,
                                  float[] dcol, ConvGeometry g) {
        int rows = g.rows();
        int positions = g.positions();
        for (int t = 0; t < images; t++) {
            // dcol [rows, P] = kernel^T [rows, F] . dy[t] [F, P]
            sgemm(true, false, rows, positions, g.filters(), 1f, kernel, 0, rows, dy, dyOff + t * g.outputSize(),
                    positions, 0f, dcol, 0, positions);
            // dx[t] = col2im(dcol), which adds: start from zero
            fill(dx, dxOff + t * g.imageSize(), g.imageSize(), 0f);
            col2im(dx, dxOff + t * g.imageSize(), dcol, 0, g);
        }
    }

    /**
     * The adjoint of {@link #im2col}: <em>adds</em> each column entry back into the image position
     * it was read from ({@code img += fold(col)}); entries that came from padding are dropped.
     * The caller zeroes {@code img} first when it wants the plain fold.
     */
    void col2im(float[] img, int imgOff, float[] col, int colOff, ConvGeometry g);

    /**
     * Depthwise convolution (depth multiplier 1): each channel convolved with its own
     * {@code kh x kw} kernel, no mixing across channels. Cross-correlation, as {@link #im2col}:
     * <pre>
     * y[n, c, oy, ox] = bias[c] + sum_{ki, kj} weight[c, ki, kj] * x[n, c, oy*strideH - padTop + ki, ox*strideW - padLeft + kj]
     * </pre>
     * where taps outside the image read 0 (zero padding; the bottom and right pad is implied by
     * {@code outH, outW}, as in {@link #im2col}). {@code y [N, C, outH, outW]},
     * {@code x [N, C, H, W]}, {@code weight [C, kh, kw]} (the layer's {@code [C, 1, KH, KW]}),
     * {@code bias [C]} or null for none; all from offset 0. {@code y}'s previous contents are not read.
     */
    void depthwiseConvForward(float[] y, float[] x, float[] weight, float[] bias,
                              int n, int channels, int height, int width, int kh, int kw,
                              int strideH, int strideW, int padTop, int padLeft, int outH, int outW);

    /**
     * Backward of {@link #depthwiseConvForward}, reading the forward input {@code x} as its cache:
     * <pre>
     * dx[n, c, iy, ix]    = sum over the (oy, ox, ki, kj) that read x[n, c, iy, ix] of weight[c, ki, kj] * dy[n, c, oy, ox]   (written)
     * dweight[c, ki, kj] += sum_{n, oy, ox} dy[n, c, oy, ox] * x[n, c, oy*strideH - padTop + ki, ox*strideW - padLeft + kj]
     * dbias[c]          += sum_{n, oy, ox} dy[n, c, oy, ox]                                        (skipped when dbias is null)
     * </pre>
     * Shapes as in forward; {@code dx} like {@code x}, {@code dy} like {@code y}, {@code dweight} like
     * {@code weight}, {@code dbias} like {@code bias}.
     */
    void depthwiseConvBackward(float[] dx, float[] dweight, float[] dbias, float[] dy, float[] x, float[] weight,
                               int n, int channels, int height, int width, int kh, int kw,
                               int strideH, int strideW, int padTop, int padLeft, int outH, int outW);

    // ---------------------------------------------------------------- pooling

    /**
     * Max pooling over {@code planes = N*C} planes of {@code H x W}:
     * {@code out[p, oy, ox] = max over the kh x kw window at (oy*strideH, ox*strideW)}, and
     * {@code argmax[p, oy, ox]} = the flat index into the whole of {@code in} (plane offset
     * included) of that maximum; on ties the first in row-major order within the window.
     *
     * <p>Every window must <em>start</em> inside its plane: {@code (outH-1)*strideH < H}, likewise
     * for W. A window may overhang the bottom or right edge (TensorFlow's "same" padding, whose
     * extra row and column go there): the part outside the plane is ignored, as if it held
     * {@code -infinity}, so {@code argmax} always points into the plane. Without overhang,
     * {@code (outH-1)*strideH + kh <= H}, this is plain valid pooling.
     */
    void maxPoolForward(float[] out, int[] argmax, float[] in,
                        int planes, int height, int width, int kh, int kw,
                        int strideH, int strideW, int outH, int outW);

    /**
     * Max pooling for inference: {@code out} exactly as {@link #maxPoolForward} writes it (the
     * same window rules, the same value on ties and NaNs), without the argmax that only a
     * backward pass reads. Writing no argmax halves what the kernel stores and lets a backend
     * drop the index bookkeeping. The default runs {@code maxPoolForward} into {@code scratch}, a
     * caller-owned buffer of at least {@code planes * outH * outW} ints that a backend may also
     * leave untouched.
     */
    default void maxPoolValues(float[] out, float[] in, int planes, int height, int width, int kh, int kw,
                               int strideH, int strideW, int outH, int outW, int[] scratch) {
        maxPoolForward(out, scratch, in, planes, height, width, kh, kw, strideH, strideW, outH, outW);
    }

    /**
     * {@code din = 0; din[argmax[i]] += dout[i]} for {@code i < outCount}; {@code din} has
     * {@code inCount} elements. Overlapping windows add up.
     */
    void maxPoolBackward(float[] din, float[] dout, int[] argmax, int inCount, int outCount);

    /** {@code out[p] = mean of in[p, 0..spatial)} for {@code p < planes} (global average pooling). */
    void avgPoolGlobalForward(float[] out, float[] in, int planes, int spatial);

    /** {@code din[p, s] = dout[p] / spatial}. */
    void avgPoolGlobalBackward(float[] din, float[] dout, int planes, int spatial);

    // ---------------------------------------------------------------- batch normalisation

    /**
     * Per-channel statistics of {@code x[N, C, S]}: {@code mean[c]} and the biased variance
     * {@code var[c]} (divided by {@code N*S}, which must be at least 1), each accumulated in double.
     */
    void batchNormStats(float[] mean, float[] var, float[] x, int n, int c, int spatial);

    /**
     * {@code xhat = (x - mean[c]) * invStd[c]; y = gamma[c] * xhat + beta[c]} over {@code [N, C, S]}.
     * {@code xhat} is the cache that backward reads; it may be {@code null} in inference.
     */
    void batchNormForward(float[] y, float[] xhat, float[] x, float[] mean, float[] invStd,
                          float[] gamma, float[] beta, int n, int c, int spatial);

    /**
     * Backward of training-mode batch norm (statistics from the batch itself), with
     * {@code M = N*S}: {@code dbeta[c] += sum dy}, {@code dgamma[c] += sum dy*xhat}, and
     * {@code dx = gamma*invStd/M * (M*dy - sum dy - xhat * sum dy*xhat)}.
     */
    void batchNormBackward(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] xhat,
                           float[] invStd, float[] gamma, int n, int c, int spatial);

    // ---------------------------------------------------------------- activations, dropout

    /** {@code y[i] = max(x[i], 0)}; {@code y} may alias {@code x}. */
    void reluForward(float[] y, float[] x, int n);

    /** {@code x[off + i] = max(x[off + i], 0)} for {@code i < n}, in place (a fused activation). */
    void reluInPlace(float[] x, int off, int n);

    /** {@code dx[i] = y[i] > 0 ? dy[i] : 0}, reading the forward <em>output</em> {@code y}. */
    void reluBackward(float[] dx, float[] dy, float[] y, int n);

    /**
     * Leaky ReLU: {@code y[i] = x[i] > 0 ? x[i] : slope * x[i]}; {@code y} may alias {@code x}.
     * (TensorFlow.js evaluates {@code relu(x - slope*x) + slope*x}, which rounds differently; the
     * plain select is exact.)
     */
    void leakyReluForward(float[] y, float[] x, float slope, int n);

    /**
     * {@code dx[i] = x[i] > 0 ? dy[i] : slope * dy[i]}, reading the forward <em>input</em> {@code x}
     * as the cache. For {@code slope} in [0, 1) the output has the sign of the input, so passing
     * the forward output {@code y} instead gives the same result (that is what lets the forward
     * run in place); {@code dx} may alias {@code dy}.
     */
    void leakyReluBackward(float[] dx, float[] dy, float[] x, float slope, int n);

    /**
     * Inverted-dropout mask: {@code mask[i] = 1/(1-rate)} with probability {@code 1-rate}, else 0.
     * Counter-based: element {@code i} depends only on {@code (seed, i)}, so every backend and every
     * thread split draws the same mask. Exactly: {@code u_i = (mix64(seed + (i+1) * 0x9e3779b97f4a7c15L)
     * >>> 40) * 2^-24}, the top 24 bits of the {@code i}-th {@code nextLong()} of
     * {@code new java.util.SplittableRandom(seed)} (SplitMix64), and element {@code i} is kept when
     * {@code u_i >= rate}. {@code rate} must be in [0, 1); 0 gives all ones.
     */
    void dropoutMask(float[] mask, int n, float rate, long seed);

    // ---------------------------------------------------------------- loss

    /**
     * Fused softmax + cross-entropy over {@code logits[N, K]}: writes {@code probs[N, K]} (the
     * cache for backward) and returns the mean loss
     * {@code 1/N * sum_i w[y_i] * -sum_k t_ik log p_ik}, where the target
     * {@code t_ik = (1 - smoothing) * [k == y_i] + smoothing / K} and {@code w} is
     * {@code classWeights} (all 1 when {@code null}). Softmax subtracts the row max first.
     * The mean is over {@code N} rows, not over the summed weights. Requires {@code n, k >= 1} and
     * {@code smoothing} in [0, 1]; a label outside [0, K) throws {@link IllegalArgumentException}
     * naming its row.
     */
    double softmaxCrossEntropyForward(float[] probs, float[] logits, int[] labels, int n, int k,
                                      float smoothing, float[] classWeights);

    /** {@code dlogits[i, k] = w[y_i] * (probs[i, k] - t_ik) / N}: the gradient of the mean loss. */
    void softmaxCrossEntropyBackward(float[] dlogits, float[] probs, int[] labels, int n, int k,
                                     float smoothing, float[] classWeights);

    // ---------------------------------------------------------------- optimizer updates

    /**
     * SGD with momentum (the PyTorch formulation): {@code g' = g + weightDecay * w},
     * {@code v = momentum * v + g'}, then {@code w -= lr * (nesterov ? g' + momentum * v : v)}.
     * With {@code momentum == 0}, {@code velocity} may be {@code null}, is neither read nor
     * written, and {@code w -= lr * g'}.
     */
    void sgdUpdate(float[] w, float[] g, float[] velocity, int n,
                   float lr, float momentum, float weightDecay, boolean nesterov);

    /**
     * Adam (Kingma and Ba, 2015, arXiv:1412.6980) at step {@code t >= 1}, with bias correction:
     * {@code m = b1 m + (1-b1) g}, {@code v = b2 v + (1-b2) g^2},
     * {@code w -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)}.
     * Weight decay: when {@code decoupled} (AdamW, Loshchilov and Hutter, arXiv:1711.05101)
     * first {@code w -= lr * weightDecay * w}; otherwise L2, {@code g = g + weightDecay * w}
     * (a local value: the array {@code g} is not written). {@code beta1, beta2} in [0, 1);
     * {@code 1 - beta^t} is computed in double.
     */
    void adamUpdate(float[] w, float[] g, float[] m, float[] v, int n,
                    float lr, float beta1, float beta2, float eps, float weightDecay,
                    boolean decoupled, long t);
}
