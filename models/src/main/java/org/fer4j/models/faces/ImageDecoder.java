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
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns the bytes of a photo into an RGB image the detector can use, refusing what it cannot use
 * before it costs memory:
 *
 * <ul>
 *   <li>the header is read first and an image of more than {@code maxPixels} pixels is refused
 *       before it is decoded (a 20-byte PNG header can claim 46,000 x 46,000 pixels: 8 GB);</li>
 *   <li>a JPEG that ends early is refused instead of being decoded with grey filling;</li>
 *   <li>CMYK JPEGs, which the JDK cannot convert, are refused with a hint;</li>
 *   <li>16-bit, grey, palette and alpha images are converted to 8-bit RGB (alpha over white);</li>
 *   <li>the EXIF orientation of phone photos is applied, so boxes are in the image as people see
 *       it (read with metadata-extractor).</li>
 * </ul>
 *
 * Every refusal is an {@link ImageException} whose message is one line naming the source.
 */
public final class ImageDecoder {
    /** The default limit: 50 megapixels, above any phone camera and far below what would exhaust a default heap. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    /** Files larger than this are not read at all: no photo of {@link #DEFAULT_MAX_PIXELS} compresses to more. */
    public static final long MAX_FILE_BYTES = 256L << 20;

    private ImageDecoder() {
    }

    /** Reads {@code file}, which must be a regular file (not a pipe, a device or a link to one). */
    public static BufferedImage read(Path file, long maxPixels) throws ImageException {
        if (!Files.exists(file)) {
            throw new ImageException(file + ": no such file");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                && !(Files.isSymbolicLink(file) && Files.isRegularFile(file))) {
            throw new ImageException(file + ": not a regular file (a folder, pipe or device); expected an image file");
        }
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ImageException(file + ": " + size + " bytes, over the limit of " + MAX_FILE_BYTES
                        + " bytes for one image");
            }
            return decode(Files.readAllBytes(file), file.toString(), maxPixels);
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Decodes an image held in memory; {@code name} is what error messages call it. */
    public static BufferedImage decode(byte[] bytes, String name, long maxPixels) throws ImageException {
        if (bytes.length == 0) {
            throw new ImageException(name + ": the file is empty; expected a JPEG, PNG, BMP, GIF or WebP image");
        }
        BufferedImage decoded = decodePixels(bytes, name, maxPixels);
        BufferedImage rgb = toRgb(decoded);
        return orient(rgb, orientation(bytes));
    }

    private static BufferedImage decodePixels(byte[] bytes, String name, long maxPixels) throws ImageException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException(name + ": not an image fer4j can read (JPEG, PNG, BMP, GIF"
                        + (webpAvailable() ? ", WebP" : "") + ")");
            }
            ImageReader reader = readers.next();
            String format = reader.getFormatName().toUpperCase(Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new ImageException(name + ": the " + format + " header gives a size of " + width + "x" + height);
                }
                if (width * height > maxPixels) {
                    throw new ImageException(name + ": " + width + "x" + height + " pixels (" + width * height
                            + ") is over the limit of " + maxPixels + " pixels; refused before decoding");
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new ImageException(name + ": damaged or truncated " + format + " (" + warnings.get(0) + ")");
                }
                if (image == null) {
                    throw new ImageException(name + ": no image in the " + format + " file");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (ImageException e) {
            throw e;
        } catch (IIOException e) {
            String why = String.valueOf(e.getMessage());
            if (why.contains("Unsupported Image Type")) {
                throw new ImageException(name + ": a CMYK or YCCK JPEG, which fer4j does not read; save it as RGB", e);
            }
            throw new ImageException(name + ": damaged or truncated image (" + why.replace('\n', ' ') + ")", e);
        } catch (IOException | RuntimeException e) {
            // ImageIO reports some corrupt data as IndexOutOfBounds, NegativeArraySize, ...
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ImageException(name + ": damaged or truncated image (" + why.replace('\n', ' ') + ")", e);
        }
    }

    private static boolean webpAvailable() {
        return ImageIO.getImageReadersByFormatName("webp").hasNext();
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
