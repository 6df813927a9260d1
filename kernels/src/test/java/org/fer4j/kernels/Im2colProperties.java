package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * im2col and col2im against their definition, and col2im as the adjoint of im2col. Values are
 * small integers, so every sum here is exact and the comparisons need no tolerance.
 *
 * <p>A geometry is generated as the layer would: {@code outH = (H + padTop + padBottom - kh) /
 * strideH + 1}, where {@code padBottom} (likewise {@code padRight}) is passed to neither kernel
 * and is implied by {@code outH}; it may differ from {@code padTop}, as in "same" padding with an
 * even kernel.
 */
class Im2colProperties {

    private final Kernels kernels = TestSupport.kernels();

    /**
     * A geometry from its padding on all four sides, as a layer makes it; {@code padBottom} and
     * {@code padRight} are implied by the output size, not passed.
     */
    private static ConvGeometry geometry(int channels, int height, int width, int kh, int kw, int strideH,
                                         int strideW, int padTop, int padLeft, int padBottom, int padRight) {
        return ConvGeometry.of(channels, height, width, 1, kh, kw, strideH, strideW, padTop, padBottom,
                padLeft, padRight);
    }

    /**
     * Where entry {@code (row, column)} of col reads from: the flat index into img, or -1 for
     * padding. The definition in the javadoc of {@link Kernels#im2col}, taken literally.
     */
    private static int source(ConvGeometry g, int row, int column) {
        int ch = row / (g.kh() * g.kw());
        int ki = row / g.kw() % g.kh();
        int kj = row % g.kw();
        int oy = column / g.outW();
        int ox = column % g.outW();
        int iy = oy * g.strideH() - g.padTop() + ki;
        int ix = ox * g.strideW() - g.padLeft() + kj;
        boolean inside = iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width();
        return inside ? (ch * g.height() + iy) * g.width() + ix : -1;
    }

    @Property(tries = 250)
    void im2colMatchesDefinitionAndCol2imIsItsAdjoint(
            @ForAll @IntRange(min = 1, max = 3) int channels,
            @ForAll @IntRange(min = 1, max = 9) int height,
            @ForAll @IntRange(min = 1, max = 9) int width,
            @ForAll @IntRange(min = 1, max = 4) int kh,
            @ForAll @IntRange(min = 1, max = 4) int kw,
            @ForAll @IntRange(min = 1, max = 3) int strideH,
            @ForAll @IntRange(min = 1, max = 3) int strideW,
            @ForAll @IntRange(min = 0, max = 3) int padTop,
            @ForAll @IntRange(min = 0, max = 3) int padLeft,
            @ForAll @IntRange(min = 0, max = 3) int padBottom,
            @ForAll @IntRange(min = 0, max = 3) int padRight,
            @ForAll @IntRange(min = 0, max = 5) int imgOff,
            @ForAll @IntRange(min = 0, max = 5) int colOff,
            @ForAll long seed) {
        ConvGeometry g = geometry(channels, height, width, kh, kw, strideH, strideW,
                padTop, padLeft, padBottom, padRight);
        Random random = new Random(seed);
        checkIm2col(g, random, imgOff, colOff);
        checkCol2im(g, random, imgOff, colOff);
        checkAdjoint(g, random);
    }

    @Example
    void samePaddingThreeByThree() {
        // The usual conv layer: 3x3, stride 1, pad 1 on every side keeps H x W.
        checkExample(geometry(2, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1), 6, 5, new Random(1), 3, 7);
    }

    @Example
    void evenKernelWithExtraPaddingBottomRight() {
        // TF-style "same" for a 2x2 kernel at stride 2 on an odd image: all the padding goes to the
        // bottom and right, so padTop = padLeft = 0 and only outH, outW carry it.
        checkExample(geometry(1, 5, 7, 2, 2, 2, 2, 0, 0, 1, 1), 3, 4, new Random(2), 0, 0);
    }

    /** The output size of a worked example, then im2col, col2im and their adjointness on it. */
    private void checkExample(ConvGeometry g, int outH, int outW, Random random, int imgOff, int colOff) {
        assertEquals(outH, g.outH());
        assertEquals(outW, g.outW());
        checkIm2col(g, random, imgOff, colOff);
        checkCol2im(g, random, imgOff, colOff);
        checkAdjoint(g, random);
    }

