package org.fer4j.models.faces;

/** One detected face. TEMP stand-in: the faces branch replaces it. */
public record DetectedFace(Box box, float score) {}
