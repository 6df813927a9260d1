package org.fer4j.kernels.opencl;

import com.aparapi.Kernel;

/**
 * The one Aparapi kernel behind {@link OpenClKernels}: every operation is a branch of {@link #run}
 * chosen by the scalar field {@link #op}, so that all of them share the same device buffers.
 *
 * <p>Why one kernel: Aparapi binds one OpenCL buffer to each array field <em>of one kernel
 * instance</em> and moves whole arrays. Two kernel instances never share a buffer, so separate
 * kernels per operation would copy every activation from one to the next. Here the device memory
 * is an arena: {@link #heap} (floats) and {@link #iheap} (ints, for max-pool argmax and labels)
 * hold every array the backend has seen, each at its own offset, and stay on the device between
 * executions ({@code setExplicit(true)}: nothing moves unless {@code put}/{@code get} says so).
 * Arrays reach the arena through staging fields ({@code stage6} ... {@code stage27}, one per
 * power-of-two size class, allocated when first needed), so moving {@code n} floats transfers at
 * most {@code 2n} (and at least 64): the host copies into the stage, {@code put}s it, and a
 * {@link #COPY_IN} execution moves it to its offset; downloads run the other way.
 *
 * <p>Parameters travel as scalar fields ({@code a0..a15}, {@code f0..f6}), which Aparapi passes as
 * kernel arguments on every execution; their meaning per op is written beside each branch. Offsets
 * are absolute indices into {@link #heap} or {@link #iheap}. Every 1-D op guards {@code gid < count}
 * because the host rounds the global size up to a multiple of the work-group size. Branches that
 * use local memory and barriers are taken by a whole NDRange or not at all ({@code op} is uniform).
 *
 * <p>Written for Aparapi's bytecode-to-OpenCL translator: only primitive fields and arrays, no
 * objects, no {@code switch}, no {@code break}/{@code continue}; {@code if} chains instead.
 */
final class MegaKernel extends Kernel {

    // ------------------------------------------------------------ op codes
    static final int COPY_IN = 1;
    static final int COPY_OUT = 2;
    static final int ICOPY_IN = 3;
    static final int ICOPY_OUT = 4;
    static final int SGEMM = 10;
    static final int AXPY = 20;
    static final int SCALE = 21;
    static final int FILL = 22;
    static final int ADD = 23;
    static final int MUL = 24;
    static final int SUMSQ = 25;
    static final int ADD_BIAS = 30;
    static final int BIAS_BACKWARD = 31;
    static final int IM2COL = 40;
    static final int COL2IM = 41;
    static final int MAXPOOL_FORWARD = 50;
    static final int MAXPOOL_BACKWARD_GATHER = 51;
    static final int MAXPOOL_BACKWARD_SCATTER = 52;
    static final int AVGPOOL_FORWARD = 53;
    static final int AVGPOOL_BACKWARD = 54;
    static final int BN_STATS = 60;
    static final int BN_FORWARD = 61;
    static final int BN_BACKWARD = 62;
    static final int RELU_FORWARD = 70;
    static final int RELU_BACKWARD = 71;
    static final int SCE_FORWARD = 80;
    static final int SCE_BACKWARD = 81;
    static final int SGD = 90;
    static final int ADAM = 91;

    /** SGEMM tile edge: a work-group is TS x TS work-items and computes one TS x TS tile of C. */
    static final int TS = 16;
    /** SGEMM: rows (and columns) of C per work-item, and the side of C's block per work-group. */
    static final int RT = 4;
    static final int BT = RT * TS;
    /** Work-group size of the reductions (one group per channel, or per partial sum). */
    static final int WG = 256;
    /** Smallest and largest staging size class (log2 of its length in floats). */
    static final int MIN_CLASS = 6;
    static final int MAX_CLASS = 27;

