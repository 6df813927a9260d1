package org.fer4j.serve;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a YUV4MPEG2 video (what Chromium's fake camera reads): a one-line header, then per
 * frame "FRAME\n" and the planes of 4:2:0 YCbCr (full-range BT.601, as JPEG).
 */
final class Y4m {
    private Y4m() {}

    static void write(BufferedImage image, int width, int height, int frames, Path file) throws IOException {
        BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        int[] rgb = scaled.getRGB(0, 0, width, height, null, 0, width);
        byte[] y = new byte[width * height];
        byte[] u = new byte[(width / 2) * (height / 2)];
        byte[] v = new byte[u.length];
        for (int i = 0; i < rgb.length; i++) {
            int r = (rgb[i] >> 16) & 0xFF, gr = (rgb[i] >> 8) & 0xFF, b = rgb[i] & 0xFF;
            y[i] = clamp(0.299 * r + 0.587 * gr + 0.114 * b);
        }
        for (int cy = 0; cy < height / 2; cy++) {
            for (int cx = 0; cx < width / 2; cx++) {
                double cb = 0, cr = 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        int p = rgb[(2 * cy + dy) * width + 2 * cx + dx];
                        int r = (p >> 16) & 0xFF, gr = (p >> 8) & 0xFF, b = p & 0xFF;
                        cb += 128 - 0.168736 * r - 0.331264 * gr + 0.5 * b;
                        cr += 128 + 0.5 * r - 0.418688 * gr - 0.081312 * b;
                    }
                }
                u[cy * (width / 2) + cx] = clamp(cb / 4);
                v[cy * (width / 2) + cx] = clamp(cr / 4);
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(("YUV4MPEG2 W" + width + " H" + height + " F10:1 Ip A1:1\n").getBytes(StandardCharsets.US_ASCII));
            for (int f = 0; f < frames; f++) {
                out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
                out.write(y);
                out.write(u);
                out.write(v);
            }
        }
    }

    private static byte clamp(double value) {
        return (byte) Math.max(0, Math.min(255, (int) Math.round(value)));
    }
}
