package org.fer4j.bench;

import java.util.Arrays;
import java.util.Locale;
import org.fer4j.engine.InferenceModel;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.Layer;
import org.fer4j.kernels.Parallel;
import org.fer4j.models.ModelZoo;

/**
 * Where the time of one image (or of a batch) goes: a model-zoo model, folded as {@code fer4j
 * predict} runs it ({@link InferenceModel#fold}), is run on a single image (or on {@code BATCH}
 * images) layer by layer, and each layer's
 * wall time is reported as the median of the second half of the rounds (the first half warms
 * the JIT up), with the engine's thread count set by the second argument:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     org.fer4j.bench.LatencyProfile fer-vgg 2 [ROUNDS [BATCH]]
 * </pre>
 */
public final class LatencyProfile {
    private LatencyProfile() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || !ModelZoo.contains(args[0])) {
            throw new IllegalArgumentException("usage: LatencyProfile MODEL THREADS [ROUNDS [BATCH]]; models: "
                    + String.join(", ", ModelZoo.names()));
        }
        int threads = Integer.parseInt(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3000;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        if (threads < 1 || rounds < 2 || batch < 1) {
            throw new IllegalArgumentException("THREADS and BATCH must be >= 1 and ROUNDS >= 2, got " + threads
                    + ", " + batch + " and " + rounds);
        }
        Parallel.setThreads(threads);
        Sequential net = InferenceModel.fold(ModelZoo.build(args[0], 42));
        int[] in = net.inputShape();
        Tensor x = new Tensor(Backends.random(batch * in[0] * in[1] * in[2], 1), batch, in[0], in[1], in[2]);
        int layers = net.layers().size();
        double[][] us = new double[layers][rounds];
        double[] pass = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            Tensor y = x;
            long start = System.nanoTime();
            for (int i = 0; i < layers; i++) {
                long t = System.nanoTime();
                y = net.layers().get(i).forward(y, Mode.EVAL);
                us[i][r] = (System.nanoTime() - t) / 1e3;
            }
            pass[r] = (System.nanoTime() - start) / 1e3;
        }
        double sum = 0;
        for (int i = 0; i < layers; i++) {
            Layer l = net.layers().get(i);
            double m = median(us[i]);
            sum += m;
            System.out.printf(Locale.ROOT, "%-16s %-10s %-16s %9.1f us%n", l.name(), l.type(),
                    Arrays.toString(l.outputShape()), m);
        }
        System.out.printf(Locale.ROOT, "layers (sum of medians) %.1f us; a whole pass (median) %.1f us; batch %d, %d threads%n",
                sum, median(pass), batch, threads);
    }

    /** The median of the second half of {@code v}. */
    private static double median(double[] v) {
        double[] half = Arrays.copyOfRange(v, v.length / 2, v.length);
        Arrays.sort(half);
        return half[half.length / 2];
    }
}
