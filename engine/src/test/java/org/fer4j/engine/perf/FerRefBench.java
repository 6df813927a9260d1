package org.fer4j.engine.perf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.Layer;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.optim.Adam;
import org.fer4j.engine.train.TrainConfig;
import org.fer4j.engine.train.Trainer;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.kernels.Parallel;

/**
 * A quick throughput harness for fer-ref on the current backend (not a unit test, not JMH: the
 * {@code bench} module and {@code fer4j bench} are the official measurements). It builds fer-ref
 * exactly as {@code ModelZoo.ferRef} does (the engine cannot see the models module) and reports,
 * as medians of several timed windows after a warm-up: training images/s (forward, backward,
 * Adam), inference images/s at the batch size, batch-1 latency, and the time of every layer's
 * forward and backward.
 *
 * <pre>
 * ./mvnw -q -B -o test-compile -pl engine -am
 * java --add-modules jdk.incubator.vector -Xmx1g -Dfer4j.kernels=vector -Dfer4j.threads=2 \
 *     -cp kernels/target/classes:engine/target/classes:engine/target/test-classes \
 *     org.fer4j.engine.perf.FerRefBench [batch] [windows] [secondsPerWindow] [train,infer,latency,layers]
 * </pre>
 */
public final class FerRefBench {

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private FerRefBench() {
    }

    /**
     * Nanoseconds for the per-layer tables: this thread's CPU time when running on one thread (so
     * other load on a shared machine does not count), wall time otherwise.
     */
    /** CPU time of the whole process (all threads, JIT and GC included), or 0 if unknown. */
    private static long processCpu() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    private static long allocated() {
        return CPU instanceof com.sun.management.ThreadMXBean t ? t.getCurrentThreadAllocatedBytes() : 0;
    }

