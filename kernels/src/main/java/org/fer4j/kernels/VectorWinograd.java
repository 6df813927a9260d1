package org.fer4j.kernels;

import static org.fer4j.kernels.VectorGemm.L;
import static org.fer4j.kernels.VectorGemm.NR;
import static org.fer4j.kernels.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * The forward pass of a 3x3, stride-1 convolution by Winograd's minimal filtering algorithm
 * F(2x2,3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016):
 * each 2x2 block of outputs ("tile") is computed from the 4x4 input patch that covers it with 16
 * multiplications per filter and channel instead of the direct method's 4 x 9 = 36.
 *
 * <p>For one filter f, one channel c, a 3x3 kernel {@code g} and a 4x4 input patch {@code d},
 * <pre>
 * Y (2x2) = A^T [ (G g G^T) (.) (B^T d B) ] A        (.) elementwise, over 4x4 matrices
 *
 *       | 1    0    0  |          | 1  0 -1  0 |          | 1  1  1  0 |
 *   G = | 1/2  1/2  1/2|    B^T = | 0  1  1  0 |    A^T = | 0  1 -1 -1 |
 *       | 1/2 -1/2  1/2|          | 0 -1  1  0 |
 *       | 0    0    1  |          | 0  1  0 -1 |
 * </pre>
 * and the sum over channels moves inside, since A is linear: with {@code U[xi] = (G g G^T)[xi]}
 * and {@code V[xi] = (B^T d B)[xi]} for the 16 positions {@code xi} of a 4x4 matrix,
 * <pre>
 * M[xi] [F, T] = U[xi] [F, C] . V[xi] [C, T]          16 GEMMs over a block of T tiles
 * y tile (f, t) = A^T M[.][f, t] A + bias[f], then the activation
 * </pre>
 * The 16 products are {@link VectorGemm}'s (U packed once per call, V packed as any B), so the
 * multiplications run in its micro-kernel; the transforms around them are only additions (and
 * halvings, exact in floating point), vectorised across tiles: the L tiles of a run along one row
 * of tiles sit in the L lanes of a vector, their patch columns taken out of two loads of the
 * input row by even/odd deinterleaving.
 *
 * <p>Tiles: output {@code [outH, outW]} is covered by {@code ceil(outH/2) x ceil(outW/2)} tiles;
 * tile (ty, tx) reads the patch of input rows {@code 2ty - padTop + [0, 4)} and columns
 * {@code 2tx - padLeft + [0, 4)}, zero where that lies outside the image (padding, or past the
 * image edge when outH or outW is odd), and writes the part of its 2x2 block that lies inside the
 * output. The tiles of all the images of a call are numbered image by image, row by row, and cut
 * into blocks of T tiles whose V and M ({@code 16 (C + F) T} floats) stay in the L2 cache.
 *
 * <p>Numerics: the result differs from the direct convolution by rounding only. Every
 * intermediate is bounded by the sums of |g| and |d| over the kernel and the patch (the entries
 * of G, B and A are at most 1 in magnitude), so the error is a small multiple of
 * {@code (C + 16) * 2^-24 * sum_c (sum |g_c|)(sum |d_c|)}; the property test
 * ({@code WinogradProperties}) checks that bound, and docs/performance.md gives the errors
 * measured on the model zoo's shapes. Every output is computed by the same operations whatever
 * the thread count and the block size (the GEMM's sums depend on C alone; the transforms are
 * per tile), so the result does not depend on either.
 *
 * <p>Threads: the kernel transform is split by filters and the blocks of tiles over threads
 * ({@link Parallel}); inside a region that is already parallel (Conv2D splitting its batch) all
 * of it runs on the calling thread. For a single image the tiles are cut into one block per
 * thread, so that batch 1 uses both cores.
 */
// Not final only so that the planted-bug test can override tilesDown and half.
class VectorWinograd {

