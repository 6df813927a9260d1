package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fer4j.cli.MainTest.Result;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.models.ModelZoo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fer4j eval} of a FER2013-style model (7 classes, neutral among them) on CK+-style folders
 * (anger, contempt, disgust, fear, happy, sadness, surprise): 3 test images per class.
 */
class EvalAcrossDatasetsTest {
    static final List<String> FER = List.of("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral");
    static final List<String> CK = List.of("anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise");

    @TempDir
    Path dir;
    Path model;

    @BeforeEach
    void model() throws Exception {
        // Untrained: the tests check which images are evaluated and how they are labelled, not accuracy.
        model = dir.resolve("fer7.fer4j");
        ModelFile.save(model, ModelZoo.barsCnn(FER.size(), 42), ModelInfo.of(FER, Normalization.UNIT));
    }

    private Result eval(Path data, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("eval", "--model", model.toString(), "--data", data.toString(),
                "--split", "test", "--out", dir.resolve("eval").toString(), "--cache-dir", dir.resolve("cache").toString()));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    /** Images per true class (the confusion matrix's row sums), in the model's class order. */
    private static List<Long> rowSums(Map<?, ?> json) {
        List<?> rows = (List<?>) json.get("confusion_matrix");
        assertEquals(FER.size(), rows.size(), "the matrix is over all of the model's classes");
        return rows.stream().map(r -> ((List<?>) r).stream().mapToLong(v -> ((Number) v).longValue()).sum()).toList();
    }

    @Test
    void aSubsetPlusAnExtraClassIsEvaluatedOnTheSharedClasses() throws Exception {
        Path ck = Fixtures.imageFolders(dir.resolve("ck"), CK, 2, 3, 5);
        Result text = eval(ck);
        assertEquals(0, text.code(), text.err() + text.out());
        String out = text.out();
        assertTrue(out.contains("Classes: the data has angry, disgust, fear, happy, sad, surprise, contempt; the model has "
                + String.join(", ", FER)), out);
        assertTrue(out.contains("evaluated: the 6 classes both have (angry, disgust, fear, happy, sad, surprise); the model"
                + " predicts among all 7"), out);
        assertTrue(out.contains("left out, not in the model: contempt (3 images); --merge contempt->CLASS maps it"),
                out);
        assertTrue(out.contains("absent, not in the data: neutral"), out);
        assertTrue(out.contains("(18 images,"), out);
        assertTrue(out.lines().anyMatch(l -> l.strip().startsWith("neutral  absent from the data (predicted ")), out);
        assertTrue(out.contains("over the 6 classes the data has"), out);
        assertFalse(out.contains("no class"), out);
        assertTrue(java.nio.file.Files.readString(dir.resolve("eval").resolve("report.html"))
                .contains("<td>neutral</td><td colspan=\"4\">absent from the data"));

        Result json = eval(ck, "--json");
        assertEquals(0, json.code(), json.err());
        Map<?, ?> m = (Map<?, ?>) Json.parse(json.out().strip());
        // anger -> angry and sadness -> sad by their synonyms; neutral's row is empty.
        assertEquals(List.of(3L, 3L, 3L, 3L, 3L, 3L, 0L), rowSums(m));
        assertEquals(18, ((Number) m.get("support")).intValue());
        assertEquals(List.of("neutral"), m.get("absent_classes"));
        assertEquals(3, ((Number) m.get("images_left_out")).intValue());
        assertEquals(Map.of("contempt", 3L), ((Map<?, ?>) m.get("left_out")).entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.getKey(), e -> ((Number) e.getValue()).longValue())));
        Map<?, ?> neutral = (Map<?, ?>) ((List<?>) m.get("per_class")).get(6);
        assertEquals("neutral", neutral.get("class"));
        assertEquals(true, neutral.get("absent"));
    }

    @Test
    void mergeMapsTheExtraClassOntoOneOfTheModels() throws Exception {
        Path ck = Fixtures.imageFolders(dir.resolve("ck"), CK, 2, 3, 5);
        Result r = eval(ck, "--merge", "contempt->disgust", "--json");
        assertEquals(0, r.code(), r.err());
        Map<?, ?> m = (Map<?, ?>) Json.parse(r.out().strip());
        assertEquals(List.of(3L, 6L, 3L, 3L, 3L, 3L, 0L), rowSums(m));
        assertEquals(21, ((Number) m.get("support")).intValue());
        assertEquals(0, ((Number) m.get("images_left_out")).intValue());
        assertTrue(r.err().contains("absent, not in the data: neutral"), r.err());
        assertFalse(r.err().contains("left out"), r.err());
    }

    @Test
    void theSameClassesInAnotherOrderAndSpellingNeedNoNotes() throws Exception {
        Path data = Fixtures.imageFolders(dir.resolve("same"), List.of("Neutral", "Happiness", "anger", "sad", "Surprised",
                "fearful", "disgusted"), 2, 2, 9);
        Result r = eval(data, "--json");
        assertEquals(0, r.code(), r.err());
        Map<?, ?> m = (Map<?, ?>) Json.parse(r.out().strip());
        assertEquals(List.of(2L, 2L, 2L, 2L, 2L, 2L, 2L), rowSums(m));
        assertFalse(m.containsKey("absent_classes"), m.toString());
        assertFalse(m.containsKey("left_out"), m.toString());
        assertFalse(r.err().contains("Classes:"), r.err());
    }

    @Test
    void noSharedClassIsAClearErrorNamingBothLists() throws Exception {
        Path data = Fixtures.imageFolders(dir.resolve("other"), List.of("calm", "bored"), 2, 2, 7);
        Result r = eval(data);
        assertEquals(Main.EXIT_USER, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("none of the data's classes (bored, calm) is one of the model's (" + String.join(", ", FER)
                + "); map them with --merge FROM->TO"), r.err());
    }
}
