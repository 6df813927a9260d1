package org.fer4j.bench;

import java.util.concurrent.TimeUnit;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.optim.Adam;
import org.fer4j.engine.train.TrainConfig;
import org.fer4j.engine.train.Trainer;
import org.fer4j.kernels.Kernels;
import org.fer4j.models.ModelZoo;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full training step of a model-zoo model ({@link Trainer#step}: zero the gradients, forward
 * in training mode, softmax cross-entropy, backward, Adam) on a fixed random batch. Training
 * images/s is {@code batch / (ms/op) * 1000}.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar TrainStepBench -p backend=vector
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class TrainStepBench {
    @Param({"scalar", "vector"})
    public String backend;

    @Param({"fer-ref"})
    public String model;

    @Param({"64"})
    public int batch;

    /** Engine threads; 0: all cores. */
    @Param({"0"})
    public int threads;

    Trainer trainer;
    Batch data;

    @Setup(Level.Trial)
    public void setUp() {
        Backends.threads(threads);
        Kernels kernels = Backends.kernels(backend);
        ModelZoo.Entry entry = ModelZoo.entry(model);
        trainer = Backends.with(kernels, () -> {
            Sequential m = entry.build(entry.defaultClasses(), 42);
            // A small learning rate: the same batch over and over must not drive the loss to NaN.
            Adam adam = new Adam(m.params(), 1e-4f);
            TrainConfig config = TrainConfig.DEFAULT.toBuilder().batchSize(batch).build();
            return new Trainer(m, adam, new SoftmaxCrossEntropy(), null, config);
        });
        int[] shape = trainer.model().inputShape();
        int[] full = new int[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        int size = Math.toIntExact(Tensor.checkedSize(full));
        data = new Batch(new Tensor(Backends.random(size, 1), full),
                Backends.labels(batch, entry.defaultClasses(), 2));
    }

    /** Returns the batch loss, so the whole step is consumed. */
    @Benchmark
    public double step() {
        return trainer.step(data);
    }
}
