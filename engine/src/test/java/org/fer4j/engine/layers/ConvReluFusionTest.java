package org.fer4j.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Conv2D directly followed by a ReLU is fused when the chain is built: the convolution writes
 * {@code max(y, 0)} and the ReLU passes it on. The pair must compute exactly what the two layers
 * compute apart, forward and backward, bit for bit (both ways run the same operations in the same
 * order: the epilogue adds the bias to the tile and rectifies, as the separate passes would), on
 * the path that unfolds images into the GEMM's panels (valid padding) and on im2col then sgemm
 * (same padding). Each layer apart has its own gradient check, so this equality is the fused
 * pair's. Runs on whichever backend the suite runs on.
 */
class ConvReluFusionTest {
    private static final long SEED = 20261121L;

    @ParameterizedTest
    @ValueSource(strings = {"valid", "same"})
    void fusedPairMatchesTheLayersApart(String paddingName) {
        Padding padding = Padding.parse(paddingName);
        assumeTrue(Layers.FUSION, "fusion switched off with -Dfer4j.fusion=false");
        Sequential fused = Sequential.builder("fused", 3, 11, 9)
                .add(new Conv2D(6, 3, 1, padding)).add(new ReLU()).build(SEED);
        Conv2D conv = GradientCheck.built(new Conv2D(6, 3, 1, padding), SEED, 3, 11, 9);
        int[] convOut = conv.outputShape();
        ReLU relu = GradientCheck.built(new ReLU(), SEED, convOut);
        List<Param> fusedParams = fused.params();
        List<Param> apartParams = conv.params();
        for (int p = 0; p < apartParams.size(); p++) {
            float[] w = fusedParams.get(p).value().data();
            System.arraycopy(w, 0, apartParams.get(p).value().data(), 0, w.length);
        }

        SplittableRandom random = new SplittableRandom(SEED);
        Tensor x = GradientCheck.randomTensor(random, 0, 5, 3, 11, 9);  // half the outputs negative
        Tensor yFused = fused.forward(x, Mode.TRAIN);
        Tensor yApart = relu.forward(conv.forward(x, Mode.TRAIN), Mode.TRAIN);
        assertArrayEquals(yApart.data(), yFused.data(), "forward");
        // Fusion really happened: the ReLU handed on the convolution's own output.
        assertSame(fused.layers().get(0).forward(x, Mode.TRAIN), fused.forward(x, Mode.TRAIN));

        Tensor dy = GradientCheck.randomTensor(random, 0, yFused.shape());
        Tensor dxFused = fused.backward(dy);
        Tensor dxApart = conv.backward(relu.backward(dy));
        assertArrayEquals(dxApart.data(), dxFused.data(), "input gradient");
        for (int p = 0; p < apartParams.size(); p++) {
            assertArrayEquals(apartParams.get(p).grad().data(), fusedParams.get(p).grad().data(),
                    apartParams.get(p).name() + " gradient");
        }
        boolean someNegativeBeforeRelu = false;
        for (float v : conv.forward(x, Mode.TRAIN).data()) {
            someNegativeBeforeRelu |= v < 0;
        }
        assertTrue(someNegativeBeforeRelu, "the test input must exercise the ReLU");
    }

    /** The same for a LeakyReLU after the convolution (fused as {@code y > 0 ? y : slope * y}). */
    @ParameterizedTest
    @ValueSource(strings = {"valid", "same"})
    void fusedLeakyPairMatchesTheLayersApart(String paddingName) {
        Padding padding = Padding.parse(paddingName);
        assumeTrue(Layers.FUSION, "fusion switched off with -Dfer4j.fusion=false");
        Sequential fused = Sequential.builder("fused", 3, 11, 9)
                .add(new Conv2D(6, 3, 1, padding)).add(new LeakyReLU(0.1f)).build(SEED);
        Conv2D conv = GradientCheck.built(new Conv2D(6, 3, 1, padding), SEED, 3, 11, 9);
        LeakyReLU leaky = GradientCheck.built(new LeakyReLU(0.1f), SEED, conv.outputShape());
        List<Param> fusedParams = fused.params();
        List<Param> apartParams = conv.params();
        for (int p = 0; p < apartParams.size(); p++) {
            float[] w = fusedParams.get(p).value().data();
            System.arraycopy(w, 0, apartParams.get(p).value().data(), 0, w.length);
        }
        SplittableRandom random = new SplittableRandom(SEED + 1);
        Tensor x = GradientCheck.randomTensor(random, 0, 5, 3, 11, 9);
        Tensor yFused = fused.forward(x, Mode.TRAIN);
        Tensor yApart = leaky.forward(conv.forward(x, Mode.TRAIN), Mode.TRAIN);
        assertArrayEquals(yApart.data(), yFused.data(), "forward");
        assertSame(fused.layers().get(0).forward(x, Mode.TRAIN), fused.forward(x, Mode.TRAIN), "fused");
        boolean someNegative = false;
        for (float v : yFused.data()) {
            someNegative |= v < 0;
        }
        assertTrue(someNegative, "a leaky ReLU keeps scaled negatives: the test must see some");
        Tensor dy = GradientCheck.randomTensor(random, 0, yFused.shape());
        Tensor dxFused = fused.backward(dy);
        Tensor dxApart = conv.backward(leaky.backward(dy));
        assertArrayEquals(dxApart.data(), dxFused.data(), "input gradient");
        for (int p = 0; p < apartParams.size(); p++) {
            assertArrayEquals(apartParams.get(p).grad().data(), fusedParams.get(p).grad().data(),
                    apartParams.get(p).name() + " gradient");
        }
    }

    /**
     * The comparison above can fail: a half-done fusion (the ReLU told that the convolution
     * rectifies, the convolution not told) lets negative outputs through, and the outputs differ.
     */
    @Test
    void aHalfDoneFusionIsCaught() {
        Conv2D conv = GradientCheck.built(new Conv2D(6, 3), SEED, 3, 11, 9);
        ReLU relu = GradientCheck.built(new ReLU(), SEED, conv.outputShape());
        Conv2D broken = GradientCheck.built(new Conv2D(6, 3), SEED, 3, 11, 9);
        ReLU skipped = GradientCheck.built(new ReLU(), SEED, broken.outputShape());
        skipped.appliedByPrevious();
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 5, 3, 11, 9);
        float[] expected = relu.forward(conv.forward(x, Mode.TRAIN), Mode.TRAIN).data();
        float[] actual = skipped.forward(broken.forward(x, Mode.TRAIN), Mode.TRAIN).data();
        assertFalse(Arrays.equals(expected, actual), "a ReLU that nobody applies must show");
    }
}
