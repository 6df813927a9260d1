package org.fer4j.engine.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;

/**
 * A residual block (He et al. 2015, arXiv:1512.03385): two paths from the same input, added.
 *
 * <pre>
 * y = main(x) + shortcut(x)      shortcut empty means the identity, shortcut(x) = x
 * dx = dmain(dy) + dshortcut(dy)  the input fans out, so its gradients add
 * </pre>
 *
 * Both paths must produce the same shape; a projection shortcut (a 1x1 Conv2D, often with
 * stride 2 and BatchNorm) makes them agree when the main path changes channels or size. The
 * ReLU that usually follows the sum is a separate layer after the block.
 */
public final class Residual extends Layer {
    private final List<Layer> main;
    private final List<Layer> shortcut;

    private Tensor output;
    private Tensor dinput;

    public Residual(List<Layer> main, List<Layer> shortcut) {
        if (main.isEmpty()) {
            throw new IllegalArgumentException("Residual needs at least one layer on its main path");
        }
        this.main = List.copyOf(main);
        this.shortcut = List.copyOf(shortcut);
    }

    /** An identity-shortcut block. */
    public Residual(Layer... main) {
        this(List.of(main), List.of());
    }

    static Residual fromConfig(Map<String, ?> c) {
        List<Layer> m = Layers.fromConfigs("Residual main", Config.require("Residual", c, "main"));
        List<Layer> s = c.containsKey("shortcut") ? Layers.fromConfigs("Residual shortcut", c.get("shortcut")) : List.of();
        return new Residual(m, s);
    }

    @Override
    public String type() {
        return "Residual";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("main", Layers.describeAll(main));
        c.put("shortcut", Layers.describeAll(shortcut));
        return c;
    }

    public List<Layer> mainPath() {
        return main;
    }

    public List<Layer> shortcutPath() {
        return shortcut;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        Layers.name(main, name() + "/main");
        Layers.name(shortcut, name() + "/shortcut");
        int[] outMain = Layers.buildChain(main, in, context.random(), context.followedByRelu(), "main path ");
        int[] outShort = shortcut.isEmpty() ? in
                : Layers.buildChain(shortcut, in, context.random(), context.followedByRelu(), "shortcut ");
        if (!java.util.Arrays.equals(outMain, outShort)) {
            throw new IllegalArgumentException("its main path gives " + Tensor.shapeString(outMain)
                    + " but its shortcut gives " + Tensor.shapeString(outShort)
                    + "; add a projection shortcut (e.g. a 1x1 Conv2D) so they match");
        }
        return outMain;
    }

    @Override
    public List<Param> params() {
        List<Param> p = new ArrayList<>();
        for (Layer l : main) {
            p.addAll(l.params());
        }
        for (Layer l : shortcut) {
            p.addAll(l.params());
        }
        return p;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        batchOf(x);
        Tensor a = Layers.forward(main, x, mode);
        Tensor b = shortcut.isEmpty() ? x : Layers.forward(shortcut, x, mode);
        output = reuse(output, a.shape());
        kernels.add(output.data(), a.data(), b.data(), output.size());
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        Tensor da = Layers.backward(main, dout);
        Tensor db = shortcut.isEmpty() ? dout : Layers.backward(shortcut, dout);
        dinput = reuse(dinput, da.shape());
        kernels.add(dinput.data(), da.data(), db.data(), dinput.size());
        return dinput;
    }
}
