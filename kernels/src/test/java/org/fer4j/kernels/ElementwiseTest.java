package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** axpy, scale, fill, add, mul, sumOfSquares, the bias kernels and ReLU. */
class ElementwiseTest {

    private final Kernels kernels = TestSupport.kernels();

    @Test
    void axpyTouchesOnlyItsSpan() {
        float[] y = {9, 1, 2, 3, 9};
        float[] x = {9, 9, 10, 20, 30};
        kernels.axpy(y, 1, x, 2, 3, 0.5f);
        assertArrayEquals(new float[] {9, 6, 12, 18, 9}, y);
    }

    @Test
    void scaleAndFillTouchOnlyTheirSpan() {
        float[] x = {1, 2, 3, 4, 5};
        kernels.scale(x, 1, 3, -2f);
        assertArrayEquals(new float[] {1, -4, -6, -8, 5}, x);
        kernels.fill(x, 3, 2, 7f);
        assertArrayEquals(new float[] {1, -4, -6, 7, 7}, x);
        kernels.fill(x, 5, 0, 0f); // an empty span at the very end is fine
    }

    @Test
    void addAndMulMayAliasTheirOutput() {
        float[] a = {1, 2, 3, 99};
        float[] b = {10, 20, 30, 99};
        float[] y = new float[4];
        kernels.add(y, a, b, 3);
        assertArrayEquals(new float[] {11, 22, 33, 0}, y);
        kernels.mul(a, a, b, 3);
        assertArrayEquals(new float[] {10, 40, 90, 99}, a);
        kernels.add(b, b, b, 3);
        assertArrayEquals(new float[] {20, 40, 60, 99}, b);
    }

    @Test
    void sumOfSquaresWithOffset() {
        float[] x = {100, 3, 4, -12, 100};
        assertEquals(9 + 16 + 144, kernels.sumOfSquares(x, 1, 3));
        assertEquals(0, kernels.sumOfSquares(x, 2, 0));
    }

    @Test
    void sumOfSquaresAccumulatesInDouble() {
        // 1e4^2 = 1e8, where a float's spacing is 8: a float accumulator would drop all 1000 ones.
        float[] x = new float[1001];
        Arrays.fill(x, 1f);
        x[0] = 1e4f;
        assertEquals(1e8 + 1000, kernels.sumOfSquares(x, 0, x.length));
    }

    @Test
    void spansAreChecked() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> kernels.axpy(new float[4], 2, new float[4], 0, 3, 1f));
        assertEquals("axpy: y needs 3 elements from offset 2, but its length is 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernels.fill(new float[4], 0, -1, 0f));
        assertEquals("fill: n must be >= 0, got -1", e.getMessage());
    }

    @Test
    void addBiasPerChannel() {
        // y [N=2, C=2, S=3], bias [10, 20].
        float[] y = {
            1, 2, 3, /* n0 c1 */ 4, 5, 6,
            0, 0, 0, /* n1 c1 */ 1, 1, 1,
        };
        kernels.addBias(y, new float[] {10, 20}, 2, 2, 3);
        assertArrayEquals(new float[] {11, 12, 13, 24, 25, 26, 10, 10, 10, 21, 21, 21}, y);
    }

    @Test
    void fillBiasSetsTheImagesFromTheOffset() {
        // y [N=3, C=2, S=2]; images 1 and 2 (from offset 4) start at the bias, image 0 is kept.
        float[] y = {7, 7, 7, 7, /* n1 */ 1, 1, 1, 1, /* n2 */ 1, 1, 1, 1};
        kernels.fillBias(y, 4, new float[] {10, 20}, 2, 2, 2);
        assertArrayEquals(new float[] {7, 7, 7, 7, 10, 10, 20, 20, 10, 10, 20, 20}, y);
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.fillBias(y, 8, new float[2], 2, 2, 2));
        assertTrue(e.getMessage().startsWith("fillBias: y"), e.getMessage());
    }

    @Test
    void biasBackwardSumsOverBatchAndSpaceAndAccumulates() {
        float[] dy = {
            1, 2, 3, /* n0 c1 */ 4, 5, 6,
            -1, 0, 1, /* n1 c1 */ 0.5f, 0.5f, 0.5f,
        };
        float[] dbias = {100, 200}; // gradients from earlier batches stay
        kernels.biasBackward(dbias, dy, 2, 2, 3);
        assertArrayEquals(new float[] {106, 216.5f}, dbias);
    }

    @Test
    void reluForwardInPlaceKeepsNaN() {
        float[] x = {-2, -0f, 0, 3, Float.NaN};
        kernels.reluForward(x, x, 5);
        assertArrayEquals(new float[] {0, 0, 0, 3, Float.NaN}, x);
        assertEquals(0, Float.floatToRawIntBits(x[1]), "max(-0, 0) is +0");
    }

    @Test
    void reluInPlaceRectifiesOnlyItsSpan() {
        float[] x = {-1, -2, -0f, 0, 3, Float.NaN, -4};
        kernels.reluInPlace(x, 1, 5);
        assertArrayEquals(new float[] {-1, 0, 0, 0, 3, Float.NaN, -4}, x);
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.reluInPlace(x, 3, 5));
        assertTrue(e.getMessage().startsWith("reluInPlace: x"), e.getMessage());
    }

    @Test
    void reluBackwardReadsTheForwardOutput() {
        float[] y = {0, 0.5f, 0, 2};
        float[] dy = {1, 2, 3, 4};
        float[] dx = new float[4];
        kernels.reluBackward(dx, dy, y, 4);
        assertArrayEquals(new float[] {0, 2, 0, 4}, dx);
    }

    @Test
    void negativeSizesNameTheArgument() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> kernels.addBias(new float[1], new float[1], 1, -1, 1));
        assertTrue(e.getMessage().startsWith("addBias: c must be >= 0"), e.getMessage());
    }
}
