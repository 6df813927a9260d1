package org.fer4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmotionClassifierTest {
    private static final List<String> CLASSES = List.of("happy", "sad", "surprise", "neutral");

    private static EmotionClassifier classifier(Path dir) throws Exception {
        Sequential model = ModelZoo.entry("bars-cnn").build(4, 7);
        Path file = dir.resolve("m.fer4j");
        ModelFile.save(file, model, ModelInfo.of(CLASSES, Normalization.UNIT));
        return EmotionClassifier.load(file);
    }

    private static BufferedImage grey(int w, int h, java.util.function.IntBinaryOperator value) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        return image;
    }

    @Test
    void anySizeAndColourGivesAProbabilityPerClass(@TempDir Path dir) throws Exception {
        EmotionClassifier fer = classifier(dir);
        BufferedImage colour = new BufferedImage(120, 90, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 90; y++) {
            for (int x = 0; x < 120; x++) {
                colour.setRGB(x, y, new Color((x * 2) % 256, (y * 3) % 256, (x + y) % 256).getRGB());
            }
        }
        EmotionClassifier.Prediction p = fer.predict(colour);
        assertEquals(4, p.probabilities().length);
        double sum = 0;
        for (float v : p.probabilities()) {
            assertTrue(v >= 0 && v <= 1);
            sum += v;
        }
        assertEquals(1.0, sum, 1e-5);
        assertTrue(CLASSES.contains(p.label()));
        assertEquals(p.probability(p.label()), p.confidence());
        assertEquals(p.index(), (int) p.top(1).get(0));
    }

    @Test
    void rawPixelsAtInputSizeMatchTheSameImage(@TempDir Path dir) throws Exception {
        EmotionClassifier fer = classifier(dir);
        int[] size = fer.inputSize();
        BufferedImage image = grey(size[1], size[0], (x, y) -> (x * 16 + y * 5) % 256);
        float[] pixels = new float[size[0] * size[1]];
        for (int y = 0; y < size[0]; y++) {
            for (int x = 0; x < size[1]; x++) {
                pixels[y * size[1] + x] = (x * 16 + y * 5) % 256;
            }
        }
        assertArrayEquals(fer.predict(image).probabilities(), fer.predict(pixels).probabilities());
        assertThrows(IllegalArgumentException.class, () -> fer.predict(new float[7]));
    }

    @Test
    void flipAveragingIsSymmetric(@TempDir Path dir) throws Exception {
        EmotionClassifier fer = classifier(dir);
        EmotionClassifier tta = fer.withFlipAveraging(true);
        BufferedImage left = grey(48, 48, (x, y) -> x < 16 ? 220 : 30);
        BufferedImage right = grey(48, 48, (x, y) -> x >= 32 ? 220 : 30);
        // Mirrored faces differ for the plain model but agree once each is averaged with its mirror.
        assertNotEquals(fer.predict(left).probabilities()[0], fer.predict(right).probabilities()[0]);
        assertArrayEquals(tta.predict(left).probabilities(), tta.predict(right).probabilities(), 1e-6f);
    }

    @Test
    void unknownBundledNamesListWhatIsBundled() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmotionClassifier.pretrained("fer-nope"));
        assertTrue(e.getMessage().contains("no bundled model 'fer-nope'"), e.getMessage());
    }

    @Test
    void bundledModelsAverageWithTheMirrorImageByDefault() throws Exception {
        EmotionClassifier fer = EmotionClassifier.pretrained("fer2013");
        assertTrue(fer.flipAveraging());
        assertFalse(fer.withFlipAveraging(false).flipAveraging());
        assertFalse(EmotionClassifier.of(Pretrained.load("fer2013")).flipAveraging());
    }

    @Test
    void weightsThatOverflowToInfinityAreAnErrorNotNaNPercent() {
        // Every weight 1e9 (finite, within what a model file may hold): the logits overflow to Inf.
        Sequential model = ModelZoo.entry("bars-cnn").build(2, 1);
        for (org.fer4j.engine.Param p : model.params()) {
            java.util.Arrays.fill(p.value().data(), 1e9f);
        }
        EmotionClassifier c = EmotionClassifier.of(new org.fer4j.engine.io.Checkpoint(model,
                ModelInfo.of(List.of("a", "b"), Normalization.NONE), null, null));
        float[] pixels = new float[c.inputSize()[0] * c.inputSize()[1]];
        java.util.Arrays.fill(pixels, 200f);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.predict(pixels));
        assertTrue(e.getMessage().contains("not a number"), e.getMessage());
    }

    private static EmotionClassifier saved(Path dir, String name, long seed, List<String> classes) throws Exception {
        Sequential model = ModelZoo.entry("bars-cnn").build(classes.size(), seed);
        Path file = dir.resolve(name + ".fer4j");
        ModelFile.save(file, model, ModelInfo.of(classes, Normalization.UNIT));
        return EmotionClassifier.load(file);
    }

    @Test
    void anEnsembleAveragesItsMembersProbabilities(@TempDir Path dir) throws Exception {
        EmotionClassifier a = saved(dir, "a", 1, CLASSES);
        EmotionClassifier b = saved(dir, "b", 2, CLASSES);
        EmotionClassifier c = saved(dir, "c", 3, CLASSES);
        float[] pixels = new float[16 * 16];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i * 37 + (i / 16) * 11) % 256;
        }
        for (boolean flip : new boolean[] {false, true}) {
            List<EmotionClassifier> members = List.of(a.withFlipAveraging(flip), b, c);
            EmotionClassifier ensemble = EmotionClassifier.ensemble(members);
            assertEquals(3, ensemble.members());
            assertEquals(flip, ensemble.flipAveraging());
            float[] got = ensemble.predict(pixels).probabilities();
            for (int k = 0; k < CLASSES.size(); k++) {
                double mean = 0;
                for (EmotionClassifier m : members) {
                    mean += m.withFlipAveraging(flip).predict(pixels).probabilities()[k] / 3.0;
                }
                assertEquals(mean, got[k], 1e-6, "flip " + flip + " class " + k);
            }
            // The members differ, so the average is none of them.
            assertFalse(java.util.Arrays.equals(got, a.withFlipAveraging(flip).predict(pixels).probabilities()));
        }
        // An ensemble of an ensemble is flat; a comma-separated list opens one.
        assertEquals(3, EmotionClassifier.ensemble(List.of(EmotionClassifier.ensemble(List.of(a, b)), c)).members());
        EmotionClassifier opened = EmotionClassifier.open(dir.resolve("a.fer4j") + "," + dir.resolve("b.fer4j"));
        assertEquals(2, opened.members());
        assertArrayEquals(EmotionClassifier.ensemble(List.of(a, b)).predict(pixels).probabilities(),
                opened.predict(pixels).probabilities());
    }

    @Test
    void ensembleMembersMustShareClassesAndInput(@TempDir Path dir) throws Exception {
        EmotionClassifier a = saved(dir, "a", 1, CLASSES);
        EmotionClassifier other = saved(dir, "o", 2, List.of("happy", "sad", "neutral", "surprise"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmotionClassifier.ensemble(List.of(a, other)));
        assertTrue(e.getMessage().startsWith("ensemble member 2"), e.getMessage());
        assertTrue(e.getMessage().contains("same classes in the same order"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EmotionClassifier.ensemble(List.of(a)));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> EmotionClassifier.open(dir.resolve("a.fer4j") + ",,x"));
        assertTrue(empty.getMessage().contains("empty name"), empty.getMessage());
    }
}
