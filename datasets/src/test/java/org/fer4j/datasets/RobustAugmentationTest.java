package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The robustness ops (jitter, gamma, blur, noise, jpeg) and the {@code robust} preset. */
class RobustAugmentationTest {
    static final int N = 32;

    /** A smooth face-like test image: a bright disc on a ramp, values 0..255. */
    static float[] smooth() {
        float[] x = new float[N * N];
        for (int y = 0; y < N; y++) {
            for (int c = 0; c < N; c++) {
                double d = Math.hypot(y - 15.5, c - 15.5);
                x[y * N + c] = (float) Math.rint(40 + 4 * c + (d < 9 ? 80 : 0));
            }
        }
        return x;
    }

    static float[] noisy(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[N * N];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(256);
        }
        return x;
    }

    static float[] apply(String spec, float[] x, long seed) {
        float[] y = x.clone();
        Augmentation.parse(spec).apply(y, 0, N, N, new SplittableRandom(seed));
        return y;
    }

    static double mean(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v;
        }
        return s / x.length;
    }

    static double variance(float[] x) {
        double m = mean(x);
        double s = 0;
        for (float v : x) {
            s += (v - m) * (v - m);
        }
        return s / x.length;
    }

    static void assertInRange(float[] y, String what) {
        for (float v : y) {
            assertTrue(v >= 0 && v <= 255, what + ": " + v);
        }
    }

    @Test
    void strengthZeroIsTheIdentityBitForBit() {
        float[] x = noisy(1);
        for (String spec : List.of("jitter=0", "gamma=0", "blur=0", "noise=0", "jpeg=50@0",
                "jitter=0,gamma=0,blur=0,noise=0", "jitter=0.3@0,gamma=2@0,blur=3@0,noise=40@0")) {
            for (long seed = 0; seed < 5; seed++) {
                assertArrayEquals(x, apply(spec, x, seed), spec);
            }
        }
    }

    @Test
    void eachOpIsReproduciblePerSeedAndVariesAcrossSeeds() {
        float[] x = smooth();
        for (String spec : List.of("jitter=0.2", "gamma=0.5", "blur=2", "noise=10", "jpeg=10-90", "robust")) {
            assertArrayEquals(apply(spec, x, 42), apply(spec, x, 42), spec);
            boolean differs = false;
            for (long seed = 43; seed < 53 && !differs; seed++) {
                differs = !Arrays.equals(apply(spec, x, 42), apply(spec, x, seed));
            }
            assertTrue(differs, spec + " gives the same image for 11 seeds");
            assertInRange(apply(spec, noisy(3), 7), spec);
        }
    }

    @Test
    void gammaIsOnePowerCurveWithinItsRange() {
        float[] x = new float[N * N];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 256;
        }
        int darker = 0;
        for (long seed = 0; seed < 200; seed++) {
            float[] y = apply("gamma=0.5", x, seed);
            assertEquals(0, y[0]);
            assertEquals(255, y[255], 1e-3);
            // Recover gamma from level 128 and check every level follows the same curve.
            double g = Math.log(y[128] / 255.0) / Math.log(128 / 255.0);
            assertTrue(g >= 1 / 1.5 - 1e-4 && g <= 1.5 + 1e-4, "gamma " + g);
            for (int v = 1; v < 255; v++) {
                assertEquals(255 * Math.pow(v / 255.0, g), y[v], 0.05, "level " + v);
            }
            darker += y[128] < 128 ? 1 : 0;
        }
        // log-uniform about 1: as often darker as lighter.
        assertTrue(darker > 70 && darker < 130, "darker " + darker + " of 200");
    }

    @Test
    void blurKeepsAFlatImageFlatAndTheMeanButLowersTheVariance() {
        float[] flat = new float[N * N];
        Arrays.fill(flat, 77);
        for (long seed = 0; seed < 5; seed++) {
            for (float v : apply("blur=3", flat, seed)) {
                assertEquals(77, v, 1e-3);
            }
        }
        float[] x = noisy(5);
        float[] y = apply("blur=2", x, 1);
        assertEquals(mean(x), mean(y), 2.0, "edges repeated: the mean moves only a little");
        assertTrue(variance(y) < 0.5 * variance(x), "variance " + variance(x) + " -> " + variance(y));
        // An impulse spreads into a symmetric bump that keeps its mass.
        float[] dot = new float[N * N];
        dot[16 * N + 16] = 255;
        float[] b = apply("blur=2", dot, 3);
        assertTrue(b[16 * N + 16] < 255 && b[16 * N + 16] > 0);
        assertEquals(b[16 * N + 15], b[16 * N + 17], 1e-4);
        assertEquals(b[15 * N + 16], b[17 * N + 16], 1e-4);
        assertEquals(b[16 * N + 15], b[15 * N + 16], 1e-4);
        assertEquals(255, mean(b) * b.length, 0.01);
    }

    @Test
    void noiseIsZeroMeanWithAStandardDeviationInRange() {
        float[] grey = new float[N * N];
        Arrays.fill(grey, 128);
        double stdSum = 0;
        int seeds = 200;
        for (long seed = 0; seed < seeds; seed++) {
            float[] y = apply("noise=20", grey, seed);
            double std = Math.sqrt(variance(y));
            assertTrue(std <= 20 * 1.1, "std " + std);
            assertEquals(128, mean(y), 4 * 20 / Math.sqrt(grey.length) + 0.01, "zero-mean noise");
            stdSum += std;
        }
        // The std is uniform in [0, 20]: its mean over images is 10.
        assertEquals(10, stdSum / seeds, 1.0);
    }

    @Test
    void jpegRoundsToGreyLevelsLosesMoreAtLowQualityAndStaysClose() {
        float[] x = smooth();
        double errLow = 0;
        double errHigh = 0;
        for (long seed = 0; seed < 4; seed++) {
            float[] lo = apply("jpeg=5-5", x, seed);
            float[] hi = apply("jpeg=95-95", x, seed);
            for (float v : lo) {
                assertEquals(Math.rint(v), v, "whole grey levels");
            }
            for (int i = 0; i < x.length; i++) {
                errLow += Math.abs(lo[i] - x[i]);
                errHigh += Math.abs(hi[i] - x[i]);
            }
        }
        errLow /= 4 * x.length;
        errHigh /= 4 * x.length;
        assertTrue(errHigh < 3, "quality 95: mean error " + errHigh);
        assertTrue(errLow > 2 * errHigh && errLow > 1, "quality 5: mean error " + errLow + " vs " + errHigh);
        assertTrue(errLow < 40, "still the same picture: " + errLow);
    }

    @Test
    void jitterScalesAndMovesTheFaceWithinItsRange() {
        // A 9x9 white square in the middle of a black 32x32 image.
        float[] x = new float[N * N];
        for (int y = 12; y < 21; y++) {
            for (int c = 12; c < 21; c++) {
                x[y * N + c] = 255;
            }
        }
        double j = 0.2;
        boolean smaller = false;
        boolean larger = false;
        boolean moved = false;
        for (long seed = 0; seed < 100; seed++) {
            float[] y = apply("jitter=" + j, x, seed);
            double mass = mean(y) * y.length / 255;
            double cx = 0;
            double cy = 0;
            for (int i = 0; i < y.length; i++) {
                cx += y[i] / 255 * (i % N);
                cy += y[i] / 255 * (i / N);
            }
            cx /= mass;
            cy /= mass;
            // Area scales by 1 / (sx sy), sx sy in [(1-J)^2, (1+J)^2]; the centre moves by up to J/2 * 32 / s.
            assertTrue(mass >= 81 / Math.pow(1 + j, 2) - 6 && mass <= 81 / Math.pow(1 - j, 2) + 6, "area " + mass);
            double limit = j / 2 * N / (1 - j) + 0.5;
            assertTrue(Math.abs(cx - 16) <= limit && Math.abs(cy - 16) <= limit, "centre " + cx + "," + cy);
            smaller |= mass < 81 - 8;
            larger |= mass > 81 + 8;
            moved |= Math.abs(cx - 16) > 1;
        }
        assertTrue(smaller && larger && moved, "smaller " + smaller + ", larger " + larger + ", moved " + moved);
    }

    @Test
    void jitterRepeatsTheEdgesOutsideTheImage() {
        float[] x = new float[N * N];
        Arrays.fill(x, 200);
        for (long seed = 0; seed < 20; seed++) {
            for (float v : apply("jitter=0.5", x, seed)) {
                assertEquals(200, v, 1e-3, "a looser box repeats the edge, never black");
            }
        }
    }

    @Test
    void robustPresetParsesDescribesAndRoundTrips() {
        Augmentation r = Augmentation.parse("robust");
        assertEquals(Augmentation.ROBUST, r);
        assertEquals(Augmentation.STANDARD.ops(), r.ops().subList(0, 4));
        assertEquals(new Augmentation.Jitter(0.1, 1), r.ops().get(4));
        assertTrue(r.ops().contains(new Augmentation.Jpeg(30, 90, 0.25)));
        assertTrue(r.ops().contains(new Augmentation.Gamma(0.3, 0.5)));
        assertTrue(r.ops().contains(new Augmentation.Blur(1, 0.25)));
        assertTrue(r.ops().contains(new Augmentation.Noise(8, 0.25)));
        assertTrue(r.ops().getLast() instanceof Augmentation.Erasing);
        assertEquals(r, Augmentation.parse(r.describe()));
        assertEquals(new Augmentation.Jpeg(40, 95, 1), Augmentation.parse("jpeg=40").ops().getFirst());
        assertEquals(new Augmentation.Jpeg(97, 97, 1), Augmentation.parse("jpeg=97").ops().getFirst());
    }

    @Test
    void badValuesNameTheItem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("jpeg=90-30")).getMessage()
                .contains("1 <= low <= high <= 100"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("jpeg=high")).getMessage()
                .startsWith("--augment: jpeg=high: expected qualities"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("blur=9")).getMessage()
                .contains("0..5 pixels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("noise")).getMessage()
                .contains("noise: needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("gamma=-1")).getMessage()
                .contains("gamma=-1.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("jitter=0.7")).getMessage()
                .contains("[0, 0.5]"));
        assertFalse(Augmentation.parse("blur=1").isIdentity());
    }
}
