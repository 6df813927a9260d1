package org.fer4j.bench;

import java.util.Arrays;
import java.util.Locale;
import org.fer4j.kernels.ConvGeometry;
import org.fer4j.kernels.Cpu;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.kernels.Parallel;

/**
 * Single kernels timed as the layers call them, for comparing two builds: run it once with each
 * build's jar on the class path, alternately, and compare the lines. No JMH: one JVM per build is
 * the point (the builds cannot share one), and each row warms up for 4 s first, so that the
 * Vector API code is compiled by C2 before it is timed.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.fer4j.bench.KernelTimes conv|bn [THREADS]
 * </pre>
 *
 * {@code conv}: {@code convForward} (bias, fused ReLU) at the layers of fer-ref and fer-vgg that
 * docs/performance.md names, at batch 1 and 64. {@code bn}: {@code batchNormBackward} at three
 * batch-64 shapes. Prints the median of 15 windows per row, in microseconds per call.
 */
public final class KernelTimes {
    private KernelTimes() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || !(args[0].equals("conv") || args[0].equals("bn"))) {
            throw new IllegalArgumentException("usage: KernelTimes conv|bn [THREADS]");
        }
        Parallel.setThreads(args.length > 1 ? Integer.parseInt(args[1]) : 2);
        Kernels k = KernelsProvider.get();
        System.out.printf(Locale.ROOT, "CPU %s; %s%n", Cpu.model(), k.describe());
        if (args[0].equals("conv")) {
            // {channels, size, filters, padding, images}
            int[][] layers = {
                {1, 48, 32, 0, 1}, {1, 48, 32, 1, 1}, {1, 48, 32, 0, 64}, {1, 48, 32, 1, 64},
                {32, 46, 64, 0, 1}, {64, 22, 128, 0, 1}, {64, 24, 64, 1, 1}, {128, 12, 128, 1, 1},
                {32, 46, 64, 0, 64},
            };
            for (int[] l : layers) {
                conv(k, l[0], l[1], l[2], l[3], l[4]);
            }
        } else {
            int[][] shapes = {{64, 64, 576}, {64, 128, 144}, {64, 32, 2304}};
            for (int[] s : shapes) {
                batchNorm(k, s[0], s[1], s[2]);
            }
        }
    }

    private static void conv(Kernels k, int c, int size, int f, int pad, int images) {
        ConvGeometry g = ConvGeometry.of(c, size, size, f, 3, 3, 1, 1, pad, pad, pad, pad);
        float[] img = Backends.random(images * c * size * size, 1);
        float[] kernel = Backends.random(f * c * 9, 2);
        float[] bias = new float[f];
        float[] y = new float[images * f * g.positions()];
        float[] col = new float[g.rows() * g.positions()];
        double us = time(images == 1 ? 300 : 5, () -> k.convForward(y, 0, img, 0, images, kernel, bias, col, g, true, 0f));
        System.out.printf(Locale.ROOT, "conv %d -> %d, %dx%d %s, batch %d: %.1f us%n", c, f, size, size,
                pad == 0 ? "valid" : "same", images, us);
    }

    private static void batchNorm(Kernels k, int n, int c, int spatial) {
        int size = n * c * spatial;
        float[] dx = new float[size];
        float[] dy = Backends.random(size, 1);
        float[] xhat = Backends.random(size, 2);
        float[] dgamma = new float[c];
        float[] dbeta = new float[c];
        float[] invStd = new float[c];
        float[] gamma = new float[c];
        Arrays.fill(invStd, 1f);
        Arrays.fill(gamma, 1f);
        double us = time(20, () -> k.batchNormBackward(dx, dgamma, dbeta, dy, xhat, invStd, gamma, n, c, spatial));
        System.out.printf(Locale.ROOT, "batchNormBackward %d x %d x %d: %.1f us%n", n, c, spatial, us);
    }

    /** 4 s of warm-up, then the median of 15 windows of {@code calls} calls, in microseconds per call. */
    private static double time(int calls, Runnable call) {
        long warm = System.nanoTime() + 4_000_000_000L;
        while (System.nanoTime() < warm) {
            call.run();
        }
        double[] t = new double[15];
        for (int w = 0; w < t.length; w++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            t[w] = (System.nanoTime() - t0) / 1e3 / calls;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }
}