    /**
     * The smallest channel count taken by Winograd (VectorKernels asks {@link #suits}): its
     * saving is in the GEMMs, whose depth is C, while the transforms cost the same per channel
     * and tile whatever F. With one channel (the first layer of every model) the GEMMs are
     * trivial and the transforms dominate; measured in docs/performance.md.
     */
    static final int MIN_CHANNELS = 8;
    /**
     * The fewest tiles per thread for which Winograd beats the direct GEMM: below it the 16 GEMMs
     * have too few columns to fill their 2L-wide panels (a 6x6 output at batch 1 has 9 tiles,
     * the direct GEMM 36 columns). Measured in docs/performance.md.
     */
    static final int MIN_TILES_PER_THREAD = 16;
    /** Floats of V and M per block (a thread's), about 1 MB: the L2 cache of these cores. */
    static final int BLOCK_FLOATS = 1 << 18;

    /** Lanes {@code 0, 2, 4, ...} and {@code 1, 3, 5, ...} of two vectors side by side (a 2L-float run). */
    private static final VectorShuffle<Float> EVEN = twoVectorShuffle(0);
    private static final VectorShuffle<Float> ODD = twoVectorShuffle(1);
    /** Interleaves two vectors a, b: {@code a0 b0 a1 b1 ...} of their low halves, then of their high halves. */
    private static final VectorShuffle<Float> ZIP_LOW = zipShuffle(0);
    private static final VectorShuffle<Float> ZIP_HIGH = zipShuffle(L / 2);
    /** Gather indices for the 9 taps of L consecutive kernels: kernel q's tap k at {@code 9q + k}. */
    private static final int[] NINES = new int[L];

    static {
        for (int l = 0; l < L; l++) {
            NINES[l] = 9 * l;
        }
    }

    private final VectorGemm gemm;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread buffers, grown to the largest convolution seen and reused. */
    private static final class Scratch {
        /** U: 16 matrices [F, C], the transformed kernel of this thread's call. */
        float[] u = new float[0];
        /** U[xi] packed for the GEMM ({@link VectorGemm#packRows}), read by every thread of the call. */
        float[][] packed = new float[16][0];
        /** V of one block: 16 matrices [C, T] (row length T). */
        float[] v = new float[0];
        /** A row of zeros as long as the image's, read for the patch rows that lie outside it. */
        float[] zeros = new float[0];
        /** M of one block: 16 matrices [F, T], plus L floats so that a whole vector can be read at the end. */
        float[] m = new float[0];
    }

    VectorWinograd(VectorGemm gemm) {
        this.gemm = gemm;
    }

    /**
     * Whether a convolution of {@code images} images with geometry {@code g} is one this class
     * computes, and faster than the direct path: a 3x3 kernel at stride 1 (any padding), at
     * least {@link #MIN_CHANNELS} channels, and at least {@link #MIN_TILES_PER_THREAD} tiles for
     * each thread.
     */
    static boolean suits(ConvGeometry g, int images) {
        if (g.kh() != 3 || g.kw() != 3 || g.strideH() != 1 || g.strideW() != 1 || g.channels() < MIN_CHANNELS) {
            return false;
        }
        long tiles = (long) images * ((g.outH() + 1) / 2) * ((g.outW() + 1) / 2);
        return tiles >= (long) MIN_TILES_PER_THREAD * Parallel.threads();
    }

    /**
     * Tile rows that cover {@code outH} output rows: {@code ceil(outH / 2)}, the last one partial
     * when outH is odd. A hook for the planted-bug test only, whose subclass drops that partial
     * row; no subclass exists outside the tests, so the JIT inlines this.
     */
    int tilesDown(int outH) {
        return (outH + 1) / 2;
    }

    /** The 1/2 of G. A hook for the planted-bug test only (a wrong coefficient), as {@link #tilesDown}. */
    float half() {
        return 0.5f;
    }

