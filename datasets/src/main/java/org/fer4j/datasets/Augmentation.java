package org.fer4j.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * On-the-fly augmentation of training images, Keras' {@code ImageDataGenerator} in spirit: a list
 * of operations, each applied with its own probability, in list order, to one grey image
 * {@code [H, W]} of values 0..255 (before normalization). All randomness comes from the
 * {@link SplittableRandom} handed in, which {@link ImageBatchSource} seeds from (seed, epoch,
 * sample): the same seed gives the same images, whichever thread does the work.
 *
 * <pre>
 * op           spec               what it does
 * flip         flip[@p]           mirror left-right (default p = 0.5)
 * rotation     rotation=DEG       rotate by an angle uniform in [-DEG, DEG] degrees about the centre
 *                                 (positive = counter-clockwise on screen)
 * shift        shift=F            move by dx uniform in [-F*W, F*W] and dy in [-F*H, F*H] pixels
 * zoom         zoom=Z             scale by s uniform in [1-Z, 1+Z] about the centre (s &gt; 1 enlarges)
 * crop         crop=P             pad P black pixels on each side, cut H x W back out at a random
 *                                 offset: an integer shift of up to P with a black border
 * brightness   brightness=B       multiply by f uniform in [1-B, 1+B]
 * contrast     contrast=C         scale the distance to the image's mean by c uniform in [1-C, 1+C]
 * erasing      erasing[@p]        random erasing (Zhong et al. 2020, arXiv:1708.04896): fill a
 *                                 rectangle of 2%..33% of the area, aspect 0.3..3.3, with uniform
 *                                 noise 0..255 (default p = 0.5)
 * </pre>
 *
 * Each op takes {@code @p}, its probability (default 1, except flip and erasing). Values are
 * clamped to 0..255 after each photometric op. Consecutive geometric ops (flip, rotation, shift,
 * zoom) are composed into one affine map and the image is resampled once, bilinearly, with the
 * edge pixels repeated outside the image (Keras' {@code fill_mode="nearest"}); an identity map
 * (rotation 0, shift 0, zoom 1) leaves the image untouched, bit for bit.
 *
 * @param ops applied in this order
 */
public record Augmentation(List<Op> ops) {

    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(List.of());

    /** flip, rotation=10, shift=0.1, zoom=0.1: the geometric set most FER2013 recipes use. */
    public static final Augmentation STANDARD = parse("flip,rotation=10,shift=0.1,zoom=0.1");

    /** STANDARD plus brightness=0.2, contrast=0.2 and random erasing with p = 0.5. */
    public static final Augmentation STRONG = parse("standard,brightness=0.2,contrast=0.2,erasing");

    public Augmentation {
        ops = List.copyOf(ops);
    }

    /** One operation; see the table in {@link Augmentation}. */
    public sealed interface Op permits Flip, Rotation, Shift, Zoom, Crop, Brightness, Contrast, Erasing {
        /** Chance that the op is applied to a given image, in [0, 1]. */
        double probability();
    }

    public record Flip(double probability) implements Op {
        public Flip {
            checkProbability("flip", probability);
        }
    }

    public record Rotation(double degrees, double probability) implements Op {
        public Rotation {
            check(degrees >= 0 && degrees <= 180, "rotation=" + degrees + ": degrees must be in 0..180");
            checkProbability("rotation", probability);
        }
    }

    public record Shift(double fraction, double probability) implements Op {
        public Shift {
            check(fraction >= 0 && fraction < 1, "shift=" + fraction + ": the fraction of the size must be in [0, 1)");
            checkProbability("shift", probability);
        }
    }

    public record Zoom(double amount, double probability) implements Op {
        public Zoom {
            check(amount >= 0 && amount < 1, "zoom=" + amount + ": the amount must be in [0, 1), e.g. 0.1 for 0.9x..1.1x");
            checkProbability("zoom", probability);
        }
    }

    public record Crop(int padding, double probability) implements Op {
        public Crop {
            check(padding >= 0 && padding <= 64, "crop=" + padding + ": the padding must be 0..64 pixels");
            checkProbability("crop", probability);
        }
    }

    public record Brightness(double amount, double probability) implements Op {
        public Brightness {
            check(amount >= 0 && amount <= 1, "brightness=" + amount + ": the amount must be in [0, 1]");
            checkProbability("brightness", probability);
        }
    }

    public record Contrast(double amount, double probability) implements Op {
        public Contrast {
            check(amount >= 0 && amount <= 1, "contrast=" + amount + ": the amount must be in [0, 1]");
            checkProbability("contrast", probability);
        }
    }

    /**
     * @param minArea   smallest erased fraction of the image, (0, maxArea]
     * @param maxArea   largest, at most 1
     * @param minAspect the aspect ratio (height / width) lies in [minAspect, 1 / minAspect], log-uniform
     */
    public record Erasing(double probability, double minArea, double maxArea, double minAspect) implements Op {
        public Erasing {
            checkProbability("erasing", probability);
            check(minArea > 0 && minArea <= maxArea && maxArea <= 1, "erasing: the area range must satisfy 0 < min <= max <= 1, got "
                    + minArea + ".." + maxArea);
            check(minAspect > 0 && minAspect <= 1, "erasing: the smallest aspect must be in (0, 1], got " + minAspect);
        }

        /** The paper's defaults: area 0.02..0.33, aspect 0.3..3.3. */
        public Erasing(double probability) {
            this(probability, 0.02, 0.33, 0.3);
        }
    }

    /** Whether no op can change an image. */
    public boolean isIdentity() {
        return ops.stream().allMatch(op -> op.probability() == 0);
    }

    /** A copy with {@code op} added last. */
    public Augmentation then(Op op) {
        List<Op> list = new ArrayList<>(ops);
        list.add(op);
        return new Augmentation(list);
    }

    /**
     * Parses a comma-separated list such as {@code flip,rotation=10,shift=0.1@0.5,erasing@0.25}
     * (see the table above), or a preset: {@code none}, {@code standard}, {@code strong}. Errors name
     * the item: {@code --augment: rotation=ten: expected a number, e.g. rotation=10}.
     */
    public static Augmentation parse(String spec) {
        List<Op> ops = new ArrayList<>();
        for (String raw : spec.split(",")) {
            String item = raw.strip().toLowerCase(Locale.ROOT);
            if (item.isEmpty()) {
                continue;
            }
            try {
                switch (item) {
                    case "none" -> {
                        continue;
                    }
                    case "standard" -> {
                        ops.addAll(STANDARD.ops());
                        continue;
                    }
                    case "strong" -> {
                        ops.addAll(STRONG.ops());
                        continue;
                    }
                    default -> {
                    }
                }
                double p = -1;
                int at = item.indexOf('@');
                String body = item;
                if (at >= 0) {
                    p = number(item.substring(at + 1), item, "a probability, e.g. flip@0.5");
                    checkProbability(item, p);  // flip@-1 is an error, not "the default"
                    body = item.substring(0, at);
                }
                int eq = body.indexOf('=');
                String name = eq < 0 ? body : body.substring(0, eq);
                String value = eq < 0 ? null : body.substring(eq + 1);
                double prob = p >= 0 ? p : 1;
                ops.add(switch (name) {
                    case "flip", "hflip", "horizontal_flip" -> new Flip(p >= 0 ? p : value != null
                            ? number(value, item, "a probability, e.g. flip=0.5") : 0.5);
                    case "rotation", "rotate" -> new Rotation(number(need(value, item, "rotation=10"), item, "degrees, e.g. rotation=10"), prob);
                    case "shift" -> new Shift(number(need(value, item, "shift=0.1"), item, "a fraction, e.g. shift=0.1"), prob);
                    case "zoom" -> new Zoom(number(need(value, item, "zoom=0.1"), item, "an amount, e.g. zoom=0.1"), prob);
                    case "crop" -> new Crop((int) integer(need(value, item, "crop=4"), item, "pixels of padding, e.g. crop=4"), prob);
                    case "brightness" -> new Brightness(number(need(value, item, "brightness=0.2"), item, "an amount, e.g. brightness=0.2"), prob);
                    case "contrast" -> new Contrast(number(need(value, item, "contrast=0.2"), item, "an amount, e.g. contrast=0.2"), prob);
                    case "erasing", "erase", "random_erasing" -> new Erasing(p >= 0 ? p : value != null
                            ? number(value, item, "a probability, e.g. erasing=0.5") : 0.5);
                    default -> throw new IllegalArgumentException("unknown augmentation '" + name
                            + "', expected flip, rotation, shift, zoom, crop, brightness, contrast, erasing, or a preset"
                            + " (none, standard, strong)");
                });
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new IllegalArgumentException(m.startsWith("--augment") ? m : "--augment: " + m);
            }
        }
        return new Augmentation(ops);
    }

    /** The spec that {@link #parse} reads back to this: {@code flip@0.5,rotation=10,...}. */
    public String describe() {
        if (ops.isEmpty()) {
            return "none";
        }
        List<String> items = new ArrayList<>();
        for (Op op : ops) {
            String s = switch (op) {
                case Flip f -> "flip";
                case Rotation r -> "rotation=" + fmt(r.degrees());
                case Shift s2 -> "shift=" + fmt(s2.fraction());
                case Zoom z -> "zoom=" + fmt(z.amount());
                case Crop c -> "crop=" + c.padding();
                case Brightness b -> "brightness=" + fmt(b.amount());
                case Contrast c -> "contrast=" + fmt(c.amount());
                case Erasing e -> "erasing";
            };
            items.add(s + "@" + fmt(op.probability()));
        }
        return String.join(",", items);
    }

    // ---------------------------------------------------------------------------------------------
    // Applying

    /**
     * Augments the image {@code x[off .. off + h*w)} in place. {@code random} must be this image's
     * own generator; the ops draw from it in list order.
     */
    public void apply(float[] x, int off, int h, int w, SplittableRandom random) {
        // The geometric ops compose into `inverse`, the map from output to source coordinates,
        // both relative to the image centre: src = [a b c; d e f] * (x, y, 1).
        double[] inverse = null;
        for (Op op : ops) {
            double p = op.probability();
            if (p <= 0 || (p < 1 && random.nextDouble() >= p)) {
                continue;
            }
            switch (op) {
                case Flip f -> inverse = compose(inverse, new double[] {-1, 0, 0, 0, 1, 0});
                case Rotation r -> {
                    // StrictMath: the same bits on every JVM and CPU, so a seed reproduces a run anywhere.
                    double theta = Math.toRadians(uniform(random, r.degrees()));
                    // Rotating the image by theta (counter-clockwise on screen, where y points down)
                    // samples the source at the output point rotated by -theta.
                    double cos = StrictMath.cos(theta);
                    double sin = StrictMath.sin(theta);
                    inverse = compose(inverse, new double[] {cos, -sin, 0, sin, cos, 0});
                }
                case Shift s -> {
                    double dx = uniform(random, s.fraction()) * w;
                    double dy = uniform(random, s.fraction()) * h;
                    inverse = compose(inverse, new double[] {1, 0, -dx, 0, 1, -dy});
                }
                case Zoom z -> {
                    double scale = 1 + uniform(random, z.amount());
                    inverse = compose(inverse, new double[] {1 / scale, 0, 0, 0, 1 / scale, 0});
                }
                case Crop c -> {
                    warp(x, off, h, w, inverse);
                    inverse = null;
                    int dx = random.nextInt(2 * c.padding() + 1) - c.padding();
                    int dy = random.nextInt(2 * c.padding() + 1) - c.padding();
                    translate(x, off, h, w, dx, dy);
                }
                case Brightness b -> {
                    warp(x, off, h, w, inverse);
                    inverse = null;
                    float factor = (float) (1 + uniform(random, b.amount()));
                    if (factor != 1f) {
                        for (int i = off; i < off + h * w; i++) {
                            x[i] = clamp(x[i] * factor);
                        }
                    }
                }
                case Contrast c -> {
                    warp(x, off, h, w, inverse);
                    inverse = null;
                    float factor = (float) (1 + uniform(random, c.amount()));
                    if (factor != 1f) {
                        double sum = 0;
                        for (int i = off; i < off + h * w; i++) {
                            sum += x[i];
                        }
                        float mean = (float) (sum / (h * w));
                        for (int i = off; i < off + h * w; i++) {
                            x[i] = clamp((x[i] - mean) * factor + mean);
                        }
                    }
                }
                case Erasing e -> {
                    warp(x, off, h, w, inverse);
                    inverse = null;
                    erase(x, off, h, w, e, random);
                }
            }
        }
        warp(x, off, h, w, inverse);
    }

    /** Uniform in [-a, a]; exactly 0 when a is 0. */
    private static double uniform(SplittableRandom random, double a) {
        return a == 0 ? 0 : (random.nextDouble() * 2 - 1) * a;
    }

    /** {@code m ∘ t} as 2x3 affine maps ({@code m == null}: identity). */
    private static double[] compose(double[] m, double[] t) {
        if (m == null) {
            return t;
        }
        return new double[] {
            m[0] * t[0] + m[1] * t[3], m[0] * t[1] + m[1] * t[4], m[0] * t[2] + m[1] * t[5] + m[2],
            m[3] * t[0] + m[4] * t[3], m[3] * t[1] + m[4] * t[4], m[3] * t[2] + m[4] * t[5] + m[5]};
    }

    private static boolean isIdentity(double[] m) {
        return m == null || (m[0] == 1 && m[1] == 0 && m[2] == 0 && m[3] == 0 && m[4] == 1 && m[5] == 0);
    }

    /** Resamples the image through {@code inverse}: bilinear, edge pixels repeated outside. */
    private static void warp(float[] x, int off, int h, int w, double[] inverse) {
        if (isIdentity(inverse)) {
            return;
        }
        float[] src = new float[h * w];
        System.arraycopy(x, off, src, 0, h * w);
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        for (int y = 0; y < h; y++) {
            double oy = y - cy;
            for (int xo = 0; xo < w; xo++) {
                double ox = xo - cx;
                double sx = inverse[0] * ox + inverse[1] * oy + inverse[2] + cx;
                double sy = inverse[3] * ox + inverse[4] * oy + inverse[5] + cy;
                sx = Math.max(0, Math.min(w - 1, sx));
                sy = Math.max(0, Math.min(h - 1, sy));
                int x0 = (int) sx;
                int y0 = (int) sy;
                int x1 = Math.min(x0 + 1, w - 1);
                int y1 = Math.min(y0 + 1, h - 1);
                double fx = sx - x0;
                double fy = sy - y0;
                double top = src[y0 * w + x0] + fx * (src[y0 * w + x1] - src[y0 * w + x0]);
                double bottom = src[y1 * w + x0] + fx * (src[y1 * w + x1] - src[y1 * w + x0]);
                x[off + y * w + xo] = (float) (top + fy * (bottom - top));
            }
        }
    }

    /** out(x, y) = in(x + dx, y + dy), 0 (black) outside. */
    private static void translate(float[] x, int off, int h, int w, int dx, int dy) {
        if (dx == 0 && dy == 0) {
            return;
        }
        float[] src = new float[h * w];
        System.arraycopy(x, off, src, 0, h * w);
        for (int y = 0; y < h; y++) {
            int sy = y + dy;
            for (int xo = 0; xo < w; xo++) {
                int sx = xo + dx;
                x[off + y * w + xo] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[sy * w + sx] : 0f;
            }
        }
    }

    private static void erase(float[] x, int off, int h, int w, Erasing e, SplittableRandom random) {
        double logLo = StrictMath.log(e.minAspect());
        double logHi = -logLo;
        for (int attempt = 0; attempt < 10; attempt++) {
            double area = h * w * (e.minArea() + random.nextDouble() * (e.maxArea() - e.minArea()));
            double aspect = StrictMath.exp(logLo + random.nextDouble() * (logHi - logLo));
            int eh = (int) Math.round(Math.sqrt(area * aspect));
            int ew = (int) Math.round(Math.sqrt(area / aspect));
            if (eh < 1 || ew < 1 || eh >= h || ew >= w) {
                continue;
            }
            int y0 = random.nextInt(h - eh + 1);
            int x0 = random.nextInt(w - ew + 1);
            for (int y = y0; y < y0 + eh; y++) {
                for (int xo = x0; xo < x0 + ew; xo++) {
                    x[off + y * w + xo] = random.nextInt(256);
                }
            }
            return;
        }
    }

    private static float clamp(float v) {
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    // ---------------------------------------------------------------------------------------------
    // Parsing helpers

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void checkProbability(String op, double p) {
        check(p >= 0 && p <= 1, op + ": the probability must be in [0, 1], got " + p);
    }

    private static String need(String value, String item, String example) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(item + ": needs a value, e.g. " + example);
        }
        return value;
    }

    private static double number(String s, String item, String expected) {
        try {
            double v = Double.parseDouble(s.strip());
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(item + ": expected " + expected);
    }

    private static long integer(String s, String item, String expected) {
        try {
            String t = s.strip();
            if (!t.matches("[+-]?[0-9]+")) {  // Integer.parseInt reads non-ASCII digits too
                throw new NumberFormatException(t);
            }
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(item + ": expected " + expected);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }
}
