package org.fer4j.models.faces;

/** One face a {@link FaceDetector} found: its box and its score (the probability that it is a face, 0..1). */
public record DetectedFace(Box box, float score) {
}
