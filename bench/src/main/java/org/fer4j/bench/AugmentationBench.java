package org.fer4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.fer4j.datasets.Augmentation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of each augmentation op on one 48x48 grey face, on one thread, as the batch builder
 * pays it: the stored image copied to floats, then augmented with that sample's own generator.
 * Each op at probability 1 (erasing and flip too), so the numbers are per applied op; the presets
 * with their own probabilities. The images are generated (uniform noise over a smooth ramp), which
 * matters only for JPEG, whose cost grows a little with detail.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar AugmentationBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class AugmentationBench {
    private static final int SIZE = 48;

    @Param({"none", "flip@1", "standard", "jitter=0.1", "brightness=0.25", "contrast=0.25", "gamma=0.3", "blur=1",
        "noise=8", "jpeg=30-90", "erasing@1", "strong", "robust"})
    public String spec;

    private Augmentation augmentation;
    private final float[] stored = new float[SIZE * SIZE];
    private final float[] x = new float[SIZE * SIZE];
    private long sample;

    @Setup
    public void setup() {
        augmentation = Augmentation.parse(spec);
        SplittableRandom r = new SplittableRandom(1);
        for (int y = 0; y < SIZE; y++) {
            for (int c = 0; c < SIZE; c++) {
                stored[y * SIZE + c] = Math.min(255, 60 + 2 * c + y + r.nextInt(40));
            }
        }
    }

    /** Returns the image so that the work cannot be eliminated. */
    @Benchmark
    public float[] augmentOneFace() {
        System.arraycopy(stored, 0, x, 0, x.length);
        augmentation.apply(x, 0, SIZE, SIZE, new SplittableRandom(sample++));
        return x;
    }
}
