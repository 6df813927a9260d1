package org.fer4j.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Random calls of every kernel with arguments that {@link CheckedKernels} accepts, for the
 * contract that no backend rejects what the facade accepts ({@code FacadeAcceptanceTest}, and the
 * OpenCL module's own run of the same calls). Public, with the kernels' test jar, for that module.
 *
 * <p>The calls go to the edges the checks allow, since that is where a backend's own assumptions
 * show: sizes of 0 and 1 as often as larger ones, offsets, leading dimensions wider than their
 * rows, null arrays where the span is empty or the contract allows none (bias, xhat, velocity
 * without momentum, class weights), aliased outputs, windows that overhang the image, and every
 * array exactly as long as its span from its offset, so that a backend touching one element too
 * many fails on the spot.
 */
public final class ValidCalls {

    /**
     * One call: the kernel's name, its sizes for the failure message, and the call itself, which
     * allocates its own arrays from a fixed seed each time it runs, so that every backend gets the
     * same, fresh inputs.
     */
    public record Call(String kernel, String sizes, Consumer<Kernels> run) {
        @Override
        public String toString() {
            return kernel + "(" + sizes + ")";
        }
    }

    /** Sizes drawn for one call, and the arrays filled from the call's own seed when it runs. */
    /** A max-pooling call's sizes. */
    private record Pool(int planes, int h, int w, int kh, int kw, int sh, int sw, int outH, int outW) {
        long outCount() {
            return (long) planes * outH * outW;
        }
    }

    /** Pooling sizes where every window starts inside the plane; the last may overhang ("same" pooling). */
    private static Pool pool(Draw d) {
        int planes = d.size("planes", 5);
        int h = d.between("height", 1, 13);
        int w = d.between("width", 1, 13);
        int kh = d.between("kh", 1, 3);
        int kw = d.between("kw", 1, 3);
        int sh = d.between("strideH", 1, 3);
        int sw = d.between("strideW", 1, 3);
        return new Pool(planes, h, w, kh, kw, sh, sw, d.between("outH", 0, (h - 1) / sh + 1),
                d.between("outW", 0, (w - 1) / sw + 1));
    }

    private static final class Draw {
        final SplittableRandom r;
        final StringBuilder sizes = new StringBuilder();

        Draw(SplittableRandom r) {
            this.r = r;
        }

        /** 0 one time in six, 1 one time in six, else up to {@code max}; recorded under {@code name}. */
        int size(String name, int max) {
            int roll = r.nextInt(6);
            int v = roll == 0 ? 0 : roll == 1 ? 1 : 1 + r.nextInt(max);
            return record(name, v);
        }

        int between(String name, int lo, int hi) {
            return record(name, lo + r.nextInt(hi - lo + 1));
        }

        int record(String name, int v) {
            sizes.append(sizes.isEmpty() ? "" : ", ").append(name).append('=').append(v);
            return v;
        }

        boolean coin() {
            return r.nextBoolean();
        }
    }

    /** Fills arrays when a call runs. */
    private static final class Arrays {
        final SplittableRandom r;

        Arrays(long seed) {
            r = new SplittableRandom(seed);
        }

        /**
         * {@code off + count} uniform values in [-1, 1), or null when {@code count} is 0 and
         * {@code nullWhenEmpty} (the facade allows a null array for an empty span).
         */
        float[] floats(int off, long count, boolean nullWhenEmpty) {
            if (count == 0 && nullWhenEmpty) {
                return null;
            }
            float[] a = new float[Math.toIntExact(off + count)];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextDouble() * 2 - 1);
            }
            return a;
        }

        float[] positive(int count) {
            float[] a = new float[count];
            for (int i = 0; i < count; i++) {
                a[i] = (float) (0.5 + r.nextDouble());
            }
            return a;
        }
    }

    private record Kernel(String name, Function<Draw, Body> draw) {
    }

    private ValidCalls() {
    }

    /** {@code perKernel} random valid calls of each kernel, the same for the same seed. */
    public static List<Call> draw(long seed, int perKernel) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Call> calls = new ArrayList<>();
        for (Kernel kernel : KERNELS) {
            for (int i = 0; i < perKernel; i++) {
                Draw d = new Draw(r.split());
                Body body = kernel.draw().apply(d);
                long arraySeed = r.nextLong();
                calls.add(new Call(kernel.name(), d.sizes.toString(), k -> body.run(k, new Arrays(arraySeed))));
            }
        }
        return calls;
    }

    /**
     * Runs every call on {@code kernels} and lists the ones that threw, one line each with the
     * kernel, its sizes and the exception; empty when all ran. An {@link UnsupportedOperationException}
     * saying "not implemented" is a backend refusing an operation it lacks, not a rejected argument,
     * and is not listed.
     */
    public static List<String> rejected(Kernels kernels, List<Call> calls) {
        List<String> failures = new ArrayList<>();
        for (Call call : calls) {
            try {
                call.run().accept(kernels);
            } catch (UnsupportedOperationException e) {
                if (e.getMessage() == null || !e.getMessage().contains("not implemented")) {
                    failures.add(call + ": " + e + where(e));
                }
            } catch (RuntimeException e) {
                failures.add(call + ": " + e + where(e));
            }
        }
        return failures;
    }

    /** " at" the innermost frame of fer4j's main code that threw, for the failure line. */
    private static String where(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith("org.fer4j.") && !frame.getClassName().contains("ValidCalls")) {
                return " at " + frame;
            }
        }
        return "";
    }

    /** Calls one of the kernels of {@link Kernels} with the arrays of a draw. */
    private interface Body {
        void run(Kernels k, Arrays a);
    }

    // Each entry draws the sizes (recorded for the message) and returns the call, which allocates
    // its arrays when it runs, so that the same draw runs on every backend.
    private static final List<Kernel> KERNELS = List.of(
            kernel("sgemm", d -> {
                boolean transA = d.coin();
                boolean transB = d.coin();
                int m = d.size("m", 40);
                int n = d.size("n", 40);
                int k = d.size("k", 40);
                int lda = d.record("lda", Math.max(1, transA ? m : k) + d.r.nextInt(3));
                int ldb = d.record("ldb", Math.max(1, transB ? k : n) + d.r.nextInt(3));
                int ldc = d.record("ldc", Math.max(1, n) + d.r.nextInt(3));
                int aOff = d.r.nextInt(3);
                int bOff = d.r.nextInt(3);
                int cOff = d.r.nextInt(3);
                float alpha = d.coin() ? 1f : 0.5f;
                float beta = new float[] {0f, 1f, 0.25f}[d.r.nextInt(3)];
                d.record(transA ? "transA" : "A", 0);
                d.record(transB ? "transB" : "B", 0);
                return call((kk, a) -> kk.sgemm(transA, transB, m, n, k, alpha,
                        a.floats(aOff, stored(transA ? k : m, transA ? m : k, lda), true), aOff, lda,
                        a.floats(bOff, stored(transB ? n : k, transB ? k : n, ldb), true), bOff, ldb,
                        beta, a.floats(cOff, stored(m, n, ldc), true), cOff, ldc));
            }),
            kernel("axpy", d -> {
                int n = d.size("n", 70);
                int yOff = d.r.nextInt(4);
                int xOff = d.r.nextInt(4);
                return call((k, a) -> k.axpy(a.floats(yOff, n, true), yOff, a.floats(xOff, n, true), xOff, n, 0.5f));
            }),
            slice("scale", (k, a, x, off, n) -> k.scale(x, off, n, -2f)),
            slice("fill", (k, a, x, off, n) -> k.fill(x, off, n, 3f)),
            elementwise("add", (k, a, x, out, n) -> k.add(out, x, a.floats(0, n, true), n)),
            elementwise("mul", (k, a, x, out, n) -> k.mul(out, x, a.floats(0, n, true), n)),
            slice("sumOfSquares", (k, a, x, off, n) -> k.sumOfSquares(x, off, n)),
            kernel("addBias", d -> {
                int n = d.size("n", 4);
                int c = d.size("c", 6);
                int s = d.size("spatial", 40);
                return call((k, a) -> k.addBias(a.floats(0, (long) n * c * s, true), a.floats(0, c, true), n, c, s));
            }),
            kernel("fillBias", d -> {
                int images = d.size("images", 4);
                int c = d.size("c", 6);
                int s = d.size("spatial", 40);
                int off = d.r.nextInt(4);
                return call((k, a) -> k.fillBias(a.floats(off, (long) images * c * s, true), off,
                        a.floats(0, c, true), images, c, s));
            }),
            kernel("biasBackward", d -> {
                int n = d.size("n", 4);
                int c = d.size("c", 6);
                int s = d.size("spatial", 40);
                return call((k, a) -> k.biasBackward(a.floats(0, c, true), a.floats(0, (long) n * c * s, true), n, c, s));
            }),
            kernel("im2col", d -> unfolding(d, true)),
            kernel("col2im", d -> unfolding(d, false)),
            kernel("convForward", d -> {
                ConvGeometry g = geometry(d, d.size("filters", 9));
                int images = d.size("images", 3);
                int yOff = d.r.nextInt(3);
                int imgOff = d.r.nextInt(3);
                boolean bias = d.coin();
                boolean relu = d.coin();
                float slope = d.coin() ? 0f : 0.1f;
                return call((k, a) -> k.convForward(a.floats(yOff, (long) images * g.outputSize(), true), yOff,
                        a.floats(imgOff, (long) images * g.imageSize(), true), imgOff, images,
                        a.floats(0, g.kernelSize(), true), bias ? a.floats(0, g.filters(), true) : null,
                        a.floats(0, g.colSize(), true), g, relu, slope));
            }),
            kernel("convForwardPooled", d -> {
                // Any kernel size and stride, but an output of at least 2x2 (the pooling's window).
                int kh = d.between("kh", 1, 3);
                int kw = d.between("kw", 1, 3);
                int sh = d.between("strideH", 1, 2);
                int sw = d.between("strideW", 1, 2);
                ConvGeometry g = ConvGeometry.of(d.size("channels", 4), d.between("height", kh + sh, 11),
                        d.between("width", kw + sw, 11), d.size("filters", 9), kh, kw, sh, sw,
                        d.between("padTop", 0, kh - 1), 0, d.between("padLeft", 0, kw - 1), 0);
                int images = d.size("images", 3);
                int yOff = d.r.nextInt(3);
                long pooled = (long) images * g.filters() * (g.outH() / 2) * (g.outW() / 2);
                boolean bias = d.coin();
                boolean relu = d.coin();
                float slope = d.coin() ? 0f : 0.1f;
                return call((k, a) -> k.convForwardPooled(a.floats(yOff, pooled, true), yOff,
                        a.floats(0, (long) images * g.imageSize(), true), 0, images,
                        a.floats(0, g.kernelSize(), true), bias ? a.floats(0, g.filters(), true) : null,
                        a.floats(0, g.colSize(), true), g, relu, slope,
                        a.floats(0, (long) images * g.outputSize(), true)));
            }),
            kernel("convBackwardKernel", d -> {
                ConvGeometry g = geometry(d, d.size("filters", 9));
                int images = d.size("images", 3);
                int dyOff = d.r.nextInt(3);
                int xOff = d.r.nextInt(3);
                return call((k, a) -> k.convBackwardKernel(a.floats(0, g.kernelSize(), true),
                        a.floats(dyOff, (long) images * g.outputSize(), true), dyOff,
                        a.floats(xOff, (long) images * g.imageSize(), true), xOff, images,
                        a.floats(0, g.colSize(), true), g));
            }),
            kernel("convBackwardData", d -> {
                ConvGeometry g = geometry(d, d.size("filters", 9));
                int images = d.size("images", 3);
                int dxOff = d.r.nextInt(3);
                int dyOff = d.r.nextInt(3);
                return call((k, a) -> k.convBackwardData(a.floats(dxOff, (long) images * g.imageSize(), true), dxOff,
                        a.floats(dyOff, (long) images * g.outputSize(), true), dyOff, images,
                        a.floats(0, g.kernelSize(), true), a.floats(0, g.colSize(), true), g));
            }),
            kernel("depthwiseConvForward", d -> {
                ConvGeometry g = geometry(d, 1);
                int n = d.size("n", 3);
                boolean bias = d.coin();
                long taps = (long) g.channels() * g.kh() * g.kw();
                return call((k, a) -> k.depthwiseConvForward(a.floats(0, (long) n * g.channels() * g.positions(), true),
                        a.floats(0, (long) n * g.imageSize(), true), a.floats(0, taps, true),
                        bias ? a.floats(0, g.channels(), true) : null, n, g.channels(), g.height(), g.width(),
                        g.kh(), g.kw(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.outH(), g.outW()));
            }),
            kernel("depthwiseConvBackward", d -> {
                ConvGeometry g = geometry(d, 1);
                int n = d.size("n", 3);
                boolean bias = d.coin();
                long taps = (long) g.channels() * g.kh() * g.kw();
                return call((k, a) -> k.depthwiseConvBackward(a.floats(0, (long) n * g.imageSize(), true),
                        a.floats(0, taps, true), bias ? a.floats(0, g.channels(), true) : null,
                        a.floats(0, (long) n * g.channels() * g.positions(), true),
                        a.floats(0, (long) n * g.imageSize(), true), a.floats(0, taps, true), n, g.channels(),
                        g.height(), g.width(), g.kh(), g.kw(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(),
                        g.outH(), g.outW()));
            }),
            kernel("maxPoolForward", d -> {
                Pool p = pool(d);
                return call((k, a) -> k.maxPoolForward(a.floats(0, p.outCount(), true),
                        p.outCount() == 0 && p.planes() % 2 == 0 ? null : new int[(int) p.outCount()],
                        a.floats(0, (long) p.planes() * p.h() * p.w(), true), p.planes(), p.h(), p.w(), p.kh(), p.kw(),
                        p.sh(), p.sw(), p.outH(), p.outW()));
            }),
            kernel("maxPoolValues", d -> {
                Pool p = pool(d);
                return call((k, a) -> k.maxPoolValues(a.floats(0, p.outCount(), true),
                        a.floats(0, (long) p.planes() * p.h() * p.w(), true), p.planes(), p.h(), p.w(), p.kh(), p.kw(),
                        p.sh(), p.sw(), p.outH(), p.outW(), new int[(int) p.outCount()]));
            }),
            kernel("maxPoolBackward", d -> {
                int inCount = d.size("inCount", 60);
                int outCount = inCount == 0 ? 0 : d.size("outCount", 30);
                int[] argmax = new int[outCount];
                for (int i = 0; i < outCount; i++) {
                    argmax[i] = d.r.nextInt(inCount);
                }
                return call((k, a) -> k.maxPoolBackward(a.floats(0, inCount, true), a.floats(0, outCount, true),
                        argmax.clone(), inCount, outCount));
            }),
            kernel("avgPoolGlobalForward", d -> {
                int planes = d.size("planes", 9);
                int s = d.between("spatial", 1, 40);
                return call((k, a) -> k.avgPoolGlobalForward(a.floats(0, planes, true),
                        a.floats(0, (long) planes * s, true), planes, s));
            }),
            kernel("avgPoolGlobalBackward", d -> {
                int planes = d.size("planes", 9);
                int s = d.between("spatial", 1, 40);
                return call((k, a) -> k.avgPoolGlobalBackward(a.floats(0, (long) planes * s, true),
                        a.floats(0, planes, true), planes, s));
            }),
            kernel("batchNormStats", d -> {
                int n = d.between("n", 1, 4);
                int c = d.size("c", 6);
                int s = d.between("spatial", 1, 40);
                return call((k, a) -> k.batchNormStats(a.floats(0, c, true), a.floats(0, c, true),
                        a.floats(0, (long) n * c * s, true), n, c, s));
            }),
            kernel("batchNormForward", d -> {
                int n = d.size("n", 4);
                int c = d.size("c", 6);
                int s = d.size("spatial", 40);
                boolean xhat = d.coin();
                long size = (long) n * c * s;
                return call((k, a) -> k.batchNormForward(a.floats(0, size, true), xhat ? a.floats(0, size, true) : null,
                        a.floats(0, size, true), a.floats(0, c, true), a.positive(c), a.floats(0, c, true),
                        a.floats(0, c, true), n, c, s));
            }),
            kernel("batchNormBackward", d -> {
                int n = d.between("n", 1, 4);
                int c = d.size("c", 6);
                int s = d.between("spatial", 1, 40);
                long size = (long) n * c * s;
                return call((k, a) -> k.batchNormBackward(a.floats(0, size, true), a.floats(0, c, true),
                        a.floats(0, c, true), a.floats(0, size, true), a.floats(0, size, true), a.positive(c),
                        a.floats(0, c, true), n, c, s));
            }),
            elementwise("reluForward", (k, a, x, out, n) -> k.reluForward(out, x, n)),
            slice("reluInPlace", (k, a, x, off, n) -> k.reluInPlace(x, off, n)),
            elementwise("reluBackward", (k, a, x, out, n) -> k.reluBackward(a.floats(0, n, true), x, out, n)),
            elementwise("leakyReluForward", (k, a, x, out, n) -> k.leakyReluForward(out, x, 0.1f, n)),
            elementwise("leakyReluBackward", (k, a, x, out, n) -> k.leakyReluBackward(out, x, a.floats(0, n, true), 0.2f, n)),
            kernel("dropoutMask", d -> {
                int n = d.size("n", 70);
                float rate = d.coin() ? 0f : 0.4f;
                return call((k, a) -> k.dropoutMask(a.floats(0, n, true), n, rate, 7L));
            }),
            loss("softmaxCrossEntropyForward", (k, a, n, classes, labels, smoothing, weights) -> k
                    .softmaxCrossEntropyForward(a.floats(0, (long) n * classes, true),
                            a.floats(0, (long) n * classes, true), labels, n, classes, smoothing, weights)),
            loss("softmaxCrossEntropyBackward", (k, a, n, classes, labels, smoothing, weights) -> k
                    .softmaxCrossEntropyBackward(a.floats(0, (long) n * classes, true),
                            a.floats(0, (long) n * classes, true), labels, n, classes, smoothing, weights)),
            kernel("sgdUpdate", d -> {
                int n = d.size("n", 70);
                float momentum = d.coin() ? 0f : 0.9f;
                boolean nesterov = d.coin();
                return call((k, a) -> k.sgdUpdate(a.floats(0, n, true), a.floats(0, n, true),
                        momentum == 0f ? null : a.floats(0, n, true), n, 0.1f, momentum, 1e-4f, nesterov));
            }),
            kernel("adamUpdate", d -> {
                int n = d.size("n", 70);
                boolean decoupled = d.coin();
                long t = 1 + d.r.nextInt(5);
                float beta1 = d.coin() ? 0f : 0.9f;
                return call((k, a) -> k.adamUpdate(a.floats(0, n, true), a.floats(0, n, true), a.floats(0, n, true),
                        a.positive(n), n, 1e-3f, beta1, 0.999f, 1e-8f, 0.01f, decoupled, t));
            }));

    private static Kernel kernel(String name, Function<Draw, Body> draw) {
        return new Kernel(name, draw);
    }

    /** A call on {@code x[off, off + n)}. */
    private interface SliceBody {
        void run(Kernels k, Arrays a, float[] x, int off, int n);
    }

    /** A kernel of one array from an offset: {@code n} and the offset drawn, {@code x} exactly that long. */
    private static Kernel slice(String name, SliceBody body) {
        return kernel(name, d -> {
            int n = d.size("n", 70);
            int off = d.between("off", 0, 3);
            return (k, a) -> body.run(k, a, a.floats(off, n, true), off, n);
        });
    }

    /** im2col or col2im, the image and the column matrix each from an offset of its own. */
    private static Body unfolding(Draw d, boolean im2col) {
        ConvGeometry g = geometry(d, 1);
        int colOff = d.between("colOff", 0, 2);
        int imgOff = d.between("imgOff", 0, 2);
        return (k, a) -> {
            float[] col = a.floats(colOff, g.colSize(), true);
            float[] img = a.floats(imgOff, g.imageSize(), true);
            if (im2col) {
                k.im2col(col, colOff, img, imgOff, g);
            } else {
                k.col2im(img, imgOff, col, colOff, g);
            }
        };
    }

    /** A call of one of the loss kernels. */
    private interface LossBody {
        void run(Kernels k, Arrays a, int n, int classes, int[] labels, float smoothing, float[] weights);
    }

    /** A loss kernel: rows, classes, labels in range, a smoothing of 0, 0.1 or 1, weights or none. */
    private static Kernel loss(String name, LossBody body) {
        return kernel(name, d -> {
            int n = d.between("n", 1, 9);
            int classes = d.between("k", 1, 9);
            int[] labels = labels(d, n, classes);
            boolean weights = d.coin();
            float smoothing = new float[] {0f, 0.1f, 1f}[d.r.nextInt(3)];
            return (k, a) -> body.run(k, a, n, classes, labels, smoothing, weights ? a.positive(classes) : null);
        });
    }

    /** A call with an input {@code x} and an output {@code out} of {@code n} elements each. */
    private interface ElementwiseBody {
        void run(Kernels k, Arrays a, float[] x, float[] out, int n);
    }

    /**
     * An elementwise kernel of {@code n} elements from 0: {@code n} drawn, and whether the output
     * is the input array itself (the contract allows it) or an array of its own.
     */
    private static Kernel elementwise(String name, ElementwiseBody body) {
        return kernel(name, d -> {
            int n = d.size("n", 70);
            boolean alias = d.coin();
            return (k, a) -> {
                float[] x = a.floats(0, n, true);
                body.run(k, a, x, alias ? x : a.floats(0, n, true), n);
            };
        });
    }

    /** The call a draw makes, on whichever backend {@link Call#run} is given. */
    private static Body call(Body body) {
        return body;
    }

    /** A row-major rows x cols matrix with leading dimension ld, the last row not padded. */
    private static long stored(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    /**
     * A convolution geometry as a layer builds one, with a bottom and right pad of its own (so
     * that windows may overhang any edge), and with empty channels or images now and then.
     */
    private static ConvGeometry geometry(Draw d, int filters) {
        int channels = d.size("channels", 4);
        int height = d.size("height", 9);
        int width = d.size("width", 12);
        int kh = d.between("kh", 1, 4);
        int kw = d.between("kw", 1, 4);
        int sh = d.between("strideH", 1, 3);
        int sw = d.between("strideW", 1, 3);
        int padTop = d.between("padTop", 0, kh - 1);
        int padLeft = d.between("padLeft", 0, kw - 1);
        ConvGeometry g = ConvGeometry.of(channels, height, width, filters, kh, kw, sh, sw, padTop, d.r.nextInt(kh),
                padLeft, d.r.nextInt(kw));
        d.record("outH", g.outH());
        d.record("outW", g.outW());
        return g;
    }

    private static int[] labels(Draw d, int n, int classes) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = d.r.nextInt(classes);
        }
        return labels;
    }
}
