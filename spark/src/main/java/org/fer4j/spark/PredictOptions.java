package org.fer4j.spark;

import java.io.Serializable;
import java.util.Locale;
import org.fer4j.models.faces.FaceDetector;
import org.fer4j.models.faces.ImageDecoder;

/**
 * How {@link SparkEmotions} predicts: immutable, validated, shipped to the executors with the job.
 * The defaults are {@code fer4j predict}'s, so a Spark job and the command give the same rows.
 *
 * @param model     a bundled model name ({@code fer2013}, ...) or a {@code .fer4j} file on the driver
 * @param detect    {@code auto}: photos larger than {@link #AUTO_CROP_SIDE} pixels on their longer side
 *                  go through the face detector, smaller images are one face crop; {@code on},
 *                  {@code off}. Pixel rows are always face crops.
 * @param inputSize the detector's input size, a multiple of 32 in 32..2048
 * @param minScore  the lowest face score kept, in (0, 1)
 * @param flip      test-time flip averaging: {@code null} keeps the model's own (on for bundled
 *                  models, off for files), as {@code fer4j predict} does without {@code --tta}
 * @param maxPixels images with more pixels are refused before decoding (an error row)
 * @param batchSize pixel rows classified per forward pass, 1..4096
 */
public record PredictOptions(String model, Detect detect, int inputSize, float minScore, Boolean flip, long maxPixels,
                             int batchSize) implements Serializable {

    /** {@code fer4j predict --detect auto}: images up to this size on their longer side are one face crop. */
    public static final int AUTO_CROP_SIDE = 128;

    /** {@code fer4j predict}'s defaults with the bundled {@code fer2013} model. */
    public static final PredictOptions DEFAULT = new PredictOptions("fer2013", Detect.AUTO,
            FaceDetector.Options.DEFAULT.inputSize(), FaceDetector.Options.DEFAULT.scoreThreshold(), null,
            ImageDecoder.DEFAULT_MAX_PIXELS, 64);

    /** Whether to run the face detector on an image. */
    public enum Detect {
        AUTO, ON, OFF;

        public static Detect parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "on" -> ON;
                case "off" -> OFF;
                default -> throw new IllegalArgumentException("--detect must be auto, on or off, got '" + s + "'");
            };
        }

        /** Whether an image of this size goes through the detector. */
        public boolean detects(int width, int height) {
            return this == ON || (this == AUTO && Math.max(width, height) > AUTO_CROP_SIDE);
        }
    }

    public PredictOptions {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("--model must name a bundled model or a .fer4j file");
        }
        if (detect == null) {
            throw new IllegalArgumentException("--detect must be auto, on or off");
        }
        // FaceDetector.Options checks the detector's settings and names their flags.
        new FaceDetector.Options(inputSize, minScore, FaceDetector.Options.DEFAULT.iouThreshold());
        if (maxPixels < 1) {
            throw new IllegalArgumentException("--max-pixels must be >= 1, got " + maxPixels);
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException("--batch must be in 1..4096, got " + batchSize);
        }
    }

    /** The detector's settings. */
    public FaceDetector.Options faceOptions() {
        return new FaceDetector.Options(inputSize, minScore, FaceDetector.Options.DEFAULT.iouThreshold());
    }

    public PredictOptions withModel(String m) {
        return new PredictOptions(m, detect, inputSize, minScore, flip, maxPixels, batchSize);
    }

    public PredictOptions withDetect(Detect d) {
        return new PredictOptions(model, d, inputSize, minScore, flip, maxPixels, batchSize);
    }

    public PredictOptions withFaces(int size, float score) {
        return new PredictOptions(model, detect, size, score, flip, maxPixels, batchSize);
    }

    public PredictOptions withFlip(Boolean f) {
        return new PredictOptions(model, detect, inputSize, minScore, f, maxPixels, batchSize);
    }

    public PredictOptions withMaxPixels(long m) {
        return new PredictOptions(model, detect, inputSize, minScore, flip, m, batchSize);
    }

    public PredictOptions withBatchSize(int b) {
        return new PredictOptions(model, detect, inputSize, minScore, flip, maxPixels, b);
    }
}
