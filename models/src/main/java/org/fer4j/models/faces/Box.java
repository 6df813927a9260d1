package org.fer4j.models.faces;

/** A face's box in pixels of the original image (after EXIF rotation). TEMP stand-in: the faces branch replaces it. */
public record Box(float x, float y, float width, float height) {}
