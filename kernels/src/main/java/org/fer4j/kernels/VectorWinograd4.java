package org.fer4j.kernels;

import static org.fer4j.kernels.VectorGemm.L;
import static org.fer4j.kernels.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

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
 * bias}, activated. The driver is {@link VectorWinograd}'s (the kernel transform split by
 * channels over threads, the blocks of tiles sized to the L2 cache, at least one per thread); the
 * padded image, the transforms and the layout of V and M are this class's. Tile (ty, tx) reads input
 * rows {@code 4ty - padTop + [0, 6)} and columns {@code 4tx - padLeft + [0, 6)} (zero outside the
 * image) and writes the part of its 4x4 block inside the output, so that any size works, the last
 * row and column of tiles partial when outH or outW is not a multiple of 4.
 *
 * <p>The layout differs from F(2x2)'s, whose lanes are the tiles of a run along one row of tiles:
 * rows of tiles are 2 to 6 tiles long on the model zoo's smaller layers, which left most lanes
 * idle (that version ran 0.44 to 0.82 times as fast as F(2x2) at batch 64). Here:
 * <ul>
 * <li>each image is copied channels-last, [padH, padW, C'] with C' = C rounded up to L ({@link
 *     #padImage}), so that one position of a patch, L channels, is one vector;
 * <li>the input transform works on one tile and L channels at a time, lanewise only: {@code W =
 *     B^T d} column by column, then {@code W B} row by row ({@link #inputTile}); V[xi] is stored
 *     tile by tile, [T, C'], and the GEMM packs it as a B stored transposed;
 * <li>the output transform works on L consecutive tiles of the block (across rows of tiles and
 *     images) and one filter at a time, lanewise, then interleaves the 4 outputs of each tile row
 *     (two rounds of zips) and copies each run of tiles of one row of tiles to its place in y
 *     ({@link #outputChunk}).
 * </ul>
 * Each stage goes through a small per-thread buffer of vectors ({@code work}) rather than passing
 * vectors between methods: C2 boxes a vector passed to or returned from a method it does not
 * inline (a helper that did so allocated 12 MB a call).
 *
 * <p>Numerics: B and A have entries up to 5 and 8, and G's 1/6, 1/12 and 1/24 are rounded, so
 * F(4x4) rounds more than F(2x2). The bound used by the property test ({@code
 * WinogradProperties}) follows the usual analysis of bilinear algorithms: with |X| the elementwise
 * absolute value, an output differs from the exact convolution by at most about {@code (C + 25)
 * 2^-24} times {@code E = sum_c |A^T| [(|G| |g_c| |G^T|) (.) (|B^T| |d_c| |B|)] |A|}, where C
 * counts the GEMM's chain of additions and about 25 the roundings of the transforms on the way
 * (E is also at least {@code sum |g| |d|} over the output's receptive field, so the direct
 * reference's own error fits under it). docs/performance.md gives the errors measured on the
 * model zoo's shapes. The same operations compute every output whatever the thread count and the
 * block size, so the result depends on neither.
 */
// Not final only so that the planted-bug tests can override tilesDown and sixth.
class VectorWinograd4 extends VectorWinograd {

    /**
     * The fewest F(4x4) tiles per thread for which the per-layer choice ({@link #better}) takes
     * F(4x4) over F(2x2). Measured (docs/performance.md, WinogradBench): at batch 1, with 2 to 61
     * tiles per thread, F(4x4) ran 0.41 to 1.03 times as fast as F(2x2) (its per-call kernel
     * transform is 2.25 times F(2x2)'s, and below 16 columns the GEMM packs U for every one of its
     * 36 products); at batch 64 (32 images a call, 128 to 3,872 tiles) 1.1 to 1.5 times as fast
     * but on a 6x6 output.
     */
    static final int MIN_TILES_PER_THREAD = 64;

    VectorWinograd4(VectorGemm gemm) {
        super(gemm);
    }

    /**
     * Whether the per-layer choice takes F(4x4) for a convolution that {@link VectorWinograd#suits}
     * Winograd: when the output is at least 8 wide and 8 high (on 6x6, F(4x4)'s 4 tiles of 36
     * multiplications cost what F(2x2)'s 9 of 16 do, and measured 0.94 and 1.03 times as fast in
     * two runs: F(2x2), which rounds less, is kept), and there are at least {@link
     * #MIN_TILES_PER_THREAD} tiles for each thread.
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
     * group's lanes past the last filter reading filter f's taps again and never stored (a masked
     * gather is not compiled to a vector instruction here: it allocated and was slow): the taps
     * gathered across the filters into {@code work}, then G applied to each column of g and to
     * each row of the result ({@link #g6}).
     */
    @Override
    void transformKernel(float[] u, float[] kernel, int filters, int channels, int c0, int c1) {
        int count = filters * channels;  // U[xi] to U[xi + 1]
        int[] across = new int[L];       // tap k of filters f, f+1, ...: 9C apart
        int[] acrossLast = new int[L];   // the same for the last group, 0 past the last filter, so
        int last = filters % L == 0 ? L : filters % L;  // that it reads the array only (unmasked)
        for (int l = 0; l < L; l++) {
            across[l] = 9 * channels * l;
            acrossLast[l] = l < last ? across[l] : 0;
        }
        float[] work = new float[(9 + 18 + 36) * L];  // the 9 taps, G g (6 rows of 3), U (6 x 6)
        float sixth = sixth();
        for (int c = c0; c < c1; c++) {
            for (int f = 0; f < filters; f += L) {
                int k = 9 * (f * channels + c);
                int[] map = f + L <= filters ? across : acrossLast;
                for (int tap = 0; tap < 9; tap++) {
                    FloatVector.fromArray(S, kernel, k + tap, map, 0).intoArray(work, tap * L);
                }
                // G g: column j of g (taps j, 3 + j, 6 + j) to column j of the 6x3 product
                for (int j = 0; j < 3; j++) {
                    g6(work, j * L, 3 * L, work, (9 + j) * L, 3 * L, sixth);
                }
                // (G g) G^T: row i of G g to row i of U, the 6 positions 6i .. 6i + 5; straight
                // into U for a whole group of filters, through work and masked stores for the last
                int q = c * filters + f;
                if (f + L <= filters) {
                    for (int i = 0; i < 6; i++) {
                        g6(work, (9 + 3 * i) * L, L, u, 6 * i * count + q, count, sixth);
                    }
                } else {
                    for (int i = 0; i < 6; i++) {
                        g6(work, (9 + 3 * i) * L, L, work, (27 + 6 * i) * L, L, sixth);
                    }
                    VectorMask<Float> mask = S.indexInRange(f, filters);
                    for (int xi = 0; xi < 36; xi++) {
                        FloatVector.fromArray(S, work, (27 + xi) * L).intoArray(u, xi * count + q, mask);
                    }
                }
            }
        }
    }

    /**
     * {@code G (a, b, c)} for three vectors at {@code s}, {@code s + step}, {@code s + 2 step}:
     * {@code [a/4, -(a + b + c)/6, -(a - b + c)/6, (a + 2b + 4c)/24, (a - 2b + 4c)/24, c]}, stored
     * at {@code d + i * dStep}.
     */
    private static void g6(float[] src, int s, int step, float[] dst, int d, int dStep, float sixth) {
        FloatVector a = FloatVector.fromArray(S, src, s);
        FloatVector b = FloatVector.fromArray(S, src, s + step);
        FloatVector c = FloatVector.fromArray(S, src, s + 2 * step);
        FloatVector ac = a.add(c);
        FloatVector a4c = a.add(c.mul(4f));
        FloatVector b2 = b.mul(2f);
        a.mul(0.25f).intoArray(dst, d);
        ac.add(b).mul(-sixth).intoArray(dst, d + dStep);
        ac.sub(b).mul(-sixth).intoArray(dst, d + 2 * dStep);
        a4c.add(b2).mul(1f / 24f).intoArray(dst, d + 3 * dStep);
        a4c.sub(b2).mul(1f / 24f).intoArray(dst, d + 4 * dStep);
        c.intoArray(dst, d + 5 * dStep);
    }

    /**
     * One block, tiles {@code [t0, t1)}, on this thread: V, the 36 GEMMs, then the outputs. Each
     * image is first copied into {@code pad} channels-last ({@link #padImage}), so that one patch
     * position of L channels is one vector; V[xi] is stored [T, C'] (tile by tile, C' = C rounded
     * up to L), B transposed for the GEMM; rows of M hold {@code ld} tiles.
     */
    @Override
    void block(float[] y, int yOff, float[] img, int imgOff, float[] u, float[] bias,
               ConvGeometry g, boolean relu, float slope, boolean pooled, int t0, int t1, int ld) {
        int filters = g.filters();
        int channels = g.channels();
        int lanes = (channels + L - 1) / L * L;  // C'
        // V[xi] to V[xi + 1], and M[xi] to M[xi + 1]: one vector more than the matrix, so that the
        // 36 streams of a transform (power-of-two apart, often) fall into different sets of the L1
        // cache rather than all into one.
        int vStride = ld * lanes + L;
        int mStride = filters * ld + L;
        Scratch s = scratch();
        if (s.v.length < 36 * vStride) {
            s.v = new float[36 * vStride];
        }
        if (s.m.length < 36 * mStride + L) {
            s.m = new float[36 * mStride + L];
        }
        float[] v = s.v;
        float[] m = s.m;
        float[] work = s.work;
        int tilesAcross = (g.outW() + 3) / 4;
        int perImage = tilesDown(g.outH()) * tilesAcross;
        // The padded image, [padH, padW, C'], its height from the true tile count (so that a
        // planted tilesDown cannot shrink it).
        int padH = 4 * ((g.outH() + 3) / 4) + 2;
        int padW = 4 * tilesAcross + 2;
        float[] pad = s.padFor(g, padH * padW * lanes);
        int padded = -1;  // the image in pad
        for (int t = t0; t < t1; t++) {
            int n = t / perImage;
            int ty = (t - n * perImage) / tilesAcross;
            int tx = t - n * perImage - ty * tilesAcross;
            if (n != padded) {
                padImage(pad, img, imgOff + n * g.imageSize(), g, padW, lanes, work);
                padded = n;
            }
            inputTile(v, (t - t0) * lanes, vStride, pad, 4 * (ty * padW + tx) * lanes, padW * lanes, lanes, work);
        }
        // M[xi] [F, n] = U[xi] [F, C] . V[xi] [C, n], U[xi] stored [C, F], V[xi] [n, C'] (both transposed)
        int tilesHere = t1 - t0;
        for (int xi = 0; xi < 36; xi++) {
            int vOff = xi * vStride;
            gemm().product(true, filters, tilesHere, channels, 1f, u, xi * filters * channels, filters, null,
                    (pc, kc, jc, nc, bp, w) -> VectorGemm.packB(true, v, vOff, lanes, pc, kc, jc, nc, bp),
                    0f, m, xi * mStride, ld, null, false, 0f);
        }
        // y = A^T M A + bias, activated, L tiles at a time.
        int[] segments = new int[4 * (L + 1)];
        for (int t = t0; t < t1; t += L) {
            int count = Math.min(L, t1 - t);
            int pieces = segments(segments, t, count, g, tilesAcross, perImage, yOff, pooled);
            outputChunk(y, m, t - t0, ld, mStride, g, segments, pieces, bias, relu, slope, pooled, work);
        }
    }

    /**
     * One image's channels copied into {@code pad} [padH, padW, C'] with the padding around them
     * made explicit: pixel (iy, ix) of channel c at {@code ((iy + padTop)*padW + ix + padLeft)*C' +
     * c}; the zeros around the image are written when the buffer is made for a geometry and never
     * overwritten. With 16-float vectors, blocks of 16 channels by 16 pixels of a row go through
     * {@link VectorGemm#transpose16} and {@code work}: a block that overhangs the row or the last
     * channel reads whatever follows in {@code img} (other pixels or channels) into pixels that
     * are not stored or channels past C, which the GEMM never reads; only a block that would read
     * past the end of {@code img} is copied element by element, as is everything for other widths.
     */
    private static void padImage(float[] pad, float[] img, int image, ConvGeometry g, int padW, int lanes,
                                 float[] work) {
        int height = g.height();
        int width = g.width();
        int plane = height * width;
        for (int iy = 0; iy < height; iy++) {
            int row = ((iy + g.padTop()) * padW + g.padLeft()) * lanes;
            for (int c0 = 0; c0 < g.channels(); c0 += L) {
                int channels = Math.min(L, g.channels() - c0);
                for (int ix0 = 0; ix0 < width; ix0 += L) {
                    int pixels = Math.min(L, width - ix0);
                    int src = image + (c0 * height + iy) * width + ix0;
                    int dst = row + ix0 * lanes + c0;
                    if (L == 16 && src + 15 * plane + 16 <= img.length) {
                        VectorGemm.transpose16(img, src, plane, work, 0);  // pixel p at work[p * NR]
                        for (int p = 0; p < pixels; p++) {
                            FloatVector.fromArray(S, work, p * VectorGemm.NR).intoArray(pad, dst + p * lanes);
                        }
                    } else {
                        for (int c = 0; c < channels; c++) {
                            for (int p = 0; p < pixels; p++) {
                                pad[dst + p * lanes + c] = img[src + c * plane + p];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * V for one tile, every channel, L at a time: {@code V[xi][row][c] = (B^T d B)[xi]} for the
     * tile's patch d of channel c, whose pixel (i, j) is at {@code p + i*rowStride + j*C' + c};
     * V[xi] at {@code row + xi*vStride}. First {@code W = B^T d} column by column into {@code
     * work}, then {@code W B} row by row into V.
     */
    private static void inputTile(float[] v, int row, int vStride, float[] pad, int p, int rowStride, int lanes,
                                  float[] work) {
        for (int c = 0; c < lanes; c += L) {
            for (int j = 0; j < 6; j++) {
                bt(pad, p + j * lanes + c, rowStride, work, j * L, 6 * L);  // W[i][j] at (6i + j) L
            }
            for (int i = 0; i < 6; i++) {
                bt(work, 6 * i * L, L, v, row + c + 6 * i * vStride, vStride);
            }
        }
    }

    /**
     * The pieces of output rows that tiles {@code [t, t + count)} cover, as runs of consecutive
     * tiles along one row of tiles of one image: for piece k, {@code segments[4k]} its first tile
     * (from t), {@code [4k + 1]} its output columns, {@code [4k + 2]} the output rows of its tiles
     * (4, or fewer in the last row of tiles), {@code [4k + 3]} where its first output of filter 0
     * lies in y. When {@code pooled}, the same of the pooled output, 2x2 of it to a tile (0 rows or
     * columns where a tile's windows overhang the convolution's output). Returns the number of
     * pieces.
     */
    private static int segments(int[] segments, int t, int count, ConvGeometry g, int tilesAcross, int perImage,
                                int yOff, boolean pooled) {
        int side = pooled ? 2 : 4;  // outputs of y along each side of a tile
        int outH = pooled ? g.outH() / 2 : g.outH();
        int outW = pooled ? g.outW() / 2 : g.outW();
        int pieces = 0;
        for (int k = 0; k < count; ) {
            int n = (t + k) / perImage;
            int ty = (t + k - n * perImage) / tilesAcross;
            int tx = t + k - n * perImage - ty * tilesAcross;
            int run = Math.min(count - k, tilesAcross - tx);
            segments[4 * pieces] = k;
            segments[4 * pieces + 1] = Math.min(side * run, outW - side * tx);
            segments[4 * pieces + 2] = Math.min(side, outH - side * ty);
            segments[4 * pieces + 3] = yOff + n * g.filters() * outH * outW + side * ty * outW + side * tx;
            pieces++;
            k += run;
        }
        return pieces;
    }

    /**
     * The outputs of L tiles (the last chunk of a block may have fewer; its other lanes are
     * computed and never stored), every filter: {@code Y = A^T M A} for tile l from column {@code
     * col + l} of the 36 matrices M[xi] [F, ld], {@code xiStride} apart, plus the bias, activated.
     * {@code P = A^T M} goes to {@code work[0, 24L)}; each row of {@code Y = P A}, biased and activated, is interleaved
     * into 4L consecutive floats at {@code work[24L + 4iL]}, from which each piece
     * ({@link #segments}) is copied to its place in y. When {@code pooled}, rows 2j and 2j + 1 of
     * Y are max-pooled instead ({@link VectorWinograd#maxOf}, windows of columns 0-1 and 2-3), and
     * the two windows of each tile interleaved into 2L floats at {@code work[24L + 2jL]}.
     */
    private static void outputChunk(float[] y, float[] m, int col, int ld, int xiStride, ConvGeometry g,
                                    int[] segments, int pieces, float[] bias, boolean relu, float slope,
                                    boolean pooled, float[] work) {
        int filters = g.filters();
        int outW = pooled ? g.outW() / 2 : g.outW();
        int plane = (pooled ? g.outH() / 2 : g.outH()) * outW;
        int side = pooled ? 2 : 4;
        int rowsAt = 24 * L;
        for (int f = 0; f < filters; f++) {
            int o = col + f * ld;
            // P = A^T M (4x6): column j of M (positions j, 6 + j, ..., 30 + j) to column j of P
            for (int j = 0; j < 6; j++) {
                at(m, o + j * xiStride, 6 * xiStride, work, j * L, 6 * L);
            }
            // Y = P A (4x4), row by row: row i of P (work[6iL ..]) to the 4 outputs of each tile's
            // row i, plus the bias, activated, interleaved into work[rowsAt + 4iL ..]
            float b = bias == null ? 0f : bias[f];
            FloatVector above0 = null;  // when pooled: row i - 1 of Y, for i odd
            FloatVector above1 = null;
            FloatVector above2 = null;
            FloatVector above3 = null;
            for (int i = 0; i < 4; i++) {
                int p = 6 * i * L;
                FloatVector p0 = FloatVector.fromArray(S, work, p);
                FloatVector p1 = FloatVector.fromArray(S, work, p + L);
                FloatVector p2 = FloatVector.fromArray(S, work, p + 2 * L);
                FloatVector p3 = FloatVector.fromArray(S, work, p + 3 * L);
                FloatVector p4 = FloatVector.fromArray(S, work, p + 4 * L);
                FloatVector p5 = FloatVector.fromArray(S, work, p + 5 * L);
                FloatVector s12 = p1.add(p2);
                FloatVector t12 = p1.sub(p2);
                FloatVector s34 = p3.add(p4);
                FloatVector t34 = p3.sub(p4);
                // the same operations as at(), in the same order
                FloatVector y0 = p0.add(s12).add(s34);
                FloatVector y1 = t12.add(t34.mul(2f));
                FloatVector y2 = s12.add(s34.mul(4f));
                FloatVector y3 = t12.add(t34.mul(8f)).add(p5);
                if (bias != null) {
                    y0 = y0.add(b);
                    y1 = y1.add(b);
                    y2 = y2.add(b);
                    y3 = y3.add(b);
                }
                if (relu && slope == 0f) {
                    // lanewise MAX is Math.max: a NaN passes through, as in the reference's ReLU
                    y0 = y0.max(0f);
                    y1 = y1.max(0f);
                    y2 = y2.max(0f);
                    y3 = y3.max(0f);
                } else if (relu) {
                    y0 = y0.max(y0.mul(slope));
                    y1 = y1.max(y1.mul(slope));
                    y2 = y2.max(y2.mul(slope));
                    y3 = y3.max(y3.mul(slope));
                }
                if (pooled && i % 2 == 0) {
                    above0 = y0;
                    above1 = y1;
                    above2 = y2;
                    above3 = y3;
                } else if (pooled) {
                    // lanes 2l, 2l + 1: the windows of columns 0-1 and 2-3 of tile l
                    FloatVector left = VectorWinograd.maxOf(above0, above1, y0, y1);
                    FloatVector right = VectorWinograd.maxOf(above2, above3, y2, y3);
                    int r = rowsAt + (i - 1) * L;
                    left.rearrange(ZIP_LOW, right).intoArray(work, r);
                    left.rearrange(ZIP_HIGH, right).intoArray(work, r + L);
                } else {
                    // lanes 2l, 2l + 1: y0, y2 (and y1, y3) of tile l; then lanes 4l .. 4l + 3: y0 .. y3
                    FloatVector low02 = y0.rearrange(ZIP_LOW, y2);
                    FloatVector high02 = y0.rearrange(ZIP_HIGH, y2);
                    FloatVector low13 = y1.rearrange(ZIP_LOW, y3);
                    FloatVector high13 = y1.rearrange(ZIP_HIGH, y3);
                    int r = rowsAt + 4 * i * L;
                    low02.rearrange(ZIP_LOW, low13).intoArray(work, r);
                    low02.rearrange(ZIP_HIGH, low13).intoArray(work, r + L);
                    high02.rearrange(ZIP_LOW, high13).intoArray(work, r + 2 * L);
                    high02.rearrange(ZIP_HIGH, high13).intoArray(work, r + 3 * L);
                }
            }
            for (int k = 0; k < pieces; k++) {
                int first = segments[4 * k];
                int columns = segments[4 * k + 1];
                int rows = segments[4 * k + 2];
                int out = segments[4 * k + 3] + f * plane;
                for (int i = 0; i < rows; i++) {
                    int src = rowsAt + side * i * L + side * first;
                    int dst = out + i * outW;
                    for (int q = 0; q < columns; q += L) {
                        FloatVector.fromArray(S, work, src + q).intoArray(y, dst + q, S.indexInRange(q, columns));
                    }
                }
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
}
