package org.fer4j.serve;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.models.EmotionClassifier;
import org.fer4j.models.faces.FaceDetector;

/** The real analyzer: one face detector and one emotion classifier, owned by one worker. */
public final class ModelAnalyzer implements Analyzer {
    private final FaceDetector detector;
    private final EmotionClassifier classifier;

    public ModelAnalyzer(FaceDetector detector, EmotionClassifier classifier) {
        this.detector = detector;
        this.classifier = classifier;
    }

    @Override
    public List<Face> analyze(BufferedImage image) {
        List<String> names = classifier.classNames();
        List<Face> faces = new ArrayList<>();
        for (EmotionClassifier.FacePrediction f : classifier.predictFaces(image, detector)) {
            float[] p = f.prediction().probabilities();
            Map<String, Float> probabilities = new LinkedHashMap<>();
            for (int i = 0; i < p.length; i++) {
                probabilities.put(names.get(i), p[i]);
            }
            faces.add(new Face(f.box().x(), f.box().y(), f.box().width(), f.box().height(), f.faceScore(),
                    f.prediction().label(), f.prediction().confidence(), probabilities));
        }
        return faces;
    }

    /**
     * Analyzers for a bundled model name or a model file: the model is read once here (a bad name
     * fails now, with the list of known ones) and again for each worker, so that workers share no
     * layer caches.
     */
    public static Factory factory(String model) throws IOException {
        EmotionClassifier first = EmotionClassifier.open(model);
        int[] size = first.inputSize();
        ModelDescription description = new ModelDescription(model, List.copyOf(first.classNames()), size[0], size[1],
                first.flipAveraging(), "tiny-face-detector", java.util.Collections.unmodifiableMap(new LinkedHashMap<>(first.info().metadata())));
        return new Factory() {
            @Override
            public ModelDescription model() {
                return description;
            }

            @Override
            public Analyzer create() throws IOException {
                return new ModelAnalyzer(FaceDetector.pretrained(), EmotionClassifier.open(model));
            }
        };
    }
}
