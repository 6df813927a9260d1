package org.fer4j.engine.layers;

import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;

/**
 * {@code y[n, c] = mean over (h, w) of x[n, c, h, w]}: {@code [N, C, H, W] -> [N, C]}.
 * Backward spreads each {@code dy[n, c]} evenly: {@code dx[n, c, h, w] = dy[n, c] / (H*W)}.
 * No cache is needed beyond the input shape.
 */
public final class GlobalAveragePooling extends Layer {
    private int channels;
    private int spatial;
    private Tensor output;  // [N, C]
    private Tensor dinput;  // [N, C, H, W]

    static GlobalAveragePooling fromConfig(Map<String, ?> c) {
        return new GlobalAveragePooling();
    }

    @Override
    public String type() {
        return "GlobalAveragePooling";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of();
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        if (in.length != 3) {
            throw new IllegalArgumentException("needs a (channels, height, width) input");
        }
        channels = in[0];
        spatial = in[1] * in[2];
        return new int[] {channels};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int n = batchOf(x);
        output = reuse(output, n, channels);
        kernels.avgPoolGlobalForward(output.data(), x.data(), n * channels, spatial);
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        int n = dout.dim(0);
        dinput = reuse(dinput, prepend(n, inputShape()));
        kernels.avgPoolGlobalBackward(dinput.data(), dout.data(), n * channels, spatial);
        return dinput;
    }
}
