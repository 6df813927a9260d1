package org.fer4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.fer4j.engine.InferenceModel;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.VectorFmaLoop;
import org.fer4j.models.ModelZoo;
import org.fer4j.onnx.OnnxExport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * fer4j against ONNX Runtime (Java, CPU) on the same weights, in one JMH run: inference of a
 * model-zoo model in evaluation mode on the vector backend, and the same model exported by
 * {@link OnnxExport} run by ONNX Runtime, at batch 64 (throughput) and batch 1 (latency), plus
 * the FMA peak of the same number of threads, so that every score can be read as a ratio taken in
 * one run on one machine.
 *
 * <p>Fairness: both use {@code threads} threads (fer4j's pool, {@link org.fer4j.kernels.Parallel};
 * ONNX Runtime's intra-op pool, with one inter-op thread and sequential execution), both get the
 * input already in their own form (a {@link Tensor}; a direct-buffer {@link OnnxTensor}, made
 * once), and both run in the same fork configuration. ONNX Runtime optimises the graph at its
 * highest level ({@code ALL_OPT}: it folds batch-norm into the convolutions and fuses the ReLUs);
 * its per-call cost of the Java API (a result object per run) is part of its score, as it is for
 * any Java caller. Batch-norm statistics and biases are randomised (a fresh model's are
 * trivial), so the folded and unfolded models do different arithmetic on real values.
 *
 * <p>{@code fer4j} runs the model as built; {@code fer4jFolded} runs
 * {@link InferenceModel#fold}'s copy of it, with each batch-norm folded into the convolution or
 * dense layer before it: what {@code EmotionClassifier}, {@code fer4j predict} and the inference
 * of {@code fer4j bench} run. The two side by side are the fold's effect, measured in one run.
 *
 * <pre>
 * bench/jmh OrtVersusBench
 * bench/jmh OrtVersusBench -p model=fer-ref -p batch=1
 * </pre>
 *
 * Images/s is {@code batch / (ms/op) * 1000}; GFLOP/s is that times the model's forward
 * operations per image ({@link org.fer4j.engine.Flops}); {@code fmaPeak:gflops} (run on
 * {@value #THREADS} JMH threads, summed) is the peak of the same cores.
 */
// ONNX Runtime loads its native library: allowed up front, so the fork prints no warning about it.
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
// Four warm-up seconds are not enough on a busy machine: the first vector-API calls run interpreted
// until C2 compiles them (seconds per call at first), so eight.
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class OrtVersusBench {
    /** The thread count of both engines and of the FMA peak: the machines of the issue have 2 cores. */
    static final int THREADS = 2;

    /** One model at one batch size, for both engines. */
    @State(Scope.Benchmark)
    public static class Problem {
        @org.openjdk.jmh.annotations.Param({"fer-ref", "fer-vgg"})
        public String model;

        @org.openjdk.jmh.annotations.Param({"64", "1"})
        public int batch;

        Sequential net;
        Sequential folded;
        Tensor x;
        OrtEnvironment env;
        OrtSession session;
        OnnxTensor input;

        @Setup(Level.Trial)
        public void setUp() throws OrtException {
            Backends.threads(THREADS);
            net = Backends.with(Backends.kernels("vector"), () -> ModelZoo.build(model, 42));
            randomiseState(net, 7);
            folded = Backends.with(Backends.kernels("vector"), () -> InferenceModel.fold(net));
            int[] shape = net.inputShape();
            int[] full = new int[shape.length + 1];
            full[0] = batch;
            System.arraycopy(shape, 0, full, 1, shape.length);
            x = new Tensor(Backends.random(Math.toIntExact(Tensor.checkedSize(full)), 1), full);

            env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(THREADS);
                options.setInterOpNumThreads(1);
                options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                session = env.createSession(OnnxExport.toProto(net, null, false).toByteArray(), options);
            }
            long[] dims = new long[full.length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = full[i];
            }
            input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), dims);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws OrtException {
            input.close();
            session.close();
        }
    }

    @Benchmark
    @BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Tensor fer4j(Problem p) {
        return p.net.forward(p.x, Mode.EVAL);
    }

    @Benchmark
    @BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Tensor fer4jFolded(Problem p) {
        return p.folded.forward(p.x, Mode.EVAL);
    }

    /** One ONNX Runtime run; returns the first logit so that the result is read. */
    @Benchmark
    @BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public float ort(Problem p) throws OrtException {
        try (OrtSession.Result r = p.session.run(Map.of(OnnxExport.INPUT, p.input))) {
            return ((OnnxTensor) r.get(0)).getFloatBuffer().get(0);
        }
    }

    /**
     * The FMA peak of {@value #THREADS} threads ({@link VectorFmaLoop}); with {@code Threads}
     * JMH sums the per-thread rates, so {@code gflops} is the peak of the cores the engines use.
     */
    @Benchmark
    @BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(THREADS)
    public float fmaPeak(SgemmBench.PeakOperands o, SgemmBench.Flops f) {
        f.add(VectorFmaLoop.flopPerCall(VectorFmaLoop.ITERATIONS));
        return VectorFmaLoop.run(o.x, o.y, VectorFmaLoop.ITERATIONS);
    }

    /**
     * Moves every batch-norm layer's statistics and affine terms away from a fresh model's (mean
     * 0, variance 1, gamma 1, beta 0): variances and scales in [0.5, 1.5), means and shifts in
     * [-0.1, 0.1). Trivial values would let a wrong fold of batch-norm go unseen.
     */
    static void randomiseState(Sequential model, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (org.fer4j.engine.layers.Layer l : model.layers()) {
            if (!(l instanceof org.fer4j.engine.layers.BatchNorm)) {
                continue;
            }
            // params(): gamma, beta, running mean, running variance
            java.util.List<Param> ps = l.params();
            for (int k = 0; k < ps.size(); k++) {
                float[] d = ps.get(k).value().data();
                boolean positive = k == 0 || k == 3;
                for (int i = 0; i < d.length; i++) {
                    d[i] = positive ? (float) (0.5 + r.nextDouble()) : (float) (0.2 * r.nextDouble() - 0.1);
                }
            }
        }
    }
}
