package org.fer4j.kernels.opencl;

import static org.fer4j.kernels.opencl.OpenClTestSupport.close;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.optim.Adam;
import org.fer4j.engine.optim.Optimizer;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.kernels.ScalarKernels;
import org.junit.jupiter.api.Test;

/**
 * A few Adam steps of a small conv + batch-norm + ReLU + max-pool + dense net, built with the
 * engine, on OpenCL and on the scalar reference from the same seed and data: the losses and the
 * weights must agree within float tolerance. The activations are big enough (16 x 8 x 16 x 16)
 * to stay resident on the device, so this also checks the residency protocol end to end.
 */
class OpenClTrainingTest {

    private static final int BATCH = 16;
    private static final int STEPS = 4;

    private record Run(List<Double> losses, List<float[]> weights, float[] lastLogits, Object stepStats) {
    }

    private static Run train(Kernels kernels) {
        return KernelsProvider.using(kernels, () -> {
            Sequential model = Sequential.builder("tiny", 1, 16, 16)
                    // No bias before batch-norm: its gradient is zero up to rounding, and Adam
                    // divides that rounding noise by its own size into full-size steps of any sign.
                    .add(new Conv2D(8, 3, 1, Padding.SAME).withoutBias()).add(new BatchNorm()).add(new ReLU())
                    .add(new MaxPool2D(2))
                    .add(new Conv2D(8, 3, 1, Padding.VALID)).add(new ReLU())
                    .add(new Flatten()).add(new Dense(3))
                    .build(7);
            Optimizer optimizer = new Adam(model.params(), 1e-2f);
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(0.1f, null);
            SplittableRandom r = new SplittableRandom(11);
            float[] x = new float[BATCH * 16 * 16];
            int[] y = new int[BATCH];
            Tensor input = new Tensor(x, BATCH, 1, 16, 16);
            List<Double> losses = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                // The same array refilled every step, as the batch sources do.
                for (int i = 0; i < BATCH; i++) {
                    y[i] = r.nextInt(3);
                    for (int p = 0; p < 256; p++) {
                        x[i * 256 + p] = (float) (r.nextGaussian() * 0.5 + (p % 16 < 8 ? y[i] : -y[i]) * 0.3);
                    }
                }
                optimizer.zeroGrad();
                Tensor logits = model.forward(input, Mode.TRAIN);
                losses.add(loss.forward(logits, y));
                model.backward(loss.backward());
                optimizer.step();
            }
            // What moved during the training steps (before the evaluation and the final synchronize).
            Object stepStats = kernels instanceof OpenClKernels o ? o.stats() : null;
            Tensor out = model.forward(input, Mode.EVAL);
            kernels.hostRead(out.data());
            float[] lastLogits = out.data().clone();
            kernels.synchronize();
            List<float[]> weights = new ArrayList<>();
            for (Param p : model.state()) {
                weights.add(p.value().data().clone());
            }
            return new Run(losses, weights, lastLogits, stepStats);
        });
    }

    @Test
    void trainingStepsMatchTheScalarBackend() {
        OpenClKernels ocl = OpenClTestSupport.kernels();
        Run expected = train(new ScalarKernels());
        ocl.resetStats();
        Run actual = train(ocl);
        OpenClKernels.TransferStats stats = (OpenClKernels.TransferStats) actual.stepStats();
        for (int i = 0; i < STEPS; i++) {
            assertEquals(expected.losses().get(i), actual.losses().get(i), 1e-3,
                    "loss at step " + i + " (scalar " + expected.losses() + ", opencl " + actual.losses() + ")");
        }
        assertTrue(expected.losses().get(STEPS - 1) < expected.losses().get(0), "the net learns: " + expected.losses());
        for (int i = 0; i < expected.weights().size(); i++) {
            close("weights of state tensor " + i, expected.weights().get(i), actual.weights().get(i), 2e-3);
        }
        close("eval logits", expected.lastLogits(), actual.lastLogits(), 2e-3);
        // Residency: during the steps no resident array (activations, their gradients, the conv
        // workspaces, the big weights) came back to the host; only small ones did (biases, small
        // weight gradients, batch-norm statistics, probabilities).
        assertEquals(0, stats.residentDownloads(), stats.toString());
        System.out.println("OpenClTrainingTest, " + STEPS + " training steps, batch " + BATCH + ": " + stats);
    }
}
