package org.fer4j.engine.data;

import java.util.SplittableRandom;

/**
 * A generated, learnable image task for demos and tests: each image holds one bright bar on a
 * noisy background, and the label is the bar's orientation ({@code classes} angles evenly spread
 * over 180 degrees, each jittered). Position, length, thickness, brightness and noise vary, so a
 * model must learn orientation, not memorise pixels. Pixel values lie in [0, 1].
 */
public final class SyntheticBars {
    private SyntheticBars() {
    }

    public static String[] classNames(int classes) {
        String[] names = new String[classes];
        for (int k = 0; k < classes; k++) {
            names[k] = Math.round(180.0 * k / classes) + "deg";
        }
        return names;
    }

    /** {@code count} images of {@code size x size}, labels balanced round-robin, all from {@code seed}. */
    public static ArrayDataset generate(int count, int size, int classes, long seed) {
        if (count <= 0 || size < 8 || classes < 2) {
            throw new IllegalArgumentException("need count > 0, size >= 8 and classes >= 2; got count " + count
                    + ", size " + size + ", classes " + classes);
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[count * size * size];
        int[] y = new int[count];
        double jitter = Math.PI / classes * 0.25;
        for (int i = 0; i < count; i++) {
            int label = i % classes;
            y[i] = label;
            double angle = Math.PI * label / classes + (random.nextDouble() * 2 - 1) * jitter;
            double cx = size * (0.35 + 0.3 * random.nextDouble());
            double cy = size * (0.35 + 0.3 * random.nextDouble());
            double half = size * (0.22 + 0.15 * random.nextDouble());
            double thickness = 0.6 + 0.8 * random.nextDouble();
            double brightness = 0.6 + 0.4 * random.nextDouble();
            double background = 0.2 * random.nextDouble();
            double dx = Math.cos(angle);
            double dy = Math.sin(angle);
            int off = i * size * size;
            for (int py = 0; py < size; py++) {
                for (int px = 0; px < size; px++) {
                    // Distance from the pixel centre to the segment, via its projection on the bar's axis.
                    double rx = px + 0.5 - cx;
                    double ry = py + 0.5 - cy;
                    double along = Math.max(-half, Math.min(half, rx * dx + ry * dy));
                    double ex = rx - along * dx;
                    double ey = ry - along * dy;
                    double distance = Math.sqrt(ex * ex + ey * ey);
                    double ink = Math.max(0, Math.min(1, thickness + 0.5 - distance));
                    double v = background + brightness * ink + 0.08 * random.nextGaussian();
                    x[off + py * size + px] = (float) Math.max(0, Math.min(1, v));
                }
            }
        }
        return new ArrayDataset(x, y, new int[] {1, size, size}, classes);
    }
}
