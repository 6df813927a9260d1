package org.fer4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.data.SyntheticBars;
import org.fer4j.engine.io.Json;
import org.junit.jupiter.api.Test;

/**
 * The bundled models load by name and still give the outputs recorded when they were bundled,
 * for a few fixed generated inputs (so a change to the engine, the file format or the data
 * pipeline that alters what users get is caught). Regenerate the record after re-training with
 * {@code java ... org.fer4j.models.PretrainedTest models/src/test/resources/org/fer4j/models/pretrained-outputs.json}.
 */
class PretrainedTest {
    private static final String RECORD = "pretrained-outputs.json";
    /** Different backends round differently (FMA, summation order); predictions must agree to this. */
    private static final double TOLERANCE = 1e-4;

    /** Fixed inputs: raw grey pixels 0..255 of generated 48x48 images. */
    static List<float[]> inputs() {
        var data = SyntheticBars.generate(4, 48, 4, 2026);
        float[] x = data.batches(4, false, 0).next().x().data();
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            float[] pixels = new float[48 * 48];
            for (int p = 0; p < pixels.length; p++) {
                pixels[p] = Math.round(255 * x[i * 48 * 48 + p]);
            }
            out.add(pixels);
        }
        return out;
    }

    static Map<String, Object> outputs() throws IOException {
        Map<String, Object> record = new LinkedHashMap<>();
        for (String name : Pretrained.available()) {
            EmotionClassifier fer = EmotionClassifier.pretrained(name);
            List<Object> rows = new ArrayList<>();
            for (float[] pixels : inputs()) {
                rows.add(fer.predict(pixels).probabilities());
            }
            record.put(name, rows);
        }
        return record;
    }

    @Test
    void bundledModelsGiveTheRecordedOutputs() throws IOException {
        Map<?, ?> expected;
        try (InputStream in = PretrainedTest.class.getResourceAsStream(RECORD)) {
            assertNotNull(in, "missing test resource " + RECORD);
            expected = (Map<?, ?>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(expected.keySet(), Pretrained.available().stream().collect(java.util.stream.Collectors.toSet()),
                "the record and the bundled models must name the same models");
        Map<String, Object> actual = outputs();
        for (Object name : expected.keySet()) {
            List<?> rows = (List<?>) expected.get(name);
            List<?> got = (List<?>) actual.get(name);
            for (int i = 0; i < rows.size(); i++) {
                List<?> want = (List<?>) rows.get(i);
                float[] have = (float[]) got.get(i);
                for (int k = 0; k < want.size(); k++) {
                    assertEquals(((Number) want.get(k)).doubleValue(), have[k], TOLERANCE, name + " input " + i + " class " + k);
                }
            }
        }
    }

    @Test
    void bundledModelsRecordHowTheyWereMade() throws IOException {
        for (String name : Pretrained.available()) {
            EmotionClassifier fer = EmotionClassifier.pretrained(name);
            Map<String, Object> meta = fer.info().metadata();
            for (String key : List.of("architecture", "data", "split", "seed", "epochs", "command", "fer4j_version")) {
                assertTrue(meta.containsKey(key), name + " lacks '" + key + "' in " + meta.keySet());
            }
            assertFalse(fer.classNames().isEmpty());
        }
    }

    /** A shipped file names no folder of the machine that trained it (bench's Bundle rewrites them). */
    @Test
    void bundledModelsRecordNoMachinePaths() throws IOException {
        for (String name : Pretrained.available()) {
            for (Map.Entry<String, Object> e : EmotionClassifier.pretrained(name).info().metadata().entrySet()) {
                if (e.getValue() instanceof String s) {
                    for (String word : s.split(" ")) {
                        assertFalse(word.startsWith("/") || word.matches("^[A-Za-z]:\\\\.*"),
                                name + ": metadata '" + e.getKey() + "' records the absolute path " + word);
                    }
                }
            }
        }
    }

    /** A bundled ensemble ({@code NAME.ensemble}, here two test resources) opens as its members averaged. */
    @Test
    void anEnsembleResourceOpensItsMembers() throws IOException {
        assertEquals(List.of("fer2013", "fer2013"), Pretrained.members("selftest-pair"));
        assertEquals(List.of(), Pretrained.members("fer2013"));
        EmotionClassifier pair = EmotionClassifier.pretrained("selftest-pair");
        EmotionClassifier one = EmotionClassifier.pretrained("fer2013");
        assertEquals(2, pair.members());
        assertTrue(pair.flipAveraging());
        for (float[] pixels : inputs()) {
            float[] a = pair.predict(pixels).probabilities();
            float[] b = one.predict(pixels).probabilities();
            for (int k = 0; k < a.length; k++) {
                assertEquals(b[k], a[k], 1e-6);
            }
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Pretrained.load("selftest-pair"));
        assertTrue(e.getMessage().contains("an ensemble of fer2013, fer2013"), e.getMessage());
        IOException bad = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Pretrained.members("selftest-broken"));
        assertTrue(bad.getMessage().contains("'no-such-model'"), bad.getMessage());
    }

    @Test
    void theRobustModelIsAFileOfItsOwnAgain() throws IOException {
        assertTrue(Pretrained.available().contains("fer2013-robust"), Pretrained.available().toString());
        assertTrue(Pretrained.describe("fer2013-robust").contains("augmentation throughout"));
        assertEquals("fer2013-robust", Pretrained.resolve("FER2013-Robust"));
        assertEquals(List.of(), Pretrained.members("fer2013-robust"));
        EmotionClassifier robust = EmotionClassifier.pretrained("FER2013-Robust");
        EmotionClassifier plain = EmotionClassifier.pretrained("fer2013");
        boolean differ = false;
        for (float[] pixels : inputs()) {
            differ |= !java.util.Arrays.equals(plain.predict(pixels).probabilities(), robust.predict(pixels).probabilities());
        }
        assertTrue(differ, "fer2013-robust must open its own weights, not fer2013's");
    }

    /** Writes the record of the current bundled models' outputs. */
    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), Json.writePretty(outputs()) + "\n");
    }
}
