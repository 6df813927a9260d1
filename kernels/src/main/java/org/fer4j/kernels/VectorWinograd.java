package org.fer4j.kernels;

import static org.fer4j.kernels.VectorGemm.L;
import static org.fer4j.kernels.VectorGemm.NR;
import static org.fer4j.kernels.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
 * The 16 products are {@link VectorGemm}'s (U read in place, V packed as any B), so the
 * multiplications run in its micro-kernel; the transforms around them are only additions (and
 * halvings, exact in floating point), vectorised across tiles: the L tiles of a run along one row
 * of tiles sit in the L lanes of a vector, their patch columns taken out of two loads of the
 * input row by even/odd deinterleaving. Each image is first copied into a buffer with its
 * padding written out as zeros ({@link #padImage}), so that those loads are whole vectors, never
 * masked: masked loads at the image's edges made the first version 3 to 5 times slower.
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
 * <p>Threads: the kernel transform is split by channels and the blocks of tiles over threads
 * ({@link Parallel}); inside a region that is already parallel (Conv2D splitting its batch) all
 * of it runs on the calling thread. For a single image the tiles are cut into one block per
 * thread, so that batch 1 uses both cores.
 */
// Not final: VectorWinograd4 extends it, and the planted-bug tests override tilesDown and half.
class VectorWinograd {

    /**
     * The smallest channel count taken by Winograd (VectorKernels asks {@link #suits}): its
     * saving is in the GEMMs, whose depth is C, while the transforms cost the same per channel
     * and tile whatever F. Measured against the direct path (docs/performance.md): 1 channel
     * (the first layer of every model) 0.1 to 0.35 times as fast, 4 channels 0.4 to 0.7, 8 a
     * wash (1.06 and 1.22, within the noise), 32 channels and more 1.0 to 2.9.
     */
    static final int MIN_CHANNELS = 16;
    /**
     * The fewest tiles per thread for which Winograd is taken: below it the 16 GEMMs have too few
     * columns to fill the micro-kernel's 2L-wide panels. Measured: fer-vgg's 6x6 layer at batch
     * 1 (9 tiles) 0.71 times as fast as the direct GEMM (36 columns), fer-ref's 8x8 one (16
     * tiles) 0.60; fer-vgg's 12x12 layers (36 tiles) 1.06 and 1.20.
     */
    static final int MIN_TILES_PER_THREAD = 16;
    /** Floats of V and M per block (a thread's), about 1 MB: the L2 cache of these cores. */
    static final int BLOCK_FLOATS = 1 << 18;

    /**
     * Floats to spare after the last padded image row: a run's loads start inside a patch row and
     * may reach past the image by up to 2 vectors; lanes past the run's last tile are read but
     * never used.
     */
    static final int SLACK = 2 * L + 2;

    /** Lanes {@code 0, 2, 4, ...} and {@code 1, 3, 5, ...} of two vectors side by side (a 2L-float run). */
    static final VectorShuffle<Float> EVEN = twoVectorShuffle(0);
    static final VectorShuffle<Float> ODD = twoVectorShuffle(1);
    /** Interleaves two vectors a, b: {@code a0 b0 a1 b1 ...} of their low halves, then of their high halves. */
    static final VectorShuffle<Float> ZIP_LOW = zipShuffle(0);
    static final VectorShuffle<Float> ZIP_HIGH = zipShuffle(L / 2);

    private final VectorGemm gemm;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** The GEMM of the transformed products. */
    VectorGemm gemm() {
        return gemm;
    }

    /** This thread's buffers for this instance. */
    Scratch scratch() {
        return scratch.get();
    }

    /**
     * Per-thread buffers, grown to the largest convolution seen and reused. P below is the number
     * of positions of a patch, {@code (tile() + 2)^2}: 16 for F(2x2), 36 for F(4x4).
     */
    static final class Scratch {
        /**
         * U: P matrices [C, F], the transformed kernel of this thread's call, read by every thread
         * of the call. Stored transposed (C rows of F filters), the GEMM reads it in place: the
         * MR filters of each of its steps lie side by side (VectorGemm's A stored k x m).
         */
        float[] u = new float[0];
        /** V of one block: P matrices [C, T], rows of T + L floats (a run's last vector may overhang). */
        float[] v = new float[0];
        /** M of one block: P matrices [F, T], plus L floats so that a whole vector can be read at the end. */
        float[] m = new float[0];
        /** One image with its padding ({@link #padImage}), and the geometry its zeros were laid out for. */
        float[] pad = new float[0];
        /** A few vectors' worth of room for the intermediates of F(4x4)'s transforms ({@link VectorWinograd4}). */
        final float[] work = new float[64 * L];
        private ConvGeometry padGeometry;

        /**
         * The padded image buffer for geometry g, {@code size} floats, zeroed when g differs from
         * the last geometry (the zeros around the image then stay, as only the image is copied in).
         */
        float[] padFor(ConvGeometry g, int size) {
            if (!g.equals(padGeometry)) {
                if (pad.length < size) {
                    pad = new float[size];
                } else {
                    java.util.Arrays.fill(pad, 0, size, 0f);
                }
                padGeometry = g;
            }
            return pad;
        }
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
     * Outputs along each side of a tile: 2 here, F(2x2,3x3); {@link VectorWinograd4} overrides it
     * with 4, and the three transforms, and reuses the rest of this class (the padded image, the
     * blocks of tiles, the GEMMs, the threads). The patch is {@code tile() + 2} wide.
     */
    int tile() {
        return 2;
    }

    /**
     * Tile rows that cover {@code outH} output rows: {@code ceil(outH / tile())}, the last one
     * partial when outH is not a multiple of the tile. A hook for the planted-bug tests, whose
     * subclasses drop that partial row.
     */
    int tilesDown(int outH) {
        return (outH + tile() - 1) / tile();
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
        convForward(y, yOff, img, imgOff, images, kernel, bias, g, relu, slope, false, null);
    }

    /**
     * {@link #convForward}, or when {@code pooled} its 2x2, stride-2 max-pooled output, {@code
     * y[t] [F, outH/2, outW/2]} at {@code yOff + t*F*(outH/2)*(outW/2)}, with the arguments and
     * the result of {@link Kernels#convForwardPooled}: each pooling window is one tile of F(2x2)
     * (a quarter of one of F(4x4)), pooled as the transform writes it out, so the convolution's
     * output is never stored. Its values are exactly those of the unpooled call, so the pooled
     * result is too. With {@code fixed} (the kernel declared fixed, {@link Kernels#fixKernel}),
     * the kernel's transform U is made on the first call and kept; else it is made each call.
     */
    void convForward(float[] y, int yOff, float[] img, int imgOff, int images, float[] kernel, float[] bias,
                     ConvGeometry g, boolean relu, float slope, boolean pooled, FixedKernel fixed) {
        assert g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1 : "3x3 at stride 1 only";
        int filters = g.filters();
        int channels = g.channels();
        int positions = (tile() + 2) * (tile() + 2);
        // U = G g G^T for every filter and channel, split by channels.
        float[] u = fixed != null ? fixed.winograd(tile(), () -> {
            float[] kept = new float[positions * filters * channels];
            Parallel.forRange(channels, (c0, c1) -> transformKernel(kept, kernel, filters, channels, c0, c1));
            return kept;
        }) : transformedKernel(kernel, filters, channels, positions);

        int tilesAcross = (g.outW() + tile() - 1) / tile();
        int tiles = images * tilesDown(g.outH()) * tilesAcross;
        int block = blockTiles(positions, channels, filters, tiles, Parallel.threads());
        int blocks = (tiles + block - 1) / block;
        Parallel.forRange(blocks, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int t0 = b * block;
                block(y, yOff, img, imgOff, u, bias, g, relu, slope, pooled, t0, Math.min(tiles, t0 + block), block);
            }
        });
    }

    /** U for this call, made in this thread's scratch (the kernel may change before the next call). */
    private float[] transformedKernel(float[] kernel, int filters, int channels, int positions) {
        Scratch s = scratch();
        if (s.u.length < positions * filters * channels) {
            s.u = new float[positions * filters * channels];
        }
        float[] u = s.u;
        Parallel.forRange(channels, (c0, c1) -> transformKernel(u, kernel, filters, channels, c0, c1));
        return u;
    }

    /**
     * Tiles per block: at most as many as keep V and M ({@code positions} matrices each) within
     * {@link #BLOCK_FLOATS} (whole panels of NR, at least one), and blocks of equal size whose
     * count is a multiple of the threads, so that every thread gets the same number of tiles. (The
     * cache bound alone left a short last block: fer-ref's 44x44 layer at batch 1, 484 tiles in
     * blocks of 160, gave one thread 320 tiles and the other 164.)
     */
    static int blockTiles(int positions, int channels, int filters, int tiles, int threads) {
        long byCache = Math.max(NR, BLOCK_FLOATS / ((long) positions * (channels + filters)) / NR * NR);
        long blocks = (tiles + byCache - 1) / byCache;
        blocks = (blocks + threads - 1) / threads * threads;
        // Rounding the block up can leave fewer blocks than asked for, and no longer a multiple of
        // the threads (196 tiles in 15 blocks are blocks of 14, which make 14 blocks: 4, 5 and 5 for
        // 3 threads); then ask for more blocks until the count comes out a multiple.
        while (blocks < tiles && (tiles + ceilDiv(tiles, blocks) - 1) / ceilDiv(tiles, blocks) % threads != 0) {
            blocks += threads;
        }
        return (int) Math.max(1, ceilDiv(tiles, blocks));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /**
     * One block, tiles {@code [t0, t1)}, on this thread: V, the 16 GEMMs, then the outputs; rows of
     * M hold {@code ld} tiles, rows of V {@code ld + L}; y pooled or not as in {@link
     * #convForward(float[], int, float[], int, int, float[], float[], ConvGeometry, boolean, float,
     * boolean)}. {@link VectorWinograd4} overrides it.
     */
    void block(float[] y, int yOff, float[] img, int imgOff, float[] u, float[] bias,
               ConvGeometry g, boolean relu, float slope, boolean pooled, int t0, int t1, int ld) {
        int filters = g.filters();
        int channels = g.channels();
        int ldv = ld + L;
        Scratch s = scratch();
        if (s.v.length < 16 * channels * ldv) {
            s.v = new float[16 * channels * ldv];
        }
        if (s.m.length < 16 * filters * ld + L) {
            s.m = new float[16 * filters * ld + L];
        }
        float[] v = s.v;
        float[] m = s.m;
        int tilesAcross = (g.outW() + 1) / 2;
        int tilesDown = tilesDown(g.outH());
        int perImage = tilesDown * tilesAcross;
        // The padded image: every patch inside it, and SLACK floats to spare after the last row
        // (its height from the true tile count, so that a planted tilesDown cannot shrink it).
        int padH = 2 * ((g.outH() + 1) / 2) + 2;
        int padW = 2 * tilesAcross + 2;
        float[] pad = s.padFor(g, g.channels() * padH * padW + SLACK);
        // V: runs of at most L tiles along one row of tiles, all channels of each run at once.
        int padded = -1;  // the image in pad
        for (int t = t0; t < t1; ) {
            int n = t / perImage;
            int ty = (t - n * perImage) / tilesAcross;
            int tx = t - n * perImage - ty * tilesAcross;
            int run = Math.min(L, Math.min(t1 - t, tilesAcross - tx));
            if (n != padded) {
                padImage(pad, img, imgOff + n * g.imageSize(), g, padH, padW);
                padded = n;
            }
            inputRun(v, t - t0, ldv, pad, 2 * (ty * padW + tx), padH * padW, padW, channels);
            t += run;
        }
        // M[xi] [F, n] = U[xi] [F, C] . V[xi] [C, n], U[xi] stored [C, F] (transposed)
        int tilesHere = t1 - t0;
        for (int xi = 0; xi < 16; xi++) {
            int vOff = xi * channels * ldv;
            gemm.product(true, filters, tilesHere, channels, 1f, u, xi * filters * channels, filters, null,
                    (pc, kc, jc, nc, bp, w) -> VectorGemm.packB(false, v, vOff, ldv, pc, kc, jc, nc, bp),
                    0f, m, xi * filters * ld, ld, null, false, 0f);
        }
        // y = A^T M A + bias, activated, run by run.
        for (int t = t0; t < t1; ) {
            int n = t / perImage;
            int ty = (t - n * perImage) / tilesAcross;
            int tx = t - n * perImage - ty * tilesAcross;
            int run = Math.min(L, Math.min(t1 - t, tilesAcross - tx));
            int image = pooled ? g.filters() * (g.outH() / 2) * (g.outW() / 2) : g.outputSize();
            outputRun(y, yOff + n * image, m, t - t0, ld, g, 2 * ty, 2 * tx, run, bias, relu, slope, pooled);
            t += run;
        }
    }

    /**
     * U for the channels {@code [c0, c1)} of every filter, U[xi] at {@code xi*F*C}, [C, F]: the
     * kernel transform of this class's algorithm, which {@link VectorWinograd4} overrides.
     */
    void transformKernel(float[] u, float[] kernel, int filters, int channels, int c0, int c1) {
        transformKernel(u, kernel, filters, channels, c0, c1, half());
    }

    /**
     * U for the channels {@code [c0, c1)} of every filter: {@code U[xi][c][f] = (G g G^T)[xi]}
     * for the kernel g of filter f and channel c (its 9 taps at {@code 9*(f*C + c)}), U[xi] at
     * {@code xi*F*C}. L filters at a time, each tap gathered across them (the vectors stay in this
     * one method: C2 boxes a vector passed to a method it does not inline); the last filters one
     * by one ({@link #transformKernel(float[], int, float[], int, int, float)}), with the same
     * operations in the same order, so that U does not depend on which of the two computed it
     * (nor, therefore, on the thread count).
     */
    private static void transformKernel(float[] u, float[] kernel, int filters, int channels, int c0, int c1,
                                        float half) {
        int count = filters * channels;  // U[xi] to U[xi + 1]
        int[] across = new int[L];       // tap k of filters f, f+1, ...: 9C apart
        for (int l = 0; l < L; l++) {
            across[l] = 9 * channels * l;
        }
        for (int c = c0; c < c1; c++) {
            int f = 0;
            for (; f <= filters - L; f += L) {
                int k = 9 * (f * channels + c);
                int q = c * filters + f;
                // g as three rows of three taps; each a vector over L filters
                FloatVector g00 = FloatVector.fromArray(S, kernel, k, across, 0);
                FloatVector g01 = FloatVector.fromArray(S, kernel, k + 1, across, 0);
                FloatVector g02 = FloatVector.fromArray(S, kernel, k + 2, across, 0);
                FloatVector g10 = FloatVector.fromArray(S, kernel, k + 3, across, 0);
                FloatVector g11 = FloatVector.fromArray(S, kernel, k + 4, across, 0);
                FloatVector g12 = FloatVector.fromArray(S, kernel, k + 5, across, 0);
                FloatVector g20 = FloatVector.fromArray(S, kernel, k + 6, across, 0);
                FloatVector g21 = FloatVector.fromArray(S, kernel, k + 7, across, 0);
                FloatVector g22 = FloatVector.fromArray(S, kernel, k + 8, across, 0);
                // Gg (4x3), column j: [g0j, (g0j + g1j + g2j)/2, (g0j - g1j + g2j)/2, g2j]
                FloatVector a10 = g00.add(g10).add(g20).mul(half);
                FloatVector a11 = g01.add(g11).add(g21).mul(half);
                FloatVector a12 = g02.add(g12).add(g22).mul(half);
                FloatVector a20 = g00.sub(g10).add(g20).mul(half);
                FloatVector a21 = g01.sub(g11).add(g21).mul(half);
                FloatVector a22 = g02.sub(g12).add(g22).mul(half);
                // (Gg) G^T, row i of Gg = [a, b, c] -> U's row i = [a, (a + b + c)/2, (a - b + c)/2, c]
                g00.intoArray(u, q);
                g00.add(g01).add(g02).mul(half).intoArray(u, count + q);
                g00.sub(g01).add(g02).mul(half).intoArray(u, 2 * count + q);
                g02.intoArray(u, 3 * count + q);
                a10.intoArray(u, 4 * count + q);
                a10.add(a11).add(a12).mul(half).intoArray(u, 5 * count + q);
                a10.sub(a11).add(a12).mul(half).intoArray(u, 6 * count + q);
                a12.intoArray(u, 7 * count + q);
                a20.intoArray(u, 8 * count + q);
                a20.add(a21).add(a22).mul(half).intoArray(u, 9 * count + q);
                a20.sub(a21).add(a22).mul(half).intoArray(u, 10 * count + q);
                a22.intoArray(u, 11 * count + q);
                g20.intoArray(u, 12 * count + q);
                g20.add(g21).add(g22).mul(half).intoArray(u, 13 * count + q);
                g20.sub(g21).add(g22).mul(half).intoArray(u, 14 * count + q);
                g22.intoArray(u, 15 * count + q);
            }
            for (; f < filters; f++) {
                transformKernel(kernel, 9 * (f * channels + c), u, c * filters + f, count, half);
            }
        }
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
     * One image's channels copied into {@code pad} [C, padH, padW] with the padding around them
     * made explicit: pixel (iy, ix) of channel c at {@code (c*padH + iy + padTop)*padW + ix +
     * padLeft}. Every patch of every tile then lies inside {@code pad}, with L floats to spare on
     * the right, so that the input transform reads whole vectors with no bounds to check; the
     * zeros around the image are written when the buffer is made for a geometry
     * ({@link Scratch#padFor}) and never overwritten.
     */
    static void padImage(float[] pad, float[] img, int image, ConvGeometry g, int padH, int padW) {
        int height = g.height();
        int width = g.width();
        for (int c = 0; c < g.channels(); c++) {
            for (int iy = 0; iy < height; iy++) {
                System.arraycopy(img, image + (c * height + iy) * width, pad,
                        (c * padH + iy + g.padTop()) * padW + g.padLeft(), width);
            }
        }
    }

    /**
     * V for a run of L tiles (some may lie past the row's end: their lanes are never read)
     * along one row of tiles, every channel: {@code V[xi][c][col + l] = (B^T d B)[xi]} for the
     * patch d of tile l, whose top-left pixel is at {@code first + 2l} of the padded image (channel
     * 0), the rows {@code padW} apart. Both halves of the transform are linear, so the patch rows
     * are combined first, as loaded ({@code W = B^T d}: rows {@code d0 - d2, d1 + d2, d2 - d1,
     * d1 - d3}), then each row of W is split into the patches' columns ({@link #rowOfV}).
     */
    static void inputRun(float[] v, int col, int ldv, float[] pad, int first, int plane, int padW,
                                 int channels) {
        int xiStride = channels * ldv;  // V[xi] to V[xi + 1]; V[xi][c] to V[xi][c + 1] is ldv
        for (int c = 0; c < channels; c++) {
            int d0 = first + c * plane;
            int d1 = d0 + padW;
            int d2 = d1 + padW;
            int d3 = d2 + padW;
            int o = col + c * ldv;
            rowOfV(pad, d0, d2, -1f, v, o, xiStride);
            rowOfV(pad, d1, d2, 1f, v, o + 4 * xiStride, xiStride);
            rowOfV(pad, d2, d1, -1f, v, o + 8 * xiStride, xiStride);
            rowOfV(pad, d1, d3, -1f, v, o + 12 * xiStride, xiStride);
        }
    }

    /**
     * Row {@code w = a + sign*b} of {@code W = B^T d} for L patches, from the patch rows at a and
     * b (2L floats from the patches' first column, p0 p1, and 2L from their third, q0 q1), into
     * the row {@code w B} of V: the patches' columns are the even and odd lanes (w0, w1 from p;
     * w2, w3 from q), and {@code w B = [w0 - w2, w1 + w2, w2 - w1, w1 - w3]}, stored at
     * {@code o + j * xiStride}. (Multiplying by a sign of 1 or -1 is exact.)
     */
    private static void rowOfV(float[] pad, int a, int b, float sign, float[] v, int o, int xiStride) {
        FloatVector p0 = FloatVector.fromArray(S, pad, a)
                .add(FloatVector.fromArray(S, pad, b).mul(sign));
        FloatVector p1 = FloatVector.fromArray(S, pad, a + L)
                .add(FloatVector.fromArray(S, pad, b + L).mul(sign));
        FloatVector q0 = FloatVector.fromArray(S, pad, a + 2)
                .add(FloatVector.fromArray(S, pad, b + 2).mul(sign));
        FloatVector q1 = FloatVector.fromArray(S, pad, a + 2 + L)
                .add(FloatVector.fromArray(S, pad, b + 2 + L).mul(sign));
        FloatVector w0 = p0.rearrange(EVEN, p1);
        FloatVector w1 = p0.rearrange(ODD, p1);
        FloatVector w2 = q0.rearrange(EVEN, q1);
        FloatVector w3 = q0.rearrange(ODD, q1);
        w0.sub(w2).intoArray(v, o);
        w1.add(w2).intoArray(v, o + xiStride);
        w2.sub(w1).intoArray(v, o + 2 * xiStride);
        w1.sub(w3).intoArray(v, o + 3 * xiStride);
    }

    /**
     * The outputs of a run of {@code run <= L} tiles along one row of tiles of one image
     * ({@code out} at its first float), every filter: for tile l, {@code Y = A^T M A} with M from
     * column {@code col + l} of the 16 matrices M[xi] [F, ld], plus the bias, activated, written
     * to rows {@code oy, oy + 1} and columns {@code ox + 2l, ox + 2l + 1} where they lie inside the
     * output. The two outputs of a tile row are interleaved (zipped) into one run of 2L columns.
     * When {@code pooled}, each tile is instead one window of the 2x2, stride-2 max-pool: its
     * maximum ({@link #maxOf}) goes to row {@code oy / 2}, column {@code ox / 2 + l} of the pooled
     * output ({@code out} at its first float), if the window lies wholly inside the output.
     */
    private static void outputRun(float[] y, int out, float[] m, int col, int ld, ConvGeometry g, int oy, int ox,
                                  int run, float[] bias, boolean relu, float slope, boolean pooled) {
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
            if (pooled) {
                int pooledH = outH / 2;
                int pooledW = outW / 2;
                int windows = Math.min(run, pooledW - ox / 2);
                if (oy / 2 < pooledH && windows > 0) {
                    maxOf(y00, y01, y10, y11).intoArray(y, out + (f * pooledH + oy / 2) * pooledW + ox / 2,
                            S.indexInRange(0, windows));
                }
                continue;
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
     * The maximum of a 2x2 window, lane by lane, as the reference's max-pool finds it: the
     * top-left value, replaced by each of the others in the order top-right, bottom-left,
     * bottom-right only when strictly greater, so that ties and NaNs come out as there.
     */
    static FloatVector maxOf(FloatVector topLeft, FloatVector topRight, FloatVector bottomLeft,
                             FloatVector bottomRight) {
        FloatVector max = topLeft.blend(topRight, topRight.compare(VectorOperators.GT, topLeft));
        max = max.blend(bottomLeft, bottomLeft.compare(VectorOperators.GT, max));
        return max.blend(bottomRight, bottomRight.compare(VectorOperators.GT, max));
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
