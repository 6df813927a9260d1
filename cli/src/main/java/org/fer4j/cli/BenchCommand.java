package org.fer4j.cli;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.fer4j.engine.Flops;
import org.fer4j.engine.InferenceModel;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.optim.Adam;
import org.fer4j.engine.train.TrainConfig;
import org.fer4j.engine.train.Trainer;
import org.fer4j.kernels.Cpu;
import org.fer4j.kernels.FmaPeak;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.kernels.opencl.OpenClKernels;
import org.fer4j.kernels.Parallel;
import org.fer4j.models.EmotionClassifier;
import org.fer4j.models.ModelZoo;
import org.fer4j.models.faces.FaceDetector;
import org.fer4j.models.faces.ImageDecoder;
import org.fer4j.models.faces.TinyFaceDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fer4j bench}: training and inference speed of a model-zoo model on random data of its
 * input shape, end to end through the real layers, loss, Adam and {@link Trainer#step}. Three
 * numbers, each after a warm-up and as the median (with min and max) of several timed windows:
 * training images/s (forward, backward, Adam), inference images/s at the batch size, and the
 * latency of one image at batch 1. The JMH benchmarks in the {@code bench} module break the same
 * work down by kernel and layer.
 */
@Command(name = "bench",
        description = "Measure training and inference speed of a model on random data: training images/s "
                + "(forward, backward, Adam), inference images/s, and latency at batch 1.",
        mixinStandardHelpOptions = true,
        footer = {"", "Each number is the median of " + BenchCommand.WINDOWS + " timed windows of S/"
                + BenchCommand.WINDOWS + " seconds (min and max beside it), after a warm-up of S/2 seconds.",
                "With --json the backend lines go to standard error and standard output holds one JSON object.",
                "", "Examples:",
                "  fer4j bench",
                "  fer4j bench --backend scalar --threads 1 --seconds 20",
                "  fer4j bench --model bars-cnn --batch 32 --json",
                "  fer4j bench --layers --seconds 4",
                "  fer4j bench --model tiny-face-detector      (one 640x480 webcam frame: detection, and detection + emotion)"})
final class BenchCommand implements Callable<Integer> {
    static final int WINDOWS = 5;
    /** Shorter than this, a window is timer noise. */
    static final double MIN_SECONDS = 0.05;
    /** A day. */
    static final double MAX_SECONDS = 86_400;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "fer-ref",
            description = "model to measure: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})",
            completionCandidates = SummaryCommand.ModelNames.class)
    String model;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64",
            description = "batch size for training and inference, 1..65536 (default: ${DEFAULT-VALUE})")
    int batch;

    /** {@code --backend} and {@code --threads}, as every command that runs the engine has them. */
    @Mixin
    EngineOptions engine;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
            description = "timed seconds per measurement, 0.05..86400 (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--json", description = "print the results as one JSON object")
    boolean json;

    @Option(names = "--layers", description = "then time each layer: forward (inference), forward and "
            + "backward (training), medians over S/2 seconds of passes")
    boolean layers;

    /** The flags of this command, checked: each error names its flag. */
    record Settings(String model, int batch, double seconds) {
        Settings {
            if (!ModelZoo.contains(model) && !model.equals(TinyFaceDetector.NAME)) {
                throw new IllegalArgumentException("--model: unknown model '" + model + "'; known models: "
                        + String.join(", ", ModelZoo.names()) + ", " + TinyFaceDetector.NAME);
            }
            Flags.intIn("--batch", batch, 1, Flags.MAX_BATCH);
            Flags.closed("--seconds", seconds, MIN_SECONDS, MAX_SECONDS);
        }
    }

    @Override
    public Integer call() throws IOException {
        Settings s = new Settings(model, batch, seconds);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // The backend and threads are process-wide and read when layers are constructed: applied
        // before any model exists. The backend line comes first, always; with --json on standard
        // error, so that standard output is one JSON object.
        String backendLine = engine.apply();
        PrintWriter header = json ? err : out;
        header.println(backendLine);
        Kernels kernels = KernelsProvider.get();
        int vectorBits = kernels.vectorBits();
        int threadCount = Parallel.threads();
        header.printf(Locale.ROOT, "Vector width: %s; threads: %d%n",
                vectorBits == 0 ? "none (scalar)" : vectorBits + " bits", threadCount);
        header.flush();

        header.println("CPU: " + Cpu.model() + ", " + Cpu.cores() + (Cpu.cores() == 1 ? " core" : " cores"));
        header.flush();
        if (s.model().equals(TinyFaceDetector.NAME)) {
            return faces(s, out);
        }
        Throughput.resetPeakHeap();
        ModelZoo.Entry entry = ModelZoo.entry(s.model());
        int classes = entry.defaultClasses();
        Sequential net = entry.build(classes, 42);
        if (!json) {
            out.printf(Locale.ROOT, "Model: %s, %,d parameters, %.2f MFLOP forward per image, input %s, %d classes;"
                            + " random data, batch %d%n", net.name(), net.parameterCount(),
                    Flops.forwardPerImage(net) / 1e6, Tensor.shapeString(net.inputShape()), classes, s.batch());
            out.printf(Locale.ROOT, "Each number: median of %d windows of %.2f s (min, max), after a %.2f s warm-up%n",
                    WINDOWS, s.seconds() / WINDOWS, s.seconds() / 2);
            out.flush();
        }
        Throughput meter = new Throughput(s.seconds() / 2, WINDOWS, s.seconds() / WINDOWS);

        Batch data = randomBatch(net, s.batch(), classes, 1);
        Trainer trainer = new Trainer(net, new Adam(net.params(), 1e-4f), new SoftmaxCrossEntropy(), null,
                TrainConfig.DEFAULT.toBuilder().batchSize(s.batch()).build());
        Throughput.Stats train = meter.imagesPerSecond(() -> {
            trainer.step(data);
            return data.size();
        });
        line(out, "Training (forward, backward, Adam)", train, "images/s");
        Map<String, Object> transfers = org.fer4j.kernels.CheckedKernels.backendOf(kernels) instanceof OpenClKernels ocl
                ? transfersPerStep(ocl, trainer, data) : null;
        if (transfers != null && !json) {
            out.printf(Locale.ROOT, "OpenCL, per training step (mean of %d): %s uploads (%s MB, %s ms), %s downloads"
                            + " (%s MB, %s ms), %s kernels (%s ms), of %s ms in all%n", TRANSFER_STEPS,
                    transfers.get("uploads"), transfers.get("upload_mb"), transfers.get("upload_ms"),
                    transfers.get("downloads"), transfers.get("download_mb"), transfers.get("download_ms"),
                    transfers.get("kernels"), transfers.get("kernel_ms"), transfers.get("step_ms"));
            out.printf(Locale.ROOT, "OpenCL kernel time per step, largest first (ms): %s%n", transfers.get("kernel_ms_by_op"));
            out.flush();
        }

        // Inference runs what `fer4j predict` and EmotionClassifier run: the trained model with its
        // batch-norms folded into the convolutions before them and its 2x2 max-pools done by the
        // convolutions before them (InferenceModel.of).
        Sequential inference = InferenceModel.of(net);
        Tensor x = data.x();
        Throughput.Stats infer = meter.imagesPerSecond(() -> inference.forward(x, Mode.EVAL).dim(0));
        line(out, "Inference, batch " + s.batch(), infer, "images/s");

        Tensor one = randomBatch(net, 1, classes, 2).x();
        Throughput.Stats latency = meter.imagesPerSecond(() -> inference.forward(one, Mode.EVAL).dim(0))
                .reciprocalMillis();
        line(out, "Latency, batch 1", latency, "ms");

        // The ceiling of the same threads, and the share of it that training and inference reach.
        double peak = FmaPeak.measure(s.seconds() / 10, s.seconds() / WINDOWS);
        double trainGflops = train.median() * Flops.trainingPerImage(net) / 1e9;
        double inferGflops = infer.median() * Flops.forwardPerImage(net) / 1e9;
        if (!json) {
            if (Double.isNaN(peak)) {
                out.printf(Locale.ROOT, "FMA peak: not measured (needs --add-modules jdk.incubator.vector);"
                        + " training %.1f GFLOP/s, inference %.1f GFLOP/s%n", trainGflops, inferGflops);
            } else {
                out.printf(Locale.ROOT, "FMA peak, %s: %.1f GFLOP/s; training %.1f GFLOP/s (%.1f%% of it),"
                                + " inference %.1f GFLOP/s (%.1f%%)%n",
                        threadCount == 1 ? "1 thread" : threadCount + " threads", peak, trainGflops,
                        100 * trainGflops / peak, inferGflops, 100 * inferGflops / peak);
            }
            out.flush();
        }

        List<LayerProfile.Row> profile = layers
                ? LayerProfile.run(net, x, kernels, s.seconds() / 2, PROFILE_PASSES) : null;
        if (profile != null && !json) {
            printProfile(out, profile, s.batch());
        }

        double peakHeapMb = Throughput.peakHeapBytes() / (1024.0 * 1024.0);
        double maxHeapMb = Runtime.getRuntime().maxMemory() / (1024.0 * 1024.0);
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", net.name());
            r.put("backend", kernels.name());
            r.put("threads", threadCount);
            r.put("batch", s.batch());
            r.put("vector_bits", vectorBits);
            put(r, "train_img_s", train, 1);
            put(r, "infer_img_s", infer, 1);
            put(r, "latency_ms", latency, 3);
            r.put("peak_heap_mb", round(peakHeapMb, 1));
            r.put("max_heap_mb", round(maxHeapMb, 1));
            r.put("windows", WINDOWS);
            r.put("seconds", s.seconds());
            r.put("kernels", kernels.describe());
            if (transfers != null) {
                r.put("opencl_per_train_step", transfers);
            }
            if (profile != null) {
                r.put("layers", profile.stream().map(LayerProfile.Row::toMap).toList());
            }
            r.put("java", Runtime.version().toString());
            r.put("cpu", Cpu.model());
            r.put("cpu_cores", Cpu.cores());
            r.put("forward_mflop_per_image", round(Flops.forwardPerImage(net) / 1e6, 2));
            r.put("train_gflops", round(trainGflops, 1));
            r.put("infer_gflops", round(inferGflops, 1));
            // JSON has no NaN: without the Vector API the peak and the ratios are null.
            r.put("fma_peak_gflops", Double.isNaN(peak) ? null : round(peak, 1));
            r.put("train_peak_ratio", Double.isNaN(peak) ? null : round(trainGflops / peak, 3));
            r.put("infer_peak_ratio", Double.isNaN(peak) ? null : round(inferGflops / peak, 3));
            out.println(Json.write(r));
        } else {
            out.printf(Locale.ROOT, "Peak heap: %,.0f MB (of %,.0f MB max)%n", peakHeapMb, maxHeapMb);
        }
        out.flush();
        return 0;
    }

    /**
     * The webcam case: one 640x480 frame (the bundled group photo, scaled) through the face
     * detector at its default input size, and a 640x480 frame holding one face through the
     * detector and the bundled fer2013 classifier (with its flip averaging), end to end from a
     * {@link BufferedImage}: resizing, the networks, decoding, cropping.
     */
    private int faces(Settings s, PrintWriter out) throws IOException {
        BufferedImage photo;
        try (InputStream in = BenchCommand.class.getResourceAsStream("demo/group-photo.jpg")) {
            photo = ImageDecoder.decode(in.readAllBytes(), "group-photo.jpg", ImageDecoder.DEFAULT_MAX_PIXELS);
        }
        BufferedImage group = scaled(photo, 0, 0, photo.getWidth(), photo.getHeight(), 640, 480);
        // One face filling about a fifth of the frame's width, as at a webcam: around the face at the right.
        BufferedImage single = scaled(photo, 1180, 100, 800, 600, 640, 480);
        FaceDetector detector = FaceDetector.pretrained();
        EmotionClassifier fer = EmotionClassifier.pretrained("fer2013");
        int groupFaces = detector.detect(group).size();
        int singleFaces = fer.predictFaces(single, detector).size();
        if (!json) {
            out.printf(Locale.ROOT, "Model: %s at %d, on 640x480 frames (%d faces in the group frame, %d in the single)%n",
                    TinyFaceDetector.NAME, detector.options().inputSize(), groupFaces, singleFaces);
            out.printf(Locale.ROOT, "Each number: median of %d windows of %.2f s (min, max), after a %.2f s warm-up%n",
                    WINDOWS, s.seconds() / WINDOWS, s.seconds() / 2);
            out.flush();
        }
        Throughput meter = new Throughput(s.seconds() / 2, WINDOWS, s.seconds() / WINDOWS);
        Throughput.Stats detect = meter.imagesPerSecond(() -> {
            detector.detect(group);
            return 1;
        }).reciprocalMillis();
        line(out, "Detection, one 640x480 frame", detect, "ms");
        Throughput.Stats both = meter.imagesPerSecond(() -> {
            fer.predictFaces(single, detector);
            return 1;
        }).reciprocalMillis();
        line(out, "Detection + emotion, one face", both, "ms");
        if (layers && !json) {
            Sequential net = TinyFaceDetector.build(detector.options().inputSize(), 42);
            Tensor frame = Tensor.zeros(1, 3, detector.options().inputSize(), detector.options().inputSize());
            printProfile(out, LayerProfile.run(net, frame, KernelsProvider.get(), s.seconds() / 2, PROFILE_PASSES), 1);
        }
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", TinyFaceDetector.NAME);
            r.put("input_size", detector.options().inputSize());
            r.put("backend", KernelsProvider.get().name());
            r.put("threads", Parallel.threads());
            r.put("cpu", Cpu.model());
            r.put("cpu_cores", Cpu.cores());
            put(r, "detect_ms", detect, 3);
            put(r, "detect_and_emotion_ms", both, 3);
            r.put("windows", WINDOWS);
            r.put("seconds", s.seconds());
            out.println(Json.write(r));
        }
        out.flush();
        return 0;
    }

    /** The {@code (x, y, w, h)} region of {@code image} resized to {@code width x height}, bilinear. */
    private static BufferedImage scaled(BufferedImage image, int x, int y, int w, int h, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, width, height, x, y, x + w, y + h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static final int TRANSFER_STEPS = 5;
    private static final int PROFILE_PASSES = 5;

    /** The per-layer table: milliseconds per call at the batch size, and each layer's share. */
    private static void printProfile(PrintWriter out, List<LayerProfile.Row> rows, int batch) {
        double eval = 0;
        double train = 0;
        for (LayerProfile.Row r : rows) {
            eval += r.evalForwardMs();
            train += r.trainForwardMs() + r.backwardMs();
        }
        out.printf(Locale.ROOT, "%nPer layer, batch %d (medians, ms; share of the inference and training passes):%n",
                batch);
        out.printf(Locale.ROOT, "%-28s %-22s %10s %6s %10s %10s %6s%n", "layer", "type", "inference", "",
                "train fwd", "backward", "");
        for (LayerProfile.Row r : rows) {
            out.printf(Locale.ROOT, "%-28s %-22s %10.3f %5.1f%% %10.3f %10.3f %5.1f%%%n", r.name(), r.type(),
                    r.evalForwardMs(), share(r.evalForwardMs(), eval), r.trainForwardMs(), r.backwardMs(),
                    share(r.trainForwardMs() + r.backwardMs(), train));
        }
        out.printf(Locale.ROOT, "%-28s %-22s %10.3f %6s %10s %10.3f%n", "total", "", eval, "", "", train);
        out.printf(Locale.ROOT, "(the layers only: the loss and the optimizer step are outside these totals)%n");
        out.flush();
    }

    private static double share(double part, double whole) {
        return whole > 0 ? 100 * part / whole : 0;
    }

    /**
     * Host-device copies and kernel time of one training step on OpenCL, the mean of a few steps
     * after the timed ones (so the arena is warm, as it is during training).
     */
    private static Map<String, Object> transfersPerStep(OpenClKernels ocl, Trainer trainer, Batch data) {
        ocl.resetStats();
        long t0 = System.nanoTime();
        for (int i = 0; i < TRANSFER_STEPS; i++) {
            trainer.step(data);
        }
        double stepMs = (System.nanoTime() - t0) / 1e6 / TRANSFER_STEPS;
        OpenClKernels.TransferStats t = ocl.stats();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("uploads", round((double) t.uploads() / TRANSFER_STEPS, 1));
        r.put("upload_mb", round(t.uploadBytes() / 1e6 / TRANSFER_STEPS, 3));
        r.put("upload_ms", round(t.uploadNanos() / 1e6 / TRANSFER_STEPS, 2));
        r.put("downloads", round((double) t.downloads() / TRANSFER_STEPS, 1));
        r.put("download_mb", round(t.downloadBytes() / 1e6 / TRANSFER_STEPS, 3));
        r.put("download_ms", round(t.downloadNanos() / 1e6 / TRANSFER_STEPS, 2));
        r.put("kernels", round((double) t.kernels() / TRANSFER_STEPS, 1));
        r.put("kernel_ms", round(t.kernelNanos() / 1e6 / TRANSFER_STEPS, 2));
        r.put("step_ms", round(stepMs, 2));
        r.put("arena_mb", round(ocl.arenaBytes() / 1e6, 1));
        Map<String, Object> byOp = new LinkedHashMap<>();  // where the kernel time goes, largest first
        ocl.kernelMillisByOp().entrySet().stream().limit(5)
                .forEach(e -> byOp.put(e.getKey(), round(e.getValue() / TRANSFER_STEPS, 2)));
        r.put("kernel_ms_by_op", byOp);
        return r;
    }

    /** Random pixels in [0, 1) of the model's input shape and random labels, from a fixed seed. */
    private static Batch randomBatch(Sequential net, int n, int classes, long seed) {
        int[] sample = net.inputShape();
        int[] shape = new int[sample.length + 1];
        shape[0] = n;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[Math.toIntExact(Tensor.checkedSize(shape))];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(classes);
        }
        return new Batch(new Tensor(x, shape), y);
    }

    private void line(PrintWriter out, String what, Throughput.Stats stats, String unit) {
        if (json) {
            return;
        }
        String format = unit.equals("ms") ? "%,.3f" : "%,.1f";
        out.printf(Locale.ROOT, "%-36s %12s %-8s (min %s, max %s)%n", what + ":",
                String.format(Locale.ROOT, format, stats.median()), unit,
                String.format(Locale.ROOT, format, stats.min()), String.format(Locale.ROOT, format, stats.max()));
        out.flush();
    }

    private static void put(Map<String, Object> r, String key, Throughput.Stats stats, int decimals) {
        r.put(key, round(stats.median(), decimals));
        r.put(key + "_min", round(stats.min(), decimals));
        r.put(key + "_max", round(stats.max(), decimals));
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
