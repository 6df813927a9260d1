package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    static final int H = 12;
    static final int W = 16;

    /** A non-symmetric test image, values 0..255. */
    static float[] image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(256);
        }
        return x;
    }

    static float[] apply(Augmentation a, float[] x, long seed) {
        float[] y = x.clone();
        a.apply(y, 0, H, W, new SplittableRandom(seed));
        return y;
    }

    @Test
    void flipMirrorsEachRow() {
        float[] x = image(1);
        float[] f = apply(new Augmentation(List.of(new Augmentation.Flip(1))), x, 0);
        for (int y = 0; y < H; y++) {
            for (int c = 0; c < W; c++) {
                assertEquals(x[y * W + c], f[y * W + (W - 1 - c)]);
            }
        }
    }

    @Test
    void aFlipOfAFlipIsTheIdentity() {
        float[] x = image(2);
        Augmentation flip = new Augmentation(List.of(new Augmentation.Flip(1)));
        assertArrayEquals(x, apply(flip, apply(flip, x, 0), 0));
        Augmentation twice = new Augmentation(List.of(new Augmentation.Flip(1), new Augmentation.Flip(1)));
        assertArrayEquals(x, apply(twice, x, 0));
    }

    @Test
    void zeroSizedOpsChangeNothing() {
        float[] x = image(3);
        for (String spec : List.of("rotation=0", "shift=0", "zoom=0", "crop=0", "brightness=0", "contrast=0",
                "rotation=0,shift=0,zoom=0,crop=0,brightness=0,contrast=0", "flip@0", "erasing@0", "rotation=30@0")) {
            Augmentation a = Augmentation.parse(spec);
            for (long seed = 0; seed < 5; seed++) {
                assertArrayEquals(x, apply(a, x, seed), spec);
            }
        }
    }

    @Test
    void aFlipThenAZeroDegreeRotationIsJustTheFlip() {
        float[] x = image(7);
        Augmentation flipRotate = new Augmentation(List.of(new Augmentation.Flip(1), new Augmentation.Rotation(0, 1)));
        Augmentation flip = new Augmentation(List.of(new Augmentation.Flip(1)));
        assertArrayEquals(apply(flip, x, 0), apply(flipRotate, x, 0));
    }

    @Test
    void rotationMovesPixelsButKeepsTheCentreOfAnOddImage() {
        int n = 9;
        float[] x = new float[n * n];
        x[4 * n + 4] = 200;   // one bright centre pixel
        Augmentation rot = Augmentation.parse("rotation=45");
        float[] y = x.clone();
        rot.apply(y, 0, n, n, new SplittableRandom(5));
        assertEquals(200, y[4 * n + 4], 1e-3);
        float[] ramp = new float[n * n];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = i % n * 20;
        }
        float[] r = ramp.clone();
        rot.apply(r, 0, n, n, new SplittableRandom(5));
        assertFalse(java.util.Arrays.equals(ramp, r), "a 45-degree rotation range changes a ramp");
    }

    @Test
    void cropShiftsByWholePixelsWithABlackBorder() {
        float[] x = new float[H * W];
        java.util.Arrays.fill(x, 100);
        Augmentation crop = Augmentation.parse("crop=3");
        boolean sawBorder = false;
        for (long seed = 0; seed < 20; seed++) {
            float[] y = apply(crop, x, seed);
            int black = 0;
            for (float v : y) {
                assertTrue(v == 0 || v == 100, "whole-pixel shift: " + v);
                black += v == 0 ? 1 : 0;
            }
            sawBorder |= black > 0;
            assertTrue(black <= 3 * W + 3 * H, "at most 3 rows and 3 columns go black");
        }
        assertTrue(sawBorder);
    }

    @Test
    void shiftMovesTheImageWithEdgesRepeated() {
        float[] x = new float[H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % W < W / 2 ? 0 : 255;   // left half black, right half white
        }
        float[] y = apply(Augmentation.parse("shift=0.25"), x, 11);
        assertFalse(java.util.Arrays.equals(x, y));
        assertEquals(0, y[0], 1e-3);               // the left edge stays black (edge repeated)
        assertEquals(255, y[W - 1], 1e-3);         // the right edge stays white
    }

    @Test
    void brightnessAndContrastStayInRangeAndChangeTheImage() {
        float[] x = image(4);
        for (String spec : List.of("brightness=0.9", "contrast=0.9")) {
            float[] y = apply(Augmentation.parse(spec), x, 3);
            assertFalse(java.util.Arrays.equals(x, y), spec);
            for (float v : y) {
                assertTrue(v >= 0 && v <= 255, spec + ": " + v);
            }
        }
        // Contrast keeps the mean where no value clips.
        float[] flat = new float[H * W];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = 100 + (i % 7);
        }
        float[] c = apply(Augmentation.parse("contrast=0.5"), flat, 9);
        double m0 = 0;
        double m1 = 0;
        for (int i = 0; i < flat.length; i++) {
            m0 += flat[i];
            m1 += c[i];
        }
        assertEquals(m0 / flat.length, m1 / flat.length, 1e-3);
    }

    @Test
    void zoomEnlargesAboutTheCentre() {
        int n = 21;
        float[] x = new float[n * n];
        for (int y = 8; y <= 12; y++) {
            for (int c = 8; c <= 12; c++) {
                x[y * n + c] = 255;   // a 5x5 white square in the middle
            }
        }
        float[] z = x.clone();
        new Augmentation(List.of(new Augmentation.Zoom(0.9, 1))).apply(z, 0, n, n, new SplittableRandom(1));
        double before = 0;
        double after = 0;
        for (int i = 0; i < x.length; i++) {
            before += x[i];
            after += z[i];
        }
        assertTrue(Math.abs(after - before) > 255, "zoom changes the square's area: " + before + " -> " + after);
        assertEquals(255, z[10 * n + 10], 1e-3);
    }

    @Test
    void erasingFillsOneRectangleWithNoise() {
        float[] x = new float[H * W];
        java.util.Arrays.fill(x, -1);   // a value erasing never writes
        float[] y = apply(Augmentation.parse("erasing@1"), x, 7);
        int minR = H;
        int maxR = -1;
        int minC = W;
        int maxC = -1;
        int changed = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] != -1) {
                changed++;
                minR = Math.min(minR, i / W);
                maxR = Math.max(maxR, i / W);
                minC = Math.min(minC, i % W);
                maxC = Math.max(maxC, i % W);
                assertTrue(y[i] >= 0 && y[i] <= 255);
            }
        }
        assertTrue(changed > 0);
        assertEquals((maxR - minR + 1) * (maxC - minC + 1), changed, "a filled rectangle");
        double area = (double) changed / (H * W);
        assertTrue(area >= 0.01 && area <= 0.4, "area " + area);
    }

    @Test
    void theSameSeedGivesTheSameImageAndAnotherSeedAnother() {
        float[] x = image(5);
        Augmentation a = Augmentation.STRONG;
        assertArrayEquals(apply(a, x, 99), apply(a, x, 99));
        assertFalse(java.util.Arrays.equals(apply(a, x, 99), apply(a, x, 100)));
    }

    @Test
    void probabilityIsRespected() {
        float[] x = image(6);
        Augmentation half = Augmentation.parse("brightness=0.5@0.5");
        int changed = 0;
        for (long seed = 0; seed < 400; seed++) {
            changed += java.util.Arrays.equals(x, apply(half, x, seed)) ? 0 : 1;
        }
        assertTrue(changed > 150 && changed < 250, "applied " + changed + " of 400 times");
    }

    @Test
    void parsesSpecsAndNamesBadItems() {
        assertEquals(List.of(new Augmentation.Flip(0.5), new Augmentation.Rotation(10, 1), new Augmentation.Shift(0.1, 1),
                new Augmentation.Zoom(0.1, 1)), Augmentation.STANDARD.ops());
        Augmentation a = Augmentation.parse("flip@1, rotation=15@0.5, crop=4, erasing@0.25, brightness=0.2, contrast=0.3");
        assertEquals(6, a.ops().size());
        assertEquals(new Augmentation.Rotation(15, 0.5), a.ops().get(1));
        assertEquals(a, Augmentation.parse(a.describe()));
        assertTrue(Augmentation.parse("none").isIdentity());
        assertEquals(Augmentation.STANDARD.ops().size() + 3, Augmentation.STRONG.ops().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("rotation=ten"));
        assertEquals("--augment: rotation=ten: expected degrees, e.g. rotation=10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("rotation"));
        assertTrue(e.getMessage().contains("rotation: needs a value"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("twirl=3"));
        assertTrue(e.getMessage().contains("unknown augmentation 'twirl'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("flip@2"));
        assertTrue(e.getMessage().contains("probability must be in [0, 1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("zoom=1.5"));
    }
}
