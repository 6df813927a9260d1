package org.fer4j.models.faces;

/**
 * An axis-aligned box in pixels of the original image (after its EXIF orientation is applied):
 * {@code (x, y)} is the top-left corner. A detector's box may reach past the image's edges; use
 * {@link #clippedTo} before cropping.
 */
public record Box(float x, float y, float width, float height) {

    public float right() {
        return x + width;
    }

    public float bottom() {
        return y + height;
    }

    public float area() {
        return Math.max(0, width) * Math.max(0, height);
    }

    /** Intersection over union, 0 when the boxes do not overlap. */
    public float iou(Box other) {
        float w = Math.max(0, Math.min(right(), other.right()) - Math.max(x, other.x));
        float h = Math.max(0, Math.min(bottom(), other.bottom()) - Math.max(y, other.y));
        float inter = w * h;
        float union = area() + other.area() - inter;
        return union > 0 ? inter / union : 0;
    }

    /** The part of this box inside a {@code width x height} image. */
    public Box clippedTo(int imageWidth, int imageHeight) {
        float x0 = Math.max(0, x);
        float y0 = Math.max(0, y);
        float x1 = Math.min(imageWidth, right());
        float y1 = Math.min(imageHeight, bottom());
        return new Box(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
    }
}