    // ------------------------------------------------------------ device memory
    float[] heap = new float[1];
    int[] iheap = new int[1];
    int[] istage = new int[1];
    float[] stage6 = new float[1];
    float[] stage7 = new float[1];
    float[] stage8 = new float[1];
    float[] stage9 = new float[1];
    float[] stage10 = new float[1];
    float[] stage11 = new float[1];
    float[] stage12 = new float[1];
    float[] stage13 = new float[1];
    float[] stage14 = new float[1];
    float[] stage15 = new float[1];
    float[] stage16 = new float[1];
    float[] stage17 = new float[1];
    float[] stage18 = new float[1];
    float[] stage19 = new float[1];
    float[] stage20 = new float[1];
    float[] stage21 = new float[1];
    float[] stage22 = new float[1];
    float[] stage23 = new float[1];
    float[] stage24 = new float[1];
    float[] stage25 = new float[1];
    float[] stage26 = new float[1];
    float[] stage27 = new float[1];

    @Local final float[] tileA = new float[BT * TS];
    @Local final float[] tileB = new float[TS * BT];
    @Local final float[] red = new float[WG];

    // ------------------------------------------------------------ arguments of the current op
    int op;
    /** Size class of the stage a COPY_IN/COPY_OUT uses. */
    int sc;
    int a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15;
    float f0, f1, f2, f3, f4, f5, f6;

    /** Zeroes every argument, so that one op never sees another's leftovers. */
    void clearArgs() {
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = a10 = a11 = a12 = a13 = a14 = a15 = 0;
        f0 = f1 = f2 = f3 = f4 = f5 = f6 = 0f;
    }

    /** The staging array of size class {@code c} (host side). */
    float[] stage(int c) {
        return switch (c) {
            case 6 -> stage6;
            case 7 -> stage7;
            case 8 -> stage8;
            case 9 -> stage9;
            case 10 -> stage10;
            case 11 -> stage11;
            case 12 -> stage12;
            case 13 -> stage13;
            case 14 -> stage14;
            case 15 -> stage15;
            case 16 -> stage16;
            case 17 -> stage17;
            case 18 -> stage18;
            case 19 -> stage19;
            case 20 -> stage20;
            case 21 -> stage21;
            case 22 -> stage22;
            case 23 -> stage23;
            case 24 -> stage24;
            case 25 -> stage25;
            case 26 -> stage26;
            case 27 -> stage27;
            default -> throw new IllegalArgumentException("no staging class " + c);
        };
    }

    /** Replaces the staging array of class {@code c}; Aparapi re-creates its buffer on the next run. */
    void setStage(int c, float[] a) {
        switch (c) {
            case 6 -> stage6 = a;
            case 7 -> stage7 = a;
            case 8 -> stage8 = a;
            case 9 -> stage9 = a;
            case 10 -> stage10 = a;
            case 11 -> stage11 = a;
            case 12 -> stage12 = a;
            case 13 -> stage13 = a;
            case 14 -> stage14 = a;
            case 15 -> stage15 = a;
            case 16 -> stage16 = a;
            case 17 -> stage17 = a;
            case 18 -> stage18 = a;
            case 19 -> stage19 = a;
            case 20 -> stage20 = a;
            case 21 -> stage21 = a;
            case 22 -> stage22 = a;
            case 23 -> stage23 = a;
            case 24 -> stage24 = a;
            case 25 -> stage25 = a;
            case 26 -> stage26 = a;
            case 27 -> stage27 = a;
            default -> throw new IllegalArgumentException("no staging class " + c);
        }
    }

    private float stageRead(int i) {
        float v = 0f;
        if (sc == 6) {
            v = stage6[i];
        } else if (sc == 7) {
            v = stage7[i];
        } else if (sc == 8) {
            v = stage8[i];
        } else if (sc == 9) {
            v = stage9[i];
        } else if (sc == 10) {
            v = stage10[i];
        } else if (sc == 11) {
            v = stage11[i];
        } else if (sc == 12) {
            v = stage12[i];
        } else if (sc == 13) {
            v = stage13[i];
        } else if (sc == 14) {
            v = stage14[i];
        } else if (sc == 15) {
            v = stage15[i];
        } else if (sc == 16) {
            v = stage16[i];
        } else if (sc == 17) {
            v = stage17[i];
        } else if (sc == 18) {
            v = stage18[i];
        } else if (sc == 19) {
            v = stage19[i];
        } else if (sc == 20) {
            v = stage20[i];
        } else if (sc == 21) {
            v = stage21[i];
        } else if (sc == 22) {
            v = stage22[i];
        } else if (sc == 23) {
            v = stage23[i];
        } else if (sc == 24) {
            v = stage24[i];
        } else if (sc == 25) {
            v = stage25[i];
        } else if (sc == 26) {
            v = stage26[i];
        } else if (sc == 27) {
            v = stage27[i];
        }
        return v;
    }

