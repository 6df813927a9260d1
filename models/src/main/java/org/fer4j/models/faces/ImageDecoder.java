package org.fer4j.models.faces;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** TEMP stand-in (the faces branch replaces it): ImageIO with a header size check, no EXIF rotation. */
public final class ImageDecoder {
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    private ImageDecoder() {}

    public static BufferedImage decode(byte[] bytes, String name, long maxPixels) throws ImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException(name + ": not an image in a format this build reads");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new ImageException(name + ": " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels is over the limit of " + maxPixels);
                }
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw new ImageException(name + ": could not be decoded");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageException(name + ": malformed image (" + e.getMessage() + ")", e);
        }
    }

    public static BufferedImage read(Path file, long maxPixels) throws ImageException {
        try {
            return decode(Files.readAllBytes(file), file.toString(), maxPixels);
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageException(file + ": " + e.getMessage(), e);
        }
    }
}
