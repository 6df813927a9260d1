package org.fer4j.bench;

import ai.onnxruntime.OrtException;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import org.fer4j.kernels.Cpu;
import org.fer4j.kernels.Winograd;

/**
 * Whole-model inference with the vector backend's convolutions computed four ways, in alternation
 * in one JVM, with ONNX Runtime beside them: direct (Winograd off), Winograd F(2x2,3x3) wherever
 * Winograd is taken, F(4x4,3x3) wherever it is taken, and the default per-layer choice between
 * them ({@link Winograd#setVariant}). The setup is {@link OrtVersusBench}'s (the same weights and
 * batch-norm statistics, 2 threads each), fer4j on the folded model ({@code InferenceModel.fold},
 * what {@code fer4j predict} runs). Every round times each engine once, in a rotating order, and
 * the ratios are taken per round, as in {@link OrtPaired}, so that a machine shared with other work
 * loads all sides alike.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     org.fer4j.bench.WinogradPaired [ROUNDS] [WARMUP_SECONDS] [MODEL...]
 * </pre>
 *
 * Prints, per model and batch, the median milliseconds per call (min and max of the rounds) of the
 * five, the medians of the per-round F(2x2) / F(4x4) time ratios and of each Winograd variant's
 * speed against ONNX Runtime; then the same for a training step at batch 64 ({@link
 * TrainStepBench}), whose forward passes use Winograd when it is on.
 */
public final class WinogradPaired {
    /** The fer4j engines, in column order: the direct path, then the three Winograd settings. */
    private static final Winograd.Variant[] VARIANTS = {
        Winograd.Variant.OFF, Winograd.Variant.F2, Winograd.Variant.F4, Winograd.Variant.AUTO,
    };

    private WinogradPaired() {
    }

    public static void main(String[] args) throws OrtException {
        int rounds = OrtPaired.rounds(args, 20, "WinogradPaired");
        double warmup = OrtPaired.warmup(args, 6, "WinogradPaired");
        String[] models = args.length > 2 ? java.util.Arrays.copyOfRange(args, 2, args.length)
                : new String[] {"fer-ref", "fer-vgg"};
        System.out.printf(Locale.ROOT, "CPU %s; %d rounds after %.0f s of warm-up; load average before: %.2f%n",
                Cpu.model(), rounds, warmup,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "| model | batch | direct ms | F(2x2) ms | F(4x4) ms | per-layer choice ms"
                + " | ONNX Runtime ms | F(2x2) / F(4x4) time | speed against ONNX Runtime: F(2x2) | F(4x4)"
                + " | per-layer choice |%n|---|---|---|---|---|---|---|---|---|---|---|%n");
        try {
            for (String model : models) {
                for (int batch : new int[] {64, 1}) {
                    run(model, batch, rounds, warmup);
                }
            }
            System.out.printf(Locale.ROOT, "%nTraining steps (TrainStepBench: forward, loss, backward, Adam) at batch 64"
                    + " (the backward passes: GEMM when direct, F(2x2) where it suits otherwise)%n| model | direct ms | F(2x2) ms | F(4x4) ms"
                    + " | per-layer choice ms | direct / per-layer choice time | F(2x2) / per-layer choice time |"
                    + "%n|---|---|---|---|---|---|---|%n");
            for (String model : models) {
                train(model, rounds, warmup);
            }
        } finally {
            Winograd.setEnabled(true);
        }
        System.out.printf(Locale.ROOT, "load average after: %.2f%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** One engine per variant, each setting its variant before timing {@code op}. */
    private static DoubleSupplier[] engines(int calls, java.util.function.IntSupplier op, int extra) {
        DoubleSupplier[] engines = new DoubleSupplier[VARIANTS.length + extra];
        for (int i = 0; i < VARIANTS.length; i++) {
            Winograd.Variant v = VARIANTS[i];
            engines[i] = () -> {
                Winograd.setVariant(v);
                return OrtPaired.time(calls, op);
            };
        }
        return engines;
    }

    /** The medians of the per-round ratios {@code ms[a][r] / ms[b][r]}. */
    private static double ratio(double[][] ms, int a, int b) {
        double[] r = new double[ms[a].length];
        for (int i = 0; i < r.length; i++) {
            r[i] = ms[a][i] / ms[b][i];
        }
        return OrtPaired.median(r);
    }

    private static void train(String model, int rounds, double warmup) {
        TrainStepBench b = new TrainStepBench();
        b.backend = "vector";
        b.model = model;
        b.batch = 64;
        b.threads = 0;
        b.setUp();
        double[][] ms = OrtPaired.alternate(engines(1, () -> (int) b.step(), 0), rounds, warmup);
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %.2f |%n", model, OrtPaired.cell(ms[0]),
                OrtPaired.cell(ms[1]), OrtPaired.cell(ms[2]), OrtPaired.cell(ms[3]), ratio(ms, 0, 3), ratio(ms, 1, 3));
    }

    private static void run(String model, int batch, int rounds, double warmup) throws OrtException {
        OrtVersusBench.Problem p = OrtPaired.problem(model, batch);
        OrtVersusBench b = new OrtVersusBench();
        int calls = batch == 1 ? 20 : 1;
        DoubleSupplier[] engines = engines(calls, () -> b.fer4jFolded(p).dim(0), 1);
        int ort = VARIANTS.length;
        engines[ort] = () -> OrtPaired.time(calls, () -> {
            try {
                return b.ort(p) == Float.MIN_VALUE ? 1 : 0;
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        });
        double[][] ms = OrtPaired.alternate(engines, rounds, warmup);
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %.2f | %.2fx | %.2fx | %.2fx |%n", model,
                batch, OrtPaired.cell(ms[0]), OrtPaired.cell(ms[1]), OrtPaired.cell(ms[2]), OrtPaired.cell(ms[3]),
                OrtPaired.cell(ms[ort]), ratio(ms, 1, 2), ratio(ms, ort, 1), ratio(ms, ort, 2), ratio(ms, ort, 3));
        p.tearDown();
    }
}
