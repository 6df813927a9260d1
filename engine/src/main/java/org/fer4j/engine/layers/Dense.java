package org.fer4j.engine.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;

/**
 * Fully connected layer, {@code y = x . kernel + bias}.
 *
 * <pre>
 * x      [N, IN]
 * kernel [IN, OUT]     (the Keras layout: one column per output unit)
 * bias   [OUT]
 * y      [N, OUT]
 * </pre>
 *
 * Backward: {@code dx = dy . kernel^T}, {@code dkernel += x^T . dy}, {@code dbias += sum_n dy}.
 */
public final class Dense extends Layer {
    private final int units;
    private final boolean useBias;
    private final Init init;

    private int inputs;
    private Param kernel;   // [IN, OUT]
    private Param bias;     // [OUT]

    private Tensor input;   // [N, IN], cache for backward
    private Tensor output;  // [N, OUT]
    private Tensor dinput;  // [N, IN]

    public Dense(int units) {
        this(units, true, Init.AUTO);
    }

    public Dense(int units, boolean useBias, Init init) {
        Config.positive("Dense units", units);
        this.units = units;
        this.useBias = useBias;
        this.init = init;
    }

    static Dense fromConfig(Map<String, ?> c) {
        return new Dense(Config.getInt("Dense", c, "units"), Config.getBoolean("Dense", c, "bias", true),
                Init.parse(Config.getString("Dense", c, "init", "auto")));
    }

    @Override
    public String type() {
        return "Dense";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("units", units);
        c.put("bias", useBias);
        c.put("init", init.name().toLowerCase(java.util.Locale.ROOT));
        return c;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        if (in.length != 1) {
            throw new IllegalArgumentException("needs a flat (features) input; put a Flatten or "
                    + "GlobalAveragePooling before it");
        }
        inputs = in[0];
        kernel = Param.trainable(name() + "/kernel", Tensor.zeros(inputs, units), true);
        init.resolve(context.followedByRelu()).fill(kernel.value().data(), inputs, units, context.random());
        if (useBias) {
            bias = Param.trainable(name() + "/bias", Tensor.zeros(units), false);
        }
        return new int[] {units};
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
        output = reuse(output, n, units);
        // y [N, OUT] = x [N, IN] . kernel [IN, OUT]
        kernels.sgemm(false, false, n, units, inputs, 1f, x.data(), 0, inputs,
                kernel.value().data(), 0, units, 0f, output.data(), 0, units);
        if (bias != null) {
            kernels.addBias(output.data(), bias.value().data(), n, units, 1);
        }
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        int n = input.dim(0);
        float[] dy = dout.data();
        // dkernel [IN, OUT] += x^T [IN, N] . dy [N, OUT]
        kernels.sgemm(true, false, inputs, units, n, 1f, input.data(), 0, inputs, dy, 0, units,
                1f, kernel.grad().data(), 0, units);
        if (bias != null) {
            kernels.biasBackward(bias.grad().data(), dy, n, units, 1);
        }
        // dx [N, IN] = dy [N, OUT] . kernel^T [OUT, IN]
        dinput = reuse(dinput, n, inputs);
        kernels.sgemm(false, true, n, inputs, units, 1f, dy, 0, units, kernel.value().data(), 0, units,
                0f, dinput.data(), 0, inputs);
        return dinput;
    }
}
