package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.io.Normalization;
import org.junit.jupiter.api.Test;

class ClassMatchTest {
    static final List<String> CK = List.of("anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise");

    @Test
    void synonymsMatchAndBothSidesAreListed() {
        ClassMatch m = ClassMatch.of(ClassNames.FER2013, CK, "ck");
        assertArrayEquals(new int[] {0, -1, 1, 2, 3, 4, 5}, m.targets());
        assertEquals(List.of("angry", "disgust", "fear", "happy", "sad", "surprise"), m.shared());
        assertEquals(List.of("contempt"), m.dataOnly());
        assertEquals(List.of("neutral"), m.modelOnly());
        assertFalse(m.identical());
        assertTrue(ClassMatch.of(ClassNames.FER2013, ClassNames.FER2013, "fer").identical());
        // A model's own spelling is kept in what is reported.
        ClassMatch caps = ClassMatch.of(List.of("Happy", "Sad"), List.of("sadness", "happiness", "pain"), "x");
        assertArrayEquals(new int[] {1, 0, -1}, caps.targets());
        assertEquals(List.of("Happy", "Sad"), caps.shared());
        assertEquals(List.of("pain"), caps.dataOnly());
        assertTrue(caps.modelOnly().isEmpty());
    }

    @Test
    void nothingSharedNamesBothLists() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassMatch.of(List.of("happy", "sad"), List.of("calm", "bored"), "faces"));
        assertEquals("faces: none of the data's classes (calm, bored) is one of the model's (happy, sad); map them with "
                + "--merge FROM->TO, e.g. --merge calm->happy", e.getMessage());
    }

    @Test
    void relabelKeepsTheMatchedSamplesWithTheModelsLabels() {
        int size = 4;
        byte[] pixels = new byte[5 * size];
        for (int i = 0; i < 5; i++) {
            java.util.Arrays.fill(pixels, i * size, (i + 1) * size, (byte) (10 * i));
        }
        // Data classes 0, 1, 2; class 1 unknown to the model; the model has 4 classes.
        ImageBatchSource data = new ImageBatchSource(pixels, new int[] {0, 1, 2, 3, 4}, new int[] {0, 1, 2, 1, 0}, 2, 2, 3,
                Normalization.NONE, Augmentation.STRONG, 1, 0, 0);
        ImageBatchSource r = data.relabel(new int[] {3, -1, 0}, 4);
        assertEquals(3, r.size());
        assertEquals(4, r.classes());
        assertArrayEquals(new int[] {1, 0, 0, 2}, r.classCounts());
        assertTrue(r.augmentation().isIdentity());
        Batch b = r.batches(8, false, 0).next();
        assertArrayEquals(new int[] {3, 0, 3}, b.y());
        assertArrayEquals(new float[] {0, 0, 0, 0, 20, 20, 20, 20, 40, 40, 40, 40}, b.x().data());
        assertThrows(IllegalArgumentException.class, () -> data.relabel(new int[] {0, 1}, 4));
    }
}
