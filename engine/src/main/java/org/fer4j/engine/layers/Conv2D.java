package org.fer4j.engine.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.ConvGeometry;
import org.fer4j.kernels.Parallel;

/**
 * 2-D convolution (cross-correlation, as in every framework) by im2col + GEMM, darknet's way:
 * this file owns no arithmetic loops; the math lives in the kernels.
 *
 * <pre>
 * x      [N, C, H, W]          input
 * kernel [F, C, KH, KW]        weights, read as a matrix [F, C*KH*KW]
 * bias   [F]
 * col    [C*KH*KW, OH*OW]      one image unfolded by im2col (workspace, reused)
 * y      [N, F, OH, OW]        y[n] = kernel . col(x[n]) + bias   (Kernels.convForward)
 * </pre>
 * (That is the definition; the vector backend computes a 3x3, stride-1 forward of 16 channels or
 * more by Winograd's F(2x2,3x3) instead, the same up to rounding: see
 * {@link org.fer4j.kernels.Winograd}; for such a layer it also computes the two gradients below by
 * Winograd: the input gradient as a convolution of {@code dy[n]}
 * ({@link org.fer4j.kernels.Kernels#convBackwardData}) and the kernel gradient as a sum over every
 * tile of the batch ({@link org.fer4j.kernels.Kernels#convBackwardKernel}).)
 *
 * <p>Backward, per image n, with {@code dy[n]} read as {@code [F, OH*OW]}:
 * {@code dkernel += dy[n] . col(x[n])^T}, {@code dbias += sum over positions of dy[n]},
 * {@code dcol = kernel^T . dy[n]} and {@code dx[n] = col2im(dcol)}. The column matrix is rebuilt in
 * backward rather than cached for the whole batch: caching would cost {@code N*C*KH*KW*OH*OW}
 * floats (140 MB for fer-ref's second conv at batch 64), rebuilding costs one cheap copy.
 *
 * <p>Fusion: when a {@link ReLU} follows directly, {@link Layers#buildChain} hands the activation
 * to this layer ({@link #fuseRelu}): the forward pass then writes {@code max(y, 0)} as the GEMM
 * stores each tile, together with the bias, and the ReLU layer passes it on untouched. Backward is
 * unchanged: the ReLU layer still masks the gradient by the (shared) output before it reaches
 * this layer. That saves two passes over the layer's output, the bias fill and the rectification,
 * which at fer-ref's sizes are a tenth of inference time.
 *
 * <p>Pooling, at inference: in the copy of a model that {@link org.fer4j.engine.InferenceModel}
 * makes, a convolution followed (after its activation) by a 2x2, stride-2 max-pool does the
 * pooling itself ({@link Layers#withFusedPool}) and the pool layer is left out: its output is
 * {@code [N, F, OH/2, OW/2]} ({@link org.fer4j.kernels.Kernels#convForwardPooled}), which the
 * vector backend computes without ever storing the full-size output. ReLU and max commute
 * ({@code max(relu(a), relu(b)) = relu(max(a, b))}), so the activation after it still computes
 * the same. Such a layer has no backward: the copy is for inference only.
 *
 * <p>Threads: the images of a batch are independent, so the batch is cut into one contiguous
 * chunk per thread ({@link Parallel}), each with its own {@code col} and {@code dcol}. The only
 * shared output is {@code dkernel}: chunk 0 adds into it directly, every other chunk into its own
 * partial, and the partials are added in chunk order afterwards, so the same thread count always
 * gives the same bits. At batch 1 there is a single chunk, and the GEMM splits itself instead.
 */
public final class Conv2D extends Layer {
    private final int filters;
    private final int kh;
    private final int kw;
    private final int strideH;
    private final int strideW;
    private final Padding padding;
    private final boolean useBias;
    private final Init init;

    // Resolved by build.
    private int channels;
    private int height;
    private int width;
    private int outH;
    private int outW;
    private int padTop;
    private int padLeft;
    private ConvGeometry geometry;  // all of the above, as the kernels take it
    private Param kernel;   // [F, C, KH, KW]
    private Param bias;     // [F], or null without bias
    private boolean fusedRelu;  // the following ReLU's max(y, 0) is applied here (fuseRelu)
    private float fusedSlope;   // ... or a following LeakyReLU's y > 0 ? y : slope * y (slope > 0)
    private boolean fusedPool;  // the 2x2, stride-2 max-pool after it is done here (inference copies only)
    private boolean fixedWeights;  // the kernel never changes again (inference copies): Kernels.fixKernel
    private float[][] full;     // [chunk][images * F*OH*OW]: a chunk's unpooled output, for a backend that needs it

