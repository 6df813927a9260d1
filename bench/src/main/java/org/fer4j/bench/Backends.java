package org.fer4j.bench;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.kernels.Parallel;

/** What every benchmark's setup does: pick the backend and thread count, and make random data. */
final class Backends {
    private Backends() {
    }

    /**
     * Sets the engine's thread count; {@code 0} keeps the default (all cores). Called in
     * {@code @Setup}, before any layer exists: each JMH fork is its own JVM, so this never leaks
     * into another benchmark.
     */
    static void threads(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0: all cores), got " + n);
        }
        if (n > 0) {
            Parallel.setThreads(n);
        }
    }

    /** A fresh instance of the named backend ({@code scalar} or {@code vector}). */
    static Kernels kernels(String backend) {
        return KernelsProvider.forName(backend);
    }

    /** Runs {@code build} so that the layers and optimizers it constructs use {@code kernels}. */
    static <T> T with(Kernels kernels, Supplier<T> build) {
        return KernelsProvider.using(kernels, build);
    }

    /** {@code n} floats uniform in [-1, 1), from a fixed seed. */
    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** {@code n} labels uniform in [0, classes), from a fixed seed. */
    static int[] labels(int n, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(classes);
        }
        return y;
    }
}
