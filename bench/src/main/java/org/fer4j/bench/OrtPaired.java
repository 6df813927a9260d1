package org.fer4j.bench;

import ai.onnxruntime.OrtException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import org.fer4j.engine.Flops;
import org.fer4j.kernels.FmaPeak;

/**
 * {@link OrtVersusBench}'s comparison taken in alternation, for a machine that other work shares:
 * JMH runs one benchmark after another, so a load that comes and goes during a run lands on some
 * and not others; here every round times each engine once, in a rotating order, and the ratio is
 * taken per round, so that each ratio compares calls made within a fraction of a second of each
 * other. The same setup as the JMH benchmark ({@link OrtVersusBench.Problem}: the same weights,
 * 2 threads each, ONNX Runtime's graph optimisations on), then the 2-thread FMA peak
 * ({@link FmaPeak}, best of five windows) for the share of it.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     org.fer4j.bench.OrtPaired [ROUNDS] [WARMUP_SECONDS]
 * </pre>
 *
 * Prints, per model and batch, the median milliseconds per call of each engine (min and max of
 * the rounds), images/s from the medians, GFLOP/s, and the median of the per-round ratios.
 */
public final class OrtPaired {
    private OrtPaired() {
    }

    public static void main(String[] args) throws OrtException {
        int rounds = rounds(args, 40, "OrtPaired");
        double warmup = warmup(args, 8, "OrtPaired");
        System.out.printf(Locale.ROOT, "| model | batch | fer4j ms | fer4j folded ms | ONNX Runtime ms"
                + " | folded img/s | ORT img/s | folded / ORT speed (per-round median) | unfolded / folded time"
                + " | folded GFLOP/s | ORT GFLOP/s |%n|---|---|---|---|---|---|---|---|---|---|---|%n");
        for (String model : new String[] {"fer-ref", "fer-vgg"}) {
            for (int batch : new int[] {64, 1}) {
                OrtVersusBench.Problem p = problem(model, batch);
                OrtVersusBench b = new OrtVersusBench();
                // Enough calls per timing that a batch-1 sample is not timer noise.
                int calls = batch == 1 ? 20 : 1;
                DoubleSupplier[] engines = {
                    () -> time(calls, () -> b.fer4j(p).dim(0)),
                    () -> time(calls, () -> b.fer4jFolded(p).dim(0)),
                    () -> time(calls, () -> {
                        try {
                            return b.ort(p) == Float.MIN_VALUE ? 1 : 0;
                        } catch (OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    }),
                };
                double[][] ms = alternate(engines, rounds, warmup);
                double[] speedup = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    speedup[r] = ms[2][r] / ms[1][r];
                }
                double gflop = Flops.forwardPerImage(p.net) * (double) batch / 1e9;
                double folded = median(ms[1]);
                double ort = median(ms[2]);
                System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %,.0f | %,.0f | %.2fx | %.2fx | %.0f | %.0f |%n",
                        model, batch, cell(ms[0]), cell(ms[1]), cell(ms[2]), batch * 1000 / folded,
                        batch * 1000 / ort, median(speedup), median(ms[0]) / folded, gflop / (folded / 1000),
                        gflop / (ort / 1000));
                p.tearDown();
            }
        }
        System.out.printf(Locale.ROOT, "%nFMA peak, 2 threads (best of 5 windows of 1 s): %.1f GFLOP/s%n",
                FmaPeak.measure(2, 5));
    }

    /** The first argument, ROUNDS (at least 1), or {@code otherwise}; a bad one names the {@code tool}'s usage. */
    static int rounds(String[] args, int otherwise, String tool) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : otherwise;
        if (rounds < 1) {
            throw new IllegalArgumentException(usage(tool, args));
        }
        return rounds;
    }

    /** The second argument, WARMUP_SECONDS (at least 0), or {@code otherwise}. */
    static double warmup(String[] args, double otherwise, String tool) {
        double warmup = args.length > 1 ? Double.parseDouble(args[1]) : otherwise;
        if (!(warmup >= 0)) {
            throw new IllegalArgumentException(usage(tool, args));
        }
        return warmup;
    }

    private static String usage(String tool, String[] args) {
        return "usage: " + tool + " [ROUNDS >= 1] [WARMUP_SECONDS >= 0] ..., got " + String.join(" ", args);
    }

    /** {@link OrtVersusBench}'s setup for one model and batch, made. */
    static OrtVersusBench.Problem problem(String model, int batch) throws OrtException {
        OrtVersusBench.Problem p = new OrtVersusBench.Problem();
        p.model = model;
        p.batch = batch;
        p.setUp();
        return p;
    }

    /**
     * Runs all {@code engines} for {@code warmup} seconds, then {@code rounds} rounds that call
     * each once, in an order that rotates by one each round; returns {@code ms[engine][round]},
     * each engine's result.
     */
    static double[][] alternate(DoubleSupplier[] engines, int rounds, double warmup) {
        long end = System.nanoTime() + (long) (warmup * 1e9);
        while (System.nanoTime() < end) {
            for (DoubleSupplier e : engines) {
                e.getAsDouble();
            }
        }
        double[][] ms = new double[engines.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < engines.length; i++) {
                int e = (r + i) % engines.length;
                ms[e][r] = engines[e].getAsDouble();
            }
        }
        return ms;
    }

    /** Milliseconds per call of {@code op}, over {@code calls} calls. */
    static double time(int calls, java.util.function.IntSupplier op) {
        long t0 = System.nanoTime();
        int sink = 0;
        for (int i = 0; i < calls; i++) {
            sink += op.getAsInt();
        }
        double ms = (System.nanoTime() - t0) / 1e6 / calls;
        return sink == Integer.MIN_VALUE ? -ms : ms;
    }

    static String cell(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "%.3f (%.3f to %.3f)", median(v), s[0], s[s.length - 1]);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
