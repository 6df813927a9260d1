package org.fer4j.kernels;

import static org.fer4j.kernels.VectorGemm.L;
import static org.fer4j.kernels.VectorGemm.NR;
import static org.fer4j.kernels.VectorGemm.S;
import static org.fer4j.kernels.VectorWinograd.EVEN;
import static org.fer4j.kernels.VectorWinograd.ODD;

import jdk.incubator.vector.FloatVector;

/**
 * The kernel gradient of a 3x3, stride-1 convolution by Winograd's algorithm, the transpose of
 * the forward's F(2x2,3x3) ({@link VectorWinograd}). For one tile, the forward computes
 * {@code y = A^T [(G g G^T) (.) (B^T d B)] A}, which is linear in the kernel g; its adjoint, the
 * gradient of the kernel given the tile's output gradient {@code dy} (2x2), is
 * <pre>
 * dg (3x3) = G^T [ (A dy A^T) (.) (B^T d B) ] G
 *
 *       | 1  0 |                  B^T d B: the forward's input transform, the same patch d
 *   A = | 1  1 |    A dy A^T: 4x4 from the 2x2 block of dy (zero where it lies outside the output)
 *       | 1 -1 |    G^T (.) G:  3x3 from 4x4, G the forward's
 *       | 0 -1 |
 * </pre>
 * and the kernel gradient of the layer sums that over every tile t of every image. With
 * {@code E[xi][f, t] = (A dy_ft A^T)[xi]} and {@code V[xi][c, t] = (B^T d_ct B)[xi]} the sum over
 * tiles moves inside, as the sum over channels does in the forward:
 * <pre>
 * M[xi] [F, C] = sum_t E[xi] [F, t] . V[xi] [C, t]^T   16 GEMMs whose depth is the tile count
 * dkernel[f, c] += G^T M[.][f, c] G                      once per call
 * </pre>
 * 16 multiply-adds per tile, filter and channel where the direct product (im2col, then
 * {@code dy . col^T}) takes 36, and no im2col: V comes from the padded image, as in the forward.
 *
 * <p>The tiles of the call's images are taken in blocks of at most {@link #blockTiles} (E and V
 * of one block about 8 MB at most); each block's 16 GEMMs add into M, whose depth (the block's
 * tiles) the GEMM cuts into its own K blocks. Everything runs on the calling thread: Conv2D calls
 * this per chunk of its batch, one chunk per thread, and sums the chunks' partial gradients.
 * Numerics: as the direct product, a sum over the tiles of the batch, here of products of
 * transformed values, each bounded by the sum of |dy| over its 2x2 block times the sum of |x|
 * over the 4x4 patch (the entries of A, B and G are at most 1); the property test
 * ({@code WinogradFilterProperties}) checks the bound that gives.
 */
// Not final only so that the planted-bug test can override tilesDown and half.
class VectorWinogradFilter {

    /** Tiles per block at most, and the floats of E and V of a block at most (about 8 MB). */
    private static final int MAX_BLOCK_TILES = 512;
    private static final int BLOCK_FLOATS = 1 << 21;

    private final VectorGemm gemm;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread buffers, grown to the largest convolution seen and reused. */
    private static final class Scratch {
        float[] e = new float[0];
        float[] v = new float[0];
        float[] m = new float[0];
        /** The padded image and the padded dy of one image, and the geometry their zeros suit. */
        float[] pad = new float[0];
        float[] dyPad = new float[0];
        private ConvGeometry padGeometry;

        void ensure(ConvGeometry g, int padSize, int dyPadSize) {
            if (!g.equals(padGeometry)) {
                pad = zeroed(pad, padSize);
                dyPad = zeroed(dyPad, dyPadSize);
                padGeometry = g;
            }
        }

        private static float[] zeroed(float[] a, int size) {
            if (a.length < size) {
                return new float[size];
            }
            java.util.Arrays.fill(a, 0, size, 0f);
            return a;
        }
    }

    VectorWinogradFilter(VectorGemm gemm) {
        this.gemm = gemm;
    }

