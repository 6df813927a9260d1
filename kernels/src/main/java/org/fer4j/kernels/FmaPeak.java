package org.fer4j.kernels;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The FMA peak of the engine's threads, measured: each of {@link Parallel#threads()} threads runs
 * {@link VectorFmaLoop} until a deadline, and the operations done by all of them are divided by
 * the time taken. It is the ceiling for any float32 kernel on these cores, so a model's measured
 * GFLOP/s divided by it is the share of the machine the engine uses, whatever the machine.
 *
 * <p>Needs {@code jdk.incubator.vector}, like the vector backend: without it there is no peak to
 * report ({@link #measure} returns NaN) even when the scalar backend runs, because a scalar loop
 * would measure the JVM's code generation, not the machine. {@link VectorFmaLoop} is linked only
 * when the module is readable (the JVM resolves a class at its first use, not at this class's).
 */
public final class FmaPeak {
    /** Iterations per call of the loop: short enough to stop near the deadline, long enough to hide the call. */
    private static final int ITERATIONS = 1 << 12;

    /** Where the loops' sums go, so that their work is used. */
    private static volatile float consumed;

    private FmaPeak() {
    }

    /** The least warm-up: until C2 has compiled the loop it runs interpreted, at a thousandth of the peak. */
    static final double MIN_WARMUP_SECONDS = 0.5;
    /** Timed windows; the peak is the best of them (other load can only lower a window). */
    static final int WINDOWS = 5;

    /**
     * GFLOP/s of all the engine's threads together: the best of {@value #WINDOWS} windows that
     * share {@code seconds}, after a warm-up of {@code warmupSeconds} (at least
     * {@value #MIN_WARMUP_SECONDS} s); NaN when the Vector API is unavailable.
     */
    public static double measure(double warmupSeconds, double seconds) {
        if (!(warmupSeconds >= 0) || !(seconds > 0)) {
            throw new IllegalArgumentException("FmaPeak.measure needs warmupSeconds >= 0 and seconds > 0, got "
                    + warmupSeconds + " and " + seconds);
        }
        if (KernelsProvider.vectorUnavailableReason() != null) {
            return Double.NaN;
        }
        run(Math.max(warmupSeconds, MIN_WARMUP_SECONDS));
        double best = 0;
        for (int w = 0; w < WINDOWS; w++) {
            best = Math.max(best, run(seconds / WINDOWS));
        }
        return best;
    }

    /** Runs the loop on every thread for {@code seconds}; returns GFLOP/s. */
    private static double run(double seconds) {
        int threads = Parallel.threads();
        AtomicLong calls = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        Parallel.forChunks(threads, 1, (chunk, from, to) -> {
            long mine = 0;
            float sink = 0f;  // each call's sum feeds the next call's operand: no call can be dropped
            do {
                sink += VectorFmaLoop.run(0.9999f, 1e-3f + sink * 1e-30f, ITERATIONS);
                mine++;
            } while (System.nanoTime() < deadline);
            calls.addAndGet(mine);
            consumed = sink;
        });
        double elapsed = (System.nanoTime() - start) / 1e9;
        return calls.get() * (double) VectorFmaLoop.flopPerCall(ITERATIONS) / elapsed / 1e9;
    }
}
