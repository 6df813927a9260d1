package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassMapTest {
    private static final List<String> CK = List.of("angry", "disgust", "fear", "happy", "sad", "surprise", "contempt");

    @Test
    void namesAreNormalizedAcrossDatasets() {
        assertEquals("angry", ClassNames.normalize("Anger"));
        assertEquals("sad", ClassNames.normalize(" sadness "));
        assertEquals("happy", ClassNames.normalize("HAPPINESS"));
        assertEquals("surprise", ClassNames.normalize("surprised"));
        assertEquals("fear", ClassNames.normalize("3-Fearful"));
        assertEquals("angry", ClassNames.normalize("0_angry"));
        assertEquals("pain", ClassNames.normalize("Pain"));
        assertEquals("7", ClassNames.normalize("7"));
        List<String> sorted = new java.util.ArrayList<>(List.of("pain", "contempt", "neutral", "angry", "awe"));
        sorted.sort(ClassNames.ORDER);
        assertEquals(List.of("angry", "neutral", "contempt", "awe", "pain"), sorted);
    }

    @Test
    void subsetKeepsTheGivenClassesInTheGivenOrder() {
        List<String> fer = ClassNames.FER2013;
        ClassMap m = ClassMap.of(fer, ClassMap.parseClasses("happy, surprise,Disgust,neutral"), Map.of(), "fer2013.csv");
        assertEquals(List.of("happy", "surprise", "disgust", "neutral"), m.classNames());
        assertEquals(-1, m.target(0));             // angry dropped
        assertEquals(2, m.target(1));              // disgust
        assertEquals(0, m.target(3));              // happy
        assertEquals(3, m.target(6));              // neutral
        assertEquals(fer, ClassMap.of(fer, ClassMap.parseClasses("all"), Map.of(), "x").classNames());
    }

    @Test
    void mergeRelabelsBeforeTheSubset() {
        ClassMap m = ClassMap.of(CK, List.of(), ClassMap.parseMerges("contempt->disgust", "--merge"), "CK+48");
        assertEquals(List.of("angry", "disgust", "fear", "happy", "sad", "surprise"), m.classNames());
        assertEquals(1, m.target(CK.indexOf("contempt")));
        assertEquals(1, m.target(CK.indexOf("disgust")));

        ClassMap neg = ClassMap.of(CK, List.of("negative", "happy"),
                ClassMap.parseMerges("anger->negative, sad=negative, disgust:negative", "--merge"), "CK+48");
        assertEquals(List.of("negative", "happy"), neg.classNames());
        assertEquals(0, neg.target(CK.indexOf("angry")));
        assertEquals(0, neg.target(CK.indexOf("sad")));
        assertEquals(-1, neg.target(CK.indexOf("contempt")));
    }

    @Test
    void errorsNameTheOptionAndTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassMap.of(ClassNames.FER2013, List.of("hapy"), Map.of(), "fer2013.csv"));
        assertEquals("--classes: no class 'hapy' in fer2013.csv (classes: angry, disgust, fear, happy, sad, surprise, neutral)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClassMap.of(ClassNames.FER2013, List.of(), Map.of("contempt", "disgust"), "fer2013.csv"));
        assertTrue(e.getMessage().startsWith("--merge contempt->disgust: no class 'contempt' in fer2013.csv"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClassMap.of(ClassNames.FER2013, List.of("happy", "happiness"), Map.of(), "f"));
        assertTrue(e.getMessage().contains("'happiness' is listed twice (as happy)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClassMap.parseMerges("contempt", "--merge"));
        assertTrue(e.getMessage().contains("expected FROM->TO"), e.getMessage());
    }

    @Test
    void mergeFile(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("merge.txt"), "# CK+ to FER2013\ncontempt -> disgust\n\nanger->angry  # same\n");
        assertEquals(Map.of("contempt", "disgust", "anger", "angry"), ClassMap.readMerges(f));
        Path bad = Files.writeString(dir.resolve("bad.txt"), "contempt disgust\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassMap.readMerges(bad));
        assertTrue(e.getMessage().startsWith(bad + " line 1: expected FROM->TO"), e.getMessage());
    }

    @Test
    void balancedClassWeightsFollowScikitLearn() {
        float[] w = ClassWeights.balanced(new int[] {10, 30, 60}, List.of("a", "b", "c"));
        // n / (k * n_c) = 100 / (3 * n_c)
        assertEquals(100 / 30.0, w[0], 1e-6);
        assertEquals(100 / 90.0, w[1], 1e-6);
        assertEquals(100 / 180.0, w[2], 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassWeights.balanced(new int[] {3, 0}, List.of("happy", "disgust")));
        assertTrue(e.getMessage().contains("'disgust' has no training images"), e.getMessage());
    }
}
