package org.fer4j.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.fer4j.models.faces.Box;

/** Draws face boxes with their labels onto a copy of a photo and writes it ({@code --annotate DIR}). */
final class Annotator {
    /** One box to draw and the text above it. */
    record Mark(Box box, String label) {
    }

    private Annotator() {
    }

    /** A copy of {@code image} with every mark drawn; line width and font scale with the image. */
    static BufferedImage draw(BufferedImage image, List<Mark> marks) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int scale = Math.max(1, Math.max(image.getWidth(), image.getHeight()) / 500);
            g.setStroke(new BasicStroke(2f * scale));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12 * scale));
            FontMetrics fm = g.getFontMetrics();
            for (Mark m : marks) {
                Box b = m.box();
                int x = Math.round(b.x());
                int y = Math.round(b.y());
                g.setColor(new Color(0, 220, 90));
                g.drawRect(x, y, Math.round(b.width()), Math.round(b.height()));
                int tw = fm.stringWidth(m.label()) + 6 * scale;
                int th = fm.getHeight();
                int ty = y - th >= 0 ? y - th : y;
                g.fillRect(x, ty, tw, th);
                g.setColor(Color.BLACK);
                g.drawString(m.label(), x + 3 * scale, ty + fm.getAscent());
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Writes {@code image} into {@code folder} under {@code source}'s name (PNG unless it was a JPEG); returns the path. */
    static Path write(BufferedImage image, Path folder, Path source) throws IOException {
        Files.createDirectories(folder);
        String name = source.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        boolean jpeg = lower.endsWith(".jpg") || lower.endsWith(".jpeg");
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        Path target = folder.resolve(jpeg ? name : base + ".png");
        Path tmp = Files.createTempFile(folder, "." + base, ".tmp");
        try {
            if (!ImageIO.write(image, jpeg ? "jpg" : "png", tmp.toFile())) {
                throw new IOException(target + ": no image writer for this format");
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }
}