    @Example
    void knownSmallUnfold() {
        // img [1, 2, 2] = [[1, 2], [3, 4]], 2x2 kernel, stride 1, pad 1 all round -> outH = outW = 3.
        // Row (ki, kj) of col is the image shifted by (1 - ki, 1 - kj), zero where it falls off.
        float[] img = {1, 2, 3, 4};
        float[] col = new float[4 * 9];
        kernels.im2col(col, 0, img, 0, new ConvGeometry(1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 3, 3));
        float[] expected = {
            0, 0, 0, 0, 1, 2, 0, 3, 4, // tap (0, 0)
            0, 0, 0, 1, 2, 0, 3, 4, 0, // tap (0, 1)
            0, 1, 2, 0, 3, 4, 0, 0, 0, // tap (1, 0)
            1, 2, 0, 3, 4, 0, 0, 0, 0, // tap (1, 1)
        };
        assertArrayEquals(expected, col);

        // Folding back adds each pixel once per tap that saw it: 4 times, here.
        float[] folded = new float[4];
        kernels.col2im(folded, 0, col, 0, new ConvGeometry(1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 3, 3));
        assertArrayEquals(new float[] {4, 8, 12, 16}, folded);
    }

    @Example
    void col2imAccumulates() {
        ConvGeometry g = geometry(2, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        Random random = new Random(3);
        float[] col = TestSupport.smallIntegers(random, g.colSize());
        float[] once = new float[g.imageSize()];
        fold(once, 0, col, 0, g);
        float[] twice = once.clone();
        fold(twice, 0, col, 0, g);
        for (int i = 0; i < once.length; i++) {
            assertEquals(2 * once[i], twice[i], "img[" + i + "]");
        }
    }

    @Example
    void tooShortAnArrayNamesIt() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> kernels.im2col(new float[10], 0, new float[4], 0, new ConvGeometry(1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 3, 3)));
        assertTrue(e.getMessage().startsWith("im2col: col needs 36 elements"), e.getMessage());
    }

    private void checkIm2col(ConvGeometry g, Random random, int imgOff, int colOff) {
        float[] img = TestSupport.smallIntegers(random, imgOff + g.imageSize() + 2);
        float[] col = new float[colOff + g.colSize() + 2];
        Arrays.fill(col, Float.NaN); // every entry in the span must be written, padding too
        kernels.im2col(col, colOff, img, imgOff, g);
        int columns = g.outH() * g.outW();
        for (int i = 0; i < col.length; i++) {
            int rel = i - colOff;
            if (rel < 0 || rel >= g.colSize()) {
                assertTrue(Float.isNaN(col[i]), g + ": wrote col[" + i + "] outside its span");
                continue;
            }
            int src = source(g, rel / columns, rel % columns);
            float expected = src < 0 ? 0f : img[imgOff + src];
            if (expected != col[i]) {
                assertEquals(expected, col[i], g + ": col[" + rel + "]");
            }
        }
    }

    private void checkCol2im(ConvGeometry g, Random random, int imgOff, int colOff) {
        float[] col = TestSupport.smallIntegers(random, colOff + g.colSize());
        float[] start = TestSupport.smallIntegers(random, imgOff + g.imageSize() + 2);
        float[] img = start.clone();
        fold(img, imgOff, col, colOff, g);

        // The definition: every col entry that came from a pixel adds back into that pixel.
        float[] expected = start.clone();
        int columns = g.outH() * g.outW();
        for (int r = 0; r < g.rows(); r++) {
            for (int q = 0; q < columns; q++) {
                int src = source(g, r, q);
                if (src >= 0) {
                    expected[imgOff + src] += col[colOff + r * columns + q];
                }
            }
        }
        assertArrayEquals(expected, img, () -> g.toString());
    }

    /** {@code <col, im2col(img)> == <col2im(col), img>}: col2im is the transpose of im2col. */
    private void checkAdjoint(ConvGeometry g, Random random) {
        float[] img = TestSupport.smallIntegers(random, g.imageSize());
        float[] col = TestSupport.smallIntegers(random, g.colSize());
        float[] unfolded = new float[g.colSize()];
        kernels.im2col(unfolded, 0, img, 0, g);
        float[] folded = new float[g.imageSize()];
        fold(folded, 0, col, 0, g);
        assertEquals(TestSupport.dot(col, unfolded), TestSupport.dot(folded, img), () -> g.toString());
    }

    private void fold(float[] img, int imgOff, float[] col, int colOff, ConvGeometry g) {
        kernels.col2im(img, imgOff, col, colOff, g);
    }
}
