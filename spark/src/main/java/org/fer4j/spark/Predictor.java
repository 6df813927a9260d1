package org.fer4j.spark;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.fer4j.engine.Tensor;
import org.fer4j.models.EmotionClassifier;
import org.fer4j.models.EmotionClassifier.FacePrediction;
import org.fer4j.models.EmotionClassifier.Prediction;
import org.fer4j.models.faces.Box;
import org.fer4j.models.faces.FaceDetector;
import org.fer4j.models.faces.ImageDecoder;

/**
 * One task's model: turns an image or a face's pixels into output rows ({@link SparkEmotions#SCHEMA}).
 * An image is handled exactly as {@code fer4j predict} handles a file: the same decoder and
 * limits, the same choice of detecting or not, the same calls to {@link EmotionClassifier}; so a
 * Spark job and the command give the same boxes and probabilities, bit for bit. Not thread-safe:
 * {@link ModelPool} gives each running task its own.
 */
final class Predictor {
    private final EmotionClassifier classifier;
    private final PredictOptions options;
    private final int pixels;
    private FaceDetector detector;  // loaded on the first image that needs it

    Predictor(EmotionClassifier classifier, PredictOptions options) {
        this.classifier = classifier;
        this.options = options;
        int[] size = classifier.inputSize();
        this.pixels = size[0] * size[1];
    }

    /** Every face of one encoded image; one row with the error when it cannot be read or classified. */
    List<Row> image(String path, byte[] content) {
        List<Row> out = new ArrayList<>();
        try {
            BufferedImage image = ImageDecoder.decode(content, path, options.maxPixels());
            boolean detecting = options.detect().detects(image.getWidth(), image.getHeight());
            List<FacePrediction> found;
            if (detecting) {
                if (detector == null) {
                    detector = FaceDetector.pretrained().withOptions(options.faceOptions());
                }
                found = classifier.predictFaces(image, detector);
            } else {
                found = List.of(new FacePrediction(new Box(0, 0, image.getWidth(), image.getHeight()), 1f,
                        classifier.predict(image)));
            }
            for (int i = 0; i < found.size(); i++) {
                FacePrediction f = found.get(i);
                out.add(face(path, detecting, i, f.box(), f.faceScore(), f.prediction()));
            }
            if (found.isEmpty()) {
                out.add(RowFactory.create(path, true, null, null, null, null, null, null, null, null, null, null));
            }
        } catch (Exception e) {
            // A bad image is a row, never a failed job; what was already found for it is dropped.
            return List.of(error(path, e));
        }
        return out;
    }

    /**
     * Faces given as grey pixels at the model's input size (FER2013 rows), classified in batches
     * of {@link PredictOptions#batchSize()}; {@code faces[i] == null} marks a row whose pixels could
     * not be read, with its message in {@code errors[i]}.
     */
    List<Row> pixels(List<String> paths, List<float[]> faces, List<String> errors) {
        List<Row> out = new ArrayList<>(paths.size());
        int[] hw = classifier.inputSize();
        List<Integer> ok = new ArrayList<>();
        for (int i = 0; i < faces.size(); i++) {
            if (faces.get(i) != null && faces.get(i).length != pixels) {
                errors.set(i, "expected " + pixels + " pixels (" + hw[0] + "x" + hw[1] + "), found " + faces.get(i).length);
                faces.set(i, null);
            }
            if (faces.get(i) != null) {
                ok.add(i);
            }
        }
        Prediction[] predictions = new Prediction[faces.size()];
        try {
            float[] x = new float[ok.size() * pixels];
            for (int j = 0; j < ok.size(); j++) {
                float[] face = faces.get(ok.get(j)).clone();
                classifier.info().normalization().apply(face);
                System.arraycopy(face, 0, x, j * pixels, pixels);
            }
            List<Prediction> p = ok.isEmpty() ? List.of() : classifier.probabilities(new Tensor(x, ok.size(), 1, hw[0], hw[1]));
            for (int j = 0; j < ok.size(); j++) {
                predictions[ok.get(j)] = p.get(j);
            }
        } catch (RuntimeException e) {
            for (int i : ok) {
                errors.set(i, message(e));
            }
        }
        for (int i = 0; i < faces.size(); i++) {
            String path = paths.get(i);
            out.add(predictions[i] != null
                    ? face(path, false, 0, new Box(0, 0, hw[1], hw[0]), 1f, predictions[i])
                    : RowFactory.create(path, false, null, null, null, null, null, null, null, null, null, errors.get(i)));
        }
        return out;
    }

    private static Row face(String path, boolean detected, int index, Box b, float score, Prediction p) {
        // Spark's row encoder takes a Scala Seq for an array column.
        Float[] boxed = new Float[p.probabilities().length];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = p.probabilities()[i];
        }
        scala.collection.immutable.Seq<Float> probabilities = scala.collection.immutable.ArraySeq.unsafeWrapArray(boxed);
        return RowFactory.create(path, detected, index, b.x(), b.y(), b.width(), b.height(), score, p.label(),
                p.confidence(), probabilities, null);
    }

    static Row error(String path, Exception e) {
        return RowFactory.create(path, null, null, null, null, null, null, null, null, null, null, message(e));
    }

    /** One line: the exception's message, or what it was when it has none. */
    static String message(Throwable e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }
}
