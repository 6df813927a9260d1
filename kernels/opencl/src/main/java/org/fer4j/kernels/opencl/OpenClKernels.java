package org.fer4j.kernels.opencl;

import com.aparapi.Range;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.exception.CompileFailedException;
import com.aparapi.internal.kernel.KernelManager;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.fer4j.kernels.ConvGeometry;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.ScalarKernels;

/**
 * The OpenCL backend, through Aparapi: every heavy kernel runs on one OpenCL device (a GPU, or a
 * CPU through POCL), and the arrays stay in device memory between calls. See {@code docs/opencl.md}.
 *
 * <h2>How it works</h2>
 * One Aparapi kernel, {@link MegaKernel}, holds all the operations and a device arena: a big
 * {@code float[]} (and an {@code int[]} for max-pool argmax and labels) in which every engine array
 * this backend sees gets a region of its own (an identity map from the array to its region, with
 * weak keys, so a region is freed when its array is garbage). Each region records where the latest
 * data is: on the host, on the device, or both. A kernel's inputs are uploaded only when the host
 * holds newer data; its outputs become device-latest and are not copied back. The engine says when
 * the host touches an array directly ({@link #hostWrote}, {@link #hostRead}, {@link #synchronize}).
 *
 * <p>Small arrays (fewer than {@value #RESIDENT_MIN} elements: biases, batch-norm statistics and
 * parameters, the logits of a usual batch) are not kept resident: they are uploaded before every kernel
 * that reads them and downloaded after every kernel that writes them. That costs a few kilobytes
 * per kernel and makes every host access to them correct without any call from the engine, which
 * reads and writes such arrays in many places (running statistics, biases, the loss's
 * probabilities). The loss's probabilities are always copied back whatever their size, because
 * the trainer reads them on the host (accuracy, confusion matrix) at every batch.
 *
 * <p>Not on the device: {@link #dropoutMask} runs the scalar reference on the host (its
 * SplitMix64 stream needs 64-bit integer maths that is cheap next to the layers around it), and
 * {@link #convForward} is the interface's default, im2col and a tiled SGEMM per image, both on the
 * device. Everything else runs on the device.
 *
 * <p>Never a silent fallback: the kernel is compiled for the chosen device when this object is
 * made (a compile error is reported then, with Aparapi's reason), Aparapi's device preferences for
 * it list that device alone, every range names it, and after every execution
 * {@code isRunningCL()} is checked; if Aparapi ran the Java thread pool instead, the call throws.
 *
 * <p>Thread safety: all methods are synchronized (one device queue; the engine's threads simply
 * take turns).
 */
public final class OpenClKernels implements Kernels {

    /** Arrays shorter than this are copied around every kernel instead of kept on the device. */
    static final int RESIDENT_MIN = 1024;
    /** Work-group size of the 1-D ops. */
    private static final int LOCAL_1D = 64;
    /** Initial arena sizes, in elements; each doubles as needed. */
    private static final int INITIAL_FLOATS = 1 << 20;
    private static final int INITIAL_INTS = 1 << 16;
    /** Regions start on multiples of this (64 bytes). */
    private static final int ALIGN = 16;

    private static final int HOST = 0;   // the host array holds the latest data
    private static final int DEVICE = 1; // the device region does
    private static final int BOTH = 2;   // they are equal

    private final OpenClDevices.DeviceInfo info;
    private final OpenCLDevice device;
    private final MegaKernel k = new MegaKernel();
    private final ScalarKernels host = new ScalarKernels();
    private final OpenClProfile stats = new OpenClProfile();
    private final Handler aparapiLog;
    private volatile String lastAparapiWarning;

    // The arena: regions of k.heap / k.iheap, their owners, and the free blocks (offset -> length).
    private final Map<Key, Region> regions = new HashMap<>();
    private final ReferenceQueue<Object> dead = new ReferenceQueue<>();
    private final FreeList freeFloats = new FreeList();
    private final FreeList freeInts = new FreeList();
    private boolean executed;
    /** Small regions touched by the current kernel, set back to HOST when it ends. */
    private final List<Region> small = new ArrayList<>();
    /** Scratch arrays owned by this backend. */
    private float[] partials = new float[64];
    private float[] rowLoss = new float[0];

    /**
     * Opens the backend on the device {@link OpenClDevices#choose()} picks.
     *
     * @throws IllegalStateException with a one-line reason when OpenCL is missing, the device index
     *     is wrong, or the kernel does not compile for the device
     */
    public static OpenClKernels create() {
        return new OpenClKernels(OpenClDevices.choose());
    }