    private void stageWrite(int i, float v) {
        if (sc == 6) {
            stage6[i] = v;
        } else if (sc == 7) {
            stage7[i] = v;
        } else if (sc == 8) {
            stage8[i] = v;
        } else if (sc == 9) {
            stage9[i] = v;
        } else if (sc == 10) {
            stage10[i] = v;
        } else if (sc == 11) {
            stage11[i] = v;
        } else if (sc == 12) {
            stage12[i] = v;
        } else if (sc == 13) {
            stage13[i] = v;
        } else if (sc == 14) {
            stage14[i] = v;
        } else if (sc == 15) {
            stage15[i] = v;
        } else if (sc == 16) {
            stage16[i] = v;
        } else if (sc == 17) {
            stage17[i] = v;
        } else if (sc == 18) {
            stage18[i] = v;
        } else if (sc == 19) {
            stage19[i] = v;
        } else if (sc == 20) {
            stage20[i] = v;
        } else if (sc == 21) {
            stage21[i] = v;
        } else if (sc == 22) {
            stage22[i] = v;
        } else if (sc == 23) {
            stage23[i] = v;
        } else if (sc == 24) {
            stage24[i] = v;
        } else if (sc == 25) {
            stage25[i] = v;
        } else if (sc == 26) {
            stage26[i] = v;
        } else if (sc == 27) {
            stage27[i] = v;
        }
    }

    /**
     * The family of {@link #op} (set by {@link #family}): run() dispatches on it with plain
     * one-comparison {@code if}s, because Aparapi's decompiler rejects long {@code else if} chains
     * with compound conditions ("child list broken").
     */
    int fam;

    void setOp(int op) {
        this.op = op;
        this.fam = family(op);
    }

    static int family(int op) {
        if (op <= ICOPY_OUT) {
            return 1;
        }
        if (op == SGEMM) {
            return 2;
        }
        if (op <= MUL) {
            return 3;
        }
        if (op == SUMSQ) {
            return 4;
        }
        if (op == ADD_BIAS) {
            return 5;
        }
        if (op == BIAS_BACKWARD) {
            return 6;
        }
        if (op == IM2COL) {
            return 7;
        }
        if (op == COL2IM) {
            return 8;
        }
        if (op <= AVGPOOL_BACKWARD) {
            return 9;
        }
        if (op == BN_STATS) {
            return 10;
        }
        if (op == BN_FORWARD) {
            return 11;
        }
        if (op == BN_BACKWARD) {
            return 12;
        }
        if (op <= RELU_BACKWARD) {
            return 13;
        }
        if (op <= SCE_BACKWARD) {
            return 14;
        }
        return 15;
    }

    @Override
    public void run() {
        if (fam == 1) {
            copy();
        }
        if (fam == 2) {
            sgemm();
        }
        if (fam == 3) {
            elementwise();
        }
        if (fam == 4) {
            sumOfSquares();
        }
        if (fam == 5) {
            addBias();
        }
        if (fam == 6) {
            biasBackward();
        }
        if (fam == 7) {
            im2col();
        }
        if (fam == 8) {
            col2im();
        }
        if (fam == 9) {
            pooling();
        }
        if (fam == 10) {
            batchNormStats();
        }
        if (fam == 11) {
            batchNormForward();
        }
        if (fam == 12) {
            batchNormBackward();
        }
        if (fam == 13) {
            relu();
        }
        if (fam == 14) {
            softmaxCrossEntropy();
        }
        if (op == SGD) {
            sgd();
        }
        if (op == ADAM) {
            adam();
        }
    }

    /** y[a0 + g] += bias[a1 + (g / S) % C], g < a2 = N*C*S, a3 = C, a4 = S. */
    private void addBias() {
        int g = getGlobalId(0);
        if (g < a2) {
            heap[a0 + g] += heap[a1 + (g / a4) % a3];
        }
    }

