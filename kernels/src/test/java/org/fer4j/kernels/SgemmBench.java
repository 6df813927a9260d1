package org.fer4j.kernels;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A quick harness (not a unit test; the bench module holds the JMH benchmarks): SGEMM GFLOP/s at
 * the GEMM shapes of fer-ref's convolutions, per thread count, next to the FMA peak of a plain
 * {@code FloatVector.fma} loop measured in the same run.
 *
 * <pre>
 * ./mvnw -q -B -o test-compile -pl kernels
 * java --add-modules jdk.incubator.vector -cp kernels/target/classes:kernels/target/test-classes \
 *     org.fer4j.kernels.SgemmBench [seconds per measurement]
 * </pre>
 */
public final class SgemmBench {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SgemmBench() {
    }

    /** One GEMM shape as a layer issues it. */
    record Shape(String what, boolean transA, boolean transB, int m, int n, int k) {
        double flops() {
            return 2.0 * m * n * k;
        }
    }

    /** Every GEMM of a fer-ref training step (per image for the convolutions, per batch of 64 for dense). */
    static final Shape[] SHAPES = {
        new Shape("conv1 forward  W.col   ", false, false, 32, 2116, 9),
        new Shape("conv1 dW       dy.col^T", false, true, 32, 9, 2116),
        new Shape("conv2 forward  W.col   ", false, false, 64, 1936, 288),
        new Shape("conv2 dW       dy.col^T", false, true, 64, 288, 1936),
        new Shape("conv2 dcol     W^T.dy  ", true, false, 288, 1936, 64),
        new Shape("conv3 forward  W.col   ", false, false, 128, 400, 576),
        new Shape("conv3 dW       dy.col^T", false, true, 128, 576, 400),
        new Shape("conv3 dcol     W^T.dy  ", true, false, 576, 400, 128),
        new Shape("conv4 forward  W.col   ", false, false, 128, 64, 1152),
        new Shape("conv4 dW       dy.col^T", false, true, 128, 1152, 64),
        new Shape("conv4 dcol     W^T.dy  ", true, false, 1152, 64, 128),
        new Shape("dense1 fwd     x.W     ", false, false, 64, 1024, 2048),
        new Shape("dense1 dW      x^T.dy  ", true, false, 2048, 1024, 64),
        new Shape("dense1 dx      dy.W^T  ", false, true, 64, 2048, 1024),
        new Shape("dense1 b1      x.W     ", false, false, 1, 1024, 2048),
    };

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int[] threadCounts = args.length > 1 ? new int[] {Integer.parseInt(args[1])} : new int[] {1, 2};
        Kernels vector = KernelsProvider.forName("vector");
        System.out.println(vector.describe() + "; medians of 5 windows of " + seconds + " s; machine shared");
        System.out.println("1 thread: rates per second of this thread's CPU time (robust to other load); "
                + "more threads: wall-clock rates");
        for (int threads : threadCounts) {
            Parallel.setThreads(threads);
            double peak = threads == 1 ? peak(seconds) : peakParallel(seconds);
            System.out.printf(Locale.ROOT, "%d thread(s): FMA peak %.1f GFLOP/s%n", threads, peak);
            for (Shape s : SHAPES) {
                double g = gflops(vector, s, seconds);
                System.out.printf(Locale.ROOT, "  %s m=%4d n=%4d k=%4d  %7.1f GFLOP/s  %5.1f%% of peak%n",
                        s.what(), s.m(), s.n(), s.k(), g, 100 * g / peak);
            }
        }
    }

    static double gflops(Kernels kernels, Shape s, double seconds) {
        Random random = new Random(1);
        float[] a = new float[s.m() * s.k()];
        float[] b = new float[s.k() * s.n()];
        float[] c = new float[s.m() * s.n()];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextFloat();
        }
        int lda = s.transA() ? s.m() : s.k();
        int ldb = s.transB() ? s.k() : s.n();
        float beta = s.transB() ? 1f : 0f;  // dW accumulates, as Conv2D's does
        Runnable call = () -> kernels.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, lda, b, 0, ldb,
                beta, c, 0, s.n());
        double[] rates = new double[5];
        timed(call, Math.max(2, 2 * seconds));  // warm-up: the JIT must compile each new path
        for (int w = 0; w < rates.length; w++) {
            rates[w] = timed(call, seconds) * s.flops() / 1e9;
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /** Calls per second: of this thread's CPU time with one thread, of wall time with more. */
    private static double timed(Runnable call, double seconds) {
        boolean cpu = Parallel.threads() == 1;
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        long end = start + (long) (seconds * 1e9);
        long calls = 0;
        long now;
        do {
            call.run();
            calls++;
            now = System.nanoTime();
        } while (now < end);
        long elapsed = cpu ? CPU.getCurrentThreadCpuTime() - cpuStart : now - start;
        return calls / (elapsed / 1e9);
    }

    /** GFLOP/s of 12 independent FMA chains on one thread: the per-core peak. */
    static double peak(double seconds) {
        double[] rates = new double[5];
        fmaLoop(1_000_000);
        for (int w = 0; w < rates.length; w++) {
            long iters = 20_000_000;
            long t0 = CPU.getCurrentThreadCpuTime();
            float sink = fmaLoop(iters);
            long t1 = CPU.getCurrentThreadCpuTime();
            rates[w] = iters * 12.0 * S.length() * 2 / (t1 - t0) + (sink == 42 ? 1e-9 : 0);
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }

    /** The same loop on every thread of the pool at once. */
    static double peakParallel(double seconds) {
        int threads = Parallel.threads();
        double[] rates = new double[5];
        long iters = 20_000_000;
        Parallel.forRange(threads, (from, to) -> fmaLoop(1_000_000));
        for (int w = 0; w < rates.length; w++) {
            long t0 = System.nanoTime();
            Parallel.forRange(threads, (from, to) -> fmaLoop(iters));
            long t1 = System.nanoTime();
            rates[w] = threads * iters * 12.0 * S.length() * 2 / (t1 - t0);
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }

    /** {@link VectorFmaLoop}, the loop the JMH benchmarks and {@code fer4j bench} measure the peak with. */
    static float fmaLoop(long iters) {
        return VectorFmaLoop.run(0.999999f, 1e-7f, Math.toIntExact(iters));
    }
}
