package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Iterator;
import java.util.SplittableRandom;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.io.Normalization;
import org.junit.jupiter.api.Test;

/** mixup and cutmix: batch ops of {@link Augmentation}, wired into {@link ImageBatchSource}. */
class MixTest {
    static final int H = 6;
    static final int W = 8;
    static final int S = H * W;

    /** n flat images, image i all of value 10 * (i + 1), label i. */
    static float[] flat(int n) {
        float[] x = new float[n * S];
        for (int i = 0; i < n; i++) {
            Arrays.fill(x, i * S, (i + 1) * S, 10 * (i + 1));
        }
        return x;
    }

    static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i;
        }
        return y;
    }

    @Test
    void mixupBlendsEachImageWithItsPartnerByLambda() {
        int n = 6;
        for (long seed = 0; seed < 20; seed++) {
            float[] x = flat(n);
            Augmentation.Mix mix = Augmentation.parse("mixup=0.4").mix(x, labels(n), n, H, W, new SplittableRandom(seed));
            assertNotNull(mix);
            float l = mix.lambda();
            int[] sorted = mix.yMix().clone();
            Arrays.sort(sorted);
            assertArrayEquals(labels(n), sorted, "partners are a permutation of the batch");
            for (int i = 0; i < n; i++) {
                float expected = l * 10 * (i + 1) + (1 - l) * 10 * (mix.yMix()[i] + 1);
                for (int k = 0; k < S; k++) {
                    assertEquals(expected, x[i * S + k], 1e-3);
                }
            }
        }
    }

    @Test
    void cutmixPastesOneBoxAndLambdaIsTheShareLeft() {
        int n = 4;
        boolean partial = false;
        for (long seed = 0; seed < 30; seed++) {
            float[] x = flat(n);
            Augmentation.Mix mix = Augmentation.parse("cutmix=1").mix(x, labels(n), n, H, W, new SplittableRandom(seed));
            int boxArea = -1;
            for (int i = 0; i < n; i++) {
                int j = mix.yMix()[i];
                int own = 0;
                int pasted = 0;
                int minR = H, maxR = -1, minC = W, maxC = -1;
                for (int k = 0; k < S; k++) {
                    float v = x[i * S + k];
                    if (v == 10 * (i + 1) && j != i) {
                        own++;
                    } else {
                        assertEquals(10 * (j + 1), v, "a pixel is its own or its partner's");
                        pasted++;
                        minR = Math.min(minR, k / W);
                        maxR = Math.max(maxR, k / W);
                        minC = Math.min(minC, k % W);
                        maxC = Math.max(maxC, k % W);
                    }
                }
                if (j != i && pasted > 0) {
                    assertEquals((maxR - minR + 1) * (maxC - minC + 1), pasted, "the pasted region is a box");
                }
                if (j != i) {
                    assertEquals(1 - (double) pasted / S, mix.lambda(), 1e-6, "lambda is the share of the own image");
                    assertTrue(boxArea < 0 || boxArea == pasted, "one box for the batch");
                    boxArea = pasted;
                }
            }
            partial |= mix.lambda() > 0 && mix.lambda() < 1;
        }
        assertTrue(partial);
    }

    @Test
    void betaHasTheRightMeanAndVariance() {
        for (double a : new double[] {0.2, 1, 2}) {
            SplittableRandom r = new SplittableRandom(7);
            int n = 20000;
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                double v = Augmentation.beta(r, a);
                assertTrue(v >= 0 && v <= 1);
                sum += v;
                sumSq += v * v;
            }
            double mean = sum / n;
            double var = sumSq / n - mean * mean;
            assertEquals(0.5, mean, 0.01, "alpha " + a);
            assertEquals(1 / (4 * (2 * a + 1)), var, 0.01, "alpha " + a);   // Var of Beta(a, a)
        }
    }

    @Test
    void atMostOneBatchOpFiresAndTheFirstWins() {
        Augmentation both = Augmentation.parse("mixup=0.2@0.5,cutmix=1");
        int mixups = 0;
        int swapped = 0;
        int none = 0;
        for (long seed = 0; seed < 800; seed++) {
            float[] x = flat(2);
            Augmentation.Mix mix = both.mix(x, labels(2), 2, H, W, new SplittableRandom(seed));
            if (mix == null) {
                none++;
            } else if (mix.yMix()[0] == 1) {   // a permutation of two may keep each image with itself
                swapped++;
                mixups += x[0] != 10 && x[0] != 20 ? 1 : 0;   // blended values only come from mixup
            }
        }
        assertEquals(0, none);
        assertTrue(swapped > 300 && swapped < 500, swapped + " swaps of 800");
        assertEquals(0.5, (double) mixups / swapped, 0.08, mixups + " mixups of " + swapped);
        assertNull(Augmentation.parse("mixup=0.2@0").mix(flat(2), labels(2), 2, H, W, new SplittableRandom(1)));
        assertNull(Augmentation.parse("mixup=0.2").mix(flat(1), labels(1), 1, H, W, new SplittableRandom(1)));
        assertFalse(Augmentation.parse("flip").mixesBatches());
    }

    @Test
    void perImageOpsIgnoreBatchOpsAndSpecsRoundTrip() {
        float[] x = AugmentationTest.image(3);
        float[] a = x.clone();
        float[] b = x.clone();
        Augmentation.parse("flip,brightness=0.3").apply(a, 0, AugmentationTest.H, AugmentationTest.W, new SplittableRandom(5));
        Augmentation.parse("mixup=0.2@0.5,flip,cutmix=1@0.3,brightness=0.3")
                .apply(b, 0, AugmentationTest.H, AugmentationTest.W, new SplittableRandom(5));
        assertArrayEquals(a, b, "batch ops draw nothing from an image's generator");
        Augmentation m = Augmentation.parse("robust,mixup=0.2@0.5,cutmix=1");
        assertEquals(m, Augmentation.parse(m.describe()));
        assertEquals(new Augmentation.CutMix(1, 1), m.ops().getLast());
    }

    @Test
    void batchSourcesMixTheSameWhateverTheThreads() {
        int n = 40;
        byte[] pixels = new byte[n * S];
        int[] index = new int[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(pixels, i * S, (i + 1) * S, (byte) (5 * i));
            index[i] = i;
            y[i] = i % 3;
        }
        Augmentation aug = Augmentation.parse("flip,mixup=0.4@0.5,cutmix=1");
        ImageBatchSource none = new ImageBatchSource(pixels, index, y, H, W, 3, Normalization.UNIT, aug, 9, 0, 0);
        ImageBatchSource two = none.withPrefetchThreads(2);
        Iterator<Batch> a = none.batches(8, true, 77);
        Iterator<Batch> b = two.batches(8, true, 77);
        int mixed = 0;
        while (a.hasNext()) {
            Batch p = a.next();
            Batch q = b.next();
            assertArrayEquals(p.x().data(), q.x().data());
            assertArrayEquals(p.y(), q.y());
            assertArrayEquals(p.yMix(), q.yMix());
            assertEquals(p.lambda(), q.lambda());
            mixed += p.mixed() ? 1 : 0;
            for (float v : p.x().data()) {
                assertTrue(v >= 0 && v <= 1, "normalized after mixing: " + v);
            }
        }
        assertFalse(b.hasNext());
        assertEquals(5, mixed, "cutmix at p = 1 after mixup: every batch is mixed");
        try (two) {
            assertFalse(none.plain().batches(8, true, 77).next().mixed(), "evaluation batches are never mixed");
        }
    }
}
