package org.fer4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM on the Vector API, {@code C = alpha * op(A) * op(B) + beta * C}, in the
 * layered design of GotoBLAS and BLIS (Goto and van de Geijn, "Anatomy of High-Performance Matrix
 * Multiplication", ACM TOMS 2008; Van Zee and van de Geijn, "BLIS", ACM TOMS 2015).
 *
 * <pre>
 * for jc in 0..n step NC                      B block  [KC x NC] ~ half of L2
 *   for pc in 0..k step KC
 *     pack op(B)[pc:pc+KC, jc:jc+NC]  -> bp    panels of NR columns, each KC x NR contiguous
 *     for ic in 0..m step MC                  A block  [MC x KC] ~ a quarter of L2
 *       pack alpha*op(A)[ic:ic+MC, pc:pc+KC] -> ap   panels of MR rows, each KC x MR contiguous
 *                                             (A stored transposed, alpha 1: read in place)
 *       for jr in 0..NC step NR               one B panel (KC x NR, 32 KB) stays in L1 ...
 *         for ir in 0..MC step MR             ... while the A panels stream through from L2
 *           micro-kernel: C[ir:ir+MR, jr:jr+NR] (+)= ap panel . bp panel
 * </pre>
 *
 * <p>The micro-kernel keeps an {@code MR x NR} tile of C in registers: with 512-bit vectors,
 * {@code NR = 2 x 16} floats and {@code MR = 8} rows make 16 accumulators, plus two vectors of B
 * and one broadcast of A: 19 of the 32 registers. Per step of k it loads 2 vectors of B,
 * broadcasts 8 floats of A and issues 16 FMAs, which keeps both FMA pipes busy (the FMA latency
 * of 4 cycles times 2 pipes needs at least 8 independent accumulators). Narrower vectors (AVX2 has
 * only 16 registers) use {@code MR = 6}: 12 accumulators. Packing is what makes the loads cheap:
 * both panels are read strictly sequentially, whatever the transposes and leading dimensions of
 * the operands, and edge panels are padded with zeros so the micro-kernel never branches inside
 * its loop. The micro-kernel spills its accumulators to a small L1-resident tile, and
 * {@code storeTile} stores the part inside C: overwriting or adding, and for convolutions
 * ({@link VectorConv}, which fills B's panels from the image) adding the bias and applying the
 * ReLU on the way (the epilogue), with a scalar loop for edge tiles.
 * (The micro-kernel itself stays plain: C2 must inline every vector operation of the method or it
 * boxes the accumulators, and an epilogue inside it exhausted its inlining budget, at a cost of
 * 20x.)
 *
 * <p>Two packings are skipped where they cost more than they save. A stored transposed
 * ({@code k x m}, as in {@code kernel^T . dy} and {@code x^T . dy}) already holds the MR values of
 * each step side by side, so its full panels are read in place with step {@code lda}; that lifts
 * the dcol products of backward from about 70% to 85-90% of peak. And B stored transposed
 * ({@code n x k}, the {@code dy . col^T} of the weight gradient) is packed through 16 x 16
 * register transposes rather than a scalar loop.
 *
 * <p>Numerics and threads: every element of C is a chain of FMAs over {@code p} in order within
 * a {@code KC} block, added to C block by block; the blocking depends on {@code k} alone. So the
 * result does not depend on how the rows or columns are split over threads, nor on where an
 * element falls in a tile: the same bits for any thread count.
 *
 * <p>Threads: a large product is split into contiguous ranges of NR-column panels (when
 * {@code m <= n}) or MR-row panels (otherwise), whichever makes the threads re-pack the smaller
 * operand, through {@link Parallel}; inside a region that is already parallel (a layer splitting
 * its batch) it runs on the calling thread.
 *
 * <p>{@code m <= SMALL_M} rows (a dense layer at batch 1) skip packing B, which would cost more
 * than the product: B streams through once, as stored, and updates the few rows of C in L1.
 * {@code n < NR/2} columns with many rows (the first convolution's kernel gradient, 32 x 9) are
 * computed transposed, so that the micro-tiles are full.
 */
// Not final only so that the planted-bug test can override storedColumns.
class VectorGemm {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Columns of a micro-tile: two vectors. */
    static final int NR = 2 * L;
    /** Products of at least this many multiply-adds are split over threads. */
    static final long PARALLEL_WORK = 1L << 18;
    /** Up to this many rows, C is computed row by row against the unpacked B. */
    static final int SMALL_M = 4;

    /** Rows of a micro-tile: 8 with 32 vector registers (AVX-512), else 6. */
    final int mr;
    final int kcMax;
    final int mcMax;
    final int ncMax;

    /** Per-thread packing buffers, allocated once per thread and reused by every call. */
    private final ThreadLocal<Workspace> workspace;

    static final class Workspace {
        final float[] ap;
        final float[] bp;
        final float[] tile = new float[8 * NR];
        float[] rows = new float[0];
        float[] swap = new float[0];
        /** A whole kernel packed for many products ({@link #packWhole}). */
        float[] whole = new float[0];
        /** Image offsets of the kernel taps of one K block, for {@code VectorConv.packImage}. */
        final int[] taps;
        /** The kernel row and column of each tap, for {@code VectorConv.packPaddedRun}. */
        final int[] tapRow;
        final int[] tapColumn;

        Workspace(int apSize, int bpSize, int kcMax) {
            ap = new float[apSize];
            bp = new float[bpSize];
            taps = new int[kcMax];
            tapRow = new int[kcMax];
            tapColumn = new int[kcMax];
        }
    }

    /** The blocking for this machine: KC 256 (a 32 KB B panel in L1), MC 192, NC 512. */
    VectorGemm() {
        this(L >= 16 ? 8 : 6, 256, 192, 512);
    }

    /**
     * A given blocking, for tests that push small matrices across every block edge.
     * {@code mcMax} is rounded up to a multiple of {@code mr}, {@code ncMax} to one of NR.
     */
    VectorGemm(int mr, int kcMax, int mcMax, int ncMax) {
        if (mr != 6 && mr != 8) {
            throw new IllegalArgumentException("micro-kernel rows must be 6 or 8, got " + mr);
        }
        this.mr = mr;
        this.kcMax = kcMax;
        this.mcMax = (mcMax + mr - 1) / mr * mr;
        this.ncMax = (ncMax + NR - 1) / NR * NR;
        int apSize = this.mcMax * kcMax;
        int bpSize = this.ncMax * kcMax;
        this.workspace = ThreadLocal.withInitial(() -> new Workspace(apSize, bpSize, kcMax));
    }

    /** Arguments as in {@link Kernels#sgemm}, already checked. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0f || k == 0) {
            scaleC(m, n, beta, c, cOff, ldc);  // as in BLIS: A and B are not read
            return;
        }
        if (m <= SMALL_M) {
            smallM(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        if (n < NR / 2 && m >= NR) {
            swapped(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        product(transA, m, n, k, alpha, a, aOff, lda, null,
                (pc, kc, jc, nc, bp, w) -> packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp), beta, c, cOff, ldc,
                null, false, 0f);
    }

    /**
     * The whole of A ({@code m x k}, stored untransposed, alpha 1) packed as {@link #blocked} would
     * pack it block by block: for the K block at {@code pc} of length {@code kb}, the panel holding
     * row {@code r} (a multiple of mr) starts at {@code pc*mPadded + r*kb}. In this thread's
     * workspace; the threads of a split product only read it.
     */
    float[] packWhole(float[] a, int m, int k) {
        Workspace w = workspace.get();
        int mPadded = (m + mr - 1) / mr * mr;
        if (w.whole.length < mPadded * k) {
            w.whole = new float[mPadded * k];  // grows once per thread to the largest kernel seen
        }
        return packWhole(a, m, k, w.whole);
    }

    /** {@link #packWhole} into a new array of its own, for a caller that keeps it ({@link FixedKernel}). */
    float[] packWholeKept(float[] a, int m, int k) {
        return packWhole(a, m, k, new float[(m + mr - 1) / mr * mr * k]);
    }

    private float[] packWhole(float[] a, int m, int k, float[] into) {
        int mPadded = (m + mr - 1) / mr * mr;
        int kc = kcFor(k);
        for (int pc = 0; pc < k; pc += kc) {
            int kb = Math.min(kc, k - pc);
            packA(false, a, 0, k, 0, m, pc, kb, 1f, into, pc * mPadded);
        }
        return into;
    }

    /** The K block length for a given k: equal blocks (288 = 2 x 144 rather than 256 + 32), no sliver. */
    private int kcFor(int k) {
        int kBlocks = (k + kcMax - 1) / kcMax;
        return (k + kBlocks - 1) / kBlocks;
    }

    /** Where the packed B panels come from: a stored matrix, or an image unfolded on the fly ({@link VectorConv}). */
    @FunctionalInterface
    interface PanelSource {
        /** Packs op(B)[pc:pc+kc, jc:jc+nc] into {@code bp} as {@link #packB} lays it out. */
        void pack(int pc, int kc, int jc, int nc, float[] bp, Workspace w);
    }

    /**
     * The blocked product, split over threads when large: panels of columns, or of rows when m > n.
     * {@code packedA}, when not null, is all of A packed by {@link #packWhole}. The epilogue, for
     * convolutions ({@code beta} 0 only): {@code bias[i]} added to row i of C when not null, and
     * C rectified when {@code relu}.
     */
    void product(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                         float[] packedA, PanelSource b, float beta, float[] c, int cOff, int ldc,
                         float[] bias, boolean relu, float slope) {
        assert beta == 0f || (bias == null && !relu) : "the epilogue is defined for beta 0";
        int mPadded = (m + mr - 1) / mr * mr;
        boolean parallel = (long) m * n * k >= PARALLEL_WORK && Parallel.threads() > 1;
        if (parallel && m <= n) {
            int panels = (n + NR - 1) / NR;
            Parallel.forRange(panels, (p0, p1) -> blocked(transA, 0, m, p0 * NR, Math.min(n, p1 * NR), k,
                    alpha, a, aOff, lda, packedA, mPadded, b, beta, c, cOff, ldc, bias, relu, slope));
        } else if (parallel) {
            int panels = (m + mr - 1) / mr;
            Parallel.forRange(panels, (p0, p1) -> blocked(transA, p0 * mr, Math.min(m, p1 * mr), 0, n, k,
                    alpha, a, aOff, lda, packedA, mPadded, b, beta, c, cOff, ldc, bias, relu, slope));
        } else {
            blocked(transA, 0, m, 0, n, k, alpha, a, aOff, lda, packedA, mPadded, b, beta, c, cOff, ldc,
                    bias, relu, slope);
        }
    }

    /** {@code C[i0:i1, j0:j1]} on this thread, through the five loops around the micro-kernel. */
    private void blocked(boolean transA, int i0, int i1, int j0, int j1, int k,
                         float alpha, float[] a, int aOff, int lda, float[] packedA, int mPadded, PanelSource b,
                         float beta, float[] c, int cOff, int ldc, float[] bias, boolean relu, float slope) {
        Workspace w = workspace.get();
        if (beta != 0f && beta != 1f) {
            scaleC(i1 - i0, j1 - j0, beta, c, cOff + i0 * ldc + j0, ldc);  // then every block adds
        }
        int kc = kcFor(k);
        for (int jc = j0; jc < j1; jc += ncMax) {
            int nc = Math.min(ncMax, j1 - jc);
            for (int pc = 0; pc < k; pc += kc) {
                int kb = Math.min(kc, k - pc);
                b.pack(pc, kb, jc, nc, w.bp, w);
                // With beta 0 the first K block overwrites C (never reading it), adding the bias;
                // the rest add; the last one also rectifies.
                boolean overwrite = pc == 0 && beta == 0f;
                boolean last = pc + kb >= k;
                for (int ic = i0; ic < i1; ic += mcMax) {
                    int mc = Math.min(mcMax, i1 - ic);
                    int aDirect = -1;
                    float[] ap = w.ap;
                    int apBase = 0;
                    if (packedA != null) {
                        // Packed once for many products (packWhole): this block's panels in place.
                        ap = packedA;
                        apBase = pc * mPadded + ic * kb;
                    } else if (transA && alpha == 1f) {
                        // A stored k x m already holds each step's mr values side by side: read
                        // it in place and pack only a last partial panel (padded with zeros).
                        aDirect = aOff + pc * lda + ic;
                        int full = mc / mr * mr;
                        if (full < mc) {
                            packA(true, a, aOff, lda, ic + full, mc - full, pc, kb, alpha, w.ap, full * kb);
                        }
                    } else {
                        packA(transA, a, aOff, lda, ic, mc, pc, kb, alpha, w.ap, 0);
                    }
                    macroKernel(kb, mc, nc, a, aDirect, lda, ap, apBase, w.bp, c, cOff + ic * ldc + jc, ldc,
                            overwrite, overwrite ? bias : null, ic, relu && last, slope, w.tile);
                }
            }
        }
    }

    /**
     * All micro-tiles of one A block times one packed B block. A's full panels come from
     * {@code a} in place when {@code aDirect >= 0} (their first element at {@code aDirect + ir},
     * step {@code lda}); otherwise, and for a last partial panel, from the packed {@code ap}
     * (this block's panels from {@code apBase}). Each tile is computed into {@code tile} and then
     * stored ({@link #storeTile}), with the bias of the block's rows from {@code bias[row0]}.
     */
    private void macroKernel(int kc, int mc, int nc, float[] a, int aDirect, int lda, float[] ap, int apBase,
                             float[] bp, float[] c, int cBase, int ldc, boolean overwrite, float[] bias, int row0,
                             boolean relu, float slope, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int bPanel = jr * kc;  // panel jr/NR starts at (jr/NR) * kc * NR
            for (int ir = 0; ir < mc; ir += mr) {
                int rows = Math.min(mr, mc - ir);
                boolean direct = aDirect >= 0 && rows == mr;
                float[] aArray = direct ? a : ap;
                int aPanel = direct ? aDirect + ir : apBase + ir * kc;
                int aStep = direct ? lda : mr;
                int cTile = cBase + ir * ldc + jr;
                if (mr == 8) {
                    kernel8(kc, aArray, aPanel, aStep, bp, bPanel, tile);
                } else {
                    kernel6(kc, aArray, aPanel, aStep, bp, bPanel, tile);
                }
                storeTile(tile, c, cTile, ldc, rows, cols, overwrite, bias, row0 + ir, relu, slope);
            }
        }
    }

    // ---------------------------------------------------------------- packing

    /**
     * {@code ap} = alpha * op(A)[ic:ic+mc, pc:pc+kc] as panels of {@code mr} rows: element
     * {@code (r, p)} of panel {@code q} at {@code apOff + (q*kc + p)*mr + r}; rows past {@code mc} are 0.
     * Scaling by alpha here costs nothing extra and keeps it out of the micro-kernel.
     */
    private void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                       float alpha, float[] ap, int apOff) {
        for (int i = 0; i < mc; i += mr) {
            int rows = Math.min(mr, mc - i);
            int dst = apOff + i * kc;
            if (transA) {
                // A stored k x m: the mr values of one p are contiguous.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + i;
                    int d = dst + p * mr;
                    for (int r = 0; r < rows; r++) {
                        ap[d + r] = alpha * a[src + r];
                    }
                    for (int r = rows; r < mr; r++) {
                        ap[d + r] = 0f;
                    }
                }
            } else {
                // A stored m x k: walk each row once, writing every mr-th element.
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (ic + i + r) * lda + pc;
                    for (int p = 0; p < kc; p++) {
                        ap[dst + p * mr + r] = alpha * a[src + p];
                    }
                }
                for (int r = rows; r < mr; r++) {
                    for (int p = 0; p < kc; p++) {
                        ap[dst + p * mr + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * {@code bp} = op(B)[pc:pc+kc, jc:jc+nc] as panels of NR columns: element {@code (p, j)} of
     * panel {@code q} at {@code (q*kc + p)*NR + j}; columns past {@code nc} are 0. (Also packs
     * VectorWinograd's V matrices.)
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                      float[] bp) {
        for (int j = 0; j < nc; j += NR) {
            int cols = Math.min(NR, nc - j);
            int dst = j * kc;
            if (!transB) {
                // B stored k x n: each p contributes NR contiguous floats, two vector copies.
                int src = bOff + pc * ldb + jc + j;
                if (cols == NR) {
                    for (int p = 0; p < kc; p++, src += ldb) {
                        FloatVector.fromArray(S, b, src).intoArray(bp, dst + p * NR);
                        FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + p * NR + L);
                    }
                } else {
                    VectorMask<Float> m0 = S.indexInRange(0, cols);
                    VectorMask<Float> m1 = S.indexInRange(L, cols);
                    for (int p = 0; p < kc; p++, src += ldb) {
                        FloatVector.fromArray(S, b, src, m0).intoArray(bp, dst + p * NR);
                        FloatVector.fromArray(S, b, src + L, m1).intoArray(bp, dst + p * NR + L);
                    }
                }
            } else {
                // B stored n x k: a transpose. Column j of op(B) is the contiguous row j of b.
                int p0 = 0;
                if (L == 16 && cols == NR) {
                    // Whole 16 x 16 blocks through registers; the scalar loop below does the rest.
                    for (; p0 <= kc - 16; p0 += 16) {
                        int src = bOff + (jc + j) * ldb + pc + p0;
                        transpose16(b, src, ldb, bp, dst + p0 * NR);
                        transpose16(b, src + 16 * ldb, ldb, bp, dst + p0 * NR + 16);
                    }
                }
                for (int jj = 0; jj < cols && p0 < kc; jj++) {
                    int src = bOff + (jc + j + jj) * ldb + pc;
                    for (int p = p0; p < kc; p++) {
                        bp[dst + p * NR + jj] = b[src + p];
                    }
                }
                for (int jj = cols; jj < NR; jj++) {
                    for (int p = 0; p < kc; p++) {
                        bp[dst + p * NR + jj] = 0f;
                    }
                }
            }
        }
    }

    /** Butterfly shuffles of {@link #transpose16}: stage s swaps blocks of 8 >> s lanes (16-lane vectors only). */
    private static final VectorShuffle<Float>[] LOW = L == 16 ? butterflies(false) : null;
    private static final VectorShuffle<Float>[] HIGH = L == 16 ? butterflies(true) : null;

    @SuppressWarnings({"unchecked", "rawtypes"})  // generic array creation
    private static VectorShuffle<Float>[] butterflies(boolean high) {
        VectorShuffle<Float>[] stages = new VectorShuffle[4];
        for (int stage = 0; stage < 4; stage++) {
            int block = 8 >> stage;
            int[] index = new int[L];
            for (int l = 0; l < L; l++) {
                // Two-vector rearrange: an index below 0 reads the second vector, at index + L.
                boolean second = (l & block) != 0;
                index[l] = high ? (second ? l - L : l + block) : (second ? l - block - L : l);
            }
            stages[stage] = VectorShuffle.fromArray(S, index, 0);
        }
        return stages;
    }

    /**
     * {@code dst[p*NR + r] = src[s + r*lds + p]} for a 16 x 16 block: 16 row loads, four butterfly
     * stages of two-vector rearranges, then 16 stores. About 0.2 ns an element against 0.4 for the
     * scalar loop, whose stores stride by NR. Only for 16-float vectors.
     *
     * <p>Why four stages transpose: write a row number {@code i} and a lane number {@code l} in four
     * bits each. Transposing moves the element at (row {@code i}, lane {@code l}) to (row {@code l},
     * lane {@code i}), that is, it swaps all four bits of the row number with those of the lane
     * number, and it can do so one bit at a time. Stage {@code s} swaps bit {@code 3 - s}: with
     * {@code block = 8 >> s}, it pairs each row {@code i} that has that bit clear with row
     * {@code i + block}; the first keeps its lanes whose bit is clear and takes, into the lanes whose
     * bit is set, the partner's lanes whose bit is clear ({@code LOW}); the partner gets the rest
     * ({@code HIGH}). For stage 0 and rows 0 and 8 that is
     * <pre>
     * r0 = [a0..a7 | a8..a15]        r0' = [a0..a7 | b0..b7]     (LOW:  low halves of r0 and r8)
     * r8 = [b0..b7 | b8..b15]   ->   r8' = [a8..a15 | b8..b15]   (HIGH: high halves of r0 and r8)
     * </pre>
     * which swaps the two off-diagonal 8 x 8 blocks; stages 1-3 do the same inside blocks of 4, 2
     * and 1. Each line below is one pair: both results are computed before either row is replaced.
     */
    static void transpose16(float[] src, int s, int lds, float[] dst, int d) {
        FloatVector r0 = FloatVector.fromArray(S, src, s);
        FloatVector r1 = FloatVector.fromArray(S, src, s + lds);
        FloatVector r2 = FloatVector.fromArray(S, src, s + 2 * lds);
        FloatVector r3 = FloatVector.fromArray(S, src, s + 3 * lds);
        FloatVector r4 = FloatVector.fromArray(S, src, s + 4 * lds);
        FloatVector r5 = FloatVector.fromArray(S, src, s + 5 * lds);
        FloatVector r6 = FloatVector.fromArray(S, src, s + 6 * lds);
        FloatVector r7 = FloatVector.fromArray(S, src, s + 7 * lds);
        FloatVector r8 = FloatVector.fromArray(S, src, s + 8 * lds);
        FloatVector r9 = FloatVector.fromArray(S, src, s + 9 * lds);
        FloatVector r10 = FloatVector.fromArray(S, src, s + 10 * lds);
        FloatVector r11 = FloatVector.fromArray(S, src, s + 11 * lds);
        FloatVector r12 = FloatVector.fromArray(S, src, s + 12 * lds);
        FloatVector r13 = FloatVector.fromArray(S, src, s + 13 * lds);
        FloatVector r14 = FloatVector.fromArray(S, src, s + 14 * lds);
        FloatVector r15 = FloatVector.fromArray(S, src, s + 15 * lds);
        FloatVector t;
        VectorShuffle<Float> lo = LOW[0];
        VectorShuffle<Float> hi = HIGH[0];
        t = r0.rearrange(lo, r8); r8 = r0.rearrange(hi, r8); r0 = t;
        t = r1.rearrange(lo, r9); r9 = r1.rearrange(hi, r9); r1 = t;
        t = r2.rearrange(lo, r10); r10 = r2.rearrange(hi, r10); r2 = t;
        t = r3.rearrange(lo, r11); r11 = r3.rearrange(hi, r11); r3 = t;
        t = r4.rearrange(lo, r12); r12 = r4.rearrange(hi, r12); r4 = t;
        t = r5.rearrange(lo, r13); r13 = r5.rearrange(hi, r13); r5 = t;
        t = r6.rearrange(lo, r14); r14 = r6.rearrange(hi, r14); r6 = t;
        t = r7.rearrange(lo, r15); r15 = r7.rearrange(hi, r15); r7 = t;
        lo = LOW[1];
        hi = HIGH[1];
        t = r0.rearrange(lo, r4); r4 = r0.rearrange(hi, r4); r0 = t;
        t = r1.rearrange(lo, r5); r5 = r1.rearrange(hi, r5); r1 = t;
        t = r2.rearrange(lo, r6); r6 = r2.rearrange(hi, r6); r2 = t;
        t = r3.rearrange(lo, r7); r7 = r3.rearrange(hi, r7); r3 = t;
        t = r8.rearrange(lo, r12); r12 = r8.rearrange(hi, r12); r8 = t;
        t = r9.rearrange(lo, r13); r13 = r9.rearrange(hi, r13); r9 = t;
        t = r10.rearrange(lo, r14); r14 = r10.rearrange(hi, r14); r10 = t;
        t = r11.rearrange(lo, r15); r15 = r11.rearrange(hi, r15); r11 = t;
        lo = LOW[2];
        hi = HIGH[2];
        t = r0.rearrange(lo, r2); r2 = r0.rearrange(hi, r2); r0 = t;
        t = r1.rearrange(lo, r3); r3 = r1.rearrange(hi, r3); r1 = t;
        t = r4.rearrange(lo, r6); r6 = r4.rearrange(hi, r6); r4 = t;
        t = r5.rearrange(lo, r7); r7 = r5.rearrange(hi, r7); r5 = t;
        t = r8.rearrange(lo, r10); r10 = r8.rearrange(hi, r10); r8 = t;
        t = r9.rearrange(lo, r11); r11 = r9.rearrange(hi, r11); r9 = t;
        t = r12.rearrange(lo, r14); r14 = r12.rearrange(hi, r14); r12 = t;
        t = r13.rearrange(lo, r15); r15 = r13.rearrange(hi, r15); r13 = t;
        lo = LOW[3];
        hi = HIGH[3];
        t = r0.rearrange(lo, r1); r1 = r0.rearrange(hi, r1); r0 = t;
        t = r2.rearrange(lo, r3); r3 = r2.rearrange(hi, r3); r2 = t;
        t = r4.rearrange(lo, r5); r5 = r4.rearrange(hi, r5); r4 = t;
        t = r6.rearrange(lo, r7); r7 = r6.rearrange(hi, r7); r6 = t;
        t = r8.rearrange(lo, r9); r9 = r8.rearrange(hi, r9); r8 = t;
        t = r10.rearrange(lo, r11); r11 = r10.rearrange(hi, r11); r10 = t;
        t = r12.rearrange(lo, r13); r13 = r12.rearrange(hi, r13); r12 = t;
        t = r14.rearrange(lo, r15); r15 = r14.rearrange(hi, r15); r14 = t;
        r0.intoArray(dst, d);
        r1.intoArray(dst, d + NR);
        r2.intoArray(dst, d + 2 * NR);
        r3.intoArray(dst, d + 3 * NR);
        r4.intoArray(dst, d + 4 * NR);
        r5.intoArray(dst, d + 5 * NR);
        r6.intoArray(dst, d + 6 * NR);
        r7.intoArray(dst, d + 7 * NR);
        r8.intoArray(dst, d + 8 * NR);
        r9.intoArray(dst, d + 9 * NR);
        r10.intoArray(dst, d + 10 * NR);
        r11.intoArray(dst, d + 11 * NR);
        r12.intoArray(dst, d + 12 * NR);
        r13.intoArray(dst, d + 13 * NR);
        r14.intoArray(dst, d + 14 * NR);
        r15.intoArray(dst, d + 15 * NR);
    }

    // ---------------------------------------------------------------- micro-kernels

    /**
     * What {@link #kernel8} and {@link #kernel6} compute, written to be read: {@code tile[r][j]} =
     * the sum over {@code p} of {@code A[r][p] * B[p][j]}, with A's step-p values at
     * {@code ap[ai + p*as]} and B's at {@code bp[bi + p*NR]}. Each element is one FMA chain in
     * order of p from 0, as in each lane of the vector kernels, so the bits are the same
     * ({@code VectorKernelsTest} checks). Not called by the GEMM: it is the reference for readers.
     */
    static void microKernelReference(int rows, int kc, float[] ap, int ai, int as, float[] bp, int bi, float[] tile) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < NR; j++) {
                float sum = 0f;
                for (int p = 0; p < kc; p++) {
                    sum = Math.fma(ap[ai + p * as + r], bp[bi + p * NR + j], sum);
                }
                tile[r * NR + j] = sum;
            }
        }
    }

    /**
     * {@code tile [8 x NR]} = A panel [8 x kc] . B panel [kc x NR], the micro-kernel: the loops of
     * {@link #microKernelReference} with the 8 x NR sums held in 16 vector registers. The 8 values
     * of A for step p are contiguous, at {@code ap[ai + p*as]}: {@code as} is 8 in a packed panel,
     * {@code lda} when A is read in place (stored transposed).
     */
    static void kernel8(int kc, float[] ap, int ai, int as, float[] bp, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++) {
            int a = ai + p * as;
            int b = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector x = FloatVector.broadcast(S, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[a + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[a + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // Spill the accumulators to the L1-resident scratch tile; the caller stores C from there.
        // This method stays one straight path of vector operations that C2 can always inline in
        // full: with the store variants (overwrite, accumulate, edge) inline it was large enough
        // that a recompilation after an uncommon trap could run out of C2's inlining budget,
        // leave x.fma(...) as a call and box every vector, 10x slower for the rest of the run
        // (seen in about one run in eight on a loaded machine; see docs/kernels-notes.md). The
        // spill costs 2 x 16 L1 accesses per tile against 16 x kc FMAs.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
    }

    /** The 6-row variant of {@link #kernel8}, for machines with 16 vector registers. */
    static void kernel6(int kc, float[] ap, int ai, int as, float[] bp, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int a = ai + p * as;
            int b = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector x = FloatVector.broadcast(S, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // Spill to scratch, as kernel8 does and for the same reason.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /**
     * The part of a computed tile that lies inside C, {@code rows x cols} from {@code tile} (rows
     * of NR floats) into C at {@code ci}: {@code C = tile + bias[row]} when {@code overwrite}
     * ({@code bias} null: no bias), else {@code C += tile}; then {@code C = max(C, 0)} when
     * {@code relu}, or {@code C = max(C, slope * C)} (a leaky ReLU, the same bits as
     * {@code C > 0 ? C : slope * C} for a slope in (0, 1)) when {@code relu} with a slope. The
     * epilogue of a convolution, so that its output is written once: adding the tile to C, or the
     * bias to the tile, gives the same bits in either order.
     */
    private void storeTile(float[] tile, float[] c, int ci, int ldc, int rows, int cols, boolean overwrite,
                           float[] bias, int row0, boolean relu, float slope) {
        int stored = storedColumns(cols);
        if (stored != NR) {
            storeEdge(tile, c, ci, ldc, rows, stored, overwrite, bias, row0, relu, slope);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int t = r * NR;
            int o = ci + r * ldc;
            FloatVector v0 = FloatVector.fromArray(S, tile, t);
            FloatVector v1 = FloatVector.fromArray(S, tile, t + L);
            if (!overwrite) {
                v0 = v0.add(FloatVector.fromArray(S, c, o));
                v1 = v1.add(FloatVector.fromArray(S, c, o + L));
            } else if (bias != null) {
                v0 = v0.add(bias[row0 + r]);
                v1 = v1.add(bias[row0 + r]);
            }
            if (relu && slope == 0f) {
                // lanewise MAX is Math.max: a NaN passes through, as in the reference's ReLU
                v0 = v0.max(0f);
                v1 = v1.max(0f);
            } else if (relu) {
                v0 = v0.max(v0.mul(slope));
                v1 = v1.max(v1.mul(slope));
            }
            v0.intoArray(c, o);
            v1.intoArray(c, o + L);
        }
    }

    /**
     * How many of a tile's {@code cols} columns inside C are stored: all of them. A hook for the
     * planted-bug test only, whose subclass returns {@code cols - 1} (every tile, full or edge, one
     * column short) to show that the GEMM tests notice. No subclass exists outside the tests, so
     * the JIT inlines this to {@code cols}.
     */
    int storedColumns(int cols) {
        return cols;
    }

    private void storeEdge(float[] tile, float[] c, int ci, int ldc, int rows, int cols, boolean overwrite,
                           float[] bias, int row0, boolean relu, float slope) {
        for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < cols; j++) {
                float v = tile[r * NR + j];
                if (!overwrite) {
                    v = c[row + j] + v;
                } else if (bias != null) {
                    v = v + bias[row0 + r];
                }
                c[row + j] = !relu ? v : slope == 0f ? Math.max(v, 0f) : v > 0f ? v : slope * v;
            }
        }
    }

    // ---------------------------------------------------------------- small m, small n, and C-only cases

    /**
     * A thin C (fewer than NR/2 columns, such as the first convolution's 32 x 9 kernel gradient)
     * would leave most of every micro-tile idle. Its transpose is wide: {@code C^T = op(B)^T .
     * op(A)^T}, computed into scratch by the blocked path (op(B)^T is B read with the transpose
     * flag flipped, likewise op(A)^T), then added into C transposed.
     */
    private void swapped(boolean transA, boolean transB, int m, int n, int k,
                         float alpha, float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb,
                         float beta, float[] c, int cOff, int ldc) {
        Workspace w = workspace.get();
        if (w.swap.length < m * n) {
            w.swap = new float[m * n];  // grows once per thread to the largest thin C seen
        }
        float[] t = w.swap;
        // t [n, m] = op(B)^T [n, k] . op(A)^T [k, m]
        sgemm(!transB, !transA, n, m, k, alpha, b, bOff, ldb, a, aOff, lda, 0f, t, 0, m);
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? t[j * m + i] : beta * c[row + j] + t[j * m + i];
            }
        }
    }

    /**
     * {@code m <= SMALL_M} rows: alpha*op(A) is copied into a contiguous {@code [m, k]} buffer and
     * each row of C is computed against B as stored: as row-times-matrix FMAs when B is not
     * transposed (B streams once per row, as it must), as dot products when it is (both operands
     * then contiguous). Split over columns of C when large; each element is the same FMA chain
     * whatever the split.
     */
    private void smallM(boolean transA, boolean transB, int m, int n, int k,
                        float alpha, float[] a, int aOff, int lda,
                        float[] b, int bOff, int ldb,
                        float beta, float[] c, int cOff, int ldc) {
        Workspace w = workspace.get();
        if (w.rows.length < m * k) {
            w.rows = new float[m * k];  // grows once per thread to the largest m*k seen
        }
        float[] rows = w.rows;
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                rows[i * k + p] = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
            }
        }
        if ((long) m * n * k >= PARALLEL_WORK) {
            // Columns in units of 4 vectors, so that chunks keep the unrolled loop busy.
            int unit = 4 * L;
            int units = (n + unit - 1) / unit;
            Parallel.forRange(units, (u0, u1) -> smallMColumns(transB, m, Math.min(n, u0 * unit),
                    Math.min(n, u1 * unit), k, rows, b, bOff, ldb, beta, c, cOff, ldc));
        } else {
            smallMColumns(transB, m, 0, n, k, rows, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    private void smallMColumns(boolean transB, int m, int j0, int j1, int k, float[] rows,
                               float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (transB) {
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * ldc;
                for (int j = j0; j < j1; j++) {
                    float dot = dot(rows, i * k, b, bOff + j * ldb, k);
                    c[cRow + j] = beta == 0f ? dot : beta * c[cRow + j] + dot;
                }
            }
            return;
        }
        // C rows start as beta * C, then B streams through row by row, four rows per pass: each
        // pass reads four contiguous runs of B (what the prefetchers like best) and updates the
        // m rows of C, which stay in L1. Every element is still one FMA chain over p in order.
        for (int i = 0; i < m; i++) {
            scaleRow(c, cOff + i * ldc + j0, j1 - j0, beta);
        }
        int p = 0;
        for (; p <= k - 4; p += 4) {
            int b0 = bOff + p * ldb;
            for (int i = 0; i < m; i++) {
                rowUpdate4(rows, i * k + p, b, b0, ldb, c, cOff + i * ldc, j0, j1);
            }
        }
        for (; p < k; p++) {
            int b0 = bOff + p * ldb;
            for (int i = 0; i < m; i++) {
                rowUpdate1(rows[i * k + p], b, b0, c, cOff + i * ldc, j0, j1);
            }
        }
    }

    /** {@code c[cRow + j] += sum_{q<4} row[r+q] * b[b0 + q*ldb + j]}, as four FMAs in q order. */
    private static void rowUpdate4(float[] row, int r, float[] b, int b0, int ldb,
                                   float[] c, int cRow, int j0, int j1) {
        FloatVector a0 = FloatVector.broadcast(S, row[r]);
        FloatVector a1 = FloatVector.broadcast(S, row[r + 1]);
        FloatVector a2 = FloatVector.broadcast(S, row[r + 2]);
        FloatVector a3 = FloatVector.broadcast(S, row[r + 3]);
        int j = j0;
        for (; j <= j1 - L; j += L) {
            FloatVector s = FloatVector.fromArray(S, c, cRow + j);
            s = a0.fma(FloatVector.fromArray(S, b, b0 + j), s);
            s = a1.fma(FloatVector.fromArray(S, b, b0 + ldb + j), s);
            s = a2.fma(FloatVector.fromArray(S, b, b0 + 2 * ldb + j), s);
            s = a3.fma(FloatVector.fromArray(S, b, b0 + 3 * ldb + j), s);
            s.intoArray(c, cRow + j);
        }
        if (j < j1) {
            VectorMask<Float> m = S.indexInRange(j, j1);
            FloatVector s = FloatVector.fromArray(S, c, cRow + j, m);
            s = a0.fma(FloatVector.fromArray(S, b, b0 + j, m), s);
            s = a1.fma(FloatVector.fromArray(S, b, b0 + ldb + j, m), s);
            s = a2.fma(FloatVector.fromArray(S, b, b0 + 2 * ldb + j, m), s);
            s = a3.fma(FloatVector.fromArray(S, b, b0 + 3 * ldb + j, m), s);
            s.intoArray(c, cRow + j, m);
        }
    }

    /** {@code c[cRow + j] += x * b[b0 + j]}: the last rows of B when k is not a multiple of 4. */
    private static void rowUpdate1(float x, float[] b, int b0, float[] c, int cRow, int j0, int j1) {
        FloatVector a = FloatVector.broadcast(S, x);
        for (int j = j0; j < j1; j += L) {
            VectorMask<Float> m = S.indexInRange(j, j1);
            a.fma(FloatVector.fromArray(S, b, b0 + j, m), FloatVector.fromArray(S, c, cRow + j, m))
                    .intoArray(c, cRow + j, m);
        }
    }

    /** {@code c[i, i+len) *= beta}, or zeros for beta 0 (C unread). */
    private static void scaleRow(float[] c, int i, int len, float beta) {
        if (beta == 0f) {
            java.util.Arrays.fill(c, i, i + len, 0f);
        } else if (beta != 1f) {
            for (int j = 0; j < len; j += L) {
                VectorMask<Float> m = S.indexInRange(j, len);
                FloatVector.fromArray(S, c, i + j, m).mul(beta).intoArray(c, i + j, m);
            }
        }
    }

    /** {@code sum_p x[xi + p] * y[yi + p]}: four accumulators, then one, then the scalar tail. */
    static float dot(float[] x, int xi, float[] y, int yi, int k) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (; p <= k - 4 * L; p += 4 * L) {
            s0 = FloatVector.fromArray(S, x, xi + p).fma(FloatVector.fromArray(S, y, yi + p), s0);
            s1 = FloatVector.fromArray(S, x, xi + p + L).fma(FloatVector.fromArray(S, y, yi + p + L), s1);
            s2 = FloatVector.fromArray(S, x, xi + p + 2 * L).fma(FloatVector.fromArray(S, y, yi + p + 2 * L), s2);
            s3 = FloatVector.fromArray(S, x, xi + p + 3 * L).fma(FloatVector.fromArray(S, y, yi + p + 3 * L), s3);
        }
        for (; p <= k - L; p += L) {
            s0 = FloatVector.fromArray(S, x, xi + p).fma(FloatVector.fromArray(S, y, yi + p), s0);
        }
        float sum = Lanes.sum(s0.add(s1).add(s2.add(s3)));
        for (; p < k; p++) {
            sum = Math.fma(x[xi + p], y[yi + p], sum);
        }
        return sum;
    }

    /** {@code C = beta * C} (zeros for beta 0, so that NaN in a recycled C does not survive). */
    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                int j = 0;
                for (; j <= n - L; j += L) {
                    FloatVector.fromArray(S, c, row + j).mul(beta).intoArray(c, row + j);
                }
                for (; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }
}
