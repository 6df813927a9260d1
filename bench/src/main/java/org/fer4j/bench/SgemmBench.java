package org.fer4j.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.fer4j.kernels.Kernels;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SGEMM at every GEMM shape that fer-ref's convolutions issue per image (forward, weight gradient,
 * input gradient; see {@link FerRef#gemm}), scalar and vector side by side, next to a plain
 * {@link FloatVector} FMA loop that measures the peak the machine offers one thread.
 *
 * <p>Throughput mode, in calls per second, so that the auxiliary counter {@code gflops} (floating-
 * point operations, {@code 2*M*N*K} per GEMM, counted in units of 10^9) comes out as a rate in
 * GFLOP/s beside each score. The SGEMM's share of the peak is
 * {@code sgemm:gflops / fmaPeak:gflops} from the same run (with {@code -t 2} for the peak when
 * the GEMM runs with {@code -p threads=2}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar SgemmBench -p backend=vector
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar SgemmBench -p shape=conv2.fwd
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// A long warm-up: Vector API code is very slow until C2 has compiled it (interpreted, every vector
// is an object), and on a busy machine the compiler threads get little time.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SgemmBench {

    /** One GEMM problem: operands of the named shape filled with random values. */
    @State(Scope.Thread)
    public static class Problem {
        @Param({"scalar", "vector"})
        public String backend;

        /** fer-ref's per-image conv GEMMs, largest first within each layer, and one odd plain shape. */
        @Param({"conv1.fwd", "conv1.dW", "conv1.dX",
                "conv2.fwd", "conv2.dW", "conv2.dX",
                "conv3.fwd", "conv3.dW", "conv3.dX",
                "conv4.fwd", "conv4.dW", "conv4.dX",
                "207x1021x131"})
        public String shape;

        /** Engine threads; 1 compares with the one-thread FMA peak. 0: all cores. */
        @Param({"1"})
        public int threads;

        Kernels kernels;
        FerRef.Gemm g;
        float[] a;
        float[] b;
        float[] c;

        @Setup(Level.Trial)
        public void setUp() {
            Backends.threads(threads);
            kernels = Backends.kernels(backend);
            g = FerRef.gemm(shape);
            a = Backends.random(g.m() * g.k(), 1);
            b = Backends.random(g.k() * g.n(), 2);
            c = Backends.random(g.m() * g.n(), 3);
        }
    }

    /** Floating-point operations done, in units of 10^9: JMH reports the per-second rate, GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflops;

        @Setup(Level.Iteration)
        public void reset() {
            gflops = 0;
        }

        void add(long flop) {
            gflops += flop / 1e9;
        }
    }

    @Benchmark
    public float[] sgemm(Problem p, Flops f) {
        FerRef.Gemm g = p.g;
        p.kernels.sgemm(g.transA(), g.transB(), g.m(), g.n(), g.k(),
                1f, p.a, 0, g.lda(), p.b, 0, g.ldb(), g.beta(), p.c, 0, g.n());
        f.add(g.flop());
        return p.c;
    }

    /** The operands of the peak loop; in a state so that the JIT cannot fold them. */
    @State(Scope.Thread)
    public static class PeakOperands {
        float x = 0.9999f;
        float y = 1e-3f;
    }

    /** The FMA peak one thread reaches; see {@link PeakLoop#run}. */
    @Benchmark
    public float fmaPeak(PeakOperands o, Flops f) {
        f.add(PeakLoop.FLOP);
        return PeakLoop.run(o.x, o.y);
    }

    /**
     * The peak loop lives in its own class so that {@code SgemmBench} itself never links against
     * {@code jdk.incubator.vector}: the scalar SGEMM then also runs in a JVM without the module
     * ({@code -jvmArgsAppend -Dfer4j.kernels=scalar} replaces the {@code @Fork} arguments).
     */
    static final class PeakLoop {
        static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
        /** Iterations of the 12-FMA body per call: about 25 MFLOP with 512-bit vectors. */
        static final int ITERATIONS = 1 << 16;
        static final long FLOP = 2L * 12 * SPECIES.length() * ITERATIONS;

        private PeakLoop() {
        }

        /**
         * Twelve independent accumulators, each {@code acc = acc * x + y}: enough to cover FMA
         * latency times FMA ports on current x86 cores (4 cycles x 2 ports needs at least 8
         * chains). {@code 0 < x < 1} keeps every accumulator bounded (it tends to
         * {@code y / (1 - x)}), so no overflow or subnormal slows it down. Returns the sum so
         * that the work is consumed.
         */
        static float run(float xValue, float yValue) {
            VectorSpecies<Float> s = SPECIES;
            FloatVector x = FloatVector.broadcast(s, xValue);
            FloatVector y = FloatVector.broadcast(s, yValue);
            // Distinct starting values: twelve identical chains would be merged into one by the JIT.
            FloatVector a0 = FloatVector.broadcast(s, yValue);
            FloatVector a1 = FloatVector.broadcast(s, 2 * yValue);
            FloatVector a2 = FloatVector.broadcast(s, 3 * yValue);
            FloatVector a3 = FloatVector.broadcast(s, 4 * yValue);
            FloatVector a4 = FloatVector.broadcast(s, 5 * yValue);
            FloatVector a5 = FloatVector.broadcast(s, 6 * yValue);
            FloatVector a6 = FloatVector.broadcast(s, 7 * yValue);
            FloatVector a7 = FloatVector.broadcast(s, 8 * yValue);
            FloatVector a8 = FloatVector.broadcast(s, 9 * yValue);
            FloatVector a9 = FloatVector.broadcast(s, 10 * yValue);
            FloatVector a10 = FloatVector.broadcast(s, 11 * yValue);
            FloatVector a11 = FloatVector.broadcast(s, 12 * yValue);
            for (int i = 0; i < ITERATIONS; i++) {
                a0 = a0.fma(x, y);
                a1 = a1.fma(x, y);
                a2 = a2.fma(x, y);
                a3 = a3.fma(x, y);
                a4 = a4.fma(x, y);
                a5 = a5.fma(x, y);
                a6 = a6.fma(x, y);
                a7 = a7.fma(x, y);
                a8 = a8.fma(x, y);
                a9 = a9.fma(x, y);
                a10 = a10.fma(x, y);
                a11 = a11.fma(x, y);
            }
            FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5)
                    .add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
            return sum.reduceLanes(VectorOperators.ADD);
        }
    }
}
