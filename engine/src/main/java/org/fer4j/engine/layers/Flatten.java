package org.fer4j.engine.layers;

import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;

/** {@code [N, C, H, W] -> [N, C*H*W]}: a view of the same data, so forward and backward copy nothing. */
public final class Flatten extends Layer {
    private int features;

    static Flatten fromConfig(Map<String, ?> c) {
        return new Flatten();
    }

    @Override
    public String type() {
        return "Flatten";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of();
    }

    @Override
    public boolean isScalePreserving() {
        return true;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        features = (int) Tensor.checkedSize(in);
        return new int[] {features};
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        return x.reshape(batchOf(x), features);
    }

    @Override
    public Tensor backward(Tensor dout) {
        return dout.reshape(prepend(dout.dim(0), inputShape()));
    }
}
