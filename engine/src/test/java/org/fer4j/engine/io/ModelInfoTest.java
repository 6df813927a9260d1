package org.fer4j.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelInfoTest {

    @Test
    void unitMapsEightBitPixelsToTheUnitInterval() {
        float[] x = {0f, 255f, 51f};
        Normalization.UNIT.apply(x);
        assertArrayEquals(new float[] {0f, 1f, 0.2f}, x, 1e-7f);
    }

    @Test
    void normalizationScalesThenSubtractsThenDivides() {
        float[] x = {255f, 0f};
        new Normalization(1f / 255, 0.5f, 0.25f).apply(x);
        // (1 - 0.5) / 0.25 and (0 - 0.5) / 0.25
        assertArrayEquals(new float[] {2f, -2f}, x, 1e-6f);
        float[] same = {3f, -7f};
        Normalization.NONE.apply(same);
        assertArrayEquals(new float[] {3f, -7f}, same);
    }

    @Test
    void normalizationRejectsValuesThatCannotNormalize() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Normalization(1f, 0f, 0f));
        assertEquals("normalization std must be in [1.0E-6, 1000000.0], got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Normalization(0f, 0f, 1f));
        assertEquals("normalization scale must be in +-[1.0E-6, 1000000.0], got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Normalization(1f, Float.NaN, 1f));
        assertEquals("normalization mean must be in [-1000000.0, 1000000.0], got NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Normalization(1e38f, 0f, 1f));
        assertTrue(e.getMessage().startsWith("normalization scale must be in"), e.getMessage());
    }

    @Test
    void normalizationRoundTripsThroughItsMapAndJson() {
        Normalization n = new Normalization(1f / 255, 0.5077f, 0.2550f);
        assertEquals(n, Normalization.fromMap(n.toMap()));
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) Json.parse(Json.write(n.toMap()));
        assertEquals(n, Normalization.fromMap(parsed));
        var e = assertThrows(IllegalArgumentException.class, () -> Normalization.fromMap(Map.of("scale", 1, "mean", 0)));
        assertEquals("normalization: 'std' must be a number, got nothing", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Normalization.fromMap(Map.of("scale", 1, "mean", 0, "std", 1, "sdt", 1)));
        assertEquals("normalization: unknown key 'sdt', expected scale, mean and std", e.getMessage());
    }

    @Test
    void classNamesMustBeNonEmptyAndUnique() {
        var e = assertThrows(IllegalArgumentException.class, () -> ModelInfo.of(List.of(), Normalization.UNIT));
        assertEquals("model info: class names must not be empty", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelInfo.of(List.of("angry", "happy", "angry"), Normalization.UNIT));
        assertEquals("model info: class name 'angry' appears twice, at 0 and 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelInfo.of(Arrays.asList("a", " "), Normalization.UNIT));
        assertEquals("model info: class name 1 is blank; every class needs a name", e.getMessage());
    }

    @Test
    void infoIsImmutable() {
        List<String> names = new ArrayList<>(List.of("a", "b"));
        ModelInfo info = new ModelInfo(names, Normalization.UNIT, Map.of("tags", new ArrayList<>(List.of("x"))));
        names.add("c");
        assertEquals(List.of("a", "b"), info.classNames());
        assertThrows(UnsupportedOperationException.class, () -> info.classNames().add("c"));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) info.metadata().get("tags")).clear());
        ModelInfo stamped = info.withMetadata("created", "2025-01-01T00:00:00Z");
        assertEquals(Map.of("tags", List.of("x"), "created", "2025-01-01T00:00:00Z"), stamped.metadata());
        assertEquals(Map.of("tags", List.of("x")), info.metadata());
    }
}
