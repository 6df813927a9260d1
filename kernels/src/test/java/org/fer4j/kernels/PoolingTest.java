package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolingTest {

    private final Kernels kernels = TestSupport.kernels();

    @Test
    void maxPoolMatchesDefinition() {
        Random random = new Random(7);
        // {H, W, kh, kw, strideH, strideW}: the usual 2x2/2, overlapping 3x3/2, 3x3/1, a
        // non-square window, and sizes that leave a remainder row and column unpooled.
        int[][] cases = {{8, 8, 2, 2, 2, 2}, {9, 7, 3, 3, 2, 2}, {5, 6, 3, 3, 1, 1},
            {7, 9, 2, 3, 1, 2}, {1, 1, 1, 1, 1, 1}, {13, 13, 2, 2, 2, 2}};
        for (int[] cs : cases) {
            int planes = 3;
            int h = cs[0], w = cs[1], kh = cs[2], kw = cs[3], sh = cs[4], sw = cs[5];
            int outH = (h - kh) / sh + 1;
            int outW = (w - kw) / sw + 1;
            float[] in = TestSupport.uniform(random, planes * h * w);
            float[] out = new float[planes * outH * outW];
            int[] argmax = new int[out.length];
            kernels.maxPoolForward(out, argmax, in, planes, h, w, kh, kw, sh, sw, outH, outW);
            assertMaxPoolByDefinition(Arrays.toString(cs), in, out, argmax, planes, h, w, kh, kw, sh, sw, outH, outW);
        }
    }

    @Test
    void maxPoolTiesPickTheFirstInReadingOrder() {
        // One 2x4 plane, 2x2 windows at stride 2. Left window: all equal -> its top-left, index 0.
        // Right window [[1, 5], [5, 5]]: the first 5 in row-major order is index 3.
        float[] in = {
            2, 2, 1, 5,
            2, 2, 5, 5,
        };
        float[] out = new float[2];
        int[] argmax = new int[2];
        kernels.maxPoolForward(out, argmax, in, 1, 2, 4, 2, 2, 2, 2, 1, 2);
        assertArrayEquals(new float[] {2, 5}, out);
        assertArrayEquals(new int[] {0, 3}, argmax);
    }

    @Test
    void maxPoolOfAllNegativeInfinityStillPointsIntoTheWindow() {
        float[] in = new float[8];
        Arrays.fill(in, Float.NEGATIVE_INFINITY);
        float[] out = new float[2];
        int[] argmax = new int[2];
        kernels.maxPoolForward(out, argmax, in, 2, 2, 2, 2, 2, 2, 2, 1, 1);
        assertArrayEquals(new int[] {0, 4}, argmax); // flat indices into all of `in`, plane 1 from 4
    }

    @Test
    void maxPoolBackwardScattersAndOverlapsAddUp() {
        // 3x3 plane with its maximum in the centre; 2x2 windows at stride 1 all pick the centre,
        // so din[centre] = the sum of all four output gradients and every other din is 0.
        float[] in = {
            0, 1, 0,
            1, 9, 1,
            0, 1, 0,
        };
        float[] out = new float[4];
        int[] argmax = new int[4];
        kernels.maxPoolForward(out, argmax, in, 1, 3, 3, 2, 2, 1, 1, 2, 2);
        assertArrayEquals(new int[] {4, 4, 4, 4}, argmax);

        float[] dout = {0.5f, 1f, 2f, 4f};
        float[] din = new float[9];
        Arrays.fill(din, 123f); // backward overwrites: stale gradients must not survive
        kernels.maxPoolBackward(din, dout, argmax, 9, 4);
        assertArrayEquals(new float[] {0, 0, 0, 0, 7.5f, 0, 0, 0, 0}, din);
    }

    @Test
    void maxPoolRejectsWindowsThatLeaveThePlane() {
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.maxPoolForward(
                new float[9], new int[9], new float[16], 1, 4, 4, 2, 2, 2, 2, 3, 3));
        // 3 windows at stride 2 start at rows 0, 2 and 4: the last starts outside a 4-row plane.
        assertTrue(e.getMessage().contains("need height > 4, got 4"), e.getMessage());
    }

    @Test
    void maxPoolWithWindowsOverTheBottomRightEdgeIgnoresTheOverhang() {
        Random random = new Random(11);
        // {H, W, kh, kw, strideH, strideW}, out = ceil(in / stride) (TensorFlow's "same" with all
        // the padding at the bottom and right): the YOLO-style 207 -> 104 and 13 -> 13, and odd
        // shapes where only one axis overhangs.
        int[][] cases = {{207, 207, 2, 2, 2, 2}, {13, 13, 2, 2, 1, 1}, {7, 9, 3, 3, 2, 2}, {5, 6, 2, 3, 2, 2},
            {1, 1, 2, 2, 2, 2}, {8, 7, 2, 2, 2, 2}};
        for (int[] cs : cases) {
            int planes = 3;
            int h = cs[0], w = cs[1], kh = cs[2], kw = cs[3], sh = cs[4], sw = cs[5];
            int outH = (h + sh - 1) / sh;
            int outW = (w + sw - 1) / sw;
            // All negative: a padding value of 0 instead of -infinity would win every cut window.
            float[] in = TestSupport.uniform(random, planes * h * w);
            for (int i = 0; i < in.length; i++) {
                in[i] = -1.5f - Math.abs(in[i]);
            }
            float[] out = new float[planes * outH * outW];
            int[] argmax = new int[out.length];
            kernels.maxPoolForward(out, argmax, in, planes, h, w, kh, kw, sh, sw, outH, outW);
            assertMaxPoolByDefinition(Arrays.toString(cs), in, out, argmax, planes, h, w, kh, kw, sh, sw, outH, outW);
        }
    }

    @Test
    void globalAveragePoolForwardAndBackward() {
        // Two planes of four: means 2.5 and -1.
        float[] in = {1, 2, 3, 4, -1, -1, -2, 0};
        float[] out = new float[2];
        kernels.avgPoolGlobalForward(out, in, 2, 4);
        assertArrayEquals(new float[] {2.5f, -1f}, out);

        float[] din = new float[8];
        Arrays.fill(din, Float.NaN);
        kernels.avgPoolGlobalBackward(din, new float[] {4f, -2f}, 2, 4);
        assertArrayEquals(new float[] {1, 1, 1, 1, -0.5f, -0.5f, -0.5f, -0.5f}, din);
    }

    @Test
    void globalAveragePoolMatchesDoubleMean() {
        Random random = new Random(11);
        int planes = 5;
        int spatial = 48 * 48;
        float[] in = TestSupport.uniform(random, planes * spatial);
        float[] out = new float[planes];
        kernels.avgPoolGlobalForward(out, in, planes, spatial);
        for (int p = 0; p < planes; p++) {
            double sum = 0;
            for (int s = 0; s < spatial; s++) {
                sum += in[p * spatial + s];
            }
            assertEquals(sum / spatial, out[p], 1e-7, "plane " + p);
        }
    }

    /**
     * {@code out} and {@code argmax} against the definition: each output is the largest input of
     * its window (the part inside the plane, where a window reaches past the edge), and argmax the
     * first index in reading order that holds it.
     */
    private static void assertMaxPoolByDefinition(String cs, float[] in, float[] out, int[] argmax, int planes,
                                                  int h, int w, int kh, int kw, int sh, int sw, int outH, int outW) {
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    float max = Float.NEGATIVE_INFINITY;
                    int best = -1;
                    for (int ki = 0; ki < kh && oy * sh + ki < h; ki++) {
                        for (int kj = 0; kj < kw && ox * sw + kj < w; kj++) {
                            int idx = (p * h + oy * sh + ki) * w + ox * sw + kj;
                            if (in[idx] > max) {
                                max = in[idx];
                                best = idx;
                            }
                        }
                    }
                    int o = (p * outH + oy) * outW + ox;
                    String where = cs + " out[" + p + ", " + oy + ", " + ox + "]";
                    assertEquals(max, out[o], where);
                    assertEquals(best, argmax[o], where);
                }
            }
        }
    }
}
