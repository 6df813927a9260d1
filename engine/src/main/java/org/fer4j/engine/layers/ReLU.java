package org.fer4j.engine.layers;

import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;

/**
 * {@code y = max(x, 0)}; backward {@code dx = dy} where {@code y > 0}, else 0. The cache is the
 * output {@code y} (any shape): {@code y > 0} exactly where {@code x > 0}.
 *
 * <p>Right after a {@link Conv2D} the convolution applies {@code max(x, 0)} itself as it writes
 * its output (see {@link Layers#buildChain}); forward then passes {@code x} on as it is and keeps
 * it as {@code y}, which is the same thing. Backward is the same in both cases.
 */
public final class ReLU extends Layer {
    private Tensor output;
    private Tensor dinput;
    private boolean appliedByPrevious;

    static ReLU fromConfig(Map<String, ?> c) {
        return new ReLU();
    }

    @Override
    public String type() {
        return "ReLU";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of();
    }

    @Override
    public boolean isRelu() {
        return true;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        return in;
    }

    /** The previous layer now applies this ReLU as it writes its output (an operator fusion). */
    void appliedByPrevious() {
        appliedByPrevious = true;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        batchOf(x);
        if (appliedByPrevious) {
            output = x;  // already max(conv, 0); shared with the conv, which does not touch it again
            return output;
        }
        output = reuse(output, x.shape());
        kernels.reluForward(output.data(), x.data(), x.size());
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        dinput = reuse(dinput, dout.shape());
        kernels.reluBackward(dinput.data(), dout.data(), output.data(), dout.size());
        return dinput;
    }
}
