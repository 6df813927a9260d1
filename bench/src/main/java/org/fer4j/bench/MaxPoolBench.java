package org.fer4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.Layer;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.kernels.Kernels;
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
 * fer-ref's 2x2 max-pools, forward and backward over a batch: memory-bound, so the interesting
 * number is bytes moved per second rather than FLOP. {@code forward} is the training forward
 * (values and argmax), {@code inference} the evaluation-mode forward (values only,
 * {@code Kernels.maxPoolValues}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar MaxPoolBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MaxPoolBench {
    @Param({"scalar", "vector"})
    public String backend;

    @Param({"pool1", "pool2", "pool3"})
    public String layer;

    @Param({"64"})
    public int batch;

    /** Engine threads; 0: all cores. */
    @Param({"0"})
    public int threads;

    MaxPool2D pool;
    Tensor x;    // [N, C, H, W]
    Tensor dy;   // [N, C, H/2, W/2]

    @Setup(Level.Trial)
    public void setUp() {
        Backends.threads(threads);
        Kernels kernels = Backends.kernels(backend);
        FerRef.Pool shape = FerRef.pool(layer);
        pool = Backends.with(kernels, () -> {
            MaxPool2D p = new MaxPool2D(2);
            p.setName(shape.name());
            p.build(new int[] {shape.channels(), shape.height(), shape.width()},
                    new Layer.BuildContext(new SplittableRandom(7), false));
            return p;
        });
        x = new Tensor(Backends.random(batch * shape.channels() * shape.height() * shape.width(), 1),
                batch, shape.channels(), shape.height(), shape.width());
        int[] out = pool.outputShape();
        dy = new Tensor(Backends.random(batch * out[0] * out[1] * out[2], 2), batch, out[0], out[1], out[2]);
        pool.forward(x, Mode.TRAIN);
    }

    @Benchmark
    public Tensor forward() {
        return pool.forward(x, Mode.TRAIN);
    }

    @Benchmark
    public Tensor inference() {
        return pool.forward(x, Mode.EVAL);
    }

    @Benchmark
    public Tensor backward() {
        return pool.backward(dy);
    }
}
