package org.fer4j.serve;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** An image's size from its header alone, so that oversized images are refused before decoding. */
final class ImageProbe {
    private ImageProbe() {}

    /**
     * {@code {width, height}}, or null when no ImageIO reader recognises the format (the decoder
     * may still read it, and checks the size itself); 400 for a recognised but broken header.
     */
    static int[] size(byte[] bytes, String name) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) {
                throw a;
            }
            throw new ApiException(400, name + ": malformed image header");
        }
    }
}
