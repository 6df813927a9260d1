package org.fer4j.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;

/** Tiny parameters with known values and gradients, for checking updates by hand. */
final class TestParams {

    private TestParams() {
    }

    static Param param(String name, boolean decay, float... values) {
        return Param.trainable(name, new Tensor(values.clone(), values.length), decay);
    }

    static void setGrad(Param p, float... grad) {
        System.arraycopy(grad, 0, p.grad().data(), 0, grad.length);
    }

    static void assertValues(double[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }
}