    /** COPY_IN: heap[a0 + g] = stage[g]; COPY_OUT: stage[g] = heap[a0 + g]; likewise for ints; g < a1. */
    private void copy() {
        int g = getGlobalId(0);
        if (g < a1) {
            if (op == COPY_IN) {
                heap[a0 + g] = stageRead(g);
            } else if (op == COPY_OUT) {
                stageWrite(g, heap[a0 + g]);
            } else if (op == ICOPY_IN) {
                iheap[a0 + g] = istage[g];
            } else {
                istage[g] = iheap[a0 + g];
            }
        }
    }

    /**
     * C = alpha op(A) op(B) + beta C, tiled through local memory and in registers. a0 m, a1 n,
     * a2 k; op(A)[i, p] = heap[a3 + i*a4 + p*a5]; op(B)[p, j] = heap[a6 + p*a7 + j*a8]; C[i, j]
     * at a9 + i*a10 + j; f0 alpha, f1 beta. The transpose cases differ only in the steps a4/a5 and
     * a7/a8, so one code path serves all four.
     *
     * <p>A TS x TS work-group computes a BT x BT block of C (BT = RT * TS = 64): work-item
     * (lx, ly) holds the RT x RT = 16 sums of rows {@code ly + TS*i} and columns {@code lx + TS*j}
     * in registers. Per step of TS along k, the group stages a BT x TS slice of op(A) and a
     * TS x BT slice of op(B) in local memory (zero outside the matrices, so ragged edges need no
     * special case; each work-item loads RT elements of each), waits, and then every pair of
     * local loads feeds RT FMAs instead of one: 8 loads for 16 FMAs per step of p, against 2
     * loads per FMA for one sum per work-item (which ran at about 3 GFLOP/s on POCL).
     */
    private void sgemm() {
        int lx = getLocalId(0);
        int ly = getLocalId(1);
        int col0 = getGroupId(0) * BT;
        int row0 = getGroupId(1) * BT;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        if (f0 != 0f) {
            for (int t = 0; t < a2; t += TS) {
                for (int i = 0; i < RT; i++) {
                    int row = row0 + ly + TS * i;
                    int ak = t + lx;
                    float av = 0f;
                    if (row < a0 && ak < a2) {
                        av = heap[a3 + row * a4 + ak * a5];
                    }
                    tileA[(ly + TS * i) * TS + lx] = av;
                    int bk = t + ly;
                    int col = col0 + lx + TS * i;
                    float bv = 0f;
                    if (bk < a2 && col < a1) {
                        bv = heap[a6 + bk * a7 + col * a8];
                    }
                    tileB[ly * BT + lx + TS * i] = bv;
                }
                localBarrier();
                for (int p = 0; p < TS; p++) {
                    float x0 = tileA[ly * TS + p];
                    float x1 = tileA[(ly + TS) * TS + p];
                    float x2 = tileA[(ly + 2 * TS) * TS + p];
                    float x3 = tileA[(ly + 3 * TS) * TS + p];
                    float y0 = tileB[p * BT + lx];
                    float y1 = tileB[p * BT + lx + TS];
                    float y2 = tileB[p * BT + lx + 2 * TS];
                    float y3 = tileB[p * BT + lx + 3 * TS];
                    c00 += x0 * y0;
                    c01 += x0 * y1;
                    c02 += x0 * y2;
                    c03 += x0 * y3;
                    c10 += x1 * y0;
                    c11 += x1 * y1;
                    c12 += x1 * y2;
                    c13 += x1 * y3;
                    c20 += x2 * y0;
                    c21 += x2 * y1;
                    c22 += x2 * y2;
                    c23 += x2 * y3;
                    c30 += x3 * y0;
                    c31 += x3 * y1;
                    c32 += x3 * y2;
                    c33 += x3 * y3;
                }
                localBarrier();
            }
        }
        int r = row0 + ly;
        int c = col0 + lx;
        storeC(r, c, c00);
        storeC(r, c + TS, c01);
        storeC(r, c + 2 * TS, c02);
        storeC(r, c + 3 * TS, c03);
        storeC(r + TS, c, c10);
        storeC(r + TS, c + TS, c11);
        storeC(r + TS, c + 2 * TS, c12);
        storeC(r + TS, c + 3 * TS, c13);
        storeC(r + 2 * TS, c, c20);
        storeC(r + 2 * TS, c + TS, c21);
        storeC(r + 2 * TS, c + 2 * TS, c22);
        storeC(r + 2 * TS, c + 3 * TS, c23);
        storeC(r + 3 * TS, c, c30);
        storeC(r + 3 * TS, c + TS, c31);
        storeC(r + 3 * TS, c + 2 * TS, c32);
        storeC(r + 3 * TS, c + 3 * TS, c33);
    }