    /**
     * {@code dkernel [F, C*9] += sum over images t of dy[t] [F, P] . im2col(x[t])^T}, as
     * {@link Kernels#convBackwardKernel} defines it (up to rounding), for a 3x3 kernel at stride 1.
     */
    void convBackwardKernel(float[] dkernel, float[] dy, int dyOff, float[] x, int xOff, int images,
                            ConvGeometry g) {
        assert g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1 : "3x3 at stride 1 only";
        int filters = g.filters();
        int channels = g.channels();
        int tilesAcross = (g.outW() + 1) / 2;
        int tilesDown = tilesDown(g.outH());
        int perImage = tilesDown * tilesAcross;
        int tiles = images * perImage;
        if (tiles == 0 || filters == 0 || channels == 0) {
            return;
        }
        int block = blockTiles(channels, filters, tiles);
        int ld = block + L;  // a run's last vector may overhang the block
        int padH = 2 * tilesDown + 2;
        int padW = 2 * tilesAcross + 2 * L;
        int dyH = 2 * tilesDown;
        Scratch s = scratch.get();
        s.ensure(g, channels * padH * padW, filters * dyH * padW);
        if (s.e.length < 16 * filters * ld) {
            s.e = new float[16 * filters * ld];
        }
        if (s.v.length < 16 * channels * ld) {
            s.v = new float[16 * channels * ld];
        }
        if (s.m.length < 16 * filters * channels) {
            s.m = new float[16 * filters * channels];
        }
        float[] e = s.e;
        float[] v = s.v;
        float[] m = s.m;
        int padded = -1;  // the image in pad and dyPad
        for (int t0 = 0; t0 < tiles; t0 += block) {
            int t1 = Math.min(tiles, t0 + block);
            for (int t = t0; t < t1; ) {
                int n = t / perImage;
                int ty = (t - n * perImage) / tilesAcross;
                int tx = t - n * perImage - ty * tilesAcross;
                int run = Math.min(L, Math.min(t1 - t, tilesAcross - tx));
                if (n != padded) {
                    VectorWinograd.padImage(s.pad, x, xOff + n * g.imageSize(), g, padH, padW);
                    padGradient(s.dyPad, dy, dyOff + n * g.outputSize(), g, dyH, padW);
                    padded = n;
                }
                VectorWinograd.inputRun(v, t - t0, ld, s.pad, 2 * ty * padW + 2 * tx, padH * padW, padW, channels);
                gradientRun(e, t - t0, ld, s.dyPad, 2 * ty * padW + 2 * tx, dyH * padW, padW, filters);
                t += run;
            }
            // M[xi] [F, C] (+)= E[xi] [F, tiles] . V[xi] [C, tiles]^T
            int depth = t1 - t0;
            float beta = t0 == 0 ? 0f : 1f;
            for (int xi = 0; xi < 16; xi++) {
                gemm.sgemm(false, true, filters, channels, depth, 1f, e, xi * filters * ld, ld,
                        v, xi * channels * ld, ld, beta, m, xi * filters * channels, channels);
            }
        }
        outputTransform(dkernel, m, filters, channels, half());
    }

    /** Tile rows that cover outH output rows, {@code ceil(outH / 2)}: a hook for the planted-bug test only. */
    int tilesDown(int outH) {
        return (outH + 1) / 2;
    }

    /** The 1/2 of G: a hook for the planted-bug test only. */
    float half() {
        return 0.5f;
    }

    /** Tiles per block: all of them up to {@link #MAX_BLOCK_TILES}, fewer where E and V would pass {@link #BLOCK_FLOATS}. */
    static int blockTiles(int channels, int filters, int tiles) {
        long byMemory = BLOCK_FLOATS / (16L * (channels + filters)) / NR * NR;
        return (int) Math.max(1, Math.min(tiles, Math.min(MAX_BLOCK_TILES, Math.max(NR, byMemory))));
    }

    /**
     * One image's dy [F, outH, outW] copied into {@code dyPad} [F, dyH, padW] at the top left
     * of each plane; the zeros to the right and below (the outputs past the edge that partial tiles
     * cover, and L floats to spare for whole-vector loads) are written when the buffer is made.
     */
    private static void padGradient(float[] dyPad, float[] dy, int image, ConvGeometry g, int dyH, int padW) {
        int outH = g.outH();
        int outW = g.outW();
        int rows = Math.min(outH, dyH);  // outH, unless the planted bug's tilesDown drops a row of tiles
        for (int f = 0; f < g.filters(); f++) {
            for (int oy = 0; oy < rows; oy++) {
                System.arraycopy(dy, image + (f * outH + oy) * outW, dyPad, (f * dyH + oy) * padW, outW);
            }
        }
    }

