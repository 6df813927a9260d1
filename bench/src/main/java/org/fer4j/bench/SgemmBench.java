package org.fer4j.bench;

import java.util.concurrent.TimeUnit;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.VectorFmaLoop;
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
 * {@code FloatVector} FMA loop that measures the peak the machine offers one thread.
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
     * The peak loop ({@link VectorFmaLoop}) is reached through this nested class so that
     * {@code SgemmBench} itself never links against {@code jdk.incubator.vector}: the scalar
     * SGEMM then also runs in a JVM without the module ({@code -jvmArgsAppend
     * -Dfer4j.kernels=scalar} replaces the {@code @Fork} arguments).
     */
    static final class PeakLoop {
        static final int ITERATIONS = VectorFmaLoop.ITERATIONS;
        static final long FLOP = VectorFmaLoop.flopPerCall(ITERATIONS);

        private PeakLoop() {
        }

        static float run(float xValue, float yValue) {
            return VectorFmaLoop.run(xValue, yValue, ITERATIONS);
        }
    }
}
