package org.fer4j.engine.optim;

import static org.fer4j.engine.optim.TestParams.param;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Param;
import org.fer4j.engine.optim.OptimizerConfig.Type;
import org.junit.jupiter.api.Test;

class OptimizerConfigTest {
    private final List<Param> params = List.of(param("conv/kernel", true, 1f, 2f), param("conv/bias", false, 0f));

    @Test
    void presetsCreateTheirOptimizers() {
        assertInstanceOf(Sgd.class, OptimizerConfig.SGD.create(params));
        Optimizer adam = OptimizerConfig.ADAM.create(params);
        assertInstanceOf(Adam.class, adam);
        assertEquals("adam", adam.type());
        AdamW adamW = assertInstanceOf(AdamW.class, OptimizerConfig.ADAMW.create(params));
        assertEquals(0.01f, adamW.weightDecay());
        assertEquals(1e-3f, adamW.learningRate());
    }

    @Test
    void builderAdjustsAPresetAndCreateUsesEveryField() {
        OptimizerConfig c = OptimizerConfig.SGD.toBuilder().lr(0.05f).momentum(0.8f).nesterov(true)
                .weightDecay(5e-4f).build();
        Sgd sgd = assertInstanceOf(Sgd.class, c.create(params));
        assertEquals(0.05f, sgd.learningRate());
        assertEquals(0.8f, sgd.momentum());
        assertTrue(sgd.nesterov());
        assertEquals(5e-4f, sgd.weightDecay());
        assertEquals(c, sgd.toConfig());

        OptimizerConfig a = OptimizerConfig.builder(Type.ADAM).beta1(0.8f).beta2(0.99f).eps(1e-6f).build();
        Adam adam = assertInstanceOf(Adam.class, a.create(params));
        assertEquals(0.8f, adam.beta1());
        assertEquals(0.99f, adam.beta2());
        assertEquals(1e-6f, adam.eps());
    }

    @Test
    void invalidValuesFailNamingTheParameter() {
        assertEquals("momentum must be in [0, 1), got 1.5",
                message(() -> OptimizerConfig.SGD.toBuilder().momentum(1.5f).build()));
        assertEquals("lr must be > 0, got -0.1", message(() -> OptimizerConfig.ADAM.toBuilder().lr(-0.1f).build()));
        assertEquals("beta2 must be in [0, 1), got 1.0",
                message(() -> OptimizerConfig.ADAM.toBuilder().beta2(1f).build()));
        assertEquals("eps must be > 0, got 0.0", message(() -> OptimizerConfig.ADAM.toBuilder().eps(0f).build()));
        assertEquals("weightDecay must be >= 0, got -0.01",
                message(() -> OptimizerConfig.ADAMW.toBuilder().weightDecay(-0.01f).build()));
        assertEquals("nesterov requires momentum > 0, got momentum 0.0",
                message(() -> OptimizerConfig.SGD.toBuilder().momentum(0f).nesterov(true).build()));
        assertEquals("optimizer must be one of sgd, adam, adamw, got 'rmsprop'", message(() -> Type.parse("rmsprop")));
    }

    @Test
    void configWritesOnlyTheKeysOfItsType() {
        Map<String, Object> sgd = OptimizerConfig.SGD.create(params).config();
        assertEquals(List.of("type", "lr", "momentum", "nesterov", "weight_decay"), List.copyOf(sgd.keySet()));
        assertEquals("sgd", sgd.get("type"));
        Map<String, Object> adamW = OptimizerConfig.ADAMW.create(params).config();
        assertEquals(List.of("type", "lr", "beta1", "beta2", "eps", "weight_decay"), List.copyOf(adamW.keySet()));
        assertEquals("adamw", adamW.get("type"));
        assertEquals(0.01f, adamW.get("weight_decay"));
    }

    @Test
    void fromConfigRebuildsEachOptimizerWithItsCurrentLearningRate() {
        List<OptimizerConfig> configs = List.of(
                OptimizerConfig.SGD.toBuilder().nesterov(true).weightDecay(1e-4f).build(),
                OptimizerConfig.ADAM.toBuilder().lr(3e-4f).beta1(0.85f).weightDecay(0.1f).build(),
                OptimizerConfig.ADAMW.toBuilder().eps(1e-7f).weightDecay(0.05f).build());
        for (OptimizerConfig c : configs) {
            Optimizer original = c.create(params);
            original.setLearningRate(1.25e-4f);
            Optimizer rebuilt = Optimizer.fromConfig(original.config(), params);
            assertEquals(original.getClass(), rebuilt.getClass());
            assertEquals(original.config(), rebuilt.config());
            assertEquals(1.25e-4f, rebuilt.learningRate());
            // A JSON parser gives doubles for every number: parse each float's text as a double.
            Optimizer fromJson = Optimizer.fromConfig(asJsonWouldReturn(original.config()), params);
            assertEquals(original.config(), fromJson.config());
        }
    }

    @Test
    void fromMapFillsMissingKeysFromThePresetAndRejectsUnknownOnes() {
        assertEquals(OptimizerConfig.ADAMW, OptimizerConfig.fromMap(Map.of("type", "adamw")));
        assertEquals(OptimizerConfig.SGD.toBuilder().lr(0.1f).build(),
                OptimizerConfig.fromMap(Map.of("type", "sgd", "lr", 0.1)));
        String unknown = message(() -> OptimizerConfig.fromMap(Map.of("type", "sgd", "beta1", 0.9)));
        assertTrue(unknown.contains("unknown key 'beta1' for sgd"), unknown);
        assertEquals("optimizer config: 'lr' must be a number, got fast",
                message(() -> OptimizerConfig.fromMap(Map.of("type", "adam", "lr", "fast"))));
        assertEquals("optimizer config: 'nesterov' must be true or false, got 1",
                message(() -> OptimizerConfig.fromMap(Map.of("type", "sgd", "nesterov", 1))));
        assertEquals("optimizer config: 'type' must be one of sgd, adam, adamw, got null",
                message(() -> OptimizerConfig.fromMap(Map.of("lr", 0.1))));
        assertEquals("momentum must be in [0, 1), got 2.0",
                message(() -> OptimizerConfig.fromMap(Map.of("type", "sgd", "momentum", 2L))));
    }

    private static Map<String, Object> asJsonWouldReturn(Map<String, Object> config) {
        Map<String, Object> json = new LinkedHashMap<>();
        config.forEach((k, v) -> json.put(k, v instanceof Float f ? Double.parseDouble(f.toString()) : v));
        return json;
    }

    private static String message(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }
}
