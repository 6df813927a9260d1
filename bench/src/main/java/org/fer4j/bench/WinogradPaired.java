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
 * and Winograd's speed against ONNX Runtime.
 */
public final class WinogradPaired {
    private WinogradPaired() {
    }

    public static void main(String[] args) throws OrtException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 6;
        if (rounds < 1 || !(warmup >= 0)) {
            throw new IllegalArgumentException("usage: WinogradPaired [ROUNDS >= 1] [WARMUP_SECONDS >= 0] [MODEL...], got "
                    + String.join(" ", args));
        }
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
        } finally {
            Winograd.setEnabled(true);
        }
    }

    private static void run(String model, int batch, int rounds, double warmup) throws OrtException {
        OrtVersusBench.Problem p = new OrtVersusBench.Problem();
        p.model = model;
        p.batch = batch;
        p.setUp();
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
