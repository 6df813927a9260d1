package org.fer4j.engine.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;

/**
 * Max pooling over {@code KH x KW} windows moved by a stride (default: the window, so windows
 * do not overlap), no padding: {@code OH = (H - KH) / strideH + 1}.
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

    private int channels;
    private int height;
    private int width;
    private int outH;
    private int outW;

    private int[] argmax;   // [N, C, OH, OW]
    private Tensor output;  // [N, C, OH, OW]
    private Tensor dinput;  // [N, C, H, W]

    public MaxPool2D(int size) {
        this(size, size, size, size);
    }

    public MaxPool2D(int size, int stride) {
        this(size, size, stride, stride);
    }

    public MaxPool2D(int kh, int kw, int strideH, int strideW) {
        Config.positive("MaxPool2D pool height", kh);
        Config.positive("MaxPool2D pool width", kw);
        Config.positive("MaxPool2D stride", strideH);
        Config.positive("MaxPool2D stride", strideW);
        this.kh = kh;
        this.kw = kw;
        this.strideH = strideH;
        this.strideW = strideW;
    }

    static MaxPool2D fromConfig(Map<String, ?> c) {
        int[] p = Config.getPair("MaxPool2D", c, "pool");
        int[] s = c.containsKey("stride") ? Config.getPair("MaxPool2D", c, "stride") : p;
        return new MaxPool2D(p[0], p[1], s[0], s[1]);
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
        if (in[1] < kh || in[2] < kw) {
            throw new IllegalArgumentException("needs height >= " + kh + " and width >= " + kw
                    + " for its " + kh + "x" + kw + " window");
        }
        channels = in[0];
        height = in[1];
        width = in[2];
        outH = (height - kh) / strideH + 1;
        outW = (width - kw) / strideW + 1;
        return new int[] {channels, outH, outW};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int n = batchOf(x);
        output = reuse(output, n, channels, outH, outW);
        if (argmax == null || argmax.length != output.size()) {
            argmax = new int[output.size()];
        }
        kernels.maxPoolForward(output.data(), argmax, x.data(), n * channels, height, width,
                kh, kw, strideH, strideW, outH, outW);
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        int n = output.dim(0);
        dinput = reuse(dinput, n, channels, height, width);
        kernels.maxPoolBackward(dinput.data(), dout.data(), argmax, dinput.size(), dout.size());
        return dinput;
    }
}
