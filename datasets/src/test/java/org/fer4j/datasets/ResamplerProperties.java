package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ResamplerProperties {

    @Property(tries = 40)
    void resamplingKeepsAConstantImageConstant(@ForAll @IntRange(min = 1, max = 70) int sh,
                                               @ForAll @IntRange(min = 1, max = 70) int sw,
                                               @ForAll @IntRange(min = 1, max = 70) int dh,
                                               @ForAll @IntRange(min = 1, max = 70) int dw,
                                               @ForAll @IntRange(min = 0, max = 255) int v) {
        float[] src = new float[sh * sw];
        java.util.Arrays.fill(src, v);
        for (float x : Resampler.resize(src, sh, sw, dh, dw)) {
            assertEquals(v, x, 1e-3);
        }
    }

    @Property(tries = 30)
    void integerAreaDownscaleKeepsTheMean(@ForAll @IntRange(min = 1, max = 12) int out,
                                          @ForAll @IntRange(min = 1, max = 4) int factor,
                                          @ForAll long seed) {
        int n = out * factor;
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] src = new float[n * n];
        double sum = 0;
        for (int i = 0; i < src.length; i++) {
            src[i] = r.nextInt(256);
            sum += src[i];
        }
        double mean = 0;
        for (float x : Resampler.resize(src, n, n, out, out)) {
            mean += x;
        }
        assertEquals(sum / src.length, mean / (out * out), 1e-3);
    }
}
