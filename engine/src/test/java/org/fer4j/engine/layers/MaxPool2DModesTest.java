package org.fer4j.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * MaxPool2D runs the values-only kernel in evaluation mode: the output must be the training
 * forward's, and a backward after it (an input gradient in evaluation mode) the same as after a
 * training forward.
 */
class MaxPool2DModesTest {

    @Test
    void evaluationForwardAndABackwardAfterItMatchTraining() {
        int[][] shapes = {{3, 44, 44}, {5, 9, 8}, {4, 13, 13}};
        for (int[] s : shapes) {
            for (Padding padding : new Padding[] {Padding.VALID, Padding.SAME}) {
                MaxPool2D train = GradientCheck.built(new MaxPool2D(2, 2, padding), 7, s[0], s[1], s[2]);
                MaxPool2D eval = GradientCheck.built(new MaxPool2D(2, 2, padding), 7, s[0], s[1], s[2]);
                Tensor x = GradientCheck.randomTensor(new SplittableRandom(s[1]), 0, 2, s[0], s[1], s[2]);
                float[] expected = train.forward(x, Mode.TRAIN).data().clone();
                assertArrayEquals(expected, eval.forward(x, Mode.EVAL).data(), "forward " + padding);
                Tensor dout = GradientCheck.randomTensor(new SplittableRandom(3), 0, 2,
                        train.outputShape()[0], train.outputShape()[1], train.outputShape()[2]);
                assertArrayEquals(train.backward(dout).data(), eval.backward(dout).data(), "backward " + padding);
                // and an evaluation forward after a training one still pools the new input
                Tensor x2 = GradientCheck.randomTensor(new SplittableRandom(s[1] + 1), 0, 2, s[0], s[1], s[2]);
                assertArrayEquals(train.forward(x2, Mode.TRAIN).data().clone(), eval.forward(x2, Mode.EVAL).data());
            }
        }
    }
}