    /** C[row, col] = alpha acc + beta C[row, col], inside the matrix only. */
    private void storeC(int row, int col, float acc) {
        if (row < a0 && col < a1) {
            int at = a9 + row * a10 + col;
            float old = 0f;
            if (f1 != 0f) {
                old = f1 * heap[at]; // beta == 0: C is not read, so NaN in a recycled C cannot leak
            }
            heap[at] = old + f0 * acc;
        }
    }

    /**
     * AXPY y[a0+g] += f0 x[a1+g]; SCALE x[a0+g] *= f0; FILL x[a0+g] = f0; ADD y[a0+g] = a[a1+g] + b[a2+g];
     * MUL the product; g < a3.
     */
    private void elementwise() {
        int g = getGlobalId(0);
        if (g < a3) {
            if (op == AXPY) {
                heap[a0 + g] += f0 * heap[a1 + g];
            } else if (op == SCALE) {
                heap[a0 + g] *= f0;
            } else if (op == FILL) {
                heap[a0 + g] = f0;
            } else if (op == ADD) {
                heap[a0 + g] = heap[a1 + g] + heap[a2 + g];
            } else {
                heap[a0 + g] = heap[a1 + g] * heap[a2 + g];
            }
        }
    }

    /** Tree reduction of red[0..WG) within one work-group; the sum ends in red[0], seen by all. */
    private void reduceLocal(int lid) {
        for (int step = WG / 2; step > 0; step = step / 2) {
            localBarrier();
            if (lid < step) {
                red[lid] += red[lid + step];
            }
        }
        localBarrier();
    }

    /** Partial sums of squares: group gr sums x[a0 + i]^2 for i = gid, gid + global, ... < a1 into heap[a2 + gr]. */
    private void sumOfSquares() {
        int lid = getLocalId(0);
        int stride = getGlobalSize(0);
        float s = 0f;
        for (int i = getGlobalId(0); i < a1; i += stride) {
            float v = heap[a0 + i];
            s += v * v;
        }
        red[lid] = s;
        reduceLocal(lid);
        if (lid == 0) {
            heap[a2 + getGroupId(0)] = red[0];
        }
    }

    /** One group per channel c: dbias[a0 + c] += sum over n, s of dy[a1 + (n*C + c)*S + s]; a2 N, a3 C, a4 S. */
    private void biasBackward() {
        int c = getGroupId(0);
        int lid = getLocalId(0);
        int count = a2 * a4;
        float s = 0f;
        for (int j = lid; j < count; j += WG) {
            s += heap[a1 + ((j / a4) * a3 + c) * a4 + j % a4];
        }
        red[lid] = s;
        reduceLocal(lid);
        if (lid == 0) {
            heap[a0 + c] += red[0];
        }
    }

    /**
     * col[a0 + g] for g < rows*P (rows = C*kh*kw, P = outH*outW) from img at a1; a2 C, a3 H, a4 W,
     * a5 kh, a6 kw, a7 strideH, a8 strideW, a9 padTop, a10 padLeft, a11 outH, a12 outW.
     */
    private void im2col() {
        int g = getGlobalId(0);
        int positions = a11 * a12;
        if (g < a2 * a5 * a6 * positions) {
            int r = g / positions;
            int pos = g % positions;
            int ch = r / (a5 * a6);
            int ki = (r / a6) % a5;
            int kj = r % a6;
            int iy = (pos / a12) * a7 - a9 + ki;
            int ix = (pos % a12) * a8 - a10 + kj;
            float v = 0f;
            if (iy >= 0 && iy < a3 && ix >= 0 && ix < a4) {
                v = heap[a1 + (ch * a3 + iy) * a4 + ix];
            }
            heap[a0 + g] = v;
        }
    }

