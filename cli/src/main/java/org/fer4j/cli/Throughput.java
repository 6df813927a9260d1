package org.fer4j.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The timing behind {@code fer4j bench}: run an operation for a warm-up, then in several timed
 * windows, and summarise the rate of each window as median, min and max. Windows rather than one
 * long run show how steady the number is (a shared machine, GC, a late JIT compilation); the median
 * ignores a disturbed window or two. There is no timing in the unit tests: this is the only place
 * besides the JMH benchmarks where fer4j measures speed.
 */
final class Throughput {
    /** The median of the window values and their range. */
    record Stats(double median, double min, double max) {
        static Stats of(double[] values) {
            double[] v = values.clone();
            Arrays.sort(v);
            int n = v.length;
            double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            return new Stats(median, v[0], v[n - 1]);
        }

        /** The same statistics of {@code 1000 / value}: images/s per image becomes ms per image. */
        Stats reciprocalMillis() {
            return new Stats(1000 / median, 1000 / max, 1000 / min);
        }
    }

    private final double warmupSeconds;
    private final int windows;
    private final double windowSeconds;

    /**
     * @param warmupSeconds how long to run before timing (at least one operation is always run)
     * @param windows number of timed windows, at least 1
     * @param windowSeconds length of each window; a window always holds at least one operation,
     *                      so an operation longer than a window makes the window that long
     */
    Throughput(double warmupSeconds, int windows, double windowSeconds) {
        if (windows < 1) {
            throw new IllegalArgumentException("windows must be >= 1, got " + windows);
        }
        this.warmupSeconds = warmupSeconds;
        this.windows = windows;
        this.windowSeconds = windowSeconds;
    }

    int windows() {
        return windows;
    }

    /**
     * Images per second of {@code operation}, which processes the number of images it returns
     * (returning it also keeps the JIT from discarding the work).
     */
    Stats imagesPerSecond(IntSupplier operation) {
        run(operation, warmupSeconds);
        double[] rates = new double[windows];
        for (int w = 0; w < windows; w++) {
            rates[w] = run(operation, windowSeconds);
        }
        return Stats.of(rates);
    }

    /** Runs whole operations until {@code seconds} have passed (at least one); returns images/s. */
    private static double run(IntSupplier operation, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        long images = 0;
        long elapsed;
        do {
            images += operation.getAsInt();
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        return images / (elapsed / 1e9);
    }

    /** Starts a new peak for {@link #peakHeapBytes()}. */
    static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                pool.resetPeakUsage();
            }
        }
    }

    /**
     * The sum of each heap pool's peak use since {@link #resetPeakHeap()}: an upper bound on the
     * heap the run needed at once (the pools peak at different moments, eden just before each
     * collection), which is the number to compare with an {@code -Xmx} budget.
     */
    static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