    /** Opens the backend on one device of {@link OpenClDevices#list()}. */
    public OpenClKernels(OpenClDevices.DeviceInfo info) {
        this.info = info;
        this.device = info.device();
        if (info.maxWorkGroupSize() < MegaKernel.WG) {
            throw new IllegalStateException("OpenCL device " + info.index() + " (" + info.name()
                    + ") allows work-groups of " + info.maxWorkGroupSize() + " work-items; fer4j needs "
                    + MegaKernel.WG);
        }
        aparapiLog = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue() && r.getMessage() != null
                        && !r.getMessage().contains("untested OpenCL platform")
                        && !r.getMessage().contains("unexpected Attribute")
                        && !r.getMessage().contains("LocalVariableTable")) {
                    lastAparapiWarning = r.getMessage();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger aparapi = Logger.getLogger("com.aparapi");
        aparapi.setLevel(java.util.logging.Level.WARNING);
        aparapi.setUseParentHandlers(false);
        aparapi.addHandler(aparapiLog);
        k.setExplicit(true);
        k.heap = new float[INITIAL_FLOATS];
        k.iheap = new int[INITIAL_INTS];
        freeFloats.release(0, INITIAL_FLOATS);
        freeInts.release(0, INITIAL_INTS);
        LinkedHashSet<com.aparapi.device.Device> only = new LinkedHashSet<>();
        only.add(device);
        KernelManager.instance().setPreferredDevices(k, only);
        long t0 = System.nanoTime();
        try {
            k.compile(device);
        } catch (CompileFailedException | RuntimeException e) {
            throw new IllegalStateException("the fer4j OpenCL kernel does not compile for device " + info.index()
                    + " (" + info.name() + "): " + OpenClDevices.oneLine(e));
        }
        // POCL builds a kernel again for every work-group size it is launched with (about 10 s
        // each for this one on a 2-core machine, then cached under ~/.cache/pocl): launch an empty
        // op once per size used here, so that the cost falls now, not inside a timed step.
        k.setOp(0);
        for (Range r : new Range[] {Range.create(device, LOCAL_1D, LOCAL_1D),
                Range.create(device, MegaKernel.WG, MegaKernel.WG), Range.create(device, 1, 1),
                Range.create2D(device, MegaKernel.TS, MegaKernel.TS, MegaKernel.TS, MegaKernel.TS)}) {
            execute(r);
        }
        stats.kernels = 0;
        stats.kernelNanos = 0;
        stats.compileNanos = System.nanoTime() - t0;
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String describe() {
        return "opencl (" + info.describe() + ")";
    }

    /** The device this backend runs on. */
    public OpenClDevices.DeviceInfo device() {
        return info;
    }

    // ================================================================ transfer statistics

    /** Copies between host and device, and kernel executions, since the last {@link #resetStats()}. */
    public record TransferStats(long uploads, long uploadBytes, long uploadNanos,
                                long downloads, long downloadBytes, long downloadNanos,
                                long kernels, long kernelNanos, long arenaGrowths, long compileNanos,
                                long residentDownloads) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "%d uploads (%.2f MB, %.1f ms), %d downloads (%.2f MB, %.1f ms; %d of resident arrays),"
                            + " %d kernels (%.1f ms), %d arena growths",
                    uploads, uploadBytes / 1e6, uploadNanos / 1e6, downloads, downloadBytes / 1e6,
                    downloadNanos / 1e6, residentDownloads, kernels, kernelNanos / 1e6, arenaGrowths);
        }
    }

    public synchronized TransferStats stats() {
        return stats.snapshot();
    }

    public synchronized void resetStats() {
        stats.reset();
    }

    /** Bytes of device memory the arena holds (floats and ints). */
    public synchronized long arenaBytes() {
        return 4L * k.heap.length + 4L * k.iheap.length;
    }

    // ================================================================ coherence (Kernels)

    @Override
    public synchronized void hostWrote(float[] a) {
        Region r = a == null ? null : regions.get(new Key(a));
        if (r != null) {
            r.state = HOST;
        }
    }

    @Override
    public synchronized void hostRead(float[] a) {
        Region r = a == null ? null : regions.get(new Key(a));
        if (r != null && r.state == DEVICE) {
            download(a, r);
            r.state = BOTH;
        }
    }

    /** As {@link #hostRead(float[])}, for the argmax of a max pool. */
    public synchronized void hostRead(int[] a) {
        Region r = a == null ? null : regions.get(new Key(a));
        if (r != null && r.state == DEVICE) {
            download(a, r);
            r.state = BOTH;
        }
    }

    /** As {@link #hostWrote(float[])}, for an int array. */
    public synchronized void hostWrote(int[] a) {
        Region r = a == null ? null : regions.get(new Key(a));
        if (r != null) {
            r.state = HOST;
        }
    }

    @Override
    public synchronized void synchronize() {
        reclaim();
        for (Map.Entry<Key, Region> e : regions.entrySet()) {
            Object a = e.getKey().get();
            Region r = e.getValue();
            if (a != null && r.state == DEVICE) {
                if (a instanceof float[] f) {
                    download(f, r);
                } else {
                    download((int[]) a, r);
                }
            }
            r.state = HOST;
        }
    }

    /**
     * Treats {@code a} as garbage-collected (for tests): enqueues its weak key as the collector
     * would, so that the next allocation frees its region through {@link #reclaim}, the same path
     * as after a real collection. The caller must not pass {@code a} to a kernel again.
     */
    synchronized void collectedForTest(float[] a) {
        for (Key k : regions.keySet()) {
            if (k.get() == a) {
                k.enqueue();  // clears the referent, as a collection does
                return;
            }
        }
        throw new IllegalArgumentException("the array has no region on the device");
    }

    /** Whether the device region of {@code a} holds data newer than the host array (for tests). */
    synchronized boolean deviceLatest(float[] a) {
        Region r = regions.get(new Key(a));
        return r != null && r.state == DEVICE;
    }

    // ================================================================ BLAS-like

    @Override
    public synchronized void sgemm(boolean transA, boolean transB, int m, int n, int k,
                                   float alpha, float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        boolean product = alpha != 0f && k > 0;
        int ao = product ? in(a) : 0;
        int bo = product ? in(b) : 0;
        // C is read unless beta == 0; and it is written in place, so a partial C needs its current data.
        int co = beta == 0f ? out(c, cOff, cSpan(m, n, ldc), ldc == n) : inOut(c);
        begin(MegaKernel.SGEMM);
        this.k.a0 = m;
        this.k.a1 = n;
        this.k.a2 = product ? k : 0;
        this.k.a3 = ao + aOff;
        this.k.a4 = transA ? 1 : lda;
        this.k.a5 = transA ? lda : 1;
        this.k.a6 = bo + bOff;
        this.k.a7 = transB ? 1 : ldb;
        this.k.a8 = transB ? ldb : 1;
        this.k.a9 = co + cOff;
        this.k.a10 = ldc;
        this.k.f0 = product ? alpha : 0f;
        this.k.f1 = beta;
        // One TS x TS work-group per BT x BT block of C (each work-item computes RT x RT of it).
        execute(Range.create2D(device, roundUp(n, MegaKernel.BT) / MegaKernel.RT,
                roundUp(m, MegaKernel.BT) / MegaKernel.RT, MegaKernel.TS, MegaKernel.TS));
        wrote(c);
        end();
    }

    private static int cSpan(int m, int n, int ldc) {
        return (m - 1) * ldc + n;
    }

    @Override
    public synchronized void axpy(float[] y, int yOff, float[] x, int xOff, int n, float alpha) {
        if (n == 0) {
            return;
        }
        int xo = in(x);
        int yo = inOut(y);
        elementwise(MegaKernel.AXPY, yo + yOff, xo + xOff, 0, n, alpha);
        wrote(y);
        end();
    }

    @Override
    public synchronized void scale(float[] x, int off, int n, float alpha) {
        if (n == 0) {
            return;
        }
        int xo = inOut(x);
        elementwise(MegaKernel.SCALE, xo + off, 0, 0, n, alpha);
        wrote(x);
        end();
    }

    @Override
    public synchronized void fill(float[] x, int off, int n, float value) {
        if (n == 0) {
            return;
        }
        int xo = out(x, off, n, true);
        elementwise(MegaKernel.FILL, xo + off, 0, 0, n, value);
        wrote(x);
        end();
    }

    @Override
    public synchronized void add(float[] y, float[] a, float[] b, int n) {
        binary(MegaKernel.ADD, y, a, b, n);
    }

    @Override
    public synchronized void mul(float[] y, float[] a, float[] b, int n) {
        binary(MegaKernel.MUL, y, a, b, n);
    }

    private void binary(int op, float[] y, float[] a, float[] b, int n) {
        if (n == 0) {
            return;
        }
        int ao = in(a);
        int bo = in(b);
        int yo = out(y, 0, n, true);
        elementwise(op, yo, ao, bo, n, 0f);
        wrote(y);
        end();
    }

    private void elementwise(int op, int a0, int a1, int a2, int n, float f0) {
        begin(op);
        k.a0 = a0;
        k.a1 = a1;
        k.a2 = a2;
        k.a3 = n;
        k.f0 = f0;
        execute1D(n);
    }

    @Override
    public synchronized double sumOfSquares(float[] x, int off, int n) {
        if (n == 0) {
            return 0;
        }
        int groups = Math.min(partials.length, (n + MegaKernel.WG - 1) / MegaKernel.WG);
        int xo = in(x);
        int po = out(partials, 0, groups, false);
        begin(MegaKernel.SUMSQ);
        k.a0 = xo + off;
        k.a1 = n;
        k.a2 = po;
        execute(Range.create(device, groups * MegaKernel.WG, MegaKernel.WG));
        wrote(partials); // small: downloaded
        end();
        double sum = 0;
        for (int g = 0; g < groups; g++) {
            sum += partials[g];
        }
        return sum;
    }

    // ================================================================ bias

    @Override
    public synchronized void addBias(float[] y, float[] bias, int n, int c, int spatial) {
        int total = n * c * spatial;
        if (total == 0) {
            return;
        }
        int bo = in(bias);
        int yo = inOut(y);
        begin(MegaKernel.ADD_BIAS);
        k.a0 = yo;
        k.a1 = bo;
        k.a2 = total;
        k.a3 = c;
        k.a4 = spatial;
        execute1D(total);
        wrote(y);
        end();
    }

    /** Two launches (zero the span, then add the bias) instead of one fill per image and channel. */
    @Override
    public synchronized void fillBias(float[] y, int off, float[] bias, int images, int c, int spatial) {
        int total = images * c * spatial;
        if (total == 0) {
            return;
        }
        int bo = in(bias);
        int yo = out(y, off, total, true);
        elementwise(MegaKernel.FILL, yo + off, 0, 0, total, 0f);
        begin(MegaKernel.ADD_BIAS);
        k.a0 = yo + off;
        k.a1 = bo;
        k.a2 = total;
        k.a3 = c;
        k.a4 = spatial;
        execute1D(total);
        wrote(y);
        end();
    }

    @Override
    public synchronized void biasBackward(float[] dbias, float[] dy, int n, int c, int spatial) {
        if (c == 0) {
            return;
        }
        int dyo = n * spatial == 0 ? 0 : in(dy);
        int dbo = inOut(dbias);
        begin(MegaKernel.BIAS_BACKWARD);
        k.a0 = dbo;
        k.a1 = dyo;
        k.a2 = n;
        k.a3 = c;
        k.a4 = spatial;
        execute(Range.create(device, c * MegaKernel.WG, MegaKernel.WG));
        wrote(dbias);
        end();
    }

    // ================================================================ convolution helpers

    @Override
    public synchronized void im2col(float[] col, int colOff, float[] img, int imgOff, ConvGeometry g) {
        int count = g.colSize();
        if (count == 0) {
            return;
        }
        int io = g.imageSize() == 0 ? 0 : in(img);
        int co = out(col, colOff, count, true);
        convArgs(MegaKernel.IM2COL, co + colOff, io + imgOff, g);
        execute1D(count);
        wrote(col);
        end();
    }

    @Override
    public synchronized void col2im(float[] img, int imgOff, float[] col, int colOff, ConvGeometry g) {
        int count = g.imageSize();
        if (count == 0) {
            return;
        }
        int co = g.colSize() == 0 ? 0 : in(col);
        int io = inOut(img);
        convArgs(MegaKernel.COL2IM, co + colOff, io + imgOff, g);
        execute1D(count);
        wrote(img);
        end();
    }

    private void convArgs(int op, int colAt, int imgAt, ConvGeometry g) {
        begin(op);
        k.a0 = colAt;
        k.a1 = imgAt;
        k.a2 = g.channels();
        k.a3 = g.height();
        k.a4 = g.width();
        k.a5 = g.kh();
        k.a6 = g.kw();
        k.a7 = g.strideH();
        k.a8 = g.strideW();
        k.a9 = g.padTop();
        k.a10 = g.padLeft();
        k.a11 = g.outH();
        k.a12 = g.outW();
    }

    // ================================================================ pooling

    @Override
    public synchronized void maxPoolForward(float[] out, int[] argmax, float[] in,
                                            int planes, int height, int width, int kh, int kw,
                                            int strideH, int strideW, int outH, int outW) {
        if ((long) (outH - 1) * strideH + kh > height || (long) (outW - 1) * strideW + kw > width) {
            // The device kernel reads whole windows (and its gathering backward assumes them).
            throw new UnsupportedOperationException("OpenCL backend: maxPoolForward with windows over the"
                    + " edge ('same' padding) is not implemented; use --backend vector or scalar");
        }
        int count = planes * outH * outW;
        if (count == 0) {
            return;
        }
        int io = in(in);
        int oo = out(out, 0, count, true);
        int ao = outInts(argmax, count);
        begin(MegaKernel.MAXPOOL_FORWARD);
        k.a0 = oo;
        k.a1 = ao;
        k.a2 = io;
        k.a3 = planes;
        k.a4 = height;
        k.a5 = width;
        k.a6 = kh;
        k.a7 = kw;
        k.a8 = strideH;
        k.a9 = strideW;
        k.a10 = outH;
        k.a11 = outW;
        execute1D(count);
        wrote(out);
        wrote(argmax);
        // Backward gets only the argmax; remember the geometry that produced it, so that backward
        // can gather per input element instead of scattering (which would need float atomics).
        region(argmax).pool = new int[] {planes, height, width, kh, kw, strideH, strideW, outH, outW};
        end();
    }

    @Override
    public synchronized void maxPoolBackward(float[] din, float[] dout, int[] argmax, int inCount, int outCount) {
        if (inCount == 0) {
            return;
        }
        int[] g = outCount == 0 ? null : region(argmax).pool;
        // Gather per input element when the geometry that wrote this argmax is known (always, in
        // the engine): it writes din[i] only and reads argmax only to compare, so it is safe
        // whatever argmax holds.
        boolean gather = g != null && g[0] * g[7] * g[8] == outCount && g[0] * g[1] * g[2] == inCount;
        if (outCount > 0 && !gather) {
            // The scatter writes din[argmax[o]]: every index must lie in din, or a device write
            // would land in a neighbouring array of the arena.
            hostRead(argmax);
            for (int i = 0; i < outCount; i++) {
                if (argmax[i] < 0 || argmax[i] >= inCount) {
                    throw new IllegalArgumentException("maxPoolBackward: argmax[" + i + "] = " + argmax[i]
                            + " is outside din [0, " + inCount + ")");
                }
            }
        }
        int doo = outCount == 0 ? 0 : in(dout);
        int ao = outCount == 0 ? 0 : argmaxIn(argmax);
        int dio = out(din, 0, inCount, true);
        if (outCount == 0) {
            elementwise(MegaKernel.FILL, dio, 0, 0, inCount, 0f);
        } else if (gather) {
            begin(MegaKernel.MAXPOOL_BACKWARD_GATHER);
            k.a1 = ao;
            k.a3 = g[0];
            k.a4 = g[1];
            k.a5 = g[2];
            k.a6 = g[3];
            k.a7 = g[4];
            k.a8 = g[5];
            k.a9 = g[6];
            k.a10 = g[7];
            k.a11 = g[8];
            k.a12 = dio;
            k.a13 = doo;
            execute1D(inCount);
        } else {
            // The argmax came from the host, so its windows are unknown: one work-item scatters,
            // in order, exactly as the reference does. Correct, and slow; the engine never gets here.
            begin(MegaKernel.MAXPOOL_BACKWARD_SCATTER);
            k.a1 = ao;
            k.a12 = dio;
            k.a13 = doo;
            k.a14 = inCount;
            k.a15 = outCount;
            execute(Range.create(device, 1, 1));
        }
        wrote(din);
        end();
    }

    @Override
    public synchronized void avgPoolGlobalForward(float[] out, float[] in, int planes, int spatial) {
        if (planes == 0) {
            return;
        }
        int io = in(in);
        int oo = out(out, 0, planes, true);
        begin(MegaKernel.AVGPOOL_FORWARD);
        k.a0 = oo;
        k.a2 = io;
        k.a3 = planes;
        k.a4 = spatial;
        execute1D(planes);
        wrote(out);
        end();
    }

    @Override
    public synchronized void avgPoolGlobalBackward(float[] din, float[] dout, int planes, int spatial) {
        if (planes == 0) {
            return;
        }
        int doo = in(dout);
        int dio = out(din, 0, planes * spatial, true);
        begin(MegaKernel.AVGPOOL_BACKWARD);
        k.a3 = planes;
        k.a4 = spatial;
        k.a12 = dio;
        k.a13 = doo;
        execute1D(planes * spatial);
        wrote(din);
        end();
    }

    // ================================================================ batch normalisation

    @Override
    public synchronized void batchNormStats(float[] mean, float[] var, float[] x, int n, int c, int spatial) {
        if (c == 0) {
            return;
        }
        int xo = in(x);
        int mo = out(mean, 0, c, true);
        int vo = out(var, 0, c, true);
        begin(MegaKernel.BN_STATS);
        k.a0 = mo;
        k.a1 = vo;
        k.a2 = xo;
        k.a3 = n;
        k.a4 = c;
        k.a5 = spatial;
        execute(Range.create(device, c * MegaKernel.WG, MegaKernel.WG));
        wrote(mean);
        wrote(var);
        end();
    }

    @Override
    public synchronized void batchNormForward(float[] y, float[] xhat, float[] x, float[] mean, float[] invStd,
                                              float[] gamma, float[] beta, int n, int c, int spatial) {
        long size = (long) n * c * spatial;
        if (size == 0) {
            return;
        }
        int xo = in(x);
        int mo = in(mean);
        int so = in(invStd);
        int go = in(gamma);
        int bo = in(beta);
        int yo = out(y, 0, (int) size, true);
        int ho = xhat == null ? 0 : out(xhat, 0, (int) size, true);
        begin(MegaKernel.BN_FORWARD);
        k.a0 = yo;
        k.a1 = ho;
        k.a2 = xo;
        k.a3 = mo;
        k.a4 = so;
        k.a5 = go;
        k.a6 = bo;
        k.a7 = c;
        k.a8 = spatial;
        k.a9 = xhat == null ? 0 : 1;
        k.a10 = (int) size;
        execute1D((int) size);
        wrote(y);
        if (xhat != null) {
            wrote(xhat);
        }
        end();
    }

    @Override
    public synchronized void batchNormBackward(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] xhat,
                                               float[] invStd, float[] gamma, int n, int c, int spatial) {
        long count = (long) n * spatial;
        long size = count * c;
        if (c == 0) {
            return;
        }
        int dyo = in(dy);
        int ho = in(xhat);
        int so = in(invStd);
        int go = in(gamma);
        int dgo = inOut(dgamma);
        int dbo = inOut(dbeta);
        int dxo = out(dx, 0, (int) size, true);
        begin(MegaKernel.BN_BACKWARD);
        k.a0 = dxo;
        k.a1 = dgo;
        k.a2 = dbo;
        k.a3 = dyo;
        k.a4 = ho;
        k.a5 = so;
        k.a6 = go;
        k.a7 = n;
        k.a8 = c;
        k.a9 = spatial;
        execute(Range.create(device, c * MegaKernel.WG, MegaKernel.WG));
        wrote(dx);
        wrote(dgamma);
        wrote(dbeta);
        end();
    }

    // ================================================================ activations, dropout

    @Override
    public synchronized void reluForward(float[] y, float[] x, int n) {
        if (n == 0) {
            return;
        }
        int xo = in(x);
        int yo = out(y, 0, n, true);
        begin(MegaKernel.RELU_FORWARD);
        k.a0 = yo;
        k.a1 = xo;
        k.a3 = n;
        execute1D(n);
        wrote(y);
        end();
    }

    @Override
    public synchronized void reluInPlace(float[] x, int off, int n) {
        if (n == 0) {
            return;
        }
        int xo = inOut(x);
        begin(MegaKernel.RELU_FORWARD);
        k.a0 = xo + off;
        k.a1 = xo + off;
        k.a3 = n;
        execute1D(n);
        wrote(x);
        end();
    }

    @Override
    public synchronized void reluBackward(float[] dx, float[] dy, float[] y, int n) {
        if (n == 0) {
            return;
        }
        int dyo = in(dy);
        int yo = in(y);
        int dxo = out(dx, 0, n, true);
        begin(MegaKernel.RELU_BACKWARD);
        k.a0 = dxo;
        k.a1 = dyo;
        k.a2 = yo;
        k.a3 = n;
        execute1D(n);
        wrote(dx);
        end();
    }

    /** On the host (the scalar reference), then marked host-latest: see the class comment. */
    @Override
    public synchronized void dropoutMask(float[] mask, int n, float rate, long seed) {
        hostRead(mask); // elements from n on must survive
        host.dropoutMask(mask, n, rate, seed);
        hostWrote(mask);
    }

    // ================================================================ not on this backend

    /** Refused: no device kernel yet (see {@link #unsupported}). */
    @Override
    public void depthwiseConvForward(float[] y, float[] x, float[] weight, float[] bias,
                                     int n, int channels, int height, int width, int kh, int kw,
                                     int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        throw unsupported("depthwiseConvForward");
    }

    /** Refused: no device kernel yet. */
    @Override
    public void depthwiseConvBackward(float[] dx, float[] dweight, float[] dbias, float[] dy, float[] x,
                                      float[] weight, int n, int channels, int height, int width, int kh, int kw,
                                      int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        throw unsupported("depthwiseConvBackward");
    }

    /** Refused: no device kernel yet. */
    @Override
    public void leakyReluForward(float[] y, float[] x, float slope, int n) {
        throw unsupported("leakyReluForward");
    }

    /** Refused: no device kernel yet. */
    @Override
    public void leakyReluBackward(float[] dx, float[] dy, float[] x, float slope, int n) {
        throw unsupported("leakyReluBackward");
    }

    /**
     * The error for an op this backend lacks. It refuses rather than running the host reference,
     * because that would need every array's host copy made current and the result marked
     * host-latest: a silent, slow path (see the class comment: never a silent fallback).
     */
    private static UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException("OpenCL backend: " + op
                + " is not implemented; use --backend vector or scalar");
    }

    // ================================================================ loss

    @Override
    public synchronized double softmaxCrossEntropyForward(float[] probs, float[] logits, int[] labels, int n, int k,
                                                          float smoothing, float[] classWeights) {
        if (rowLoss.length < n) {
            rowLoss = new float[n];
        }
        int lo = in(logits);
        int wo = classWeights == null ? 0 : in(classWeights);
        int yo = labelsIn(labels);
        int po = out(probs, 0, n * k, true);
        int ro = out(rowLoss, 0, n, false);
        begin(MegaKernel.SCE_FORWARD);
        this.k.a0 = po;
        this.k.a1 = lo;
        this.k.a2 = yo;
        this.k.a3 = n;
        this.k.a4 = k;
        this.k.a5 = ro;
        this.k.a6 = wo;
        this.k.a7 = classWeights == null ? 0 : 1;
        this.k.f0 = smoothing;
        execute1D(n);
        wrote(probs);
        wrote(rowLoss);
        end();
        hostRead(rowLoss);
        hostRead(probs); // read on the host at every batch (accuracy), so always brought back
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += rowLoss[i];
        }
        return total / n;
    }

    @Override
    public synchronized void softmaxCrossEntropyBackward(float[] dlogits, float[] probs, int[] labels, int n, int k,
                                                         float smoothing, float[] classWeights) {
        int po = in(probs);
        int wo = classWeights == null ? 0 : in(classWeights);
        int yo = labelsIn(labels);
        int dO = out(dlogits, 0, n * k, true);
        begin(MegaKernel.SCE_BACKWARD);
        this.k.a0 = po;
        this.k.a2 = yo;
        this.k.a3 = n;
        this.k.a4 = k;
        this.k.a5 = dO;
        this.k.a6 = wo;
        this.k.a7 = classWeights == null ? 0 : 1;
        this.k.f0 = smoothing;
        execute1D(n * k);
        wrote(dlogits);
        end();
    }

    // ================================================================ optimizer updates

    @Override
    public synchronized void sgdUpdate(float[] w, float[] g, float[] velocity, int n,
                                       float lr, float momentum, float weightDecay, boolean nesterov) {
        if (n == 0) {
            return;
        }
        int go = in(g);
        int wo = inOut(w);
        int vo = momentum == 0f ? 0 : inOut(velocity);
        begin(MegaKernel.SGD);
        k.a0 = wo;
        k.a1 = go;
        k.a2 = vo;
        k.a3 = n;
        k.a4 = nesterov ? 1 : 0;
        k.a5 = momentum == 0f ? 0 : 1;
        k.f0 = lr;
        k.f1 = momentum;
        k.f2 = weightDecay;
        execute1D(n);
        wrote(w);
        if (momentum != 0f) {
            wrote(velocity);
        }
        end();
    }

    @Override
    public synchronized void adamUpdate(float[] w, float[] g, float[] m, float[] v, int n,
                                        float lr, float beta1, float beta2, float eps, float weightDecay,
                                        boolean decoupled, long t) {
        if (n == 0) {
            return;
        }
        int go = in(g);
        int wo = inOut(w);
        int mo = inOut(m);
        int vo = inOut(v);
        begin(MegaKernel.ADAM);
        k.a0 = wo;
        k.a1 = go;
        k.a2 = mo;
        k.a3 = vo;
        k.a4 = n;
        k.a5 = decoupled ? 1 : 0;
        k.f0 = lr;
        k.f1 = beta1;
        k.f2 = beta2;
        k.f3 = eps;
        k.f4 = weightDecay;
        // As in the reference: 1 - beta^t in double, then rounded once.
        k.f5 = (float) (1.0 - Math.pow(beta1, t));
        k.f6 = (float) (1.0 - Math.pow(beta2, t));
        execute1D(n);
        wrote(w);
        wrote(m);
        wrote(v);
        end();
    }

    // ================================================================ the arena

    /** A weak identity key: equal only to a key of the same array. */
    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object array) {
            super(array);
            hash = System.identityHashCode(array);
        }

        Key(Object array, ReferenceQueue<Object> queue) {
            super(array, queue);
            hash = System.identityHashCode(array);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Key other)) {
                return false;
            }
            Object a = get();
            return a != null && a == other.get();
        }
    }

    /** Where one array lives in the arena, and which side holds its latest data. */
    private static final class Region {
        final int off;
        final int capacity;
        final int length;
        final boolean ints;
        final boolean resident;
        int state = HOST;
        /** For an argmax: the max-pool geometry that wrote it. */
        int[] pool;

        Region(int off, int capacity, int length, boolean ints) {
            this.off = off;
            this.capacity = capacity;
            this.length = length;
            this.ints = ints;
            this.resident = length >= RESIDENT_MIN;
        }
    }

    /** Frees the regions of arrays that have been garbage-collected. */
    private void reclaim() {
        Object ref;
        while ((ref = dead.poll()) != null) {
            Region r = regions.remove((Key) ref);
            if (r != null) {
                (r.ints ? freeInts : freeFloats).release(r.off, r.capacity);
            }
        }
    }

    private Region region(Object array) {
        Region r = regions.get(new Key(array));
        if (r == null) {
            reclaim();
            boolean ints = array instanceof int[];
            int length = ints ? ((int[]) array).length : ((float[]) array).length;
            int capacity = roundUp(Math.max(length, 1), ALIGN);
            int off = allocate(ints, capacity);
            r = new Region(off, capacity, length, ints);
            regions.put(new Key(array, dead), r);
        }
        return r;
    }

    /** A block of {@code capacity} elements of the float or the int arena, grown when none is free. */
    private int allocate(boolean ints, int capacity) {
        FreeList free = ints ? freeInts : freeFloats;
        int off = free.allocate(capacity);
        if (off < 0) {
            grow(ints, capacity);
            off = free.allocate(capacity);
        }
        return off;
    }

    /** Doubles (at least) an arena, keeping the device's data: it is downloaded whole, then re-sent. */
    private void grow(boolean ints, int needed) {
        int old = ints ? k.iheap.length : k.heap.length;
        long wanted = Math.max(2L * old, (long) old + needed);
        long limit = Math.min(Integer.MAX_VALUE - 64, device.getMaxMemAllocSize() / 4);
        if ((long) old + needed > limit) {
            throw new IllegalStateException("opencl: the device arena would need " + (4 * ((long) old + needed) >> 20)
                    + " MiB, more than device " + info.index() + " (" + info.name() + ") allows in one buffer ("
                    + (device.getMaxMemAllocSize() >> 20) + " MiB); use a smaller batch");
        }
        int size = (int) Math.min(wanted, limit);
        long t0 = System.nanoTime();
        if (ints) {
            if (executed) {
                k.get(k.iheap);
            }
            k.iheap = Arrays.copyOf(k.iheap, size);
        } else {
            if (executed) {
                k.get(k.heap);
            }
            k.heap = Arrays.copyOf(k.heap, size);
        }
        // The new array is a new buffer: Aparapi uploads it whole at the next execution.
        long bytes = 4L * old;
        if (executed) {
            stats.downloads++;
            stats.downloadBytes += bytes;
            stats.downloadNanos += System.nanoTime() - t0;
        }
        stats.uploads++;
        stats.uploadBytes += 4L * size;
        stats.growths++;
        (ints ? freeInts : freeFloats).release(old, size - old);
    }

    // ---------------------------------------------------------------- per-kernel residency

    /** The heap offset of {@code a}, with its data current on the device (uploaded if the host's is newer). */
    private int in(float[] a) {
        Region r = region(a);
        if (!r.resident) {
            small.add(r);
        }
        if (r.state == HOST) {
            upload(a, r);
            r.state = BOTH;
        }
        return r.off;
    }

    /** An array the kernel reads and writes in place. */
    private int inOut(float[] a) {
        return in(a);
    }

    /**
     * The heap offset of an output of which the kernel writes {@code [off, off + count)}. When that
     * is the whole array nothing is uploaded; otherwise the rest must survive, so the host's newer
     * data, if any, goes up first. ({@code whole} says the kernel overwrites its span without
     * reading it; kernels that accumulate use {@link #inOut}.)
     */
    private int out(float[] a, int off, int count, boolean whole) {
        Region r = region(a);
        if (!r.resident) {
            small.add(r);
        }
        boolean covers = whole && off == 0 && count == a.length;
        if (r.state == HOST && !covers) {
            upload(a, r);
            r.state = BOTH;
        }
        return r.off;
    }

    /**
     * Labels: small int arrays that the data pipeline refills for every batch without telling
     * anyone, so they are uploaded at every call whatever their size.
     */
    private int labelsIn(int[] a) {
        Region r = region(a);
        small.add(r);
        upload(a, r);
        r.state = BOTH;
        return r.off;
    }

    /** A max-pool argmax, which only kernels write: resident like any float array. */
    private int argmaxIn(int[] a) {
        Region r = region(a);
        if (!r.resident) {
            small.add(r);
        }
        if (r.state == HOST) {
            upload(a, r);
            r.state = BOTH;
        }
        return r.off;
    }

    private int outInts(int[] a, int count) {
        Region r = region(a);
        if (!r.resident) {
            small.add(r);
        }
        if (r.state == HOST && count != a.length) {
            upload(a, r);
            r.state = BOTH;
        }
        return r.off;
    }

    /** After a kernel wrote {@code a}: resident arrays become device-latest, small ones come back now. */
    private void wrote(Object a) {
        Region r = region(a);
        if (r.resident) {
            r.state = DEVICE;
        } else if (a instanceof float[] f) {
            download(f, r);
            r.state = BOTH;
        } else {
            download((int[]) a, r);
            r.state = BOTH;
        }
    }

    /** Ends a kernel call: small arrays count as host-latest again, as the host may write them any time. */
    private void end() {
        for (Region r : small) {
            r.state = HOST;
        }
        small.clear();
    }

    private void begin(int op) {
        k.clearArgs();
        k.setOp(op);
    }

    // ---------------------------------------------------------------- moving data

    /** Size class of a transfer of n elements: the smallest power of two >= n, at least 2^MIN_CLASS. */
    private static int sizeClass(int n) {
        int c = 32 - Integer.numberOfLeadingZeros(Math.max(n, 1) - 1);
        return Math.max(c, MegaKernel.MIN_CLASS);
    }

    private float[] stageFor(int n) {
        int c = sizeClass(n);
        if (c > MegaKernel.MAX_CLASS) {
            throw new IllegalStateException("opencl: cannot move an array of " + n + " floats (at most 2^"
                    + MegaKernel.MAX_CLASS + ")");
        }
        float[] s = k.stage(c);
        if (s.length != 1 << c) {
            s = new float[1 << c];
            k.setStage(c, s);
        }
        k.sc = c;
        return s;
    }

    private void upload(float[] a, Region r) {
        long t0 = System.nanoTime();
        int n = a.length;
        if (n > 0) {
            int keepOp = k.op;
            float[] s = stageFor(n);
            int c = k.sc;
            System.arraycopy(a, 0, s, 0, n);
            k.put(s);
            k.setOp(MegaKernel.COPY_IN);
            k.sc = c;
            k.a0 = r.off;
            k.a1 = n;
            runCopy(n);
            k.setOp(keepOp);
            stats.uploadBytes += 4L * s.length;
        }
        stats.uploads++;
        stats.uploadNanos += System.nanoTime() - t0;
    }

    private void download(float[] a, Region r) {
        long t0 = System.nanoTime();
        int n = a.length;
        if (n > 0) {
            float[] s = stageFor(n);
            int c = k.sc;
            saveArgs();
            k.setOp(MegaKernel.COPY_OUT);
            k.sc = c;
            k.a0 = r.off;
            k.a1 = n;
            runCopy(n);
            k.get(s);
            System.arraycopy(s, 0, a, 0, n);
            restoreArgs();
            stats.downloadBytes += 4L * s.length;
        }
        stats.downloads++;
        if (r.resident) {
            stats.residentDownloads++;
        }
        stats.downloadNanos += System.nanoTime() - t0;
    }

    private void upload(int[] a, Region r) {
        long t0 = System.nanoTime();
        int n = a.length;
        if (n > 0) {
            int keepOp = k.op;
            int[] s = intStage(n);
            System.arraycopy(a, 0, s, 0, n);
            k.put(s);
            int[] saved = savedArgs();
            k.setOp(MegaKernel.ICOPY_IN);
            k.a0 = r.off;
            k.a1 = n;
            runCopy(n);
            restore(saved);
            k.setOp(keepOp);
            stats.uploadBytes += 4L * s.length;
        }
        stats.uploads++;
        stats.uploadNanos += System.nanoTime() - t0;
    }

    private void download(int[] a, Region r) {
        long t0 = System.nanoTime();
        int n = a.length;
        if (n > 0) {
            int[] s = intStage(n);
            saveArgs();
            k.setOp(MegaKernel.ICOPY_OUT);
            k.a0 = r.off;
            k.a1 = n;
            runCopy(n);
            k.get(s);
            System.arraycopy(s, 0, a, 0, n);
            restoreArgs();
            stats.downloadBytes += 4L * s.length;
        }
        stats.downloads++;
        if (r.resident) {
            stats.residentDownloads++;
        }
        stats.downloadNanos += System.nanoTime() - t0;
    }

    /** The one int stage grows to the next power of two; only labels and argmax pass through it. */
    private int[] intStage(int n) {
        if (k.istage.length < n) {
            k.istage = new int[1 << sizeClass(n)];
        }
        return k.istage;
    }

    // Uploads happen while a kernel's arguments are being set: keep them across the copy.
    private int[] saved;

    private int[] savedArgs() {
        return new int[] {k.a0, k.a1, k.sc};
    }

    private void restore(int[] s) {
        k.a0 = s[0];
        k.a1 = s[1];
        k.sc = s[2];
    }

    private void saveArgs() {
        saved = new int[] {k.op, k.sc, k.a0, k.a1};
    }

    private void restoreArgs() {
        k.setOp(saved[0]);
        k.sc = saved[1];
        k.a0 = saved[2];
        k.a1 = saved[3];
    }

    private void runCopy(int n) {
        // The copy's own time counts as transfer time, not kernel time.
        long kernels = stats.kernels;
        long nanos = stats.kernelNanos;
        execute1D(n);
        stats.kernels = kernels;
        stats.kernelNanos = nanos;
    }

    // ---------------------------------------------------------------- execution

    private void execute1D(int count) {
        execute(Range.create(device, roundUp(count, LOCAL_1D), LOCAL_1D));
    }

    private void execute(Range range) {
        long t0 = System.nanoTime();
        lastAparapiWarning = null;
        k.execute(range);
        executed = true;
        if (!k.isRunningCL()) {
            String why = lastAparapiWarning;
            throw new IllegalStateException("opencl: the kernel did not run on OpenCL device " + info.index() + " ("
                    + info.name() + ") but in Aparapi's " + k.getExecutionMode() + " fallback"
                    + (why == null ? "" : ": " + why.replaceAll("\\s+", " ").strip()));
        }
        stats.kernelRan(k.op, System.nanoTime() - t0);
    }

    /**
     * Kernel time by operation since the last {@link #resetStats()}, in milliseconds, largest
     * first: where the device time goes (on POCL, the SGEMM).
     */
    public synchronized LinkedHashMap<String, Double> kernelMillisByOp() {
        return stats.millisByOp();
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
