package org.fer4j.engine.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.optim.Sgd;
import org.fer4j.engine.train.TrainConfig;
import org.fer4j.engine.train.Trainer;
import org.junit.jupiter.api.Test;

/** The mixed-target loss of mixup and cutmix: lambda * CE(y) + (1 - lambda) * CE(yMix). */
class MixedLossTest {
    static final int N = 5;
    static final int K = 4;
    static final int[] Y = {0, 3, 1, 2, 3};
    static final int[] Y_MIX = {2, 3, 0, 1, 1};

    static Tensor logits(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[N * K];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return new Tensor(x, N, K);
    }

    static SoftmaxCrossEntropy loss() {
        return new SoftmaxCrossEntropy(0.1f, new float[] {1f, 2f, 0.5f, 1.5f});
    }

    @Test
    void theMixedLossIsTheWeightedSumOfTheTwoPlainOnes() {
        Tensor z = logits(1);
        SoftmaxCrossEntropy l = loss();
        double a = l.forward(z, Y);
        double b = l.forward(z, Y_MIX);
        assertEquals(0.3 * a + 0.7 * b, l.forward(z, Y, Y_MIX, 0.3f), 1e-6);
        assertEquals(a, l.forward(z, Y, Y_MIX, 1f), 1e-12);
        assertEquals(b, l.forward(z, Y, Y_MIX, 0f), 1e-6);
        assertEquals(a, l.forward(z, Y, null, 1f), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> l.forward(z, Y, Y_MIX, 1.5f));
    }

    /** Central differences of the mixed loss in each logit, against backward(). */
    static double worstRelativeError(float lambda, boolean plantWrongBackward) {
        Tensor z = logits(2);
        SoftmaxCrossEntropy l = loss();
        l.forward(z, Y, Y_MIX, lambda);
        if (plantWrongBackward) {
            l.forward(z, Y);   // the gradient of CE(y) alone: what a forgotten mix would give
        }
        float[] analytic = l.backward().data().clone();
        double worst = 0;
        float eps = 1e-2f;
        for (int i = 0; i < N * K; i++) {
            float keep = z.data()[i];
            z.data()[i] = keep + eps;
            double up = l.forward(z, Y, Y_MIX, lambda);
            z.data()[i] = keep - eps;
            double down = l.forward(z, Y, Y_MIX, lambda);
            z.data()[i] = keep;
            double numeric = (up - down) / (2 * eps);
            double diff = Math.abs(numeric - analytic[i]);
            if (diff > 1e-4) {
                worst = Math.max(worst, diff / (Math.abs(numeric) + Math.abs(analytic[i])));
            }
        }
        return worst;
    }

    @Test
    void theGradientMatchesFiniteDifferences() {
        for (float lambda : new float[] {0f, 0.25f, 0.6f, 1f}) {
            double worst = worstRelativeError(lambda, false);
            assertTrue(worst < 1e-2, "lambda " + lambda + ": relative error " + worst);
        }
    }

    @Test
    void theCheckCatchesABackwardThatIgnoresTheMix() {
        double worst = worstRelativeError(0.4f, true);
        assertTrue(worst > 0.1, "a backward without the mixed labels must fail the check: " + worst);
    }

    @Test
    void aBatchValidatesItsMix() {
        Tensor x = new Tensor(new float[2 * 3], 2, 3);
        assertTrue(new Batch(x, new int[] {0, 1}, new int[] {1, 0}, 0.3f).mixed());
        assertEquals(false, new Batch(x, new int[] {0, 1}).mixed());
        assertEquals(1f, new Batch(x, new int[] {0, 1}).lambda());
        assertThrows(IllegalArgumentException.class, () -> new Batch(x, new int[] {0, 1}, new int[] {1}, 0.3f));
        assertThrows(IllegalArgumentException.class, () -> new Batch(x, new int[] {0, 1}, new int[] {1, 0}, -0.1f));
        assertThrows(IllegalArgumentException.class, () -> new Batch(x, new int[] {0, 1}, null, 0.5f));
    }

    @Test
    void theTrainerStepsOnTheMixedLoss() {
        Tensor x = new Tensor(logits(3).data().clone(), N, 1, 2, 2);   // N images of 2x2
        Batch mixed = new Batch(x, Y, Y_MIX, 0.35f);
        Sequential reference = linear();
        SoftmaxCrossEntropy l = loss();
        double expected = l.forward(reference.forward(x, Mode.TRAIN), Y, Y_MIX, 0.35f);
        double plain = l.forward(reference.forward(x, Mode.TRAIN), Y);
        Sequential model = linear();
        Trainer trainer = new Trainer(model, new Sgd(model.params(), 0.1f), loss(), null,
                TrainConfig.DEFAULT.toBuilder().epochs(1).batchSize(N).build());
        assertEquals(expected, trainer.step(mixed), 1e-6);
        assertTrue(Math.abs(expected - plain) > 1e-3, "the check would see a trainer that ignores the mix");
    }

    private static Sequential linear() {
        return Sequential.builder("linear", 1, 2, 2).add(new Flatten()).add(new Dense(K)).build(11);
    }
}
