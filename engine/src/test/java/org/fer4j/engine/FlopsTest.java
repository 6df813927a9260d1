package org.fer4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.engine.layers.Residual;
import org.junit.jupiter.api.Test;

class FlopsTest {
    @Test
    void countsTheMultiplyAddsOfConvolutionsAndDenseLayersTwice() {
        Sequential m = Sequential.builder("t", 3, 9, 7)
                .add(new Conv2D(5, 3)).add(new ReLU())          // 5 x 7 x 5 outputs of 3*3*3 each
                .add(new MaxPool2D(2))                          // 5 x 3 x 2
                .add(new Flatten()).add(new Dense(4))           // 30 -> 4
                .build(1);
        long macs = 5L * 7 * 5 * 27 + 30L * 4;
        assertEquals(2 * macs, Flops.forwardPerImage(m));
        assertEquals(6 * macs, Flops.trainingPerImage(m));
    }

    @Test
    void countsBothPathsOfAResidualBlock() {
        Sequential m = Sequential.builder("r", 2, 6, 6)
                .add(new Residual(List.of(new Conv2D(4, 3, 1, Padding.SAME).withoutBias(), new BatchNorm()),
                        List.of(new Conv2D(4, 1, 1, Padding.SAME).withoutBias())))
                .build(1);
        long macs = 4L * 36 * 2 * 9 + 4L * 36 * 2;
        assertEquals(2 * macs, Flops.forwardPerImage(m));
    }
}