    /**
     * E for a run of L tiles along one row of tiles, every filter: {@code E[xi][f][col + l] =
     * (A dy A^T)[xi]} for the 2x2 block of dy of tile l, whose top-left value is at
     * {@code first + 2l} of the padded dy (filter 0), its second row {@code padW} further. With
     * the block {@code [a b; c d]}, {@code A dy} has rows {@code [a b], [a+c b+d], [a-c b-d],
     * [-c -d]}, and each row {@code [p q]} times A^T is {@code [p, p+q, p-q, -q]}.
     */
    private static void gradientRun(float[] e, int col, int ld, float[] dyPad, int first, int plane, int padW,
                                    int filters) {
        int xiStride = filters * ld;
        for (int f = 0; f < filters; f++) {
            int r0 = first + f * plane;
            int r1 = r0 + padW;
            FloatVector top0 = FloatVector.fromArray(S, dyPad, r0);
            FloatVector top1 = FloatVector.fromArray(S, dyPad, r0 + L);
            FloatVector bottom0 = FloatVector.fromArray(S, dyPad, r1);
            FloatVector bottom1 = FloatVector.fromArray(S, dyPad, r1 + L);
            FloatVector a = top0.rearrange(EVEN, top1);
            FloatVector b = top0.rearrange(ODD, top1);
            FloatVector c = bottom0.rearrange(EVEN, bottom1);
            FloatVector d = bottom0.rearrange(ODD, bottom1);
            int o = col + f * ld;
            rowOfE(a, b, e, o, xiStride);
            rowOfE(a.add(c), b.add(d), e, o + 4 * xiStride, xiStride);
            rowOfE(a.sub(c), b.sub(d), e, o + 8 * xiStride, xiStride);
            rowOfE(c.neg(), d.neg(), e, o + 12 * xiStride, xiStride);
        }
    }

    /** Row {@code [p q] A^T = [p, p+q, p-q, -q]} of E, stored at {@code o + j * xiStride}. */
    private static void rowOfE(FloatVector p, FloatVector q, float[] e, int o, int xiStride) {
        p.intoArray(e, o);
        p.add(q).intoArray(e, o + xiStride);
        p.sub(q).intoArray(e, o + 2 * xiStride);
        q.neg().intoArray(e, o + 3 * xiStride);
    }

    /**
     * {@code dkernel[f, c] += G^T M G} for every filter and channel, M the 4x4 of
     * {@code m[xi*F*C + f*C + c]}. With M's rows m0..m3, {@code G^T M} has rows
     * {@code m0 + (m1 + m2)/2, (m1 - m2)/2, (m1 + m2)/2 + m3}, and each row {@code [r0 r1 r2 r3]}
     * times G is {@code [r0 + (r1 + r2)/2, (r1 - r2)/2, (r1 + r2)/2 + r3]}. Once per call: F C
     * small transforms against the GEMMs' 16 F C tiles multiply-adds, so it stays scalar.
     */
    private static void outputTransform(float[] dkernel, float[] m, int filters, int channels, float half) {
        int count = filters * channels;
        float[] mm = new float[16];
        float[] r = new float[12];
        for (int f = 0; f < filters; f++) {
            for (int c = 0; c < channels; c++) {
                int q = f * channels + c;
                for (int xi = 0; xi < 16; xi++) {
                    mm[xi] = m[xi * count + q];
                }
                for (int j = 0; j < 4; j++) {
                    float m0 = mm[j];
                    float m1 = mm[4 + j];
                    float m2 = mm[8 + j];
                    float m3 = mm[12 + j];
                    r[j] = m0 + (m1 + m2) * half;
                    r[4 + j] = (m1 - m2) * half;
                    r[8 + j] = (m1 + m2) * half + m3;
                }
                int k = 9 * q;
                for (int i = 0; i < 3; i++) {
                    float r0 = r[4 * i];
                    float r1 = r[4 * i + 1];
                    float r2 = r[4 * i + 2];
                    float r3 = r[4 * i + 3];
                    dkernel[k + 3 * i] += r0 + (r1 + r2) * half;
                    dkernel[k + 3 * i + 1] += (r1 - r2) * half;
                    dkernel[k + 3 * i + 2] += (r1 + r2) * half + r3;
                }
            }
        }
    }
}
