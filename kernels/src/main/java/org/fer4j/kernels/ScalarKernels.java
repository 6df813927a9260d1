package org.fer4j.kernels;

/**
 * The reference {@link Kernels}: plain loops, one thread, written to be read. Every faster backend
 * is tested against this class, and it is the fallback wherever they are missing, so it is never
 * deleted and never made clever at the cost of clarity.
 *
 * <p>Shape legend, as in {@link Kernels}: {@code N} batch, {@code C} channels, {@code S = H*W}
 * spatial positions, {@code K} classes; image tensors are NCHW and contiguous, so element
 * {@code [n, c, s]} of an {@code [N, C, S]} buffer lives at {@code (n*C + c)*S + s}.
 *
 * <p>Numerics: reductions over a whole batch (statistics, bias and batch-norm gradients, squared
 * norms, the loss) accumulate in {@code double}: the rounding error of a float sum grows with its
 * length, and {@code N*S = 64*48*48} terms can cost two or three of a float's seven digits.
 * Elementwise maths stays in {@code float}, as it will in the SIMD backends.
 *
 * <p>Nothing here checks its arguments: {@link CheckedKernels}, which {@link KernelsProvider} puts
 * around every backend, has checked the sizes and array spans before a call arrives. The
 * convolution is {@link Kernels#convForward}'s default, which is its definition.
 */
public final class ScalarKernels implements Kernels {

    /**
     * The golden-ratio increment of SplitMix64 (Steele, Lea and Flood, "Fast splittable
     * pseudorandom number generators", OOPSLA 2014), as in {@link java.util.SplittableRandom}.
     */
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String describe() {
        // The kernels themselves are single-threaded; layers split a batch over Parallel's threads.
        return "scalar (plain Java loops, the reference; layers on " + Parallel.threadsText() + ")";
    }

