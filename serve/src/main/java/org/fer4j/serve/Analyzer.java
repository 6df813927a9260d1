package org.fer4j.serve;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * The seam between the service and inference: finds the faces in one decoded image and classifies
 * each. One instance per worker thread (instances need not be thread-safe); the server never calls
 * one instance from two threads at once. {@link ModelAnalyzer} is the real one; tests plug in
 * stand-ins (slow ones, to fill the queue).
 */
public interface Analyzer {
    List<Face> analyze(BufferedImage image);

    /** One face: its box in pixels of the image, the detector's score, and the classification. */
    record Face(float x, float y, float width, float height, float faceScore, String emotion, float confidence,
            Map<String, Float> probabilities) {}

    /** Makes one analyzer per worker and describes the model they serve. */
    interface Factory {
        /** The model's description, available before any analyzer is made. */
        ModelDescription model();

        Analyzer create() throws java.io.IOException;
    }

    /** What {@code GET /api/v1/models} reports for a model. */
    record ModelDescription(String name, List<String> classes, int inputHeight, int inputWidth, boolean flipAveraging,
            String detector, Map<String, Object> metadata) {}
}
