package org.fer4j.kernels;

import static org.fer4j.kernels.VectorGemm.L;
import static org.fer4j.kernels.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * The forward pass of a 3x3, stride-1 convolution by Winograd's F(4x4,3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", CVPR 2016): each 4x4 block of outputs (a tile)
 * comes from the 6x6 input patch that covers it with 36 multiplications per filter and channel,
 * 2.25 per output, against F(2x2,3x3)'s 4 ({@link VectorWinograd}) and the direct method's 9.
 * With the interpolation points 0, 1, -1, 2, -2 and infinity,
 * <pre>
 * Y (4x4) = A^T [ (G g G^T) (.) (B^T d B) ] A        (.) elementwise, over 6x6 matrices
 *
 *       |  1/4     0     0  |          | 4  0 -5  0  1  0 |
 *       | -1/6  -1/6  -1/6  |          | 0 -4 -4  1  1  0 |          | 1  1  1  1  1  0 |
 *   G = | -1/6   1/6  -1/6  |    B^T = | 0  4 -4 -1  1  0 |    A^T = | 0  1 -1  2 -2  0 |
 *       |  1/24  1/12  1/6  |          | 0 -2 -1  2  1  0 |          | 0  1  1  4  4  0 |
 *       |  1/24 -1/12  1/6  |          | 0  2 -1 -2  1  0 |          | 0  1 -1  8 -8  1 |
 *       |  0     0     1    |          | 0  4  0 -5  0  1 |
 * </pre>
 * and, as for F(2x2), the sum over channels moves inside: {@code M[xi] [F, T] = U[xi] [F, C] .
 * V[xi] [C, T]}, 36 GEMMs on {@link VectorGemm} per block of T tiles, then {@code y = A^T M A +
 * bias}, activated. Everything but the transforms is {@link VectorWinograd}'s: the padded image,
 * the blocks of tiles sized to the L2 cache, the threads, the GEMMs; tile (ty, tx) reads input
 * rows {@code 4ty - padTop + [0, 6)} and columns {@code 4tx - padLeft + [0, 6)} (zero outside the
 * image) and writes the part of its 4x4 block inside the output, so that any size works, the last
 * row and column of tiles partial when outH or outW is not a multiple of 4.
 *
 * <p>The transforms, vectorised across the L tiles of a run along one row of tiles, one tile per
 * lane. The patches overlap by 2 columns (tile stride 4): the patch rows of a run are the 4L + 2
 * floats of the padded input row from the first patch's first column, loaded as 5 vectors. The
 * row half of the input transform ({@code W = B^T d}) combines those vectors as loaded; each row
 * of W is then split into the patches' 6 columns by a stride-4 deinterleave (two rounds of
 * even/odd two-vector shuffles give columns 0 to 3 from the first 4 vectors; columns 4 and 5 are
 * columns 0 and 1 of the next tile: the same vectors moved down one lane, the fifth vector's first
 * two floats coming in at the top), and the column half ({@code W B}) is lanewise. The output
 * transform is lanewise throughout, and the 4 outputs of each tile row are interleaved (two rounds
 * of zips) into 4 vectors of consecutive columns. Each stage goes through a small per-thread
 * buffer of vectors ({@code work}) rather than passing vectors between methods: C2 boxes a vector
 * passed to or returned from a method it does not inline.
 *
 * <p>Numerics: B and A have entries up to 5 and 8, and G's 1/6, 1/12 and 1/24 are rounded, so
 * F(4x4) rounds more than F(2x2). The bound used by the property test ({@code
 * WinogradProperties}) follows the usual analysis of bilinear algorithms: with |X| the elementwise
 * absolute value, an output differs from the exact convolution by at most about {@code (C + 30)
 * 2^-24} times {@code E = sum_c |A^T| [(|G| |g_c| |G^T|) (.) (|B^T| |d_c| |B|)] |A|}, where C
 * counts the GEMM's chain of additions and about 30 the roundings of the transforms on the way
 * (E is also at least {@code sum |g| |d|} over the output's receptive field, so the direct
 * reference's own error fits under it). docs/performance.md gives the errors measured on the
 * model zoo's shapes. The same operations compute every output whatever the thread count and the
 * block size, so the result depends on neither.
 */
// Not final only so that the planted-bug tests can override tilesDown and sixth.
class VectorWinograd4 extends VectorWinograd {

    /**
     * The fewest F(4x4) tiles per thread for which the per-layer choice ({@link #better}) takes
     * F(4x4) over F(2x2): below it the 36 GEMMs have too few columns. Measured: see {@link #better}.
     */
    static final int MIN_TILES_PER_THREAD = 16;

    /** Lane l takes lane l + 1, the last lane lane {@code first} of the second vector (columns 4, 5). */
    private static final VectorShuffle<Float> NEXT0 = nextShuffle(0);
    private static final VectorShuffle<Float> NEXT1 = nextShuffle(1);

    VectorWinograd4(VectorGemm gemm) {
        super(gemm);
    }

    /**
     * Whether the per-layer choice takes F(4x4) for a convolution that {@link VectorWinograd#suits}
     * Winograd: when the output is at least 8 wide and 8 high (smaller outputs leave most of a
     * 6x6 patch over padding: on 6x6, F(4x4)'s 4 tiles of 36 multiplications cost what F(2x2)'s 9
     * of 16 do), and there are at least {@link #MIN_TILES_PER_THREAD} tiles for each thread.
     */
    static boolean better(ConvGeometry g, int images) {
        if (g.outH() < 8 || g.outW() < 8) {
            return false;
        }
        long tiles = (long) images * ((g.outH() + 3) / 4) * ((g.outW() + 3) / 4);
        return tiles >= (long) MIN_TILES_PER_THREAD * Parallel.threads();
    }

    @Override
    int tile() {
        return 4;
    }

    /** The 1/6 of G. A hook for the planted-bug test only (a wrong coefficient). */
    float sixth() {
        return 1f / 6f;
    }

    /**
     * U for the channels {@code [c0, c1)}: {@code U[xi][c][f] = (G g G^T)[xi]} for the kernel g of
     * filter f and channel c (its 9 taps at {@code 9*(f*C + c)}), L filters at a time, the last
     * group masked: the taps gathered across the filters into {@code work}, then G applied to
     * each column of g and to each row of the result ({@link #g6}).
     */
    @Override
    void transformKernel(float[] u, float[] kernel, int filters, int channels, int c0, int c1) {
        int count = filters * channels;  // U[xi] to U[xi + 1]
        int[] across = new int[L];       // tap k of filters f, f+1, ...: 9C apart
        int[] acrossLast = new int[L];   // the same for the last group, 0 past the last filter (the
        int last = filters % L == 0 ? L : filters % L;  // gather checks the masked-off lanes too)
        for (int l = 0; l < L; l++) {
            across[l] = 9 * channels * l;
            acrossLast[l] = l < last ? across[l] : 0;
        }
        float[] work = new float[(9 + 18) * L];  // the 9 taps, then G g (6 rows of 3)
        float sixth = sixth();
        for (int c = c0; c < c1; c++) {
            for (int f = 0; f < filters; f += L) {
                VectorMask<Float> mask = S.indexInRange(f, filters);
                int k = 9 * (f * channels + c);
                int[] map = f + L < filters ? across : acrossLast;
                for (int tap = 0; tap < 9; tap++) {
                    FloatVector.fromArray(S, kernel, k + tap, map, 0, mask).intoArray(work, tap * L);
                }
                // G g: column j of g (taps j, 3 + j, 6 + j) to column j of the 6x3 product
                for (int j = 0; j < 3; j++) {
                    g6(work, j * L, 3 * L, work, (9 + j) * L, 3 * L, sixth, S.maskAll(true));
                }
                // (G g) G^T: row i of G g to row i of U, the 6 positions 6i .. 6i + 5
                int q = c * filters + f;
                for (int i = 0; i < 6; i++) {
                    g6(work, (9 + 3 * i) * L, L, u, 6 * i * count + q, count, sixth, mask);
                }
            }
        }
    }

    /**
     * {@code G (a, b, c)} for three vectors at {@code s}, {@code s + step}, {@code s + 2 step}:
     * {@code [a/4, -(a + b + c)/6, -(a - b + c)/6, (a + 2b + 4c)/24, (a - 2b + 4c)/24, c]}, stored
     * at {@code d + i * dStep}, the lanes of {@code mask} only.
     */
    private static void g6(float[] src, int s, int step, float[] dst, int d, int dStep, float sixth,
                           VectorMask<Float> mask) {
        FloatVector a = FloatVector.fromArray(S, src, s);
        FloatVector b = FloatVector.fromArray(S, src, s + step);
        FloatVector c = FloatVector.fromArray(S, src, s + 2 * step);
        FloatVector ac = a.add(c);
        FloatVector a4c = a.add(c.mul(4f));
        FloatVector b2 = b.mul(2f);
        a.mul(0.25f).intoArray(dst, d, mask);
        ac.add(b).mul(-sixth).intoArray(dst, d + dStep, mask);
        ac.sub(b).mul(-sixth).intoArray(dst, d + 2 * dStep, mask);
        a4c.add(b2).mul(1f / 24f).intoArray(dst, d + 3 * dStep, mask);
        a4c.sub(b2).mul(1f / 24f).intoArray(dst, d + 4 * dStep, mask);
        c.intoArray(dst, d + 5 * dStep, mask);
    }

    /**
     * V for a run of L tiles (lanes past the row's end are computed from whatever lies there and
     * never read), every channel: {@code V[xi][c][col + l] = (B^T d B)[xi]} for the patch d of
     * tile l, whose top-left pixel is at {@code first + 4l} of the padded image (channel 0). First
     * {@code W = B^T d} on the 6 patch rows as loaded (5 vectors each) into {@code work}, then each
     * row of W deinterleaved into the patches' 6 columns, {@code work[30L, 36L)}, and {@code W B}
     * stored into V.
     */
    @Override
    void inputRun(float[] v, int col, int ldv, float[] pad, int first, int plane, int padW, int channels,
                  float[] work) {
        int xiStride = channels * ldv;  // V[xi] to V[xi + 1]; V[xi][c] to V[xi][c + 1] is ldv
        int columns = 30 * L;
        for (int c = 0; c < channels; c++) {
            int d = first + c * plane;
            // W = B^T d: row r of W, vector k at work[(5r + k) L]
            for (int k = 0; k < 5; k++) {
                bt(pad, d + k * L, padW, work, k * L, 5 * L);
            }
            int o = col + c * ldv;
            for (int r = 0; r < 6; r++) {
                int w = 5 * r * L;
                FloatVector x0 = FloatVector.fromArray(S, work, w);
                FloatVector x1 = FloatVector.fromArray(S, work, w + L);
                FloatVector x2 = FloatVector.fromArray(S, work, w + 2 * L);
                FloatVector x3 = FloatVector.fromArray(S, work, w + 3 * L);
                FloatVector x4 = FloatVector.fromArray(S, work, w + 4 * L);
                // lane l of column j is float 4l + j of the row
                FloatVector even01 = x0.rearrange(EVEN, x1);
                FloatVector odd01 = x0.rearrange(ODD, x1);
                FloatVector even23 = x2.rearrange(EVEN, x3);
                FloatVector odd23 = x2.rearrange(ODD, x3);
                FloatVector col0 = even01.rearrange(EVEN, even23);
                FloatVector col1 = odd01.rearrange(EVEN, odd23);
                col0.intoArray(work, columns);
                col1.intoArray(work, columns + L);
                even01.rearrange(ODD, even23).intoArray(work, columns + 2 * L);
                odd01.rearrange(ODD, odd23).intoArray(work, columns + 3 * L);
                col0.rearrange(NEXT0, x4).intoArray(work, columns + 4 * L);
                col1.rearrange(NEXT1, x4).intoArray(work, columns + 5 * L);
                // row r of B^T d B: positions 6r .. 6r + 5
                bt(work, columns, L, v, o + 6 * r * xiStride, xiStride);
            }
        }
    }

    /**
     * {@code B^T (d0 .. d5)} for six vectors at {@code s + i * step}: {@code [4d0 - 5d2 + d4,
     * (d3 + d4) - 4(d1 + d2), (d4 - d3) + 4(d1 - d2), (d4 - d2) + 2(d3 - d1), (d4 - d2) - 2(d3 - d1),
     * 4d1 - 5d3 + d5]}, stored at {@code d + i * dStep}.
     */
    private static void bt(float[] src, int s, int step, float[] dst, int d, int dStep) {
        FloatVector d0 = FloatVector.fromArray(S, src, s);
        FloatVector d1 = FloatVector.fromArray(S, src, s + step);
        FloatVector d2 = FloatVector.fromArray(S, src, s + 2 * step);
        FloatVector d3 = FloatVector.fromArray(S, src, s + 3 * step);
        FloatVector d4 = FloatVector.fromArray(S, src, s + 4 * step);
        FloatVector d5 = FloatVector.fromArray(S, src, s + 5 * step);
        FloatVector s12 = d1.add(d2);
        FloatVector t12 = d1.sub(d2);
        FloatVector s34 = d3.add(d4);
        FloatVector t43 = d4.sub(d3);
        FloatVector t42 = d4.sub(d2);
        FloatVector t31 = d3.sub(d1).mul(2f);
        // (scalings by 2 and 4 are exact; by 5 fused into the addition)
        FloatVector five = FloatVector.broadcast(S, -5f);
        d2.fma(five, d4.add(d0.mul(4f))).intoArray(dst, d);
        s34.sub(s12.mul(4f)).intoArray(dst, d + dStep);
        t43.add(t12.mul(4f)).intoArray(dst, d + 2 * dStep);
        t42.add(t31).intoArray(dst, d + 3 * dStep);
        t42.sub(t31).intoArray(dst, d + 4 * dStep);
        d3.fma(five, d5.add(d1.mul(4f))).intoArray(dst, d + 5 * dStep);
    }

    /**
     * The outputs of a run of {@code run <= L} tiles, every filter: {@code Y = A^T M A} for tile l
     * from column {@code col + l} of the 36 matrices M[xi] [F, ld], plus the bias, activated,
     * written to rows {@code oy .. oy + 3} and columns {@code ox + 4l .. ox + 4l + 3} where they
     * lie inside the output. {@code P = A^T M} goes to {@code work[0, 24L)}, Y to {@code
     * work[24L, 40L)}; the 4 outputs of each tile row are then interleaved into 4L columns.
     */
    @Override
    void outputRun(float[] y, int out, float[] m, int col, int ld, ConvGeometry g, int oy, int ox, int run,
                   float[] bias, boolean relu, float slope, float[] work) {
        int filters = g.filters();
        int outH = g.outH();
        int outW = g.outW();
        int xiStride = filters * ld;
        int columns = Math.min(outW - ox, 4 * run);
        int rows = Math.min(outH - oy, 4);
        VectorMask<Float> mask0 = S.indexInRange(0, columns);
        VectorMask<Float> mask1 = S.indexInRange(L, columns);
        VectorMask<Float> mask2 = S.indexInRange(2 * L, columns);
        VectorMask<Float> mask3 = S.indexInRange(3 * L, columns);
        int yAt = 24 * L;
        for (int f = 0; f < filters; f++) {
            int o = col + f * ld;
            // P = A^T M (4x6): column j of M (positions j, 6 + j, ..., 30 + j) to column j of P
            for (int j = 0; j < 6; j++) {
                at(m, o + j * xiStride, 6 * xiStride, work, j * L, 6 * L);
            }
            // Y = P A (4x4): row i of P to row i of Y, at work[yAt + 4iL ..]
            for (int i = 0; i < 4; i++) {
                at(work, 6 * i * L, L, work, yAt + 4 * i * L, L);
            }
            float b = bias == null ? 0f : bias[f];
            for (int e = 0; e < 16; e++) {
                FloatVector ye = FloatVector.fromArray(S, work, yAt + e * L);
                if (bias != null) {
                    ye = ye.add(b);
                }
                if (relu && slope == 0f) {
                    // lanewise MAX is Math.max: a NaN passes through, as in the reference's ReLU
                    ye = ye.max(0f);
                } else if (relu) {
                    ye = ye.max(ye.mul(slope));
                }
                ye.intoArray(work, yAt + e * L);
            }
            for (int i = 0; i < rows; i++) {
                int at = yAt + 4 * i * L;
                FloatVector y0 = FloatVector.fromArray(S, work, at);
                FloatVector y1 = FloatVector.fromArray(S, work, at + L);
                FloatVector y2 = FloatVector.fromArray(S, work, at + 2 * L);
                FloatVector y3 = FloatVector.fromArray(S, work, at + 3 * L);
                // lanes 2l, 2l + 1: y0, y2 (and y1, y3) of tile l; then lanes 4l .. 4l + 3: y0 .. y3
                FloatVector low02 = y0.rearrange(ZIP_LOW, y2);
                FloatVector high02 = y0.rearrange(ZIP_HIGH, y2);
                FloatVector low13 = y1.rearrange(ZIP_LOW, y3);
                FloatVector high13 = y1.rearrange(ZIP_HIGH, y3);
                int row = out + (f * outH + oy + i) * outW + ox;
                low02.rearrange(ZIP_LOW, low13).intoArray(y, row, mask0);
                low02.rearrange(ZIP_HIGH, low13).intoArray(y, row + L, mask1);
                high02.rearrange(ZIP_LOW, high13).intoArray(y, row + 2 * L, mask2);
                high02.rearrange(ZIP_HIGH, high13).intoArray(y, row + 3 * L, mask3);
            }
        }
    }

    /**
     * {@code A^T (m0 .. m5)} for six vectors at {@code s + i * step}: {@code [m0 + (m1 + m2) + (m3
     * + m4), (m1 - m2) + 2(m3 - m4), (m1 + m2) + 4(m3 + m4), (m1 - m2) + 8(m3 - m4) + m5]}, stored at
     * {@code d + i * dStep}.
     */
    private static void at(float[] src, int s, int step, float[] dst, int d, int dStep) {
        FloatVector m0 = FloatVector.fromArray(S, src, s);
        FloatVector m1 = FloatVector.fromArray(S, src, s + step);
        FloatVector m2 = FloatVector.fromArray(S, src, s + 2 * step);
        FloatVector m3 = FloatVector.fromArray(S, src, s + 3 * step);
        FloatVector m4 = FloatVector.fromArray(S, src, s + 4 * step);
        FloatVector m5 = FloatVector.fromArray(S, src, s + 5 * step);
        FloatVector s12 = m1.add(m2);
        FloatVector t12 = m1.sub(m2);
        FloatVector s34 = m3.add(m4);
        FloatVector t34 = m3.sub(m4);
        m0.add(s12).add(s34).intoArray(dst, d);
        t12.add(t34.mul(2f)).intoArray(dst, d + dStep);
        s12.add(s34.mul(4f)).intoArray(dst, d + 2 * dStep);
        t12.add(t34.mul(8f)).add(m5).intoArray(dst, d + 3 * dStep);
    }

    /** Lane l takes lane l + 1 of a, the last lane lane {@code first} of b. */
    private static VectorShuffle<Float> nextShuffle(int first) {
        int[] index = new int[L];
        for (int l = 0; l < L - 1; l++) {
            index[l] = l + 1;
        }
        index[L - 1] = first - L;
        return VectorShuffle.fromArray(S, index, 0);
    }
}
