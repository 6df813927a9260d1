package org.fer4j.engine.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;

/**
 * Depthwise 2-D convolution, depth multiplier 1: every channel is convolved with its own
 * {@code KH x KW} kernel and channels do not mix (Chollet 2017, arXiv:1610.02357; MobileNets,
 * arXiv:1704.04861). Followed by a 1x1 {@link Conv2D} it is a separable convolution, see
 * {@link SeparableConv}. Padding as in {@link Conv2D} ({@link Padding}: valid, TensorFlow's same
 * with the extra row and column at the bottom and right, or explicit).
 *
 * <pre>
 * x      [N, C, H, W]        input: the cache backward reads
 * kernel [C, 1, KH, KW]      one KH x KW kernel per channel (read by the kernels as [C, KH, KW])
 * bias   [C]                 or none (useBias = false)
 * y      [N, C, OH, OW]      y[n, c, oy, ox] = bias[c] + sum_{ki, kj} kernel[c, 0, ki, kj] * x[n, c, oy*sH - padTop + ki, ox*sW - padLeft + kj]
 * </pre>
 *
 * Backward ({@code Kernels.depthwiseConvBackward}): {@code dx} is the transposed convolution of
 * {@code dy} with each channel's kernel, {@code dkernel[c] += sum over n and positions of
 * dy * x} and {@code dbias[c] += sum of dy[., c]}. Unlike {@link Conv2D} there is no im2col and
 * GEMM: a depthwise convolution does {@code KH*KW} multiply-adds per output, too few for a GEMM to
 * pay; the kernel walks the image directly. The batch goes to the kernels in one call, and the
 * vector backend splits it over its threads itself.
 */
public final class DepthwiseConv2D extends Layer {
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
    private Param kernel;   // [C, 1, KH, KW]
    private Param bias;     // [C], or null without bias

    private Tensor input;   // [N, C, H, W], the cache
    private Tensor output;  // [N, C, OH, OW]
    private Tensor dinput;  // [N, C, H, W]

    public DepthwiseConv2D(int kernelSize) {
        this(kernelSize, kernelSize, 1, 1, Padding.VALID, true, Init.AUTO);
    }

    public DepthwiseConv2D(int kernelSize, int stride, Padding padding) {
        this(kernelSize, kernelSize, stride, stride, padding, true, Init.AUTO);
    }

    public DepthwiseConv2D(int kh, int kw, int strideH, int strideW, Padding padding, boolean useBias, Init init) {
        Config.positive("DepthwiseConv2D kernel height", kh);
        Config.positive("DepthwiseConv2D kernel width", kw);
        Config.positive("DepthwiseConv2D stride", strideH);
        Config.positive("DepthwiseConv2D stride", strideW);
        this.kh = kh;
        this.kw = kw;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padding = padding;
        this.useBias = useBias;
        this.init = init;
    }

    /** Without bias: the usual choice right before batch-norm, or before the 1x1 of a separable pair. */
    public DepthwiseConv2D withoutBias() {
        return new DepthwiseConv2D(kh, kw, strideH, strideW, padding, false, init);
    }

    static DepthwiseConv2D fromConfig(Map<String, ?> c) {
        String type = "DepthwiseConv2D";
        int[] k = Config.getPair(type, c, "kernel");
        int[] s = c.containsKey("stride") ? Config.getPair(type, c, "stride") : new int[] {1, 1};
        return new DepthwiseConv2D(k[0], k[1], s[0], s[1],
                Padding.parse(Config.getString(type, c, "padding", "valid")),
                Config.getBoolean(type, c, "useBias", true),
                Init.parse(Config.getString(type, c, "init", "auto")));
    }

    @Override
    public String type() {
        return "DepthwiseConv2D";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("kernel", new int[] {kh, kw});
        c.put("stride", new int[] {strideH, strideW});
        c.put("padding", padding.text());
        c.put("useBias", useBias);
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
        kernel = Param.trainable(name() + "/kernel", Tensor.zeros(channels, 1, kh, kw), true);
        // Each output sees KH*KW inputs of one channel and each input feeds KH*KW outputs of it:
        // fanIn = fanOut = KH*KW. (Keras counts fanIn as C*KH*KW, as if channels mixed; they do not.)
        init.resolve(context.followedByRelu())
                .fill(kernel.value().data(), kh * kw, kh * kw, context.random());
        if (useBias) {
            bias = Param.trainable(name() + "/bias", Tensor.zeros(channels), false);
        }
        return new int[] {channels, outH, outW};
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
        input = x;
        output = reuse(output, n, channels, outH, outW);
        kernels.depthwiseConvForward(output.data(), x.data(), kernel.value().data(),
                bias == null ? null : bias.value().data(),
                n, channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, outH, outW);
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        int n = input.dim(0);
        dinput = reuse(dinput, n, channels, height, width);
        kernels.depthwiseConvBackward(dinput.data(), kernel.grad().data(), bias == null ? null : bias.grad().data(),
                dout.data(), input.data(), kernel.value().data(),
                n, channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, outH, outW);
        return dinput;
    }

    /** Multiply-adds of one forward pass for one image (for the summary and benchmarks). */
    public long forwardMacsPerImage() {
        requireBuilt();
        return (long) channels * outH * outW * kh * kw;
    }
}