    // ---------------------------------------------------------------- BLAS-like

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        // C = beta * C first, so that the loops below only accumulate. beta == 0 stores zeros
        // rather than multiplying: C is often a recycled buffer, and 0 * NaN would be NaN.
        for (int i = 0; i < m; i++) {
            int cRow = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[cRow + j] = beta == 0f ? 0f : beta * c[cRow + j];
            }
        }
        if (alpha == 0f || k == 0) {
            return; // as in BLAS, A and B are not read
        }

        // op(A)[i, p] = a[aOff + i*aRowStep + p*aColStep], whether or not A is stored transposed.
        int aRowStep = transA ? 1 : lda;
        int aColStep = transA ? lda : 1;
        if (!transB) {
            // i-k-j order: the inner loop walks one row of B and one row of C, both contiguous,
            // with alpha*op(A)[i, p] held in a register: a loop the JIT can vectorise. (The textbook
            // i-j-k order would stride down a column of B, one cache line per multiply-add.)
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * ldc;
                for (int p = 0; p < k; p++) {
                    float aip = alpha * a[aOff + i * aRowStep + p * aColStep];
                    int bRow = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += aip * b[bRow + j];
                    }
                }
            }
        } else {
            // B stored n x k: op(B)[p, j] = b[bOff + j*ldb + p], so column j of op(B) is the
            // contiguous row j of b, and each C[i, j] is a dot product of two k-long runs.
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    int bRow = bOff + j * ldb;
                    float sum = 0f;
                    for (int p = 0; p < k; p++) {
                        sum += a[aOff + i * aRowStep + p * aColStep] * b[bRow + p];
                    }
                    c[cRow + j] += alpha * sum;
                }
            }
        }
    }

    @Override
    public void axpy(float[] y, int yOff, float[] x, int xOff, int n, float alpha) {
        axpyRange(y, yOff, x, xOff, 0, n, alpha);
    }

    /**
     * {@link #axpy} of the elements {@code [from, to)}: also the scalar remainder of the vector
     * backend, which so gives the same bits.
     */
    static void axpyRange(float[] y, int yOff, float[] x, int xOff, int from, int to, float alpha) {
        for (int i = from; i < to; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scale(float[] x, int off, int n, float alpha) {
        scaleRange(x, off, 0, n, alpha);
    }

    /**
     * {@link #scale} of the elements {@code [from, to)}: also the scalar remainder of the vector
     * backend, which so gives the same bits.
     */
    static void scaleRange(float[] x, int off, int from, int to, float alpha) {
        for (int i = from; i < to; i++) {
            x[off + i] *= alpha;
        }
    }

    @Override
    public void fill(float[] x, int off, int n, float value) {
        for (int i = 0; i < n; i++) {
            x[off + i] = value;
        }
    }

    @Override
    public void add(float[] y, float[] a, float[] b, int n) {
        addRange(y, a, b, 0, n);
    }

    /**
     * {@link #add} of the elements {@code [from, to)}: also the scalar remainder of the vector
     * backend, which so gives the same bits.
     */
    static void addRange(float[] y, float[] a, float[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = a[i] + b[i];
        }
    }

    @Override
    public void mul(float[] y, float[] a, float[] b, int n) {
        mulRange(y, a, b, 0, n);
    }

    /**
     * {@link #mul} of the elements {@code [from, to)}: also the scalar remainder of the vector
     * backend, which so gives the same bits.
     */
    static void mulRange(float[] y, float[] a, float[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = a[i] * b[i];
        }
    }

    @Override
    public double sumOfSquares(float[] x, int off, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double xi = x[off + i];
            sum += xi * xi;
        }
        return sum;
    }

    // ---------------------------------------------------------------- bias

    @Override
    public void addBias(float[] y, float[] bias, int n, int c, int spatial) {
        for (int ni = 0; ni < n; ni++) {
            for (int ci = 0; ci < c; ci++) {
                float bc = bias[ci];
                int base = (ni * c + ci) * spatial;
                for (int s = 0; s < spatial; s++) {
                    y[base + s] += bc;
                }
            }
        }
    }

    @Override
    public void biasBackward(float[] dbias, float[] dy, int n, int c, int spatial) {
        for (int ci = 0; ci < c; ci++) {
            double sum = 0;
            for (int ni = 0; ni < n; ni++) {
                int base = (ni * c + ci) * spatial;
                for (int s = 0; s < spatial; s++) {
                    sum += dy[base + s];
                }
            }
            dbias[ci] += (float) sum;
        }
    }

    // ---------------------------------------------------------------- convolution helpers

    @Override
    public void im2col(float[] col, int colOff, float[] img, int imgOff, ConvGeometry g) {
        // col is [C*kh*kw, outH*outW]: row (ch, ki, kj) lists, for every output position, the
        // pixel that kernel tap (ki, kj) of channel ch sees there. A convolution is then one GEMM:
        // weights [F, C*kh*kw] x col = out [F, outH*outW].
        int height = g.height();
        int width = g.width();
        int outW = g.outW();
        for (int ch = 0; ch < g.channels(); ch++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    int colRow = colOff + ((ch * g.kh() + ki) * g.kw() + kj) * g.positions();
                    for (int oy = 0; oy < g.outH(); oy++) {
                        int dst = colRow + oy * outW;
                        int iy = oy * g.strideH() - g.padTop() + ki;
                        if (iy < 0 || iy >= height) {
                            for (int ox = 0; ox < outW; ox++) {
                                col[dst + ox] = 0f; // the whole output row sees padding
                            }
                            continue;
                        }
                        int imgRow = imgOff + (ch * height + iy) * width;
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * g.strideW() - g.padLeft() + kj;
                            col[dst + ox] = ix >= 0 && ix < width ? img[imgRow + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(float[] img, int imgOff, float[] col, int colOff, ConvGeometry g) {
        // The same walk as im2col with the assignment reversed. Overlapping windows read a pixel
        // more than once, so its gradient is the sum of all the entries it was copied into.
        int height = g.height();
        int width = g.width();
        int outW = g.outW();
        for (int ch = 0; ch < g.channels(); ch++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    int colRow = colOff + ((ch * g.kh() + ki) * g.kw() + kj) * g.positions();
                    for (int oy = 0; oy < g.outH(); oy++) {
                        int iy = oy * g.strideH() - g.padTop() + ki;
                        if (iy < 0 || iy >= height) {
                            continue;
                        }
                        int src = colRow + oy * outW;
                        int imgRow = imgOff + (ch * height + iy) * width;
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * g.strideW() - g.padLeft() + kj;
                            if (ix >= 0 && ix < width) {
                                img[imgRow + ix] += col[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- depthwise convolution

    @Override
    public void depthwiseConvForward(float[] y, float[] x, float[] weight, float[] bias,
                                     int n, int channels, int height, int width, int kh, int kw,
                                     int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        for (int p = 0; p < n * channels; p++) {
            depthwisePlaneForward(y, x, weight, bias, p, channels, height, width, kh, kw,
                    strideH, strideW, padTop, padLeft, outH, outW);
        }
    }

    /**
     * Plane {@code p = n*C + c} of {@link #depthwiseConvForward}. Package-private and static: the
     * vector backend calls it where it has no faster path (strides other than 1).
     */
    static void depthwisePlaneForward(float[] y, float[] x, float[] weight, float[] bias, int p,
                                      int channels, int height, int width, int kh, int kw,
                                      int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        int c = p % channels;
        int xPlane = p * height * width;
        int yPlane = p * outH * outW;
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                // Bias first, then the taps in (ki, kj) order: the order the vector kernel keeps.
                float sum = bias == null ? 0f : bias[c];
                for (int ki = 0; ki < kh; ki++) {
                    int iy = oy * strideH - padTop + ki;
                    if (iy < 0 || iy >= height) {
                        continue;  // zero padding: the tap adds nothing
                    }
                    for (int kj = 0; kj < kw; kj++) {
                        int ix = ox * strideW - padLeft + kj;
                        if (ix >= 0 && ix < width) {
                            sum += weight[(c * kh + ki) * kw + kj] * x[xPlane + iy * width + ix];
                        }
                    }
                }
                y[yPlane + oy * outW + ox] = sum;
            }
        }
    }

    @Override
    public void depthwiseConvBackward(float[] dx, float[] dweight, float[] dbias, float[] dy, float[] x,
                                      float[] weight, int n, int channels, int height, int width, int kh, int kw,
                                      int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        for (int c = 0; c < channels; c++) {
            depthwiseChannelBackward(dx, dweight, dbias, dy, x, weight, c, n, channels, height, width, kh, kw,
                    strideH, strideW, padTop, padLeft, outH, outW);
        }
    }

    /**
     * Channel {@code c} of {@link #depthwiseConvBackward}, over the whole batch: everything that
     * writes {@code dweight[c]} and {@code dbias[c]}, so that channels can go to different threads.
     * Package-private and static: the vector backend's fallback.
     */
    static void depthwiseChannelBackward(float[] dx, float[] dweight, float[] dbias, float[] dy, float[] x,
                                         float[] weight, int c, int n, int channels, int height, int width,
                                         int kh, int kw, int strideH, int strideW, int padTop, int padLeft,
                                         int outH, int outW) {
        int taps = kh * kw;
        double[] dw = new double[taps];  // dweight[c], summed over the batch in double
        double db = 0;
        for (int i = 0; i < n; i++) {
            int p = i * channels + c;
            int xPlane = p * height * width;
            int yPlane = p * outH * outW;
            for (int s = xPlane; s < xPlane + height * width; s++) {
                dx[s] = 0f;
            }
            // The forward loop again, each multiply-add sending dy back to both of its inputs:
            // to x (through the weight) and to the weight (through x).
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    float g = dy[yPlane + oy * outW + ox];
                    db += g;
                    for (int ki = 0; ki < kh; ki++) {
                        int iy = oy * strideH - padTop + ki;
                        if (iy < 0 || iy >= height) {
                            continue;
                        }
                        for (int kj = 0; kj < kw; kj++) {
                            int ix = ox * strideW - padLeft + kj;
                            if (ix >= 0 && ix < width) {
                                int xi = xPlane + iy * width + ix;
                                dx[xi] += weight[(c * kh + ki) * kw + kj] * g;
                                dw[ki * kw + kj] += (double) g * x[xi];
                            }
                        }
                    }
                }
            }
        }
        for (int t = 0; t < taps; t++) {
            dweight[c * taps + t] += (float) dw[t];
        }
        if (dbias != null) {
            dbias[c] += (float) db;
        }
    }

    // ---------------------------------------------------------------- pooling

    @Override
    public void maxPoolForward(float[] out, int[] argmax, float[] in,
                               int planes, int height, int width, int kh, int kw,
                               int strideH, int strideW, int outH, int outW) {
        // argmax holds flat indices into the whole of `in`, not into one plane, so that backward
        // is a plain scatter that needs no sizes.
        for (int p = 0; p < planes; p++) {
            int plane = p * height * width;
            for (int oy = 0; oy < outH; oy++) {
                // A window overhanging the bottom or right edge ("same" padding) is cut to the
                // plane: the missing taps count as -infinity, so they can never win.
                int rows = Math.min(kh, height - oy * strideH);
                for (int ox = 0; ox < outW; ox++) {
                    int cols = Math.min(kw, width - ox * strideW);
                    int corner = plane + oy * strideH * width + ox * strideW;
                    // Start from the window's first element, not -inf, so argmax is always a real
                    // index; the strict > keeps the first of equal maxima.
                    int best = corner;
                    float max = in[corner];
                    for (int ki = 0; ki < rows; ki++) {
                        for (int kj = 0; kj < cols; kj++) {
                            int idx = corner + ki * width + kj;
                            if (in[idx] > max) {
                                max = in[idx];
                                best = idx;
                            }
                        }
                    }
                    int o = (p * outH + oy) * outW + ox;
                    out[o] = max;
                    argmax[o] = best;
                }
            }
        }
    }

    @Override
    public void maxPoolBackward(float[] din, float[] dout, int[] argmax, int inCount, int outCount) {
        for (int i = 0; i < inCount; i++) {
            din[i] = 0f;
        }
        for (int i = 0; i < outCount; i++) {
            din[argmax[i]] += dout[i];
        }
    }

    @Override
    public void avgPoolGlobalForward(float[] out, float[] in, int planes, int spatial) {
        for (int p = 0; p < planes; p++) {
            double sum = 0;
            for (int s = 0; s < spatial; s++) {
                sum += in[p * spatial + s];
            }
            out[p] = (float) (sum / spatial);
        }
    }

    @Override
    public void avgPoolGlobalBackward(float[] din, float[] dout, int planes, int spatial) {
        for (int p = 0; p < planes; p++) {
            float share = dout[p] / spatial;
            for (int s = 0; s < spatial; s++) {
                din[p * spatial + s] = share;
            }
        }
    }

    // ---------------------------------------------------------------- batch normalisation

    @Override
    public void batchNormStats(float[] mean, float[] var, float[] x, int n, int c, int spatial) {
        long count = (long) n * spatial;
        // Two passes, mean then squared deviations: the one-pass E[x^2] - E[x]^2 cancels
        // catastrophically when the mean is large next to the spread.
        for (int ci = 0; ci < c; ci++) {
            double sum = 0;
            for (int ni = 0; ni < n; ni++) {
                int base = (ni * c + ci) * spatial;
                for (int s = 0; s < spatial; s++) {
                    sum += x[base + s];
                }
            }
            double mu = sum / count;
            double squares = 0;
            for (int ni = 0; ni < n; ni++) {
                int base = (ni * c + ci) * spatial;
                for (int s = 0; s < spatial; s++) {
                    double d = x[base + s] - mu;
                    squares += d * d;
                }
            }
            mean[ci] = (float) mu;
            var[ci] = (float) (squares / count);
        }
    }

    @Override
    public void batchNormForward(float[] y, float[] xhat, float[] x, float[] mean, float[] invStd,
                                 float[] gamma, float[] beta, int n, int c, int spatial) {
        for (int ni = 0; ni < n; ni++) {
            for (int ci = 0; ci < c; ci++) {
                float mu = mean[ci];
                float is = invStd[ci];
                float g = gamma[ci];
                float b = beta[ci];
                int base = (ni * c + ci) * spatial;
                for (int s = 0; s < spatial; s++) {
                    float xh = (x[base + s] - mu) * is;
                    if (xhat != null) {
                        xhat[base + s] = xh;
                    }
                    y[base + s] = g * xh + b;
                }
            }
        }
    }

    @Override
    public void batchNormBackward(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] xhat,
                                  float[] invStd, float[] gamma, int n, int c, int spatial) {
        long count = (long) n * spatial;
        for (int ci = 0; ci < c; ci++) {
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int ni = 0; ni < n; ni++) {
                int base = (ni * c + ci) * spatial;
                for (int s = 0; s < spatial; s++) {
                    sumDy += dy[base + s];
                    sumDyXhat += (double) dy[base + s] * xhat[base + s];
                }
            }
            dbeta[ci] += (float) sumDy;
            dgamma[ci] += (float) sumDyXhat;

            // The contract's dx = gamma*invStd/M * (M*dy - sum dy - xhat * sum dy*xhat) with the
            // 1/M taken inside: dy minus its mean, minus its projection on xhat. The terms stay
            // O(|dy|) instead of O(M*|dy|), so the float arithmetic rounds less.
            float meanDy = (float) (sumDy / count);
            float meanDyXhat = (float) (sumDyXhat / count);
            float k = gamma[ci] * invStd[ci];
            for (int ni = 0; ni < n; ni++) {
                int base = (ni * c + ci) * spatial;
                for (int s = 0; s < spatial; s++) {
                    dx[base + s] = k * (dy[base + s] - meanDy - xhat[base + s] * meanDyXhat);
                }
            }
        }
    }

    // ---------------------------------------------------------------- activations, dropout

    @Override
    public void reluForward(float[] y, float[] x, int n) {
        reluRange(y, x, 0, n);
    }

    @Override
    public void reluInPlace(float[] x, int off, int n) {
        reluRange(x, x, off, off + n);
    }

    /**
     * {@code y[i] = max(x[i], 0)} for {@code i} in {@code [from, to)} ({@link #reluForward} and
     * {@link #reluInPlace}): also the scalar remainder of the vector backend.
     */
    static void reluRange(float[] y, float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = Math.max(x[i], 0f); // Math.max lets a NaN through, where x > 0 ? x : 0 would hide it
        }
    }

    @Override
    public void reluBackward(float[] dx, float[] dy, float[] y, int n) {
        reluBackwardRange(dx, dy, y, 0, n);
    }

    /**
     * {@link #reluBackward} of the elements {@code [from, to)}: also the scalar remainder of the vector
     * backend, which so gives the same bits.
     */
    static void reluBackwardRange(float[] dx, float[] dy, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }

    @Override
    public void leakyReluForward(float[] y, float[] x, float slope, int n) {
        leakyReluRange(y, x, slope, 0, n);
    }

    /**
     * {@link #leakyReluForward} of the elements {@code [from, to)}: also the scalar remainder of the vector
     * backend, which so gives the same bits.
     */
    static void leakyReluRange(float[] y, float[] x, float slope, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = x[i] > 0f ? x[i] : slope * x[i];  // a NaN takes the second branch and stays NaN
        }
    }

    @Override
    public void leakyReluBackward(float[] dx, float[] dy, float[] x, float slope, int n) {
        leakyReluBackwardRange(dx, dy, x, slope, 0, n);
    }

    /**
     * {@link #leakyReluBackward} of the elements {@code [from, to)}: also the scalar remainder of the vector
     * backend, which so gives the same bits.
     */
    static void leakyReluBackwardRange(float[] dx, float[] dy, float[] x, float slope, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = x[i] > 0f ? dy[i] : slope * dy[i];
        }
    }

    @Override
    public void dropoutMask(float[] mask, int n, float rate, long seed) {
        // Inverted dropout: the survivors are scaled up in training so inference needs no scaling.
        dropoutRange(mask, 0, n, rate, 1f / (1f - rate), seed);
    }

    /**
     * {@link #dropoutMask} of the elements {@code [from, to)}, with {@code keepScale = 1/(1-rate)}:
     * also the scalar remainder of the vector backend, which so gives the same bits.
     */
    static void dropoutRange(float[] mask, int from, int to, float rate, float keepScale, long seed) {
        for (int i = from; i < to; i++) {
            mask[i] = dropoutUniform(seed, i) >= rate ? keepScale : 0f;
        }
    }

    /**
     * The uniform float in [0, 1) behind element {@code i} of a dropout mask: the top 24 bits of
     * {@code mix64(seed + (i+1) * GOLDEN_GAMMA)}, i.e. of the {@code i}-th {@code nextLong()} of
     * {@code new SplittableRandom(seed)}. Being a pure function of {@code (seed, i)} is what lets
     * any backend, in any order and over any split of the work, draw the same mask. 24 bits,
     * because floats just below 1 are 2^-24 apart: a finer grid would round.
     */
    static float dropoutUniform(long seed, long i) {
        return (mix64(seed + (i + 1) * GOLDEN_GAMMA) >>> 40) * 0x1.0p-24f;
    }

    /** The SplitMix64 finalizer (Stafford's "Mix13"), as in {@link java.util.SplittableRandom}. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // ---------------------------------------------------------------- loss

    @Override
    public double softmaxCrossEntropyForward(float[] probs, float[] logits, int[] labels, int n, int k,
                                             float smoothing, float[] classWeights) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            int row = i * k;
            float max = logits[row];
            for (int j = 1; j < k; j++) {
                max = Math.max(max, logits[row + j]);
            }
            total += softmaxRow(probs, logits, row, k, labels[i], max, smoothing, classWeights);
        }
        return total / n;
    }

    /**
     * One row of {@link #softmaxCrossEntropyForward} once its maximum {@code max} is known: writes
     * {@code probs[row, row + k)} and returns the row's weighted loss. Also the vector backend's,
     * which finds the maximum with vectors and leaves the rest, in double, to this.
     */
    static double softmaxRow(float[] probs, float[] logits, int row, int k, int label, float max,
                             float smoothing, float[] classWeights) {
        // log p_j = z_j - logsumexp(z) = (z_j - max) - log sum_l exp(z_l - max). After the
        // shift every exponent is <= 0, so nothing overflows, and the largest term is 1, so
        // the log never sees 0.
        double sumExp = 0;
        for (int j = 0; j < k; j++) {
            sumExp += Math.exp((double) logits[row + j] - max);
        }
        double logSumExp = Math.log(sumExp);
        double sumLogP = 0;
        for (int j = 0; j < k; j++) {
            double logP = (double) logits[row + j] - max - logSumExp;
            probs[row + j] = (float) Math.exp(logP);
            sumLogP += logP;
        }
        // -sum_j t_j log p_j with t_j = (1 - s) [j == y] + s/K, without forming t.
        double logPy = (double) logits[row + label] - max - logSumExp;
        double rowLoss = -((1.0 - smoothing) * logPy + smoothing * sumLogP / k);
        return weight(classWeights, label) * rowLoss;
    }

    @Override
    public void softmaxCrossEntropyBackward(float[] dlogits, float[] probs, int[] labels, int n, int k,
                                            float smoothing, float[] classWeights) {
        float offTarget = smoothing / k;
        float onTarget = 1f - smoothing + offTarget;
        for (int i = 0; i < n; i++) {
            int row = i * k;
            int label = labels[i];
            float rowScale = (float) weight(classWeights, label) / n;
            for (int j = 0; j < k; j++) {
                float target = j == label ? onTarget : offTarget;
                dlogits[row + j] = rowScale * (probs[row + j] - target);
            }
        }
    }

    // ---------------------------------------------------------------- optimizer updates

    @Override
    public void sgdUpdate(float[] w, float[] g, float[] velocity, int n,
                          float lr, float momentum, float weightDecay, boolean nesterov) {
        sgdRange(w, g, velocity, 0, n, lr, momentum, weightDecay, nesterov);
    }

    /**
     * {@link #sgdUpdate} of the elements {@code [from, to)}, unchecked: also the scalar remainder
     * of the vector backend, which so gives the same bits.
     */
    static void sgdRange(float[] w, float[] g, float[] velocity, int from, int to,
                         float lr, float momentum, float weightDecay, boolean nesterov) {
        if (momentum == 0f) {
            // Plain SGD: there is no velocity to keep, and `velocity` is neither read nor written.
            for (int i = from; i < to; i++) {
                float gi = g[i] + weightDecay * w[i];
                w[i] -= lr * gi;
            }
            return;
        }
        for (int i = from; i < to; i++) {
            float gi = g[i] + weightDecay * w[i]; // L2 decay enters the gradient; g is not modified
            float vi = momentum * velocity[i] + gi;
            velocity[i] = vi;
            // Nesterov looks ahead: the step uses the gradient plus the velocity it is about to
            // follow, as in PyTorch (Sutskever et al. 2013 rewritten in terms of the current w).
            w[i] -= lr * (nesterov ? gi + momentum * vi : vi);
        }
    }

    @Override
    public void adamUpdate(float[] w, float[] g, float[] m, float[] v, int n,
                           float lr, float beta1, float beta2, float eps, float weightDecay,
                           boolean decoupled, long t) {
        // m and v start at 0 and so underestimate the moments early on; dividing by 1 - beta^t
        // undoes that. In double because 1 - beta2^t is a small difference of numbers near 1
        // (1e-3 at t = 1 for beta2 = 0.999), and a float beta2^t, off by up to 3e-8 per
        // multiplication, would already err by 3e-5 of it.
        float biasCorrection1 = (float) (1.0 - Math.pow(beta1, t));
        float biasCorrection2 = (float) (1.0 - Math.pow(beta2, t));
        adamRange(w, g, m, v, 0, n, lr, beta1, beta2, eps, weightDecay, decoupled, biasCorrection1, biasCorrection2);
    }

    /**
     * {@link #adamUpdate} of the elements {@code [from, to)} with the bias corrections
     * {@code 1 - beta^t} given, unchecked: also the scalar remainder of the vector backend, which
     * so gives the same bits.
     */
    static void adamRange(float[] w, float[] g, float[] m, float[] v, int from, int to,
                          float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                          float biasCorrection1, float biasCorrection2) {
        for (int i = from; i < to; i++) {
            float wi = w[i];
            float gi = g[i];
            if (decoupled) {
                wi -= lr * weightDecay * wi; // AdamW: decay the weight itself, outside the moments
            } else {
                gi += weightDecay * wi; // Adam + L2: decay enters the gradient (g is not modified)
            }
            float mi = beta1 * m[i] + (1f - beta1) * gi;
            float vi = beta2 * v[i] + (1f - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            float mHat = mi / biasCorrection1;
            float vHat = vi / biasCorrection2;
            w[i] = wi - lr * mHat / ((float) Math.sqrt(vHat) + eps);
        }
    }

    private static double weight(float[] classWeights, int label) {
        return classWeights == null ? 1.0 : classWeights[label];
    }
}
