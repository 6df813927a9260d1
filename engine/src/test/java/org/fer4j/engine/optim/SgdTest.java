package org.fer4j.engine.optim;

import static org.fer4j.engine.optim.TestParams.assertValues;
import static org.fer4j.engine.optim.TestParams.param;
import static org.fer4j.engine.optim.TestParams.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class SgdTest {
    private static final double TOL = 1e-6;

    @Test
    void plainSgdStepsAgainstTheGradient() {
        Param w = param("w", true, 1f, -2f, 3f);
        setGrad(w, 0.5f, -1f, 2f);
        Sgd sgd = new Sgd(List.of(w), 0.1f);
        // w -= 0.1 * g, twice: [1, -2, 3] -> [0.95, -1.9, 2.8] -> [0.9, -1.8, 2.6]
        sgd.step();
        sgd.step();
        assertValues(new double[] {0.9, -1.8, 2.6}, w.value().data(), TOL);
        assertTrue(sgd.state().isEmpty(), "plain SGD keeps no velocity");
        assertEquals(2, sgd.steps());
    }

    @Test
    void momentumAccumulatesVelocity() {
        Param w = param("w", true, 1f, -2f);
        setGrad(w, 0.5f, -1f);
        Sgd sgd = new Sgd(List.of(w), 0.1f, 0.9f, false, 0f);
        // v = 0.9 v + g; w -= 0.1 v, with g = [0.5, -1] each step:
        // step 1: v = [0.5, -1]       w = [1 - 0.05,     -2 + 0.1]    = [0.95,   -1.9]
        // step 2: v = [0.95, -1.9]    w = [0.95 - 0.095, -1.9 + 0.19] = [0.855,  -1.71]
        // step 3: v = [1.355, -2.71]  w = [0.855 - 0.1355, -1.71 + 0.271] = [0.7195, -1.439]
        for (int i = 0; i < 3; i++) {
            sgd.step();
        }
        assertValues(new double[] {0.7195, -1.439}, w.value().data(), TOL);
        assertEquals(Set.of("velocity/w"), sgd.state().keySet());
        assertValues(new double[] {1.355, -2.71}, sgd.state().get("velocity/w"), TOL);
    }

    @Test
    void nesterovStepsWithTheLookAheadVelocity() {
        Param w = param("w", true, 1f, -2f);
        setGrad(w, 0.5f, -1f);
        Sgd sgd = new Sgd(List.of(w), 0.1f, 0.9f, true, 0f);
        // v = 0.9 v + g; w -= 0.1 (g + 0.9 v):
        // step 1: v = [0.5, -1]     g + 0.9v = [0.95, -1.9]   w = [0.905, -1.81]
        // step 2: v = [0.95, -1.9]  g + 0.9v = [1.355, -2.71] w = [0.905 - 0.1355, -1.81 + 0.271] = [0.7695, -1.539]
        sgd.step();
        sgd.step();
        assertValues(new double[] {0.7695, -1.539}, w.value().data(), TOL);
    }

    @Test
    void weightDecayAppliesOnlyToParamsThatAskForIt() {
        Param kernel = param("dense/kernel", true, 1f, -2f);
        Param bias = param("dense/bias", false, 1f, -2f);
        // Zero gradients: only the decay moves the weights. g' = 0.1 w; w -= 0.1 g' = w * 0.99.
        Sgd sgd = new Sgd(List.of(kernel, bias), 0.1f, 0f, false, 0.1f);
        sgd.step();
        assertValues(new double[] {0.99, -1.98}, kernel.value().data(), TOL);
        assertValues(new double[] {1, -2}, bias.value().data(), 0);
    }

    @Test
    void nonTrainableParamsAreLeftAlone() {
        Param w = param("w", true, 1f);
        Param mean = Param.state("bn/mean", new Tensor(new float[] {5f}, 1));
        setGrad(w, 1f);
        Sgd sgd = new Sgd(List.of(w, mean), 0.1f, 0.9f, false, 0.1f);
        sgd.step();
        assertEquals(List.of(w), sgd.params());
        assertEquals(Set.of("velocity/w"), sgd.state().keySet());
        assertEquals(5f, mean.value().data()[0]);
    }

    @Test
    void zeroGradClearsGradientsNotWeights() {
        Param w = param("w", true, 1f, 2f);
        setGrad(w, 3f, 4f);
        Sgd sgd = new Sgd(List.of(w), 0.1f);
        sgd.zeroGrad();
        assertArrayEquals(new float[] {0f, 0f}, w.grad().data());
        assertArrayEquals(new float[] {1f, 2f}, w.value().data());
    }

    @Test
    void loadedStateContinuesTrainingExactly() {
        Param a = param("w", true, 1f, -2f);
        setGrad(a, 0.5f, -1f);
        Sgd first = new Sgd(List.of(a), 0.1f, 0.9f, true, 0.01f);
        first.step();
        first.step();

        Param b = param("w", true, a.value().data());
        setGrad(b, 0.5f, -1f);
        Sgd resumed = new Sgd(List.of(b), 0.1f, 0.9f, true, 0.01f);
        resumed.loadState(first.steps(), first.state());
        assertEquals(2, resumed.steps());

        first.step();
        resumed.step();
        assertArrayEquals(a.value().data(), b.value().data());
        assertArrayEquals(first.state().get("velocity/w"), resumed.state().get("velocity/w"));
    }

    @Test
    void stateOfAnotherModelIsRejected() {
        Sgd sgd = new Sgd(List.of(param("w", true, 1f, 2f)), 0.1f, 0.9f, false, 0f);
        var e = assertThrows(IllegalArgumentException.class,
                () -> sgd.loadState(1, Map.of("velocity/other", new float[2])));
        assertTrue(e.getMessage().contains("velocity/other"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> sgd.loadState(1, Map.of("velocity/w", new float[3])));
        assertTrue(e2.getMessage().contains("3 values, expected 2"), e2.getMessage());
    }

    @Test
    void duplicateParamNamesFailWhenStateIsKept() {
        List<Param> twins = List.of(param("w", true, 1f), param("w", true, 2f));
        var e = assertThrows(IllegalArgumentException.class, () -> new Sgd(twins, 0.1f, 0.9f, false, 0f));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
    }

    @Test
    void hyperParametersAreValidatedByName() {
        List<Param> ps = List.of(param("w", true, 1f));
        assertEquals("momentum must be in [0, 1), got 1.5",
                assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1f, 1.5f, false, 0f)).getMessage());
        assertEquals("nesterov requires momentum > 0, got momentum 0.0",
                assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1f, 0f, true, 0f)).getMessage());
        assertEquals("weightDecay must be >= 0, got -0.1",
                assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1f, 0f, false, -0.1f)).getMessage());
        assertEquals("learning rate must be > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0f)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1f, Float.NaN, false, 0f));
    }
}
