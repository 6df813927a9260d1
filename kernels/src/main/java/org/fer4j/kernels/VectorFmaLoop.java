package org.fer4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The most floating-point work one thread can do: a {@link FloatVector#fma} loop with twelve
 * independent accumulators, the FMA peak that the GEMMs are measured against. Links against
 * {@code jdk.incubator.vector}: call it only where that module is readable ({@link FmaPeak}
 * checks; the JMH forks add the module).
 */
public final class VectorFmaLoop {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Iterations of the 12-FMA body per call of the benchmarks: about 25 MFLOP with 512-bit vectors. */
    public static final int ITERATIONS = 1 << 16;

    private VectorFmaLoop() {
    }

    /** Floating-point operations of {@link #run} with {@code iterations} (a multiply-add counts two). */
    public static long flopPerCall(int iterations) {
        return 2L * 12 * SPECIES.length() * iterations;
    }

    /**
     * Twelve independent chains {@code acc = acc * x + y}: enough to cover FMA latency times FMA
     * ports on current x86 cores (4 cycles x 2 ports needs at least 8). {@code 0 < x < 1} keeps
     * every accumulator bounded (it tends to {@code y / (1 - x)}), so no overflow or subnormal
     * slows it down. Returns the sum so that the work is consumed.
     */
    public static float run(float xValue, float yValue, int iterations) {
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
        for (int i = 0; i < iterations; i++) {
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
