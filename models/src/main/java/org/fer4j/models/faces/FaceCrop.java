package org.fer4j.models.faces;

import java.awt.image.BufferedImage;

/**
 * Cuts a detected face out of a photo framed the way FER2013's faces are framed, so that the
 * emotion classifier sees what it was trained on.
 *
 * <p>The crop is a square centred on the box's centre, of side {@code max(w, h) * (1 + margin)},
 * shifted down by {@code shift * h} (negative: up). Parts of the square outside the photo repeat its edge pixels. The
 * defaults were chosen by measurement (docs/faces.md, "Framing"): FER2013 faces detected inside a
 * larger canvas, cropped with each margin, and classified, against the same faces as given.
 */
public final class FaceCrop {
    /**
     * Margin around the box, as a fraction of its larger side: negative, a square a tenth smaller
     * than the box's larger side, which scored best in the measurement (within its noise).
     */
    public static final float DEFAULT_MARGIN = -0.1f;
    /** Downward shift of the crop's centre, as a fraction of the box's height. */
    public static final float DEFAULT_SHIFT = 0.0f;

    private FaceCrop() {
    }

    /** The face in {@code box}, framed with the default margin and shift. */
    public static BufferedImage crop(BufferedImage image, Box box) {
        return crop(image, box, DEFAULT_MARGIN, DEFAULT_SHIFT);
    }

    /** The face in {@code box}, as a square of side {@code max(w, h) * (1 + margin)}, at least 1 pixel. */
    public static BufferedImage crop(BufferedImage image, Box box, float margin, float shift) {
        double cx = box.x() + box.width() / 2.0;
        double cy = box.y() + box.height() / 2.0 + shift * box.height();
        int side = Math.max(1, (int) Math.round(Math.max(box.width(), box.height()) * (1 + margin)));
        int left = (int) Math.round(cx - side / 2.0);
        int top = (int) Math.round(cy - side / 2.0);
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        // Columns [from, to) of the square lie inside the photo and are read a row at a time; the
        // columns left and right of them repeat the photo's edge pixel.
        int from = Math.clamp(-left, 0, side);
        int to = Math.clamp(w - left, from, side);
        int[] row = new int[side];
        for (int y = 0; y < side; y++) {
            int sy = Math.clamp(top + y, 0, h - 1);
            if (to > from) {
                image.getRGB(left + from, sy, to - from, 1, row, from, side);
            }
            java.util.Arrays.fill(row, 0, from, image.getRGB(0, sy));
            java.util.Arrays.fill(row, to, side, image.getRGB(w - 1, sy));
            out.setRGB(0, y, side, 1, row, 0, side);
        }
        return out;
    }
}
