package org.fer4j.models.faces;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.Metadata;
import com.drew.metadata.MetadataException;
import com.drew.metadata.exif.ExifIFD0Directory;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.fer4j.datasets.BadDataException;
import org.fer4j.datasets.Images;

/**
 * Turns the bytes of a photo into an RGB image the detector can use. What is refused before it
 * costs memory is decided by {@link Images} (the one place for these checks, shared with the data
 * sets): a file that is not regular or over {@link Images#MAX_FILE_BYTES}, a header of more than
 * {@code maxPixels} pixels (refused before decoding), a JPEG that ends early (refused, not grey
 * filled). What this class adds:
 *
 * <ul>
 *   <li>16-bit, grey, palette, alpha and CMYK images are converted to 8-bit RGB (alpha over
 *       white; the JDK 25 JPEG reader decodes CMYK and YCCK JPEGs, which older JDKs refused);</li>
 *   <li>the EXIF orientation of phone photos is applied, so boxes are in the image as people see
 *       it (read with metadata-extractor).</li>
 * </ul>
 *
 * Every refusal is an {@link ImageException} whose message is one line naming the source; where
 * {@link Images} refused, its message is kept and its {@link BadDataException} is the cause.
 */
public final class ImageDecoder {
    /** The default limit: 50 megapixels, above any phone camera and far below what would exhaust a default heap. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    private ImageDecoder() {
    }

    /** Reads {@code file}, which must be a regular file (not a pipe, a device or a link to one). */
    public static BufferedImage read(Path file, long maxPixels) throws ImageException {
        byte[] bytes;
        try {
            bytes = Images.readBytes(file);
        } catch (BadDataException e) {
            throw new ImageException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ImageException(file + ": cannot read: " + e.getMessage(), e);
        }
        return decode(bytes, file.toString(), maxPixels);
    }

    /** Decodes an image held in memory; {@code name} is what error messages call it. */
    public static BufferedImage decode(byte[] bytes, String name, long maxPixels) throws ImageException {
        BufferedImage decoded;
        try {
            decoded = Images.decode(bytes, name, maxPixels);
        } catch (BadDataException e) {
            throw new ImageException(e.getMessage(), e);
        }
        return orient(toRgb(decoded), orientation(bytes));
    }

    /** 8-bit RGB, alpha composited over white. */
    static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }

    /** The EXIF orientation (1..8), 1 when there is none or it cannot be read. */
    static int orientation(byte[] bytes) {
        try {
            Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length);
            ExifIFD0Directory exif = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (exif != null && exif.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                int o = exif.getInt(ExifIFD0Directory.TAG_ORIENTATION);
                return o >= 1 && o <= 8 ? o : 1;
            }
        } catch (ImageProcessingException | MetadataException | IOException | RuntimeException e) {
            // Metadata is optional: an unreadable EXIF block leaves the pixels as stored.
        }
        return 1;
    }

    /**
     * Applies EXIF orientation {@code o}: the stored pixels are turned so that the image appears
     * as the camera's user saw it. 2: mirrored, 3: turned 180 degrees, 4: flipped vertically,
     * 5: transposed, 6: turned 90 degrees clockwise, 7: transverse, 8: turned 90 degrees
     * counter-clockwise (the values of the TIFF/EXIF Orientation tag).
     */
    static BufferedImage orient(BufferedImage image, int o) {
        if (o == 1) {
            return image;
        }
        if (o < 1 || o > 8) {
            throw new IllegalArgumentException("EXIF orientation must be 1..8, got " + o);
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean swap = o >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        int[] in = image.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[in.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                // (sx, sy): the stored pixel shown at (x, y)
                int sx;
                int sy;
                switch (o) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }   // 8
                }
                out[y * ow + x] = in[sy * w + sx];
            }
        }
        BufferedImage result = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        result.setRGB(0, 0, ow, oh, out, 0, ow);
        return result;
    }
}
