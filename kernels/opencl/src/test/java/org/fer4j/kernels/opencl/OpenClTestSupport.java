package org.fer4j.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * One {@link OpenClKernels} per test JVM (compiling the kernel costs a second or two), or a
 * visible skip with the reason when this machine has no OpenCL: the build must pass without it.
 */
final class OpenClTestSupport {

    private static OpenClKernels kernels;
    private static String unavailable;

    private OpenClTestSupport() {
    }

    static synchronized OpenClKernels kernels() {
        if (kernels == null && unavailable == null) {
            // Skip only when there is no OpenCL device at all. A device that is present but
            // cannot compile or run the kernel is a failure, not a reason to skip.
            try {
                if (OpenClDevices.list().isEmpty()) {
                    unavailable = OpenClDevices.NO_PLATFORM;
                }
            } catch (IllegalStateException e) {
                unavailable = e.getMessage();
            }
            if (unavailable == null) {
                kernels = OpenClKernels.create();
            }
        }
        Assumptions.assumeTrue(kernels != null, () -> "OpenCL tests skipped: " + unavailable);
        return kernels;
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** |actual - expected| <= tol * (1 + |expected|) elementwise, naming the first index that is off. */
    static void close(String what, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) != Double.isNaN(a) || Math.abs(a - e) > tol * (1 + Math.abs(e))) {
                fail(what + ": element " + i + " is " + a + ", expected " + e + " (tolerance " + tol + ")");
            }
        }
    }

    /** Float rounding grows with the length of the sums: a tolerance that grows with it. */
    static double tol(long terms) {
        return 1e-6 * (8 + Math.sqrt((double) terms) * 4);
    }
}
