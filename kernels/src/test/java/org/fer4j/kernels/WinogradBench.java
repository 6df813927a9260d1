package org.fer4j.kernels;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * A quick harness (not a unit test): the Winograd F(2x2,3x3) and F(4x4,3x3) convolutions ({@link
 * VectorWinograd}, {@link VectorWinograd4}) against the direct one ({@link VectorConv}, the image
 * unfolded into the GEMM's panels) at the model zoo's 3x3 shapes. First the numerical error of
 * the three against a double-precision direct convolution, with weights at the scale He
 * initialisation gives and ReLU-like inputs; then the time per call at batch 64 (the batch split
 * into one chunk per thread, as Conv2D does) and at batch 1, the three algorithms in a rotating
 * order round by round so that the machine's other load falls on all alike.
 *
 * <pre>
 * ./mvnw -q -B test-compile -pl kernels -am
 * java --add-modules jdk.incubator.vector -cp kernels/target/classes:kernels/target/test-classes \
 *     org.fer4j.kernels.WinogradBench [rounds] [error|speed|both]
 * </pre>
 */
public final class WinogradBench {

    private WinogradBench() {
    }

    /** Only the layers whose name contains this (the third argument), for a closer look at one. */
    private static String only = "";

    /** One 3x3 convolution of a model: input channels, size, filters, padding on each side. */
    record Layer(String name, int channels, int size, int filters, int pad) {
        ConvGeometry geometry() {
            return ConvGeometry.of(channels, size, size, filters, 3, 3, 1, 1, pad, pad, pad, pad);
        }
    }

    static final Layer[] LAYERS = {
        new Layer("fer-ref conv1", 1, 48, 32, 0),
        new Layer("fer-ref conv2", 32, 46, 64, 0),
        new Layer("fer-ref conv3", 64, 22, 128, 0),
        new Layer("fer-ref conv4", 128, 10, 128, 0),
        new Layer("fer-vgg conv1", 1, 48, 32, 1),
        new Layer("fer-vgg conv2", 32, 24, 64, 1),
        new Layer("fer-vgg conv3", 64, 24, 64, 1),
        new Layer("fer-vgg conv4", 64, 12, 128, 1),
        new Layer("fer-vgg conv5", 128, 12, 128, 1),
        new Layer("fer-vgg conv6", 128, 6, 256, 1),
        new Layer("8 channels", 8, 24, 32, 1),
        new Layer("4 channels", 4, 24, 32, 1),
    };

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String what = args.length > 1 ? args[1] : "both";
        only = args.length > 2 ? args[2] : "";
        System.out.println(KernelsProvider.forName("vector").describe() + "; CPU "
                + Cpu.model() + "; load average " + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        if (!what.equals("speed")) {
            error();
        }
        if (!what.equals("error")) {
            speed(rounds, 64);
            speed(rounds, 1);
        }
    }

    // ---------------------------------------------------------------- error

    static void error() {
        System.out.println();
        System.out.println("| layer | max abs error, F(2x2) | F(4x4) | direct | max |y| | F(4x4) / F(2x2) "
                + "(max abs) | max error / sum|w||x|, F(2x2) | F(4x4) | direct |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        VectorGemm gemm = new VectorGemm();
        for (Layer layer : LAYERS) {
            ConvGeometry g = layer.geometry();
            Random random = new Random(17);
            int images = 4;
            // He-scaled weights (std sqrt(2 / (9 C))), inputs as after a ReLU (|N(0, 1)|), and for the
            // first layer normalised pixels (N(0, 1)); bias of the same order as the outputs' spread.
            float[] kernel = new float[g.kernelSize()];
            double std = Math.sqrt(2.0 / (9 * g.channels()));
            for (int i = 0; i < kernel.length; i++) {
                kernel[i] = (float) (std * random.nextGaussian());
            }
            float[] img = new float[images * g.imageSize()];
            for (int i = 0; i < img.length; i++) {
                double x = random.nextGaussian();
                img[i] = (float) (g.channels() == 1 ? x : Math.abs(x));
            }
            float[] bias = new float[g.filters()];
            for (int f = 0; f < bias.length; f++) {
                bias[f] = (float) (0.1 * random.nextGaussian());
            }
            float[] w = new float[images * g.outputSize()];
            float[] w4 = new float[images * g.outputSize()];
            float[] d = new float[images * g.outputSize()];
            new VectorWinograd(gemm).convForward(w, 0, img, 0, images, kernel, bias, g, false, 0f);
            new VectorWinograd4(gemm).convForward(w4, 0, img, 0, images, kernel, bias, g, false, 0f);
            new VectorConv(gemm).convForward(d, 0, img, 0, images, kernel, bias, g, false, 0f, null);
            double[] exact = new double[w.length];
            double[] magnitude = new double[w.length];
            exact(g, images, img, kernel, bias, exact, magnitude);
            double ew = 0;
            double ew4 = 0;
            double ed = 0;
            double top = 0;
            double rw = 0;
            double rw4 = 0;
            double rd = 0;
            for (int i = 0; i < exact.length; i++) {
                ew = Math.max(ew, Math.abs(w[i] - exact[i]));
                ew4 = Math.max(ew4, Math.abs(w4[i] - exact[i]));
                ed = Math.max(ed, Math.abs(d[i] - exact[i]));
                rw = Math.max(rw, Math.abs(w[i] - exact[i]) / magnitude[i]);
                rw4 = Math.max(rw4, Math.abs(w4[i] - exact[i]) / magnitude[i]);
                rd = Math.max(rd, Math.abs(d[i] - exact[i]) / magnitude[i]);
                top = Math.max(top, Math.abs(exact[i]));
            }
            System.out.printf(Locale.ROOT,
                    "| %s (C %d, %dx%d, F %d) | %.2e | %.2e | %.2e | %.2f | %.1f | %.2e | %.2e | %.2e |%n",
                    layer.name(), g.channels(), g.height(), g.width(), g.filters(), ew, ew4, ed, top, ew4 / ew,
                    rw, rw4, rd);
        }
    }

    /** The direct convolution in double, and {@code sum |w x| + |b|} of each output. */
    private static void exact(ConvGeometry g, int images, float[] img, float[] kernel, float[] bias, double[] y,
                              double[] magnitude) {
        int c = g.channels();
        int h = g.height();
        int wd = g.width();
        for (int n = 0; n < images; n++) {
            for (int f = 0; f < g.filters(); f++) {
                for (int oy = 0; oy < g.outH(); oy++) {
                    for (int ox = 0; ox < g.outW(); ox++) {
                        double sum = bias[f];
                        double abs = Math.abs(bias[f]);
                        for (int ch = 0; ch < c; ch++) {
                            for (int ki = 0; ki < 3; ki++) {
                                int iy = oy - g.padTop() + ki;
                                for (int kj = 0; kj < 3; kj++) {
                                    int ix = ox - g.padLeft() + kj;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                        double p = (double) kernel[((f * c + ch) * 3 + ki) * 3 + kj]
                                                * img[((n * c + ch) * h + iy) * wd + ix];
                                        sum += p;
                                        abs += Math.abs(p);
                                    }
                                }
                            }
                        }
                        int i = ((n * g.filters() + f) * g.outH() + oy) * g.outW() + ox;
                        y[i] = sum;
                        magnitude[i] = Math.max(abs, Double.MIN_NORMAL);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- speed

    static void speed(int rounds, int batch) {
        System.out.println();
        System.out.printf(Locale.ROOT, "batch %d, %d threads, %d rounds alternating; ms per call, median (min to max)%n",
                batch, Parallel.threads(), rounds);
        System.out.println("| layer | direct ms | F(2x2) ms | F(4x4) ms | direct / F(2x2) | direct / F(4x4) "
                + "| F(2x2) / F(4x4) (medians of per-round ratios) | F(4x4) bytes allocated per call |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        VectorGemm gemm = new VectorGemm();
        VectorWinograd winograd = new VectorWinograd(gemm);
        VectorWinograd4 winograd4 = new VectorWinograd4(gemm);
        VectorConv direct = new VectorConv(gemm);
        for (Layer layer : LAYERS) {
            if (!layer.name().contains(only)) {
                continue;
            }
            ConvGeometry g = layer.geometry();
            Random random = new Random(3);
            float[] img = TestSupport.uniform(random, batch * g.imageSize());
            float[] kernel = TestSupport.uniform(random, g.kernelSize());
            float[] bias = TestSupport.uniform(random, g.filters());
            float[] y = new float[batch * g.outputSize()];
            int imageSize = g.imageSize();
            int outSize = g.outputSize();
            // As Conv2D: the batch cut into one chunk per thread.
            Runnable w = () -> Parallel.forChunks(batch, 1, (chunk, from, to) -> winograd.convForward(y,
                    from * outSize, img, from * imageSize, to - from, kernel, bias, g, true, 0f));
            Runnable w4 = () -> Parallel.forChunks(batch, 1, (chunk, from, to) -> winograd4.convForward(y,
                    from * outSize, img, from * imageSize, to - from, kernel, bias, g, true, 0f));
            Runnable d = () -> Parallel.forChunks(batch, 1, (chunk, from, to) -> direct.convForward(y,
                    from * outSize, img, from * imageSize, to - from, kernel, bias, g, true, 0f, null));
            Runnable[] calls = {d, w, w4};
            int reps = batch == 1 ? 50 : 3;
            for (int i = 0; i < 3; i++) {  // warm-up: every path compiled for this shape
                for (Runnable call : calls) {
                    time(call, reps * 5);
                }
            }
            double[][] t = new double[3][rounds];
            double[][] ratio = new double[3][rounds];
            long allocated = 0;
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 3; k++) {
                    int which = (r + k) % 3;  // a rotating order
                    long a0 = allocatedBytes();
                    t[which][r] = time(calls[which], reps);
                    if (which == 2) {
                        allocated = (allocatedBytes() - a0) / reps;
                    }
                }
                ratio[0][r] = t[0][r] / t[1][r];
                ratio[1][r] = t[0][r] / t[2][r];
                ratio[2][r] = t[1][r] / t[2][r];
            }
            System.out.printf(Locale.ROOT, "| %s (C %d, %dx%d, F %d) | %s | %s | %s | %.2f | %.2f | %.2f | %d |%n",
                    layer.name(), g.channels(), g.height(), g.width(), g.filters(), summary(t[0]), summary(t[1]),
                    summary(t[2]), median(ratio[0]), median(ratio[1]), median(ratio[2]), allocated);
        }
    }

    /** Milliseconds per call, averaged over {@code reps} calls. */
    private static double time(Runnable call, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            call.run();
        }
        return (System.nanoTime() - t0) / 1e6 / reps;
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static String summary(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        String f = s[s.length / 2] < 1 ? "%.3f" : "%.2f";
        return String.format(Locale.ROOT, f + " (" + f + " to " + f + ")", median(x), s[0], s[s.length - 1]);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
