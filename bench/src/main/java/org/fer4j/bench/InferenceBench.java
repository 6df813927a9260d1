package org.fer4j.bench;

import java.util.concurrent.TimeUnit;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.Kernels;
import org.fer4j.models.ModelZoo;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Inference (an evaluation-mode forward pass) of a model-zoo model on a random batch: batch 64 for
 * throughput, batch 1 for latency. Images/s is {@code batch / (ms/op) * 1000}; at batch 1 the
 * score is the latency.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar InferenceBench -p backend=vector
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class InferenceBench {
    @Param({"scalar", "vector"})
    public String backend;

    @Param({"fer-ref"})
    public String model;

    @Param({"64", "1"})
    public int batch;

    /** Engine threads; 0: all cores. */
    @Param({"0"})
    public int threads;

    Sequential net;
    Tensor x;

    @Setup(Level.Trial)
    public void setUp() {
        Backends.threads(threads);
        Kernels kernels = Backends.kernels(backend);
        net = Backends.with(kernels, () -> ModelZoo.build(model, 42));
        int[] shape = net.inputShape();
        int[] full = new int[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        x = new Tensor(Backends.random(Math.toIntExact(Tensor.checkedSize(full)), 1), full);
    }

    @Benchmark
    public Tensor forward() {
        return net.forward(x, Mode.EVAL);
    }
}
