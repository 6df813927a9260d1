package org.fer4j.models.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
    @TempDir
    Path dir;

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    /** 40 x 20, red in the top-left 10 x 10 corner, blue elsewhere: shows where the top-left went. */
    static BufferedImage marked() {
        BufferedImage image = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.BLUE);
        g.fillRect(0, 0, 40, 20);
        g.setColor(Color.RED);
        g.fillRect(0, 0, 10, 10);
        g.dispose();
        return image;
    }

    @Test
    void emptyAndNonImagesAreRefusedWithTheirName() {
        ImageException e = assertThrows(ImageException.class, () -> ImageDecoder.decode(new byte[0], "a.jpg", 100));
        assertTrue(e.getMessage().startsWith("a.jpg: cannot decode: the file is empty"), e.getMessage());
        e = assertThrows(ImageException.class, () -> ImageDecoder.decode("hello, world".getBytes(), "b.png", 100));
        assertTrue(e.getMessage().startsWith("b.png: cannot decode: not a PNG, JPEG, BMP or GIF"), e.getMessage());
    }

    /** A PNG whose header claims 46,000 x 46,000 pixels: refused from the header, before 8 GB are allocated. */
    @Test
    void decompressionBombIsRefusedBeforeDecoding() {
        ByteBuffer png = ByteBuffer.allocate(8 + 25 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes()).putInt(46_000).putInt(46_000)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        png.putInt(13).put(ihdr.array()).putInt(crc(ihdr.array()));
        png.putInt(0).put("IEND".getBytes()).putInt(crc("IEND".getBytes()));
        ImageException e = assertThrows(ImageException.class,
                () -> ImageDecoder.decode(png.array(), "bomb.png", ImageDecoder.DEFAULT_MAX_PIXELS));
        assertTrue(e.getMessage().contains("46000x46000") && e.getMessage().contains("refused before decoding"), e.getMessage());
    }

    private static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }

    @Test
    void pixelLimitIsInclusive() throws IOException {
        byte[] png = encode(marked(), "png");
        assertEquals(40, ImageDecoder.decode(png, "ok.png", 800).getWidth());
        assertThrows(ImageException.class, () -> ImageDecoder.decode(png, "big.png", 799));
    }

    @Test
    void truncatedJpegIsRefusedNotGreyFilled() throws IOException {
        BufferedImage photo = new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 150; y++) {
            for (int x = 0; x < 200; x++) {
                photo.setRGB(x, y, (x * 7 + y * 13) * 0x010305 & 0xFFFFFF);
            }
        }
        byte[] jpeg = encode(photo, "jpg");
        assertEquals(200, ImageDecoder.decode(jpeg, "whole.jpg", 1_000_000).getWidth());
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 6 / 10);
        ImageException e = assertThrows(ImageException.class, () -> ImageDecoder.decode(cut, "cut.jpg", 1_000_000));
        assertTrue(e.getMessage().startsWith("cut.jpg: cannot decode: damaged or truncated JPEG"), e.getMessage());
    }

    /**
     * A four-channel JPEG, which the JDK reads as CMYK (older JDKs refused it as "Unsupported Image
     * Type"): it decodes and becomes RGB like any other image. Written from a raw 4-band raster.
     */
    @Test
    void cmykJpegBecomesRgb() throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 8, 4, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        BufferedImage rgb = ImageDecoder.decode(out.toByteArray(), "print.jpg", 1_000_000);
        assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
        assertEquals(16, rgb.getWidth());
        assertEquals(8, rgb.getHeight());
    }

    @Test
    void alphaAndSixteenBitPngsBecomeRgb() throws IOException {
        BufferedImage alpha = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        alpha.setRGB(0, 0, 0x00FF0000);          // fully transparent red: white after compositing
        alpha.setRGB(1, 0, 0xFF00FF00);          // opaque green
        BufferedImage rgb = ImageDecoder.decode(encode(alpha, "png"), "a.png", 100);
        assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
        assertEquals(0xFFFFFF, rgb.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF00, rgb.getRGB(1, 0) & 0xFFFFFF);

        BufferedImage grey16 = new BufferedImage(3, 2, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setSample(0, 0, 0, 65535);
        BufferedImage out = ImageDecoder.decode(encode(grey16, "png"), "g.png", 100);
        assertEquals(0xFFFFFF, out.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0, out.getRGB(1, 0) & 0xFFFFFF);
    }

    /** A JPEG with an EXIF block inserted after SOI: orientation 6 means "turn 90 degrees clockwise to view". */
    @Test
    void exifOrientationIsApplied() throws IOException {
        byte[] jpeg = encode(marked(), "jpg");
        byte[] withExif = withOrientation(jpeg, 6);
        BufferedImage turned = ImageDecoder.decode(withExif, "phone.jpg", 1_000_000);
        assertEquals(20, turned.getWidth());
        assertEquals(40, turned.getHeight());
        // The stored top-left (red) is now at the top-right.
        assertTrue(isRed(turned.getRGB(17, 2)), "top-right should be red");
        assertTrue(!isRed(turned.getRGB(2, 2)), "top-left should not be red");

        BufferedImage flipped = ImageDecoder.decode(withOrientation(jpeg, 3), "upside-down.jpg", 1_000_000);
        assertEquals(40, flipped.getWidth());
        assertTrue(isRed(flipped.getRGB(37, 17)), "turned 180 degrees: red at the bottom-right");
    }

    @Test
    void everyOrientationMapsTheCornerWhereTheSpecSays() {
        BufferedImage m = marked();
        // (orientation, where the stored top-left corner is seen: 0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left)
        int[][] cases = {{1, 0}, {2, 1}, {3, 2}, {4, 3}, {5, 0}, {6, 1}, {7, 2}, {8, 3}};
        for (int[] c : cases) {
            BufferedImage o = ImageDecoder.orient(m, c[0]);
            int w = o.getWidth() - 1;
            int h = o.getHeight() - 1;
            int[][] corners = {{0, 0}, {w, 0}, {w, h}, {0, h}};
            for (int i = 0; i < 4; i++) {
                assertEquals(i == c[1], isRed(o.getRGB(corners[i][0], corners[i][1])),
                        "orientation " + c[0] + " corner " + i);
            }
        }
    }

    private static boolean isRed(int rgb) {
        return ((rgb >> 16) & 0xFF) > 180 && (rgb & 0xFF) < 80;
    }

    static byte[] withOrientation(byte[] jpeg, int orientation) {
        // TIFF, big-endian: header, IFD0 with one entry (0x0112 Orientation, SHORT, 1 value), next IFD 0.
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] exif = new byte[6 + tiff.capacity()];
        System.arraycopy("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, exif, 0, 6);
        System.arraycopy(tiff.array(), 0, exif, 6, tiff.capacity());
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + exif.length);
        out.put(jpeg, 0, 2);                                    // SOI
        out.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (exif.length + 2)).put(exif);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    @Test
    void pipesAndFoldersAreRefusedWithoutBlocking() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("x.jpg"));
        ImageException e = assertThrows(ImageException.class, () -> ImageDecoder.read(folder, 100));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        Path fifo = dir.resolve("pipe.jpg");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(p.waitFor() == 0, "mkfifo is not available here");
        e = assertThrows(ImageException.class, () -> ImageDecoder.read(fifo, 100));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertThrows(ImageException.class, () -> ImageDecoder.read(dir.resolve("none.jpg"), 100));
    }
}