    /**
     * The adjoint of im2col as a gather: each pixel g < C*H*W of img (at a1) adds every col entry
     * (at a0) that was read from it, taps in (ki, kj) order as the scalar scatter adds them, so no
     * two work-items write the same pixel and no atomics are needed. Geometry as in im2col.
     */
    private void col2im() {
        int g = getGlobalId(0);
        int hw = a3 * a4;
        if (g < a2 * hw) {
            int ch = g / hw;
            int iy = (g % hw) / a4;
            int ix = g % a4;
            int positions = a11 * a12;
            float s = heap[a1 + g];
            for (int ki = 0; ki < a5; ki++) {
                int ty = iy + a9 - ki;
                int oy = ty / a7;
                if (ty >= 0 && oy * a7 == ty && oy < a11) {
                    for (int kj = 0; kj < a6; kj++) {
                        int tx = ix + a10 - kj;
                        int ox = tx / a8;
                        if (tx >= 0 && ox * a8 == tx && ox < a12) {
                            s += heap[a0 + ((ch * a5 + ki) * a6 + kj) * positions + oy * a12 + ox];
                        }
                    }
                }
            }
            heap[a1 + g] = s;
        }
    }

    /**
     * MAXPOOL_FORWARD, g < planes*outH*outW: out at a0, argmax at iheap a1 (flat index relative to
     * in), in at a2; a3 planes, a4 H, a5 W, a6 kh, a7 kw, a8 strideH, a9 strideW, a10 outH, a11 outW.
     * MAXPOOL_BACKWARD_GATHER, g < planes*H*W: din[a12 + g] = sum of dout[a13 + o] over the windows
     * o that contain g and chose it (argmax == g), in increasing o as the scalar scatter adds them.
     * MAXPOOL_BACKWARD_SCATTER (geometry unknown): one work-item, din[a12 .. + a14) = 0, then
     * din[argmax[o]] += dout[o] for o < a15. AVGPOOL_FORWARD, g < a3 planes: out[a0 + g] = mean of
     * in[a2 + g*a4 ..]; AVGPOOL_BACKWARD, g < a3*a4: din[a12 + g] = dout[a13 + g / a4] / a4.
     */
    private void pooling() {
        int g = getGlobalId(0);
        if (op == MAXPOOL_FORWARD) {
            int outPlane = a10 * a11;
            if (g < a3 * outPlane) {
                int p = g / outPlane;
                int oy = (g % outPlane) / a11;
                int ox = g % a11;
                int corner = p * a4 * a5 + oy * a8 * a5 + ox * a9;
                int best = corner;
                float top = heap[a2 + corner];
                for (int ki = 0; ki < a6; ki++) {
                    for (int kj = 0; kj < a7; kj++) {
                        int idx = corner + ki * a5 + kj;
                        float v = heap[a2 + idx];
                        if (v > top) {
                            top = v;
                            best = idx;
                        }
                    }
                }
                heap[a0 + g] = top;
                iheap[a1 + g] = best;
            }
        }
        if (op == MAXPOOL_BACKWARD_GATHER) {
            int plane = a4 * a5;
            if (g < a3 * plane) {
                int p = g / plane;
                int iy = (g % plane) / a5;
                int ix = g % a5;
                // windows oy with oy*strideH <= iy < oy*strideH + kh
                int oyFrom = 0;
                if (iy - a6 + 1 > 0) {
                    oyFrom = (iy - a6 + 1 + a8 - 1) / a8;
                }
                int oyTo = min(a10 - 1, iy / a8);
                int oxFrom = 0;
                if (ix - a7 + 1 > 0) {
                    oxFrom = (ix - a7 + 1 + a9 - 1) / a9;
                }
                int oxTo = min(a11 - 1, ix / a9);
                float s = 0f;
                for (int oy = oyFrom; oy <= oyTo; oy++) {
                    for (int ox = oxFrom; ox <= oxTo; ox++) {
                        int o = (p * a10 + oy) * a11 + ox;
                        if (iheap[a1 + o] == g) {
                            s += heap[a13 + o];
                        }
                    }
                }
                heap[a12 + g] = s;
            }
        }
        if (op == MAXPOOL_BACKWARD_SCATTER) {
            if (g == 0) {
                for (int i = 0; i < a14; i++) {
                    heap[a12 + i] = 0f;
                }
                for (int o = 0; o < a15; o++) {
                    heap[a12 + iheap[a1 + o]] += heap[a13 + o];
                }
            }
        }
        if (op == AVGPOOL_FORWARD) {
            if (g < a3) {
                float s = 0f;
                for (int i = 0; i < a4; i++) {
                    s += heap[a2 + g * a4 + i];
                }
                heap[a0 + g] = s / a4;
            }
        }
        if (op == AVGPOOL_BACKWARD) {
            if (g < a3 * a4) {
                heap[a12 + g] = heap[a13 + g / a4] / a4;
            }
        }
    }

