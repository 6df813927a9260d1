package org.fer4j.engine.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;

/**
 * Max pooling over {@code KH x KW} windows moved by a stride (default: the window, so windows
 * do not overlap). Padding {@code valid} (the default): no padding, {@code OH = (H - KH) / strideH + 1}.
 * Padding {@code same}, as TensorFlow: {@code OH = ceil(H / strideH)}, and the windows that run
 * past the bottom or right edge are cut there, the missing positions counting as {@code -infinity}
 * (they never win, and argmax never points outside x). That is TensorFlow's padding whenever its
 * total {@code (OH-1)*strideH + KH - H} is at most 1, as for the YOLO-style 2x2 pools (stride 2:
 * 207 -> 104; stride 1: 13 -> 13); a larger total, which TensorFlow would split between top and
 * bottom, is refused at build.
 *
 * <pre>
 * x      [N, C, H, W]
 * y      [N, C, OH, OW]   y = max over the window
 * argmax [N, C, OH, OW]   flat index into x of each maximum: the cache backward reads
 * </pre>
 *
 * Backward routes each {@code dy} to the input that won its window; where windows overlap an
 * input can win several and collects the sum.
 */
public final class MaxPool2D extends Layer {
    private final int kh;
    private final int kw;
    private final int strideH;
    private final int strideW;
    private final boolean same;  // Padding.SAME; otherwise valid

    private int channels;
    private int height;
    private int width;
    private int outH;
    private int outW;

    private int[] argmax;   // [N, C, OH, OW]
    private Tensor input;   // x of the last forward, while argmax is not yet computed for it
    private Tensor output;  // [N, C, OH, OW]
    private Tensor dinput;  // [N, C, H, W]

    public MaxPool2D(int size) {
        this(size, size, size, size);
    }

    public MaxPool2D(int size, int stride) {
        this(size, size, stride, stride);
    }

    public MaxPool2D(int kh, int kw, int strideH, int strideW) {
        this(kh, kw, strideH, strideW, Padding.VALID);
    }

    /** A square window and stride with {@link Padding#VALID} or {@link Padding#SAME}. */
    public MaxPool2D(int size, int stride, Padding padding) {
        this(size, size, stride, stride, padding);
    }

    public MaxPool2D(int kh, int kw, int strideH, int strideW, Padding padding) {
        Config.positive("MaxPool2D pool height", kh);
        Config.positive("MaxPool2D pool width", kw);
        Config.positive("MaxPool2D stride", strideH);
        Config.positive("MaxPool2D stride", strideW);
        if (padding.mode() == Padding.Mode.EXPLICIT) {
            throw new IllegalArgumentException("MaxPool2D padding must be 'valid' or 'same', got '" + padding.text() + "'");
        }
        this.kh = kh;
        this.kw = kw;
        this.strideH = strideH;
        this.strideW = strideW;
        this.same = padding.mode() == Padding.Mode.SAME;
    }

    static MaxPool2D fromConfig(Map<String, ?> c) {
        int[] p = Config.getPair("MaxPool2D", c, "pool");
        int[] s = c.containsKey("stride") ? Config.getPair("MaxPool2D", c, "stride") : p;
        return new MaxPool2D(p[0], p[1], s[0], s[1], Padding.parse(Config.getString("MaxPool2D", c, "padding", "valid")));
    }

    /**
     * Whether this (built) layer is the plain 2x2 max-pool at stride 2 that a convolution before it
     * can do itself at inference ({@link Conv2D}, {@code Kernels.convForwardPooled}): 2x2 windows
     * at stride 2 whose output is {@code floor(H/2) x floor(W/2)} ("valid", or "same" on even sizes).
     */
    boolean isHalving() {
        requireBuilt();
        return kh == 2 && kw == 2 && strideH == 2 && strideW == 2 && outH == height / 2 && outW == width / 2;
    }

    @Override
    public String type() {
        return "MaxPool2D";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("pool", new int[] {kh, kw});
        c.put("stride", new int[] {strideH, strideW});
        if (same) {
            c.put("padding", "same");  // absent means valid: files written before 'same' existed read unchanged
        }
        return c;
    }

    @Override
    public boolean isScalePreserving() {
        return true;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        if (in.length != 3) {
            throw new IllegalArgumentException("needs a (channels, height, width) input");
        }
        channels = in[0];
        height = in[1];
        width = in[2];
        if (same) {
            outH = (height + strideH - 1) / strideH;
            outW = (width + strideW - 1) / strideW;
            // TensorFlow puts total/2 of the padding at the top (left); the kernels pad only the
            // bottom (right), which is the same while total <= 1.
            int totalH = (outH - 1) * strideH + kh - height;
            int totalW = (outW - 1) * strideW + kw - width;
            if (totalH > 1 || totalW > 1) {
                throw new IllegalArgumentException("'same' padding of a " + kh + "x" + kw + " window at stride "
                        + strideH + "x" + strideW + " would pad " + totalH + " rows and " + totalW
                        + " columns, part of it at the top or left; only bottom/right padding (at most 1) is supported");
            }
        } else {
            if (in[1] < kh || in[2] < kw) {
                throw new IllegalArgumentException("needs height >= " + kh + " and width >= " + kw
                        + " for its " + kh + "x" + kw + " window");
            }
            outH = (height - kh) / strideH + 1;
            outW = (width - kw) / strideW + 1;
        }
        return new int[] {channels, outH, outW};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int n = batchOf(x);
        output = reuse(output, n, channels, outH, outW);
        if (argmax == null || argmax.length != output.size()) {
            argmax = new int[output.size()];
        }
        if (mode == Mode.TRAIN) {
            kernels.maxPoolForward(output.data(), argmax, x.data(), n * channels, height, width,
                    kh, kw, strideH, strideW, outH, outW);
            input = null;
        } else {
            // Inference needs no argmax: the vector backend's values-only kernel is 2.1 to 2.4
            // times as fast at batch 64 (docs/performance.md). A backward after it (an input gradient of the model in
            // evaluation mode) finds the argmax from the kept input first.
            kernels.maxPoolValues(output.data(), x.data(), n * channels, height, width,
                    kh, kw, strideH, strideW, outH, outW, argmax);
            input = x;
        }
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        int n = output.dim(0);
        if (input != null) {
            kernels.maxPoolForward(output.data(), argmax, input.data(), n * channels, height, width,
                    kh, kw, strideH, strideW, outH, outW);
            input = null;
        }
        dinput = reuse(dinput, n, channels, height, width);
        kernels.maxPoolBackward(dinput.data(), dout.data(), argmax, dinput.size(), dout.size());
        return dinput;
    }
}