    // Cache and workspaces; the workspaces have one slot per chunk of the batch (per thread).
    private Tensor input;           // [N, C, H, W], the forward input (read by backward)
    private float[][] col;          // [chunk][C*KH*KW * OH*OW]
    private float[][] dcol;         // [chunk][C*KH*KW * OH*OW]
    private float[][] dkernelPart;  // [chunk][F * C*KH*KW], chunks >= 1 only
    private Tensor output;          // [N, F, OH, OW]
    private Tensor dinput;          // [N, C, H, W]

    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize, 1, 1, Padding.VALID, true, Init.AUTO);
    }

    public Conv2D(int filters, int kernelSize, int stride, Padding padding) {
        this(filters, kernelSize, kernelSize, stride, stride, padding, true, Init.AUTO);
    }

    public Conv2D(int filters, int kh, int kw, int strideH, int strideW, Padding padding, boolean useBias, Init init) {
        Config.positive("Conv2D filters", filters);
        Config.positive("Conv2D kernel height", kh);
        Config.positive("Conv2D kernel width", kw);
        Config.positive("Conv2D stride", strideH);
        Config.positive("Conv2D stride", strideW);
        this.filters = filters;
        this.kh = kh;
        this.kw = kw;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padding = padding;
        this.useBias = useBias;
        this.init = init;
    }

    /** Without bias: the usual choice right before batch-norm, whose shift makes a bias redundant. */
    public Conv2D withoutBias() {
        return new Conv2D(filters, kh, kw, strideH, strideW, padding, false, init);
    }

    static Conv2D fromConfig(Map<String, ?> c) {
        int[] k = Config.getPair("Conv2D", c, "kernel");
        int[] s = c.containsKey("stride") ? Config.getPair("Conv2D", c, "stride") : new int[] {1, 1};
        return new Conv2D(Config.getInt("Conv2D", c, "filters"), k[0], k[1], s[0], s[1],
                Padding.parse(Config.getString("Conv2D", c, "padding", "valid")),
                Config.getBoolean("Conv2D", c, "bias", true),
                Init.parse(Config.getString("Conv2D", c, "init", "auto")));
    }

    @Override
    public String type() {
        return "Conv2D";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("filters", filters);
        c.put("kernel", new int[] {kh, kw});
        c.put("stride", new int[] {strideH, strideW});
        c.put("padding", padding.text());
        c.put("bias", useBias);
        c.put("init", init.name().toLowerCase(java.util.Locale.ROOT));
        return c;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        Padding.Window g = padding.window(in, kh, kw, strideH, strideW);
        channels = g.channels();
        height = g.height();
        width = g.width();
        outH = g.outH();
        outW = g.outW();
        padTop = g.padTop();
        padLeft = g.padLeft();
        geometry = new ConvGeometry(channels, height, width, filters, kh, kw, strideH, strideW, padTop, padLeft,
                outH, outW);
        kernel = Param.trainable(name() + "/kernel", Tensor.zeros(filters, channels, kh, kw), true);
        init.resolve(context.followedByRelu())
                .fill(kernel.value().data(), channels * kh * kw, filters * kh * kw, context.random());
        if (useBias) {
            bias = Param.trainable(name() + "/bias", Tensor.zeros(filters), false);
        }
        if (fusedPool && (outH < 2 || outW < 2)) {
            throw new IllegalArgumentException("a fused 2x2 max-pool needs an output of at least 2x2, got "
                    + outH + "x" + outW);
        }
        return fusedPool ? new int[] {filters, outH / 2, outW / 2} : new int[] {filters, outH, outW};
    }

    @Override
    public List<Param> params() {
        List<Param> p = new ArrayList<>(2);
        if (kernel != null) {
            p.add(kernel);
        }
        if (bias != null) {
            p.add(bias);
        }
        return p;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int n = batchOf(x);
        int imageSize = geometry.imageSize();
        int outSize = geometry.outputSize();
        ensureWorkspaces(geometry.colSize());
        input = x;
        float[] w = kernel.value().data();
        float[] b = bias == null ? null : bias.value().data();
        boolean relu = fusedRelu;
        float slope = fusedSlope;
        ConvGeometry g = geometry;
        if (fixedWeights) {
            kernels.fixKernel(w);  // the backend current now keeps what it derives from w (cheap when it has)
        }
        if (fusedPool) {
            // y[i] [F, OH/2, OW/2] = the 2x2, stride-2 max-pool of the activated convolution
            output = reuse(output, n, filters, outH / 2, outW / 2);
            float[] y = output.data();
            int pooledSize = filters * (outH / 2) * (outW / 2);
            int chunks = Parallel.chunks(n, 1);
            if (full == null || full.length < chunks) {
                full = new float[chunks][0];
            }
            Parallel.forChunks(n, 1, (chunk, from, to) -> {
                if (full[chunk].length < (to - from) * outSize) {
                    full[chunk] = new float[(to - from) * outSize];  // this chunk's slot, this thread's alone
                }
                kernels.convForwardPooled(y, from * pooledSize, x.data(), from * imageSize, to - from, w, b,
                        col[chunk], g, relu, slope, full[chunk]);
            });
            return output;
        }
        output = reuse(output, n, filters, outH, outW);
        float[] y = output.data();
        // y[i] [F, P] = kernel [F, rows] . im2col(x[i]) [rows, P] + bias (one value per row), then
        // max(., 0) when a ReLU is fused, for this chunk's images in one convForward (im2col into
        // col and sgemm per image, or a backend's equivalent that packs the kernel once).
        Parallel.forChunks(n, 1, (chunk, from, to) -> kernels.convForward(y, from * outSize,
                x.data(), from * imageSize, to - from, w, b, col[chunk], g, relu, slope));
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        if (fusedPool || fixedWeights) {
            throw new IllegalStateException("layer " + name() + " (Conv2D) " + (fusedPool ? "pools its output"
                    : "has fixed weights") + " for inference (an InferenceModel copy) and has no backward pass; "
                    + "train the original model");
        }
        int n = input.dim(0);
        int rows = geometry.rows();
        int positions = geometry.positions();
        int imageSize = geometry.imageSize();
        int outSize = geometry.outputSize();
        float[] dy = dout.data();
        dinput = reuse(dinput, n, channels, height, width);
        float[] dx = dinput.data();
        float[] w = kernel.value().data();
        float[] dkernel = kernel.grad().data();
        if (bias != null) {
            kernels.biasBackward(bias.grad().data(), dy, n, filters, positions);
        }
        ensureWorkspaces(rows * positions);  // the thread count may have changed since forward
        int chunks = Parallel.chunks(n, 1);
        Parallel.forChunks(n, 1, (chunk, from, to) -> {
            float[] c = col[chunk];
            float[] dc = dcol[chunk];
            float[] dk = chunk == 0 ? dkernel : dkernelPart[chunk];
            if (chunk > 0) {
                kernels.fill(dk, 0, dk.length, 0f);
            }
            // dkernel [F, rows] += dy[i] [F, P] . im2col(x[i])^T [P, rows] for this chunk's images
            kernels.convBackwardKernel(dk, dy, from * outSize, input.data(), from * imageSize, to - from, c,
                    geometry);
            // dx[i] = col2im(kernel^T [rows, F] . dy[i] [F, P]) for this chunk's images (a backend
            // may compute it as a convolution of dy: Kernels.convBackwardData)
            kernels.convBackwardData(dx, from * imageSize, dy, from * outSize, to - from, w, dc, geometry);
        });
        for (int chunk = 1; chunk < chunks; chunk++) {
            kernels.axpy(dkernel, 0, dkernelPart[chunk], 0, dkernel.length, 1f);
        }
        return dinput;
    }

    /**
     * From now on the forward pass also applies {@code max(y, 0)}: called by
     * {@link Layers#buildChain} together with {@link ReLU#appliedByPrevious} on the ReLU that
     * follows this layer; the pair computes exactly what the two layers compute apart.
     */
    void fuseRelu() {
        fusedRelu = true;
    }

    /** The following LeakyReLU is applied here, as the output is written: {@code y > 0 ? y : slope * y}. */
    void fuseLeakyRelu(float slope) {
        fusedRelu = true;
        fusedSlope = slope;
    }

    /**
     * From now on this layer also does the 2x2, stride-2 max-pool that follows it (after its
     * activation): its output is pooled. Called before build, on the unbuilt copies of {@link
     * Layers#withFusedPool}, for inference only.
     */
    void fusePool() {
        if (geometry != null) {
            throw new IllegalStateException("the pooling must be fused before the layer is built");
        }
        fusedPool = true;
    }

    /**
     * Declares this layer's kernel fixed from now on ({@link org.fer4j.kernels.Kernels#fixKernel}):
     * the backend may keep the kernel's packed and transformed forms between forward calls, which
     * at batch 1 saves a large part of the layer's time. For inference copies ({@link
     * org.fer4j.engine.InferenceModel}), whose weights are written once, before this; writing to
     * the kernel afterwards is not supported (the backend would go on with the old values), and
     * the layer refuses to train.
     */
    public void fixWeights() {
        fixedWeights = true;
    }

    /** Whether this layer does the max-pool after it ({@link Layers#withFusedPool}): its output is pooled. */
    public boolean poolsItsOutput() {
        return fusedPool;
    }

    /** One col and dcol per thread, and a dkernel partial per thread after the first. */
    private void ensureWorkspaces(int colSize) {
        int threads = Parallel.threads();
        if (col == null || col.length < threads || col[0].length != colSize) {
            col = new float[threads][colSize];
            dcol = new float[threads][colSize];
            dkernelPart = new float[threads][];
            for (int t = 1; t < threads; t++) {
                dkernelPart[t] = new float[kernel.value().size()];
            }
        }
    }

    /** Multiply-adds of one forward pass for one image (for the summary and benchmarks). */
    public long forwardMacsPerImage() {
        requireBuilt();
        return (long) filters * outH * outW * channels * kh * kw;
    }
}
