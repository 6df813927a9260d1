package org.fer4j.kernels;

import java.util.Random;

/** What the kernel tests share: the backend under test, random inputs, references in double. */
final class TestSupport {

    private TestSupport() {
    }

    /**
     * The backend under test: {@code -Dfer4j.kernels}, scalar when unset, so that the whole suite
     * can be run once per backend. Every test compares with an independent double-precision
     * reference, never with another backend's output.
     */
    static Kernels kernels() {
        return KernelsProvider.forName(System.getProperty(KernelsProvider.PROPERTY, "scalar"));
    }

    /** Uniform in [-1, 1). */
    static float[] uniform(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 2f * random.nextFloat() - 1f;
        }
        return x;
    }

    /** Small integers in [-8, 8]: sums and products of a few of them are exact in float. */
    static float[] smallIntegers(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(17) - 8;
        }
        return x;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    /**
     * Compares an analytic gradient with a numeric one, DL4J-style: relative error
     * {@code |a - n| / max(|a|, |n|)} must stay under {@code maxRelError} unless both are within
     * {@code absFloor} of each other (tiny gradients, where relative error is noise).
     *
     * @return null when they agree, else a line naming the worst index and both values
     */
    static String gradientMismatch(String what, double[] analytic, double[] numeric,
                                   double maxRelError, double absFloor) {
        int worst = -1;
        double worstRel = 0;
        for (int i = 0; i < analytic.length; i++) {
            double diff = Math.abs(analytic[i] - numeric[i]);
            if (diff <= absFloor) {
                continue;
            }
            double rel = diff / Math.max(Math.abs(analytic[i]), Math.abs(numeric[i]));
            if (rel > maxRelError && rel > worstRel) {
                worst = i;
                worstRel = rel;
            }
        }
        return worst < 0 ? null : what + "[" + worst + "]: analytic " + analytic[worst]
                + ", numeric " + numeric[worst] + ", relative error " + worstRel;
    }
}