    /**
     * One group per channel c: mean[a0 + c] and biased var[a1 + c] of x at a2 [N, C, S]; a3 N, a4 C,
     * a5 S. Two passes (mean, then squared deviations) as in the scalar reference.
     */
    private void batchNormStats() {
        int c = getGroupId(0);
        int lid = getLocalId(0);
        int count = a3 * a5;
        float s = 0f;
        for (int j = lid; j < count; j += WG) {
            s += heap[a2 + ((j / a5) * a4 + c) * a5 + j % a5];
        }
        red[lid] = s;
        reduceLocal(lid);
        float mu = red[0] / count;
        localBarrier(); // everyone has read red[0] before it is overwritten
        float q = 0f;
        for (int j = lid; j < count; j += WG) {
            float d = heap[a2 + ((j / a5) * a4 + c) * a5 + j % a5] - mu;
            q += d * d;
        }
        red[lid] = q;
        reduceLocal(lid);
        if (lid == 0) {
            heap[a0 + c] = mu;
            heap[a1 + c] = red[0] / count;
        }
    }

    /**
     * g < a10 = N*C*S, c = (g / S) % C with a7 C, a8 S: xhat = (x[a2+g] - mean[a3+c]) * invStd[a4+c],
     * stored at a1 when a9 != 0; y[a0+g] = gamma[a5+c] * xhat + beta[a6+c].
     */
    private void batchNormForward() {
        int g = getGlobalId(0);
        if (g < a10) {
            int c = (g / a8) % a7;
            float xh = (heap[a2 + g] - heap[a3 + c]) * heap[a4 + c];
            if (a9 != 0) {
                heap[a1 + g] = xh;
            }
            heap[a0 + g] = heap[a5 + c] * xh + heap[a6 + c];
        }
    }

    /**
     * One group per channel c: sums of dy (at a3) and dy*xhat (xhat at a4) over [N, C, S], then
     * dx[a0 + i] = gamma*invStd * (dy - mean dy - xhat * mean dy*xhat); dgamma[a1 + c] += sum dy*xhat,
     * dbeta[a2 + c] += sum dy. a5 invStd, a6 gamma, a7 N, a8 C, a9 S.
     */
    private void batchNormBackward() {
        int c = getGroupId(0);
        int lid = getLocalId(0);
        int count = a7 * a9;
        float s = 0f;
        float sx = 0f;
        for (int j = lid; j < count; j += WG) {
            int i = ((j / a9) * a8 + c) * a9 + j % a9;
            float dy = heap[a3 + i];
            s += dy;
            sx += dy * heap[a4 + i];
        }
        // Two reductions one after the other through the same local array, as batchNormStats
        // does. (Reducing red and a second local array in one loop gave sums 256 times too large
        // on POCL 3.1; not understood, so not used.)
        red[lid] = s;
        reduceLocal(lid);
        float sumDy = red[0];
        localBarrier(); // everyone has read red[0] before it is overwritten
        red[lid] = sx;
        reduceLocal(lid);
        float sumDyXhat = red[0];
        // The parameter gradients first, before the dx loop: written after that loop, POCL 3.1
        // ran the lid == 0 branch on every work-item (each added the sums once more).
        if (getLocalId(0) == 0) {
            heap[a2 + c] += sumDy;
            heap[a1 + c] += sumDyXhat;
        }
        float meanDy = sumDy / count;
        float meanDyXhat = sumDyXhat / count;
        float k = heap[a6 + c] * heap[a5 + c];
        for (int j = lid; j < count; j += WG) {
            int i = ((j / a9) * a8 + c) * a9 + j % a9;
            heap[a0 + i] = k * (heap[a3 + i] - meanDy - heap[a4 + i] * meanDyXhat);
        }
    }