    private static long now() {
        return Parallel.threads() == 1 ? CPU.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** fer-ref as in ModelZoo: 2,345,607 parameters with 7 classes, 154.65 MFLOP forward per image. */
    static Sequential ferRef(int classes, long seed) {
        return Sequential.builder("fer-ref", 1, 48, 48)
                .add(new Conv2D(32, 3)).add(new ReLU())
                .add(new Conv2D(64, 3)).add(new ReLU())
                .add(new MaxPool2D(2)).add(new Dropout(0.25f))
                .add(new Conv2D(128, 3)).add(new ReLU())
                .add(new MaxPool2D(2))
                .add(new Conv2D(128, 3)).add(new ReLU())
                .add(new MaxPool2D(2)).add(new Dropout(0.25f))
                .add(new Flatten())
                .add(new Dense(1024)).add(new ReLU()).add(new Dropout(0.5f))
                .add(new Dense(classes))
                .build(seed);
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int windows = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 2.0;
        String parts = args.length > 3 ? args[3] : "train,infer,latency";
        System.out.println(KernelsProvider.selectionReason());
        System.out.printf(Locale.ROOT, "fer-ref, batch %d, %s, heap max %d MB; medians of %d windows of %.1f s "
                + "(min-max), %s%n", batch, Parallel.threads() == 1 ? "1 thread" : Parallel.threads() + " threads",
                Runtime.getRuntime().maxMemory() >> 20, windows,
                seconds, Parallel.threads() == 1 ? "per second of this thread's CPU time"
                        : "per second of wall time (on a shared machine: expect noise)");

        Sequential model = ferRef(7, 42);
        SplittableRandom random = new SplittableRandom(1);
        Batch data = randomBatch(batch, random);
        Trainer trainer = new Trainer(model, new Adam(model.params(), 1e-4f), new SoftmaxCrossEntropy(), null,
                TrainConfig.DEFAULT.toBuilder().batchSize(batch).build());

        if (parts.contains("train")) {
            double[] train = rate(() -> trainer.step(data), batch, windows, seconds);
            report("training (forward, backward, Adam)", train, "images/s");
        }
        if (parts.contains("infer")) {
            double[] infer = rate(() -> model.forward(data.x(), Mode.EVAL), batch, windows, seconds);
            report("inference, batch " + batch, infer, "images/s");
        }
        if (parts.contains("latency")) {
            Tensor one = randomBatch(1, random).x();
            double[] single = rate(() -> model.forward(one, Mode.EVAL), 1, windows, seconds);
            double[] latency = {1000 / single[0], 1000 / single[2], 1000 / single[1]};
            report("latency, batch 1", latency, "ms");
        }
        long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        System.out.printf(Locale.ROOT, "heap in use after the runs: %d MB (max %d MB)%n", used >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
        if (parts.contains("trainlayers")) {
            perLayer(model, data, trainer);
        }
        if (parts.contains("inferlayers")) {
            perLayerInference(model, data.x());
        }
    }

    /** Milliseconds per layer, forward (TRAIN) and backward, medians over repeated steps. */
    private static void perLayer(Sequential model, Batch data, Trainer trainer) {
        List<Layer> list = model.layers();
        int reps = 41;  // the median of 41 ignores the JIT's first steps
        double[][] fwd = new double[list.size()][reps];
        double[][] bwd = new double[list.size()][reps];
        long[][] bytes = new long[list.size()][2];  // allocated by this thread, forward and backward, last step
        double[] loss = new double[reps];
        double[] optim = new double[reps];
        for (int r = 0; r < reps; r++) {
            trainer.optimizer().zeroGrad();
            Tensor x = data.x();
            List<Tensor> outs = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                long b0 = allocated();
                long t0 = now();
                x = list.get(i).forward(x, Mode.TRAIN);
                fwd[i][r] = (now() - t0) / 1e6;
                bytes[i][0] = allocated() - b0;
                outs.add(x);
            }
            long t0 = now();
            trainer.loss().forward(x, data.y());
            Tensor d = trainer.loss().backward();
            loss[r] = (now() - t0) / 1e6;
            for (int i = list.size() - 1; i >= 0; i--) {
                long b0 = allocated();
                t0 = now();
                d = list.get(i).backward(d);
                bwd[i][r] = (now() - t0) / 1e6;
                bytes[i][1] = allocated() - b0;
            }
            t0 = now();
            trainer.optimizer().step();
            optim[r] = (now() - t0) / 1e6;
        }
        double total = 0;
        System.out.println("per layer, ms per batch (median of " + reps + (Parallel.threads() == 1
                ? ", CPU time of this thread" : ", wall time") + "): forward  backward  (bytes allocated "
                + "by this thread in the last step: forward, backward)");
        for (int i = 0; i < list.size(); i++) {
            double f = median(fwd[i]);
            double b = median(bwd[i]);
            total += f + b;
            System.out.printf(Locale.ROOT, "  %-22s %8.2f %8.2f   %,10d %,10d%n", list.get(i).name(), f, b,
                    bytes[i][0], bytes[i][1]);
        }
        double l = median(loss);
        double o = median(optim);
        total += l + o;
        System.out.printf(Locale.ROOT, "  %-22s %8.2f%n  %-22s %8.2f%n  %-22s %8.2f%n", "loss", l, "adam", o, "sum", total);
    }

    /** Milliseconds per layer of an EVAL forward at this batch size. */
    private static void perLayerInference(Sequential model, Tensor input) {
        List<Layer> list = model.layers();
        int reps = 301;
        double[][] fwd = new double[list.size()][reps];
        for (int r = 0; r < reps; r++) {
            Tensor x = input;
            for (int i = 0; i < list.size(); i++) {
                long t0 = now();
                x = list.get(i).forward(x, Mode.EVAL);
                fwd[i][r] = (now() - t0) / 1e6;
            }
        }
        double total = 0;
        System.out.println("inference per layer, ms (median of " + reps + ")");
        for (int i = 0; i < list.size(); i++) {
            double f = median(fwd[i]);
            total += f;
            System.out.printf(Locale.ROOT, "  %-22s %8.3f%n", list.get(i).name(), f);
        }
        System.out.printf(Locale.ROOT, "  %-22s %8.3f%n", "sum", total);
    }

    private static Batch randomBatch(int n, SplittableRandom random) {
        float[] x = new float[n * 48 * 48];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(7);
        }
        return new Batch(new Tensor(x, n, 1, 48, 48), y);
    }

    /**
     * {median, min, max} of images/s over the windows, after a warm-up of one window: per second
     * of wall time, or with one thread per second of this thread's CPU time (see {@link #now()}).
     */
    private static double[] rate(Runnable step, int images, int windows, double seconds) {
        long warmEnd = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < warmEnd) {
            step.run();
        }
        double[] rates = new double[windows];
        double[] perCpu = new double[windows];
        for (int w = 0; w < windows; w++) {
            long start = System.nanoTime();
            long measuredStart = now();
            long cpuStart = processCpu();
            long end = start + (long) (seconds * 1e9);
            long count = 0;
            do {
                step.run();
                count += images;
            } while (System.nanoTime() < end);
            rates[w] = count / ((now() - measuredStart) / 1e9);
            perCpu[w] = count / ((processCpu() - cpuStart) / 1e9);
        }
        if (Parallel.threads() > 1 && processCpu() > 0) {
            Arrays.sort(perCpu);
            System.out.printf(Locale.ROOT, "    (%.1f per second of process CPU time: on %d cores to itself, about %.0f/s)%n",
                    perCpu[windows / 2], Parallel.threads(), perCpu[windows / 2] * Parallel.threads());
        }
        Arrays.sort(rates);
        return new double[] {rates[windows / 2], rates[0], rates[windows - 1]};
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void report(String what, double[] r, String unit) {
        System.out.printf(Locale.ROOT, "%-36s %9.2f %s  (min %.2f, max %.2f)%n", what, r[0], unit, r[1], r[2]);
    }
}
