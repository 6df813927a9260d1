package org.fer4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;
import org.fer4j.kernels.ConvGeometry;
import org.fer4j.kernels.Cpu;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.kernels.Winograd;

/**
 * The two backward products of every 3x3 stride-1 convolution of fer-vgg and fer-ref, each by the
 * GEMM (Winograd off) and by Winograd (on), in alternation, for a chunk of images on the calling
 * thread (as Conv2D runs them, one chunk per thread): the input gradient
 * ({@link Kernels#convBackwardData}) and the kernel gradient ({@link Kernels#convBackwardKernel}).
 * Times are this thread's CPU time, so that a busy machine stretches them less than wall time;
 * medians over the rounds after the warm-up rounds. Where the vector backend's thresholds
 * (VectorKernels.BACKWARD_MIN_CHANNELS, BACKWARD_DATA_MIN_TILES) keep a layer on the GEMM, both
 * columns time the GEMM, and the table says so.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Dfer4j.threads=1 -cp bench/target/benchmarks.jar \
 *     org.fer4j.bench.BackwardPaired [rounds 15] [warm-up rounds 5] [images 32]
 * </pre>
 */
public final class BackwardPaired {
    private BackwardPaired() {
    }

    /** {channels, size, filters, pad}: fer-vgg's ("same") and fer-ref's ("valid") 3x3 layers after the first. */
    private static final int[][] LAYERS = {
        {32, 24, 64, 1}, {64, 24, 64, 1}, {64, 12, 128, 1}, {128, 12, 128, 1}, {128, 6, 256, 1},
        {32, 46, 64, 0}, {64, 22, 128, 0}, {128, 10, 128, 0},
    };

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int images = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        Kernels k = KernelsProvider.get();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "CPU %s; %s; %d images; medians of %d rounds after %d; thread CPU ms%n",
                Cpu.model(), k.describe(), images, rounds, warmup);
        System.out.printf(Locale.ROOT, "| layer (C -> F, size, pad) | input gradient GEMM | Winograd | speed-up"
                + " | kernel gradient GEMM | Winograd | speed-up |%n|---|---|---|---|---|---|---|%n");
        Random random = new Random(1);
        try {
            for (int[] s : LAYERS) {
                ConvGeometry g = ConvGeometry.of(s[0], s[1], s[1], s[2], 3, 3, 1, 1, s[3], s[3], s[3], s[3]);
                float[] x = uniform(random, images * g.imageSize());
                float[] dy = uniform(random, images * g.outputSize());
                float[] w = uniform(random, g.kernelSize());
                float[] dx = new float[x.length];
                float[] dk = new float[w.length];
                float[] col = new float[g.colSize()];
                double[][] ms = new double[4][rounds];
                for (int r = -warmup; r < rounds; r++) {
                    for (int v = 0; v < 4; v++) {
                        Winograd.setEnabled(v % 2 == 1);
                        long t0 = mx.getCurrentThreadCpuTime();
                        if (v < 2) {
                            k.convBackwardData(dx, 0, dy, 0, images, w, col, g);
                        } else {
                            k.convBackwardKernel(dk, dy, 0, x, 0, images, col, g);
                        }
                        double t = (mx.getCurrentThreadCpuTime() - t0) / 1e6;
                        if (r >= 0) {
                            ms[v][r] = t;
                        }
                    }
                }
                double[] m = new double[4];
                for (int v = 0; v < 4; v++) {
                    m[v] = OrtPaired.median(ms[v]);
                }
                System.out.printf(Locale.ROOT, "| %d -> %d, %dx%d, pad %d | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f |%n",
                        s[0], s[2], s[1], s[1], s[3], m[0], m[1], m[0] / m[1], m[2], m[3], m[2] / m[3]);
            }
        } finally {
            Winograd.setEnabled(true);
        }
    }

    private static float[] uniform(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextFloat() - 0.5f;
        }
        return a;
    }
}
