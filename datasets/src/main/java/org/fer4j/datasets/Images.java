package org.fer4j.datasets;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Normalization;

/**
 * Image files to model input, the one path that training, evaluation and prediction share:
 *
 * <pre>
 * file --decode (javax.imageio: PNG, JPEG, BMP, GIF)--> BufferedImage
 *      --grey (BT.601 luma)--> float [srcH, srcW] in 0..255
 *      --resample to the model's size (area down, bilinear up; see Resampler)--> round to uint8 [H, W]
 *      --(training only: augmentation)--> float (x * scale - mean) / std  (Normalization)
 * </pre>
 *
 * Grey: an image that is already grey (1 band, or grey + alpha) keeps its values, rescaled to
 * 8 bits if it has more; a colour or palette image becomes {@code Y = 0.299 R + 0.587 G + 0.114 B}
 * (ITU-R BT.601, as Pillow's {@code convert("L")} and OpenCV's {@code COLOR_RGB2GRAY}) on its sRGB
 * values. Alpha is ignored, as Pillow does. The aspect ratio is not kept: crop faces to a square
 * first if they are not.
 */
public final class Images {
    /**
     * The default limit on decoded pixels per data-set image: 16.8 megapixels (4096 x 4096), far
     * above any face crop. The header is read first and a larger image is refused before it is
     * decoded (a 20-byte PNG header can claim 46,000 x 46,000 pixels: 8 GB). {@code --max-pixels}
     * raises it.
     */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096;

    /** Files larger than this are not read at all (no image within the pixel limit compresses to more). */
    public static final long MAX_FILE_BYTES = 256L << 20;

    /** The file endings the folder reader picks up (case-insensitive). */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private Images() {
    }

    /** Whether {@code file}'s name ends in one of {@link #EXTENSIONS}. */
    public static boolean isImageFile(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** {@link #read(Path, long)} with {@link #DEFAULT_MAX_PIXELS}. */
    public static BufferedImage read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes {@code file} by its content (not its name): {@link #readBytes} then {@link #decode}.
     * Errors are one line naming the file: {@code faces/happy/a.png: cannot decode: not a PNG,
     * JPEG, BMP or GIF image}.
     */
    public static BufferedImage read(Path file, long maxPixels) throws IOException {
        return decode(readBytes(file), file.toString(), maxPixels);
    }

    /**
     * The bytes of image file {@code file}, which must be a regular file (a link to one is fine; a
     * pipe would block and a device never ends) of at most {@link #MAX_FILE_BYTES}. A file that is
     * missing, not regular or too large is a {@link BadDataException} naming it; a failing read
     * (permissions, I/O) is the plain {@link IOException}.
     */
    public static byte[] readBytes(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadDataException(file + ": " + (Files.exists(file) ? "not a regular file (a folder, pipe, socket or "
                    + "device); expected an image file" : "no such file"));
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new BadDataException(file + ": " + size + " bytes, over the limit of " + MAX_FILE_BYTES
                    + " bytes for one image");
        }
        return Files.readAllBytes(file);
    }

    static BufferedImage decode(byte[] bytes, String name) throws BadDataException {
        return decode(bytes, name, DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes an image held in memory, as stored (no colour conversion); {@code name} is what
     * errors call it. The size is read from the header and checked against {@code maxPixels} before
     * any pixel is decoded, and a decoder warning (a JPEG that ends early is otherwise filled with
     * grey) makes the image bad. Every refusal is a {@link BadDataException} whose message is one
     * line starting with {@code name}; where the decoder failed, it is the cause.
     */
    public static BufferedImage decode(byte[] bytes, String name, long maxPixels) throws BadDataException {
        if (bytes.length == 0) {
            throw new BadDataException(name + ": cannot decode: the file is empty, expected a " + formats() + " image");
        }
        // In-memory stream: ImageIO.createImageInputStream would spill to a temporary file by default.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadDataException(name + ": cannot decode: not a " + formats() + " image");
            }
            ImageReader reader = readers.next();
            String format = reader.getFormatName().toUpperCase(Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new BadDataException(name + ": cannot decode: the " + format + " header gives a size of "
                            + width + "x" + height);
                }
                if (width * height > maxPixels) {
                    throw new BadDataException(name + ": " + width + "x" + height + " pixels (" + width * height
                            + ") is over the limit of " + maxPixels + " pixels (--max-pixels); refused before decoding");
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new BadDataException(name + ": cannot decode: damaged or truncated " + format + " ("
                            + warnings.get(0) + ")");
                }
                if (image == null || image.getWidth() <= 0 || image.getHeight() <= 0) {
                    throw new BadDataException(name + ": cannot decode: no image in the " + format + " file");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (BadDataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data as IIOException, but also as IndexOutOfBounds, NegativeArraySize, ...
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new BadDataException(name + ": cannot decode: damaged or truncated image (" + why.replace('\n', ' ')
                    + ")", e);
        }
    }

    /** The formats ImageIO can decode here, for messages: WebP only where a plugin provides it. */
    private static String formats() {
        return ImageIO.getImageReadersByFormatName("webp").hasNext() ? "PNG, JPEG, BMP, GIF or WebP" : "PNG, JPEG, BMP or GIF";
    }

    /**
     * {@code image} as 8-bit grey of {@code height x width}, row-major: the exact bytes the datasets
     * store for a decoded file.
     */
    public static byte[] toGray(BufferedImage image, int height, int width) {
        float[] grey = Resampler.resize(luma(image), image.getHeight(), image.getWidth(), height, width);
        byte[] out = new byte[height * width];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(grey[i])));
        }
        return out;
    }

    /**
     * The model input for one image, exactly as a training sample without augmentation: grey at
     * {@code height x width} ({@link #toGray}), as floats 0..255, then {@code normalization}.
     * Shape {@code [1, 1, height, width]}: a batch of one.
     */
    public static Tensor toInput(BufferedImage image, int height, int width, Normalization normalization) {
        byte[] grey = toGray(image, height, width);
        float[] x = new float[grey.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = grey[i] & 0xFF;
        }
        normalization.apply(x);
        return new Tensor(x, 1, 1, height, width);
    }

    /** {@code [h, w]} grey values 0..255 (not rounded) at the image's own size. */
    static float[] luma(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
            // Raw samples: getRGB would pass grey through a linear-to-sRGB conversion and change it.
            int max = (1 << cm.getComponentSize(0)) - 1;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = max == 255 ? row[x] : row[x] * 255f / max;
                }
            }
            return out;
        }
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                out[y * w + x] = 0.299f * ((p >> 16) & 0xFF) + 0.587f * ((p >> 8) & 0xFF) + 0.114f * (p & 0xFF);
            }
        }
        return out;
    }
}
