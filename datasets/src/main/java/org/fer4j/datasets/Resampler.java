package org.fer4j.datasets;

/**
 * Resizes a grey image, each axis on its own (separable), with the filter that suits the direction:
 *
 * <ul>
 * <li>shrinking an axis: <b>area averaging</b>. Output pixel {@code i} covers source interval
 *     {@code [i*s, (i+1)*s)} with {@code s = src/dst}; it is the mean of the source pixels over that
 *     interval, each weighted by how much of it lies inside. No source pixel is skipped, so there is
 *     no aliasing (OpenCV's {@code INTER_AREA}, Pillow's {@code BOX}).</li>
 * <li>growing an axis: <b>bilinear</b> with pixel centres aligned: output {@code i} samples the source
 *     at {@code x = (i + 0.5) * src/dst - 0.5}, clamped to the edge (OpenCV's {@code INTER_LINEAR},
 *     PyTorch's {@code align_corners=False}).</li>
 * <li>same length: a copy, bit for bit.</li>
 * </ul>
 *
 * The horizontal pass runs first, in float, then the vertical one; rounding to 8 bits happens once,
 * at the end ({@link Images#toGray}).
 */
final class Resampler {
    private Resampler() {
    }

    /** {@code src [sh, sw]} to a new {@code [dh, dw]} array. */
    static float[] resize(float[] src, int sh, int sw, int dh, int dw) {
        if (sh == dh && sw == dw) {
            return src.clone();
        }
        Weights wx = Weights.of(sw, dw);
        Weights wy = Weights.of(sh, dh);
        // tmp [sh, dw]: rows resampled horizontally.
        float[] tmp = new float[sh * dw];
        for (int y = 0; y < sh; y++) {
            int row = y * sw;
            for (int x = 0; x < dw; x++) {
                double sum = 0;
                for (int k = wx.start[x]; k < wx.start[x + 1]; k++) {
                    sum += wx.weight[k] * src[row + wx.index[k]];
                }
                tmp[y * dw + x] = (float) sum;
            }
        }
        float[] out = new float[dh * dw];
        for (int y = 0; y < dh; y++) {
            for (int x = 0; x < dw; x++) {
                double sum = 0;
                for (int k = wy.start[y]; k < wy.start[y + 1]; k++) {
                    sum += wy.weight[k] * tmp[wy.index[k] * dw + x];
                }
                out[y * dw + x] = (float) sum;
            }
        }
        return out;
    }

    /**
     * Sparse 1-D weights: output {@code i} is {@code sum_k weight[k] * in[index[k]]} over
     * {@code k in [start[i], start[i+1])}; the weights of each output sum to 1.
     */
    record Weights(int[] start, int[] index, double[] weight) {
        static Weights of(int src, int dst) {
            return dst < src ? area(src, dst) : bilinear(src, dst);
        }

        private static Weights area(int src, int dst) {
            double scale = (double) src / dst;
            int maxTaps = (int) Math.ceil(scale) + 2;
            int[] start = new int[dst + 1];
            int[] index = new int[dst * maxTaps];
            double[] weight = new double[dst * maxTaps];
            int k = 0;
            for (int i = 0; i < dst; i++) {
                start[i] = k;
                double lo = i * scale;
                double hi = (i + 1) * scale;
                for (int j = (int) Math.floor(lo); j < Math.min(src, (int) Math.ceil(hi)); j++) {
                    double overlap = Math.min(hi, j + 1) - Math.max(lo, j);
                    if (overlap > 1e-12) {
                        index[k] = j;
                        weight[k] = overlap / scale;
                        k++;
                    }
                }
            }
            start[dst] = k;
            return new Weights(start, index, weight);
        }

        private static Weights bilinear(int src, int dst) {
            double scale = (double) src / dst;
            int[] start = new int[dst + 1];
            int[] index = new int[dst * 2];
            double[] weight = new double[dst * 2];
            int k = 0;
            for (int i = 0; i < dst; i++) {
                start[i] = k;
                double x = Math.max(0, Math.min(src - 1, (i + 0.5) * scale - 0.5));
                int x0 = (int) Math.floor(x);
                double f = x - x0;
                index[k] = x0;
                weight[k] = 1 - f;
                k++;
                if (f > 0) {
                    index[k] = x0 + 1;
                    weight[k] = f;
                    k++;
                }
            }
            start[dst] = k;
            return new Weights(start, index, weight);
        }
    }
}
