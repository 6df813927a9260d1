package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.io.Normalization;
import org.junit.jupiter.api.Test;

class ImageBatchSourceTest {
    static final int SIDE = 16;

    /** {@code n} random images with labels: class 0 gets 60%, class 1 30%, class 2 10%. */
    static ImageBatchSource source(int n, Augmentation aug, double oversample, int threads, Normalization norm) {
        SplittableRandom r = new SplittableRandom(3);
        byte[] pixels = new byte[n * SIDE * SIDE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) r.nextInt(256);
        }
        int[] index = new int[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            index[i] = i;
            labels[i] = i % 10 < 6 ? 0 : (i % 10 < 9 ? 1 : 2);
        }
        return new ImageBatchSource(pixels, index, labels, SIDE, SIDE, 3, norm, aug, 42, oversample, threads);
    }

    static List<Batch> pass(ImageBatchSource s, int batch, boolean shuffle, long seed) {
        List<Batch> out = new ArrayList<>();
        Iterator<Batch> it = s.batches(batch, shuffle, seed);
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    static void assertSamePass(List<Batch> a, List<Batch> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).y(), b.get(i).y(), "labels of batch " + i);
            assertArrayEquals(a.get(i).x().data(), b.get(i).x().data(), "images of batch " + i);
            assertArrayEquals(a.get(i).x().shape(), b.get(i).x().shape());
        }
    }

    @Test
    void plainPassIsTheImagesInOrderNormalized() {
        ImageBatchSource s = source(25, Augmentation.NONE, 0, 0, Normalization.UNIT);
        assertEquals(25, s.size());
        assertArrayEquals(new int[] {1, SIDE, SIDE}, s.sampleShape());
        List<Batch> batches = pass(s, 10, false, 0);
        assertEquals(3, batches.size());
        assertEquals(5, batches.get(2).size());
        assertArrayEquals(new int[] {10, 1, SIDE, SIDE}, batches.get(0).x().shape());
        byte[] img = s.image(13);
        float[] x = batches.get(1).x().data();
        for (int k = 0; k < img.length; k++) {
            assertEquals((img[k] & 0xFF) * (1f / 255), x[3 * SIDE * SIDE + k]);
        }
        assertEquals(s.label(13), batches.get(1).y()[3]);
    }

    @Test
    void shuffleIsASeededPermutation() {
        ImageBatchSource s = source(40, Augmentation.NONE, 0, 0, Normalization.NONE);
        List<Batch> a = pass(s, 8, true, 7);
        assertSamePass(a, pass(s, 8, true, 7));
        assertFalse(Arrays.equals(a.get(0).x().data(), pass(s, 8, true, 8).get(0).x().data()));
        // Every image exactly once: compare sorted first pixels of each sample.
        List<Float> seen = new ArrayList<>();
        List<Float> all = new ArrayList<>();
        for (Batch b : a) {
            for (int i = 0; i < b.size(); i++) {
                seen.add(b.x().data()[i * SIDE * SIDE] * 1000 + b.x().data()[i * SIDE * SIDE + 1]);
            }
        }
        for (int i = 0; i < 40; i++) {
            all.add((float) (s.image(i)[0] & 0xFF) * 1000 + (s.image(i)[1] & 0xFF));
        }
        seen.sort(null);
        all.sort(null);
        assertEquals(all, seen);
    }

    @Test
    void sameSeedSameAugmentedBatchesAndEpochsDiffer() {
        ImageBatchSource s = source(30, Augmentation.STRONG, 0, 0, Normalization.UNIT);
        List<Batch> epoch1 = pass(s, 7, true, 1001);
        assertSamePass(epoch1, pass(s, 7, true, 1001));
        // Another epoch (the trainer passes another seed): even in the same order, other augmentations.
        float[] first = pass(s, 30, false, 1001).get(0).x().data();
        float[] second = pass(s, 30, false, 1002).get(0).x().data();
        assertFalse(Arrays.equals(first, second));
        assertArrayEquals(second, pass(s, 30, false, 1002).get(0).x().data());
    }

    @Test
    void augmentationDependsOnTheSampleNotOnTheBatchSizeOrOrder() {
        ImageBatchSource s = source(20, Augmentation.STRONG, 0, 0, Normalization.NONE);
        float[] whole = pass(s, 20, false, 5).get(0).x().data();
        List<Batch> small = pass(s, 3, false, 5);
        int size = SIDE * SIDE;
        for (int i = 0; i < 20; i++) {
            float[] expected = Arrays.copyOfRange(whole, i * size, (i + 1) * size);
            float[] got = Arrays.copyOfRange(small.get(i / 3).x().data(), (i % 3) * size, (i % 3 + 1) * size);
            assertArrayEquals(expected, got, "sample " + i);
            assertArrayEquals(expected, s.augmentedImage(i, 5), "augmentedImage " + i);
        }
    }

    @Test
    void batchesAreTheSameWhateverTheNumberOfPrefetchThreads() {
        ImageBatchSource none = source(53, Augmentation.STRONG, 0.8, 0, Normalization.UNIT);
        List<Batch> reference = pass(none, 8, true, 77);
        for (int threads : new int[] {1, 2, 5}) {
            try (ImageBatchSource s = none.withPrefetchThreads(threads)) {
                assertSamePass(reference, pass(s, 8, true, 77));
                assertSamePass(reference, pass(s, 8, true, 77));
            }
        }
    }

    @Test
    void abandoningAPassHalfWayLeavesTheSourceUsable() {
        try (ImageBatchSource s = source(60, Augmentation.STANDARD, 0, 2, Normalization.UNIT)) {
            Iterator<Batch> it = s.batches(4, true, 1);
            it.next();
            assertSamePass(pass(s.withPrefetchThreads(0), 4, true, 2), pass(s, 4, true, 2));
        }
    }

    @Test
    void oversamplingRaisesRareClassesPerEpoch() {
        ImageBatchSource s = source(100, Augmentation.NONE, 1.0, 0, Normalization.NONE);
        assertArrayEquals(new int[] {60, 30, 10}, s.classCounts());
        assertEquals(180, s.size());          // every class raised to 60
        assertEquals(100, s.imageCount());
        int[] perClass = new int[3];
        for (Batch b : pass(s, 32, true, 3)) {
            for (int y : b.y()) {
                perClass[y]++;
            }
        }
        assertArrayEquals(new int[] {60, 60, 60}, perClass);
        ImageBatchSource half = source(100, Augmentation.NONE, 0.5, 0, Normalization.NONE);
        assertEquals(60 + 30 + 30, half.size());
        // The extras are drawn per epoch: which rare images repeat depends on the seed.
        ImageBatchSource partial = source(100, Augmentation.NONE, 0.75, 0, Normalization.NONE);
        assertEquals(60 + 45 + 45, partial.size());
        int[] a = partial.passSamples(1);
        assertFalse(Arrays.equals(a, partial.passSamples(2)));
        assertArrayEquals(a, partial.passSamples(1));
        assertTrue(s.plain().size() == 100);
    }

    @Test
    void pixelStatsAreOverTheRawValues() {
        byte[] pixels = {0, 0, (byte) 255, (byte) 255, 10, 10, 10, 10};
        ImageBatchSource s = new ImageBatchSource(pixels, new int[] {0}, new int[] {0}, 2, 2, 1, Normalization.NONE,
                Augmentation.NONE, 0, 0, 0);
        assertArrayEquals(new double[] {127.5, 127.5}, s.pixelStats(), 1e-9);
    }
}
