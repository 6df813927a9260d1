package org.fer4j.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.Layer;
import org.fer4j.kernels.Kernels;

/**
 * Where the time of a pass goes, layer by layer ({@code fer4j bench --layers}): the model's
 * layers are run one at a time, as {@code Sequential} runs them, with a clock around each call:
 * the evaluation-mode forward (inference), and the training-mode forward and backward (the
 * backward from a random output gradient; the loss and the optimizer are not layers). Each time
 * is the median over the passes. A layer whose work another layer does (a ReLU fused into the
 * convolution before it) shows as almost nothing, and the convolution carries its cost.
 */
final class LayerProfile {
    /** One layer's medians, in milliseconds. */
    record Row(String name, String type, double evalForwardMs, double trainForwardMs, double backwardMs) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("type", type);
            m.put("eval_forward_ms", round(evalForwardMs));
            m.put("train_forward_ms", round(trainForwardMs));
            m.put("backward_ms", round(backwardMs));
            return m;
        }
    }

    private LayerProfile() {
    }

    /**
     * Profiles {@code net} on the batch {@code x}: passes until {@code seconds} have gone (at
     * least {@code minPasses}), each an evaluation forward then a training forward and backward.
     * The kernels are synchronized after each call, so that a device backend's queued work is
     * charged to the layer that queued it.
     */
    static List<Row> run(Sequential net, Tensor x, Kernels kernels, double seconds, int minPasses) {
        List<Layer> layers = net.layers();
        int count = layers.size();
        List<long[]> eval = new ArrayList<>();
        List<long[]> train = new ArrayList<>();
        List<long[]> back = new ArrayList<>();
        Tensor dy = null;
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        while (eval.size() < minPasses || System.nanoTime() - start < budget) {
            long[] e = new long[count];
            long[] f = new long[count];
            long[] b = new long[count];
            forward(layers, x, Mode.EVAL, kernels, e);
            Tensor out = forward(layers, x, Mode.TRAIN, kernels, f);
            if (dy == null) {
                dy = randomLike(out);
            }
            Tensor d = dy;
            for (int i = count - 1; i >= 0; i--) {
                long t0 = System.nanoTime();
                d = layers.get(i).backward(d);
                kernels.synchronize();
                b[i] = System.nanoTime() - t0;
            }
            eval.add(e);
            train.add(f);
            back.add(b);
        }
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Layer l = layers.get(i);
            rows.add(new Row(l.name(), l.type(), medianMs(eval, i), medianMs(train, i), medianMs(back, i)));
        }
        return rows;
    }

    private static Tensor forward(List<Layer> layers, Tensor x, Mode mode, Kernels kernels, long[] nanos) {
        kernels.hostWrote(x.data());  // as Sequential.forward does: the batch comes from the host
        for (int i = 0; i < layers.size(); i++) {
            long t0 = System.nanoTime();
            x = layers.get(i).forward(x, mode);
            kernels.synchronize();
            nanos[i] = System.nanoTime() - t0;
        }
        return x;
    }

    /** A gradient of the output's shape, uniform in [-1, 1), from a fixed seed. */
    private static Tensor randomLike(Tensor out) {
        SplittableRandom random = new SplittableRandom(3);
        float[] d = new float[out.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (2 * random.nextDouble() - 1);
        }
        return new Tensor(d, out.shape());
    }

    private static double medianMs(List<long[]> passes, int layer) {
        double[] v = new double[passes.size()];
        for (int p = 0; p < v.length; p++) {
            v[p] = passes.get(p)[layer] / 1e6;
        }
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