    /**
     * {@code y[t] = act(conv(img[t], kernel) + bias)} for {@code images} consecutive images, with
     * the arguments and the result of {@link Kernels#convForward} (up to rounding), for a 3x3
     * kernel at stride 1, any padding ({@code g.kh() == g.kw() == 3}, strides 1, sizes > 0).
     */
    void convForward(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel, float[] bias,
                     ConvGeometry g, boolean relu, float slope) {
        assert g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1 : "3x3 at stride 1 only";
        int filters = g.filters();
        int channels = g.channels();
        int mr = gemm.mr;
        Scratch s = scratch.get();
        if (s.u.length < 16 * filters * channels) {
            s.u = new float[16 * filters * channels];
        }
        int packedSize = gemm.packedSize(filters, channels);
        if (s.packed[0].length < packedSize) {
            for (int xi = 0; xi < 16; xi++) {
                s.packed[xi] = new float[packedSize];
            }
        }
        float[] u = s.u;
        float[][] packed = s.packed;
        // U = G g G^T for every filter and channel, then each U[xi] packed as the GEMM's A, split
        // by whole micro-panels of filters.
        float half = half();
        Parallel.forRange((filters + mr - 1) / mr, (p0, p1) -> {
            int f0 = p0 * mr;
            int f1 = Math.min(filters, p1 * mr);
            transformKernel(u, kernel, filters * channels, f0 * channels, f1 * channels, half);
            for (int xi = 0; xi < 16; xi++) {
                gemm.packRows(u, xi * filters * channels, filters, channels, f0, f1, packed[xi]);
            }
        });

        int tilesAcross = (g.outW() + 1) / 2;
        int tiles = images * tilesDown(g.outH()) * tilesAcross;
        int block = blockTiles(channels, filters, tiles, Parallel.threads());
        int blocks = (tiles + block - 1) / block;
        Parallel.forRange(blocks, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int t0 = b * block;
                block(y, yOff, img, imgOff, u, packed, bias, g, relu, slope, t0, Math.min(tiles, t0 + block), block);
            }
        });
    }

    /**
     * Tiles per block: as many as keep V and M within {@link #BLOCK_FLOATS} (whole panels of NR,
     * at least one), but no more than an equal share of the tiles per thread, so that a single
     * image still gives every thread a block.
     */
    static int blockTiles(int channels, int filters, int tiles, int threads) {
        long byCache = BLOCK_FLOATS / (16L * (channels + filters)) / NR * NR;
        int share = (tiles + threads - 1) / threads;
        return (int) Math.max(1, Math.min(Math.max(NR, byCache), share));
    }

    /** One block, tiles {@code [t0, t1)}, on this thread: V, the 16 GEMMs, then the outputs; rows of V and M hold {@code ld} tiles. */
    private void block(float[] y, int yOff, float[] img, int imgOff, float[] u, float[][] packed, float[] bias,
                       ConvGeometry g, boolean relu, float slope, int t0, int t1, int ld) {
        int filters = g.filters();
        int channels = g.channels();
        Scratch s = scratch.get();
        if (s.v.length < 16 * channels * ld) {
            s.v = new float[16 * channels * ld];
        }
        if (s.m.length < 16 * filters * ld + L) {
            s.m = new float[16 * filters * ld + L];
        }
        if (s.zeros.length < g.width()) {
            s.zeros = new float[g.width()];
        }
        float[] v = s.v;
        float[] m = s.m;
        int tilesAcross = (g.outW() + 1) / 2;
        int perImage = tilesDown(g.outH()) * tilesAcross;
        // V: runs of at most L tiles along one row of tiles, all channels of each run at once.
        for (int t = t0; t < t1; ) {
            int n = t / perImage;
            int ty = (t - n * perImage) / tilesAcross;
            int tx = t - n * perImage - ty * tilesAcross;
            int run = Math.min(L, Math.min(t1 - t, tilesAcross - tx));
            inputRun(v, t - t0, ld, img, imgOff + n * g.imageSize(), s.zeros, g, 2 * ty - g.padTop(), 2 * tx - g.padLeft(), run);
            t += run;
        }
        // M[xi] [F, n] = U[xi] [F, C] . V[xi] [C, n]
        int tilesHere = t1 - t0;
        for (int xi = 0; xi < 16; xi++) {
            int vOff = xi * channels * ld;
            gemm.product(false, filters, tilesHere, channels, 1f, u, xi * filters * channels, channels, packed[xi],
                    (pc, kc, jc, nc, bp, w) -> VectorGemm.packB(false, v, vOff, ld, pc, kc, jc, nc, bp),
                    0f, m, xi * filters * ld, ld, null, false, 0f);
        }
        // y = A^T M A + bias, activated, run by run.
        for (int t = t0; t < t1; ) {
            int n = t / perImage;
            int ty = (t - n * perImage) / tilesAcross;
            int tx = t - n * perImage - ty * tilesAcross;
            int run = Math.min(L, Math.min(t1 - t, tilesAcross - tx));
            outputRun(y, yOff + n * g.outputSize(), m, t - t0, ld, g, 2 * ty, 2 * tx, run, bias, relu, slope);
            t += run;
        }
    }

    /**
     * U for the kernels {@code q in [q0, q1)} (kernel q = f*C + c, its 9 taps at {@code 9q}):
     * {@code U[xi][q] = (G g G^T)[xi]}, U[xi] at {@code xi * count}. L kernels at a time, each tap
     * gathered across them; the rest one by one ({@link #transformKernel(float[], int, int, float[], int, float)}),
     * with the same operations in the same order, so that a kernel's U does not depend on which
     * of the two computed it (nor, therefore, on the thread count).
     */
    private static void transformKernel(float[] u, float[] kernel, int count, int q0, int q1, float half) {
        int q = q0;
        for (; q <= q1 - L; q += L) {
            int k = 9 * q;
            // g as three rows of three taps; each a vector over L kernels
            FloatVector g00 = FloatVector.fromArray(S, kernel, k, NINES, 0);
            FloatVector g01 = FloatVector.fromArray(S, kernel, k + 1, NINES, 0);
            FloatVector g02 = FloatVector.fromArray(S, kernel, k + 2, NINES, 0);
            FloatVector g10 = FloatVector.fromArray(S, kernel, k + 3, NINES, 0);
            FloatVector g11 = FloatVector.fromArray(S, kernel, k + 4, NINES, 0);
            FloatVector g12 = FloatVector.fromArray(S, kernel, k + 5, NINES, 0);
            FloatVector g20 = FloatVector.fromArray(S, kernel, k + 6, NINES, 0);
            FloatVector g21 = FloatVector.fromArray(S, kernel, k + 7, NINES, 0);
            FloatVector g22 = FloatVector.fromArray(S, kernel, k + 8, NINES, 0);
            // Gg (4x3), column j: [g0j, (g0j + g1j + g2j)/2, (g0j - g1j + g2j)/2, g2j]
            FloatVector a10 = g00.add(g10).add(g20).mul(half);
            FloatVector a11 = g01.add(g11).add(g21).mul(half);
            FloatVector a12 = g02.add(g12).add(g22).mul(half);
            FloatVector a20 = g00.sub(g10).add(g20).mul(half);
            FloatVector a21 = g01.sub(g11).add(g21).mul(half);
            FloatVector a22 = g02.sub(g12).add(g22).mul(half);
            // (Gg) G^T, row i of Gg = [a, b, c] -> [a, (a + b + c)/2, (a - b + c)/2, c]
            storeRow(u, 0, count, q, g00, g01, g02, half);
            storeRow(u, 4, count, q, a10, a11, a12, half);
            storeRow(u, 8, count, q, a20, a21, a22, half);
            storeRow(u, 12, count, q, g20, g21, g22, half);
        }
        for (; q < q1; q++) {
            transformKernel(kernel, 9 * q, u, q, count, half);
        }
    }

    /** Row {@code xi0 / 4} of U for L kernels from q: {@code [a, (a + b + c)/2, (a - b + c)/2, c]}. */
    private static void storeRow(float[] u, int xi0, int count, int q, FloatVector a, FloatVector b, FloatVector c,
                                 float half) {
        a.intoArray(u, xi0 * count + q);
        a.add(b).add(c).mul(half).intoArray(u, (xi0 + 1) * count + q);
        a.sub(b).add(c).mul(half).intoArray(u, (xi0 + 2) * count + q);
        c.intoArray(u, (xi0 + 3) * count + q);
    }

    /**
     * {@code U = G g G^T} for one kernel {@code g} (9 taps at {@code k}) into {@code u[xi*count + q]}:
     * the scalar form of the vector loop above, written out.
     */
    private static void transformKernel(float[] kernel, int k, float[] u, int q, int count, float half) {
        float[] gg = new float[12];  // G g, 4 rows of 3
        for (int j = 0; j < 3; j++) {
            float g0 = kernel[k + j];
            float g1 = kernel[k + 3 + j];
            float g2 = kernel[k + 6 + j];
            gg[j] = g0;
            gg[3 + j] = (g0 + g1 + g2) * half;
            gg[6 + j] = (g0 - g1 + g2) * half;
            gg[9 + j] = g2;
        }
        for (int i = 0; i < 4; i++) {
            float a = gg[3 * i];
            float b = gg[3 * i + 1];
            float c = gg[3 * i + 2];
            u[(4 * i) * count + q] = a;
            u[(4 * i + 1) * count + q] = (a + b + c) * half;
            u[(4 * i + 2) * count + q] = (a - b + c) * half;
            u[(4 * i + 3) * count + q] = c;
        }
    }

    /**
     * V for a run of {@code run <= L} tiles along one row of tiles of one image ({@code image} at
     * its first float), every channel: {@code V[xi][c][col + l] = (B^T d B)[xi]} for the patch d of
     * tile l, whose top-left input pixel is {@code (y0, x0 + 2l)}.
     *
     * <p>Both halves of the transform are linear, so the rows are combined first, on the input
     * rows as loaded ({@code W = B^T d}: {@code [d0 - d2, d1 + d2, d2 - d1, d1 - d3]} for the rows
     * d0..d3 of the patches), and each row of W is then split into the patches' four columns and
     * combined the same way ({@link #storeRowOfV}). A patch row of the L tiles is 2L + 2 input
     * floats, loaded as two pairs of vectors, at x0 and at x0 + 2, zero outside the row; an input
     * row outside the image is read from {@code zeros} instead.
     */
    private static void inputRun(float[] v, int col, int ld, float[] img, int image, float[] zeros, ConvGeometry g,
                                 int y0, int x0, int run) {
        int height = g.height();
        int width = g.width();
        int channels = g.channels();
        int plane = height * width;
        int xiStride = channels * ld;  // V[xi] to V[xi + 1]; V[xi][c] to V[xi][c + 1] is ld
        // Which lanes of the four loads of a row lie inside it: the same for every row and channel.
        VectorMask<Float> in0 = S.indexInRange(x0, width);
        VectorMask<Float> in1 = S.indexInRange(x0 + L, width);
        VectorMask<Float> in2 = S.indexInRange(x0 + 2, width);
        VectorMask<Float> in3 = S.indexInRange(x0 + 2 + L, width);
        VectorMask<Float> store = S.indexInRange(0, run);
        // The four input rows of the patches: in the image (a channel's offset added below), or zeros.
        boolean inside0 = y0 >= 0 && y0 < height;
        boolean inside1 = y0 + 1 >= 0 && y0 + 1 < height;
        boolean inside2 = y0 + 2 >= 0 && y0 + 2 < height;
        boolean inside3 = y0 + 3 >= 0 && y0 + 3 < height;
        for (int c = 0; c < channels; c++) {
            int first = image + c * plane + y0 * width + x0;
            float[] a0 = inside0 ? img : zeros;
            float[] a1 = inside1 ? img : zeros;
            float[] a2 = inside2 ? img : zeros;
            float[] a3 = inside3 ? img : zeros;
            int r0 = inside0 ? first : x0;
            int r1 = inside1 ? first + width : x0;
            int r2 = inside2 ? first + 2 * width : x0;
            int r3 = inside3 ? first + 3 * width : x0;
            // Input row i of the patches: d[i]p at x0 + p*L (p = 0, 1), d[i]q at x0 + 2 + q*L.
            FloatVector d0p0 = FloatVector.fromArray(S, a0, r0, in0);
            FloatVector d0p1 = FloatVector.fromArray(S, a0, r0 + L, in1);
            FloatVector d0q0 = FloatVector.fromArray(S, a0, r0 + 2, in2);
            FloatVector d0q1 = FloatVector.fromArray(S, a0, r0 + 2 + L, in3);
            FloatVector d1p0 = FloatVector.fromArray(S, a1, r1, in0);
            FloatVector d1p1 = FloatVector.fromArray(S, a1, r1 + L, in1);
            FloatVector d1q0 = FloatVector.fromArray(S, a1, r1 + 2, in2);
            FloatVector d1q1 = FloatVector.fromArray(S, a1, r1 + 2 + L, in3);
            FloatVector d2p0 = FloatVector.fromArray(S, a2, r2, in0);
            FloatVector d2p1 = FloatVector.fromArray(S, a2, r2 + L, in1);
            FloatVector d2q0 = FloatVector.fromArray(S, a2, r2 + 2, in2);
            FloatVector d2q1 = FloatVector.fromArray(S, a2, r2 + 2 + L, in3);
            FloatVector d3p0 = FloatVector.fromArray(S, a3, r3, in0);
            FloatVector d3p1 = FloatVector.fromArray(S, a3, r3 + L, in1);
            FloatVector d3q0 = FloatVector.fromArray(S, a3, r3 + 2, in2);
            FloatVector d3q1 = FloatVector.fromArray(S, a3, r3 + 2 + L, in3);
            // W = B^T d, row by row, then V's rows 4i..4i+3 from W's row i.
            int o = col + c * ld;
            storeRowOfV(d0p0.sub(d2p0), d0p1.sub(d2p1), d0q0.sub(d2q0), d0q1.sub(d2q1), v, o, xiStride, store);
            storeRowOfV(d1p0.add(d2p0), d1p1.add(d2p1), d1q0.add(d2q0), d1q1.add(d2q1),
                    v, o + 4 * xiStride, xiStride, store);
            storeRowOfV(d2p0.sub(d1p0), d2p1.sub(d1p1), d2q0.sub(d1q0), d2q1.sub(d1q1),
                    v, o + 8 * xiStride, xiStride, store);
            storeRowOfV(d1p0.sub(d3p0), d1p1.sub(d3p1), d1q0.sub(d3q0), d1q1.sub(d3q1),
                    v, o + 12 * xiStride, xiStride, store);
        }
    }

    /**
     * One row w of {@code W = B^T d} for L patches, as loaded (2L floats at the patches' first
     * column, p0 p1, and 2L at their third, q0 q1), into the row {@code w B} of V: the patches'
     * columns are the even and odd lanes (w0, w1 from p; w2, w3 from q), and
     * {@code w B = [w0 - w2, w1 + w2, w2 - w1, w1 - w3]}, stored at {@code o + j * xiStride}.
     */
    private static void storeRowOfV(FloatVector p0, FloatVector p1, FloatVector q0, FloatVector q1,
                                    float[] v, int o, int xiStride, VectorMask<Float> store) {
        FloatVector w0 = p0.rearrange(EVEN, p1);
        FloatVector w1 = p0.rearrange(ODD, p1);
        FloatVector w2 = q0.rearrange(EVEN, q1);
        FloatVector w3 = q0.rearrange(ODD, q1);
        w0.sub(w2).intoArray(v, o, store);
        w1.add(w2).intoArray(v, o + xiStride, store);
        w2.sub(w1).intoArray(v, o + 2 * xiStride, store);
        w1.sub(w3).intoArray(v, o + 3 * xiStride, store);
    }

    /**
     * The outputs of a run of {@code run <= L} tiles along one row of tiles of one image
     * ({@code out} at its first float), every filter: for tile l, {@code Y = A^T M A} with M from
     * column {@code col + l} of the 16 matrices M[xi] [F, ld], plus the bias, activated, written
     * to rows {@code oy, oy + 1} and columns {@code ox + 2l, ox + 2l + 1} where they lie inside the
     * output. The two outputs of a tile row are interleaved (zipped) into one run of 2L columns.
     */
    private static void outputRun(float[] y, int out, float[] m, int col, int ld, ConvGeometry g, int oy, int ox,
                                  int run, float[] bias, boolean relu, float slope) {
        int filters = g.filters();
        int outH = g.outH();
        int outW = g.outW();
        int xiStride = filters * ld;
        int columns = Math.min(outW - ox, 2 * run);
        VectorMask<Float> low = S.indexInRange(0, columns);
        VectorMask<Float> high = S.indexInRange(L, columns);
        boolean secondRow = oy + 1 < outH;
        for (int f = 0; f < filters; f++) {
            int o = col + f * ld;
            FloatVector m0 = FloatVector.fromArray(S, m, o);
            FloatVector m1 = FloatVector.fromArray(S, m, o + xiStride);
            FloatVector m2 = FloatVector.fromArray(S, m, o + 2 * xiStride);
            FloatVector m3 = FloatVector.fromArray(S, m, o + 3 * xiStride);
            FloatVector m4 = FloatVector.fromArray(S, m, o + 4 * xiStride);
            FloatVector m5 = FloatVector.fromArray(S, m, o + 5 * xiStride);
            FloatVector m6 = FloatVector.fromArray(S, m, o + 6 * xiStride);
            FloatVector m7 = FloatVector.fromArray(S, m, o + 7 * xiStride);
            FloatVector m8 = FloatVector.fromArray(S, m, o + 8 * xiStride);
            FloatVector m9 = FloatVector.fromArray(S, m, o + 9 * xiStride);
            FloatVector m10 = FloatVector.fromArray(S, m, o + 10 * xiStride);
            FloatVector m11 = FloatVector.fromArray(S, m, o + 11 * xiStride);
            FloatVector m12 = FloatVector.fromArray(S, m, o + 12 * xiStride);
            FloatVector m13 = FloatVector.fromArray(S, m, o + 13 * xiStride);
            FloatVector m14 = FloatVector.fromArray(S, m, o + 14 * xiStride);
            FloatVector m15 = FloatVector.fromArray(S, m, o + 15 * xiStride);
            // P = A^T M (2x4), column j: [m0j + m1j + m2j, m1j - m2j - m3j]
            FloatVector p00 = m0.add(m4).add(m8);
            FloatVector p01 = m1.add(m5).add(m9);
            FloatVector p02 = m2.add(m6).add(m10);
            FloatVector p03 = m3.add(m7).add(m11);
            FloatVector p10 = m4.sub(m8).sub(m12);
            FloatVector p11 = m5.sub(m9).sub(m13);
            FloatVector p12 = m6.sub(m10).sub(m14);
            FloatVector p13 = m7.sub(m11).sub(m15);
            // Y = P A (2x2), row i: [pi0 + pi1 + pi2, pi1 - pi2 - pi3]
            FloatVector y00 = p00.add(p01).add(p02);
            FloatVector y01 = p01.sub(p02).sub(p03);
            FloatVector y10 = p10.add(p11).add(p12);
            FloatVector y11 = p11.sub(p12).sub(p13);
            if (bias != null) {
                y00 = y00.add(bias[f]);
                y01 = y01.add(bias[f]);
                y10 = y10.add(bias[f]);
                y11 = y11.add(bias[f]);
            }
            if (relu && slope == 0f) {
                // lanewise MAX is Math.max: a NaN passes through, as in the reference's ReLU
                y00 = y00.max(0f);
                y01 = y01.max(0f);
                y10 = y10.max(0f);
                y11 = y11.max(0f);
            } else if (relu) {
                y00 = y00.max(y00.mul(slope));
                y01 = y01.max(y01.mul(slope));
                y10 = y10.max(y10.mul(slope));
                y11 = y11.max(y11.mul(slope));
            }
            int row = out + (f * outH + oy) * outW + ox;
            y00.rearrange(ZIP_LOW, y01).intoArray(y, row, low);
            y00.rearrange(ZIP_HIGH, y01).intoArray(y, row + L, high);
            if (secondRow) {
                y10.rearrange(ZIP_LOW, y11).intoArray(y, row + outW, low);
                y10.rearrange(ZIP_HIGH, y11).intoArray(y, row + outW + L, high);
            }
        }
    }

    /**
     * Lane l takes lane {@code 2l + parity} of the 2L lanes of two vectors a, b side by side. In a
     * two-vector rearrange an index below 0 reads the second vector, at index + L.
     */
    private static VectorShuffle<Float> twoVectorShuffle(int parity) {
        int[] index = new int[L];
        for (int l = 0; l < L; l++) {
            int from = 2 * l + parity;
            index[l] = from < L ? from : from - 2 * L;
        }
        return VectorShuffle.fromArray(S, index, 0);
    }

    /** Lane 2l takes lane {@code first + l} of a, lane 2l + 1 lane {@code first + l} of b. */
    private static VectorShuffle<Float> zipShuffle(int first) {
        int[] index = new int[L];
        for (int l = 0; l < L; l++) {
            int from = first + l / 2;
            index[l] = l % 2 == 0 ? from : from - L;
        }
        return VectorShuffle.fromArray(S, index, 0);
    }
}
