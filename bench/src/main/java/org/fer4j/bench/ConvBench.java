package org.fer4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Layer;
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
 * One {@link Conv2D} layer of fer-ref, forward and backward over a batch, as the engine runs it
 * (im2col + GEMM per image, the bias, and for backward col2im and both gradients).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ConvBench -p layer=conv2
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    @Param({"scalar", "vector"})
    public String backend;

    @Param({"conv1", "conv2", "conv3", "conv4"})
    public String layer;

    @Param({"64"})
    public int batch;

    /** Engine threads; 0: all cores. */
    @Param({"0"})
    public int threads;

    Conv2D conv;
    Tensor x;    // [N, C, H, W]
    Tensor dy;   // [N, F, OH, OW]

    @Setup(Level.Trial)
    public void setUp() {
        Backends.threads(threads);
        Kernels kernels = Backends.kernels(backend);
        FerRef.Conv shape = FerRef.conv(layer);
        conv = Backends.with(kernels, () -> {
            Conv2D c = new Conv2D(shape.filters(), FerRef.Conv.K);
            c.setName(shape.name());
            c.build(new int[] {shape.channels(), shape.height(), shape.width()},
                    new Layer.BuildContext(new SplittableRandom(7), true));
            return c;
        });
        x = new Tensor(Backends.random(batch * shape.channels() * shape.height() * shape.width(), 1),
                batch, shape.channels(), shape.height(), shape.width());
        dy = new Tensor(Backends.random(batch * shape.filters() * shape.positions(), 2),
                batch, shape.filters(), shape.outH(), shape.outW());
        conv.forward(x, Mode.TRAIN);  // fills the cache that backward reads
    }

    @Benchmark
    public Tensor forward() {
        return conv.forward(x, Mode.TRAIN);
    }

    /** Backward alone: the forward cache is the one set up once; the weight gradient accumulates. */
    @Benchmark
    public Tensor backward() {
        return conv.backward(dy);
    }
}
