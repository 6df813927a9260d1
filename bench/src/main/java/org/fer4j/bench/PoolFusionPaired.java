package org.fer4j.bench;

import java.util.Locale;
import java.util.function.DoubleSupplier;
import org.fer4j.engine.InferenceModel;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.ConvGeometry;
import org.fer4j.kernels.Cpu;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.models.ModelZoo;

/**
 * What fusing the 2x2 max-pools into the convolutions before them saves at inference ({@link
 * InferenceModel#fold(Sequential, boolean)}): the same folded model with its pools fused and
 * with its pools as layers of their own, timed in alternation in one JVM ({@link
 * OrtPaired#alternate}: every round times each variant once, in a rotating order, and the ratio
 * is taken per round), on the vector kernels with 2 engine threads. The two variants compute the
 * same bits (checked here once before timing, and by {@code InferenceModelProperties}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     org.fer4j.bench.PoolFusionPaired [ROUNDS] [WARMUP_SECONDS] [models|layers|fixed]
 * </pre>
 *
 * Prints, per model and batch, the median milliseconds per call of each variant (min and max of
 * the rounds) and the median of the per-round ratios unfused / fused time. {@code fixed}: the
 * same for the convolution kernels declared fixed ({@code Kernels.fixKernel}: their packed and
 * Winograd forms kept between calls) against derived afresh each call. {@code layers}: the
 * same for the kernels alone, at every convolution of fer-ref, fer-vgg and fer-vgg-wide that a
 * pool follows: {@code convForward} then {@code maxPoolValues} (what the two layers call)
 * against {@code convForwardPooled}.
 */
public final class PoolFusionPaired {
    private PoolFusionPaired() {
    }

    public static void main(String[] args) {
        int rounds = OrtPaired.rounds(args, 40, "PoolFusionPaired");
        double warmup = OrtPaired.warmup(args, 8, "PoolFusionPaired");
        Backends.threads(2);
        System.out.printf(Locale.ROOT, "CPU %s; %s%n", Cpu.model(), KernelsProvider.get().describe());
        String mode = args.length > 2 ? args[2] : "models";
        if (mode.equals("layers")) {
            layers(rounds, warmup);
            return;
        } else if (!mode.equals("models") && !mode.equals("fixed")) {
            throw new IllegalArgumentException("usage: PoolFusionPaired [ROUNDS] [WARMUP_SECONDS] [models|layers|fixed], got "
                    + String.join(" ", args));
        }
        boolean fixed = mode.equals("fixed");
        System.out.printf(Locale.ROOT, fixed
                ? "| model | batch | kernels derived each call ms | kernels fixed ms | not fixed / fixed time (per-round median) |%n|---|---|---|---|---|%n"
                : "| model | batch | pools as layers ms | pools fused ms | unfused / fused time (per-round median) |%n|---|---|---|---|---|%n");
        for (String model : new String[] {"fer-ref", "fer-vgg", "fer-vgg-wide"}) {
            Sequential net = ModelZoo.build(model, 42);
            OrtVersusBench.randomiseState(net, 7);
            // models: pools as layers against fused (both with fixed kernels); fixed: kernels
            // derived afresh each call against kept (both with fused pools)
            Sequential unfused = fixed ? InferenceModel.fold(net, true, false) : InferenceModel.fold(net, false);
            Sequential fused = InferenceModel.fold(net, true);
            for (int batch : new int[] {64, 1}) {
                int[] in = net.inputShape();
                Tensor x = new Tensor(Backends.random(batch * in[0] * in[1] * in[2], 3), batch, in[0], in[1], in[2]);
                float[] a = unfused.forward(x, Mode.EVAL).copy().data();
                float[] b = fused.forward(x, Mode.EVAL).data();
                if (!java.util.Arrays.equals(a, b)) {
                    throw new IllegalStateException(model + ": the fused and unfused copies differ");
                }
                // Enough calls per timing that a batch-1 sample is not timer noise.
                int calls = batch == 1 ? 20 : 1;
                DoubleSupplier[] variants = {
                    () -> OrtPaired.time(calls, () -> unfused.forward(x, Mode.EVAL).dim(0)),
                    () -> OrtPaired.time(calls, () -> fused.forward(x, Mode.EVAL).dim(0)),
                };
                double[][] ms = OrtPaired.alternate(variants, rounds, warmup);
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = ms[0][r] / ms[1][r];
                }
                System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %.3fx |%n", model, batch,
                        OrtPaired.cell(ms[0]), OrtPaired.cell(ms[1]), OrtPaired.median(ratio));
            }
        }
    }

    /** The kernel pairs at the pooled convolutions of the three nets, at batch 64 and 1. */
    private static void layers(int rounds, double warmup) {
        Kernels k = KernelsProvider.get();
        System.out.printf(Locale.ROOT, "| convolution (then 2x2 pool) | batch | convForward + maxPoolValues ms"
                + " | convForwardPooled ms | unfused / fused time (per-round median) |%n|---|---|---|---|---|%n");
        // {channels, size, filters, padding}: fer-ref's three, then fer-vgg's and fer-vgg-wide's four
        int[][] convs = {
            {32, 46, 64, 0}, {64, 22, 128, 0}, {128, 9, 128, 0},
            {1, 48, 32, 1}, {64, 24, 64, 1}, {128, 12, 128, 1}, {128, 6, 256, 1},
            {1, 48, 48, 1}, {96, 24, 96, 1}, {192, 12, 192, 1}, {192, 6, 384, 1},
        };
        for (int[] c : convs) {
            for (int images : new int[] {64, 1}) {
                int pad = c[3];
                ConvGeometry g = ConvGeometry.of(c[0], c[1], c[1], c[2], 3, 3, 1, 1, pad, pad, pad, pad);
                float[] img = Backends.random(images * c[0] * c[1] * c[1], 1);
                float[] kernel = Backends.random(c[2] * c[0] * 9, 2);
                float[] bias = Backends.random(c[2], 3);
                float[] full = new float[images * g.outputSize()];
                float[] col = new float[g.rows() * g.positions()];
                int ph = g.outH() / 2;
                int pw = g.outW() / 2;
                int pooled = images * c[2] * ph * pw;
                float[] y0 = new float[pooled];
                float[] y1 = new float[pooled];
                int[] argmax = new int[pooled];
                int calls = images == 1 ? 50 : 2;
                DoubleSupplier[] variants = {
                    () -> OrtPaired.time(calls, () -> {
                        k.convForward(full, 0, img, 0, images, kernel, bias, col, g, true, 0f);
                        k.maxPoolValues(y0, full, images * c[2], g.outH(), g.outW(), 2, 2, 2, 2, ph, pw, argmax);
                        return 1;
                    }),
                    () -> OrtPaired.time(calls, () -> {
                        k.convForwardPooled(y1, 0, img, 0, images, kernel, bias, col, g, true, 0f, full);
                        return 1;
                    }),
                };
                double[][] ms = OrtPaired.alternate(variants, rounds, warmup);
                if (!java.util.Arrays.equals(y0, y1)) {
                    throw new IllegalStateException("the pooled convolution differs at " + java.util.Arrays.toString(c));
                }
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = ms[0][r] / ms[1][r];
                }
                System.out.printf(Locale.ROOT, "| %d -> %d, %dx%d %s | %d | %s | %s | %.3fx |%n", c[0], c[2], c[1], c[1],
                        pad == 0 ? "valid" : "same", images, OrtPaired.cell(ms[0]), OrtPaired.cell(ms[1]),
                        OrtPaired.median(ratio));
            }
        }
    }
}
