package org.fer4j.bench;

import ai.onnxruntime.OrtException;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import org.fer4j.kernels.Cpu;
import org.fer4j.kernels.Winograd;

/**
 * Whole-model inference with the vector backend's Winograd F(2x2,3x3) convolutions on and off
 * ({@link Winograd#setEnabled}), in alternation in one JVM, with ONNX Runtime beside them: the
 * setup of {@link OrtVersusBench} (the same weights and batch-norm statistics, 2 threads each),
 * fer4j on the folded model ({@code InferenceModel.fold}, what {@code fer4j predict} runs). Every
 * round times each of the three once, in a rotating order, and the speed-up is taken per round,
 * as in {@link OrtPaired}, so that a machine shared with other work loads both sides alike.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     org.fer4j.bench.WinogradPaired [ROUNDS] [WARMUP_SECONDS] [MODEL...]
 * </pre>
 *
 * Prints, per model and batch, the median milliseconds per call (min and max of the rounds) of
 * direct, Winograd and ONNX Runtime, the median of the per-round direct / Winograd time ratios,
 * and Winograd's speed against ONNX Runtime; then the same for a training step at batch 64
 * ({@link TrainStepBench}), whose forward passes use Winograd when it is on.
 */
public final class WinogradPaired {
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
        System.out.printf(Locale.ROOT, "| model | batch | direct ms | Winograd ms | ONNX Runtime ms"
                + " | direct / Winograd time (per-round median) | Winograd / ONNX Runtime speed (per-round median) |%n"
                + "|---|---|---|---|---|---|---|%n");
        try {
            for (String model : models) {
                for (int batch : new int[] {64, 1}) {
                    run(model, batch, rounds, warmup);
                }
            }
            System.out.printf(Locale.ROOT, "%nTraining steps (TrainStepBench: forward, loss, backward, Adam) at batch 64"
                    + " (the backward passes are direct either way)%n| model | direct ms | Winograd ms"
                    + " | direct / Winograd time (per-round median) |%n|---|---|---|---|%n");
            for (String model : models) {
                train(model, rounds, warmup);
            }
        } finally {
            Winograd.setEnabled(true);
        }
    }

    private static void train(String model, int rounds, double warmup) {
        TrainStepBench b = new TrainStepBench();
        b.backend = "vector";
        b.model = model;
        b.batch = 64;
        b.threads = 0;
        b.setUp();
        DoubleSupplier[] engines = {
            () -> {
                Winograd.setEnabled(false);
                return OrtPaired.time(1, () -> (int) b.step());
            },
            () -> {
                Winograd.setEnabled(true);
                return OrtPaired.time(1, () -> (int) b.step());
            },
        };
        double[][] ms = OrtPaired.alternate(engines, rounds, warmup);
        double[] speedup = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            speedup[r] = ms[0][r] / ms[1][r];
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f |%n", model, OrtPaired.cell(ms[0]), OrtPaired.cell(ms[1]),
                OrtPaired.median(speedup));
    }

    private static void run(String model, int batch, int rounds, double warmup) throws OrtException {
        OrtVersusBench.Problem p = OrtPaired.problem(model, batch);
        OrtVersusBench b = new OrtVersusBench();
        int calls = batch == 1 ? 20 : 1;
        DoubleSupplier[] engines = {
            () -> {
                Winograd.setEnabled(false);
                return OrtPaired.time(calls, () -> b.fer4jFolded(p).dim(0));
            },
            () -> {
                Winograd.setEnabled(true);
                return OrtPaired.time(calls, () -> b.fer4jFolded(p).dim(0));
            },
            () -> OrtPaired.time(calls, () -> {
                try {
                    return b.ort(p) == Float.MIN_VALUE ? 1 : 0;
                } catch (OrtException e) {
                    throw new IllegalStateException(e);
                }
            }),
        };
        double[][] ms = OrtPaired.alternate(engines, rounds, warmup);
        double[] speedup = new double[rounds];
        double[] versusOrt = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            speedup[r] = ms[0][r] / ms[1][r];
            versusOrt[r] = ms[2][r] / ms[1][r];
        }
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %.2f | %.2fx |%n", model, batch,
                OrtPaired.cell(ms[0]), OrtPaired.cell(ms[1]), OrtPaired.cell(ms[2]),
                OrtPaired.median(speedup), OrtPaired.median(versusOrt));
        p.tearDown();
    }
}
