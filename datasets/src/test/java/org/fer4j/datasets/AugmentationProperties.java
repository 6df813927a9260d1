package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class AugmentationProperties {

    private static float[] image(int h, int w, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(256);
        }
        return x;
    }

    @Property(tries = 50)
    void flipMirrorsEveryRowAndTwiceIsTheIdentityAtAnySize(@ForAll @IntRange(min = 1, max = 40) int h,
                                                           @ForAll @IntRange(min = 1, max = 40) int w,
                                                           @ForAll long seed) {
        float[] x = image(h, w, seed);
        float[] y = x.clone();
        Augmentation flip = new Augmentation(List.of(new Augmentation.Flip(1)));
        flip.apply(y, 0, h, w, new SplittableRandom(seed));
        assertMirrored(x, y, h, w);  // a flip that did nothing would fail here (next property)
        flip.apply(y, 0, h, w, new SplittableRandom(seed + 1));
        assertArrayEquals(x, y, "two flips");
    }

    @Property(tries = 20)
    void aFlipThatDoesNothingIsCaught(@ForAll @IntRange(min = 2, max = 40) int h,
                                      @ForAll @IntRange(min = 2, max = 40) int w, @ForAll long seed) {
        float[] x = image(h, w, seed);
        x[0] = x[w - 1] + 1;  // never its own mirror, whatever the seed
        assertThrows(AssertionError.class, () -> assertMirrored(x, x.clone(), h, w));
    }

    /** {@code y} is {@code x} (an {@code h x w} image) mirrored left to right, pixel for pixel. */
    private static void assertMirrored(float[] x, float[] y, int h, int w) {
        float[] mirror = new float[h * w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                mirror[r * w + c] = x[r * w + (w - 1 - c)];
            }
        }
        assertArrayEquals(mirror, y, "one flip");
    }

    @Property(tries = 50)
    void everyOpKeepsValuesInRangeAndTouchesOnlyItsImage(@ForAll @IntRange(min = 4, max = 30) int h,
                                                          @ForAll @IntRange(min = 4, max = 30) int w,
                                                          @ForAll long seed) {
        float[] x = new float[h * w + 6];
        System.arraycopy(image(h, w, seed), 0, x, 3, h * w);
        x[0] = x[1] = x[2] = -7;
        x[x.length - 1] = x[x.length - 2] = x[x.length - 3] = -7;
        Augmentation.parse("strong,crop=3,robust").apply(x, 3, h, w, new SplittableRandom(seed));
        for (int i = 0; i < x.length; i++) {
            boolean inside = i >= 3 && i < 3 + h * w;
            assertTrue(inside ? x[i] >= 0 && x[i] <= 255 : x[i] == -7, "index " + i + ": " + x[i]);
        }
    }
}