    /** RELU_FORWARD y[a0+g] = max(x[a1+g], 0); RELU_BACKWARD dx[a0+g] = y[a2+g] > 0 ? dy[a1+g] : 0; g < a3. */
    private void relu() {
        int g = getGlobalId(0);
        if (g < a3) {
            if (op == RELU_FORWARD) {
                float x = heap[a1 + g];
                // x < 0 ? 0 : x lets a NaN through, as Math.max does in the reference
                float y = x;
                if (x < 0f) {
                    y = 0f;
                }
                heap[a0 + g] = y;
            } else {
                float d = 0f;
                if (heap[a2 + g] > 0f) {
                    d = heap[a1 + g];
                }
                heap[a0 + g] = d;
            }
        }
    }

    /**
     * SCE_FORWARD, one work-item per row i < a3 (a4 = K classes): probs at a0, logits at a1, labels
     * at iheap a2, the weighted row loss to heap[a5 + i] (the host adds them up in double), class
     * weights at a6 when a7 != 0; f0 smoothing. SCE_BACKWARD, g < N*K: dlogits[a5 + g] =
     * w[y] * (probs[a0 + g] - t) / N, with N = a3.
     */
    private void softmaxCrossEntropy() {
        int g = getGlobalId(0);
        if (op == SCE_FORWARD) {
            if (g < a3) {
                int row = g * a4;
                int label = iheap[a2 + g];
                float top = heap[a1 + row];
                for (int j = 1; j < a4; j++) {
                    top = max(top, heap[a1 + row + j]);
                }
                float sumExp = 0f;
                for (int j = 0; j < a4; j++) {
                    sumExp += exp(heap[a1 + row + j] - top);
                }
                float logSumExp = log(sumExp);
                float sumLogP = 0f;
                for (int j = 0; j < a4; j++) {
                    float logP = heap[a1 + row + j] - top - logSumExp;
                    heap[a0 + row + j] = exp(logP);
                    sumLogP += logP;
                }
                float logPy = heap[a1 + row + label] - top - logSumExp;
                float rowLoss = -((1f - f0) * logPy + f0 * sumLogP / a4);
                float w = 1f;
                if (a7 != 0) {
                    w = heap[a6 + label];
                }
                heap[a5 + g] = w * rowLoss;
            }
        }
        if (op == SCE_BACKWARD) {
            if (g < a3 * a4) {
                int i = g / a4;
                int label = iheap[a2 + i];
                float offTarget = f0 / a4;
                float target = offTarget;
                if (g % a4 == label) {
                    target = 1f - f0 + offTarget;
                }
                float w = 1f;
                if (a7 != 0) {
                    w = heap[a6 + label];
                }
                heap[a5 + g] = w / a3 * (heap[a0 + g] - target);
            }
        }
    }

    /**
     * SGD: w at a0, g at a1, velocity at a2 (used when a5 != 0), n = a3, a4 nesterov; f0 lr,
     * f1 momentum, f2 weight decay.
     */
    private void sgd() {
        int i = getGlobalId(0);
        if (i < a3) {
            float gi = heap[a1 + i] + f2 * heap[a0 + i];
            float update = gi;
            if (a5 != 0) {
                float vi = f1 * heap[a2 + i] + gi;
                heap[a2 + i] = vi;
                update = vi;
                if (a4 != 0) {
                    update = gi + f1 * vi;
                }
            }
            heap[a0 + i] -= f0 * update;
        }
    }

    /**
     * ADAM: w a0, g a1, m a2, v a3, n = a4, a5 decoupled; f0 lr, f1 beta1, f2 beta2, f3 eps,
     * f4 weight decay, f5 and f6 the bias corrections 1 - beta^t (computed in double on the host).
     */
    private void adam() {
        int i = getGlobalId(0);
        if (i < a4) {
            float wi = heap[a0 + i];
            float gi = heap[a1 + i];
            if (a5 != 0) {
                wi -= f0 * f4 * wi;
            }
            if (a5 == 0) {
                gi += f4 * wi;
            }
            float mi = f1 * heap[a2 + i] + (1f - f1) * gi;
            float vi = f2 * heap[a3 + i] + (1f - f2) * gi * gi;
            heap[a2 + i] = mi;
            heap[a3 + i] = vi;
            float mHat = mi / f5;
            float vHat = vi / f6;
            heap[a0 + i] = wi - f0 * mHat / (sqrt(vHat) + f3);
        }
    }
}
