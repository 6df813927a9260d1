package org.fer4j.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

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
 * jitter       jitter=J           a face detector's crop window: the window's side scaled by s
 *                                 uniform in [1-J, 1+J] (s &gt; 1: a looser box, the face smaller),
 *                                 its aspect (width / height) log-uniform in [1/(1+J/2), 1+J/2], its
 *                                 centre moved by up to J/2 of the size on each axis; edges repeated
 * brightness   brightness=B       multiply by f uniform in [1-B, 1+B]
 * contrast     contrast=C         scale the distance to the image's mean by c uniform in [1-C, 1+C]
 * gamma        gamma=G            v = 255 (v/255)^g, g log-uniform in [1/(1+G), 1+G] (g &gt; 1 darkens)
 * blur         blur=S             Gaussian blur, sigma uniform in [0, S] pixels, edges repeated
 * noise        noise=S            add Gaussian noise of standard deviation uniform in [0, S] grey levels
 * jpeg         jpeg=Q or jpeg=Q-R re-encode through ImageIO's JPEG writer at a quality uniform in
 *                                 Q..R (integers 1..100; R defaults to 95) and decode it back
 * erasing      erasing[@p]        random erasing (Zhong et al. 2020, arXiv:1708.04896): fill a
 *                                 rectangle of 2%..33% of the area, aspect 0.3..3.3, with uniform
 *                                 noise 0..255 (default p = 0.5)
 *
 * batch ops, applied by {@link ImageBatchSource} to a whole batch after the ops above; at most one
 * per batch: the first in the list whose probability fires
 * mixup        mixup=A            Zhang et al. 2018 (arXiv:1710.09412): lambda ~ Beta(A, A), every
 *                                 image blended with another of the batch (a random permutation),
 *                                 x = lambda x + (1 - lambda) x', target mixed likewise
 * cutmix       cutmix=A           Yun et al. 2019 (arXiv:1905.04899): lambda ~ Beta(A, A), a box of
 *                                 (1 - lambda) of the area at a uniform centre (clipped at the
 *                                 edges) pasted from another image of the batch into every image;
 *                                 lambda then is 1 - the clipped box's share of the image
 * </pre>
 *
 * Each op takes {@code @p}, its probability (default 1, except flip and erasing). Values are
 * clamped to 0..255 after each photometric op. Consecutive geometric ops (flip, rotation, shift,
 * zoom, jitter) are composed into one affine map and the image is resampled once, bilinearly, with the
 * edge pixels repeated outside the image (Keras' {@code fill_mode="nearest"}); an identity map
 * (rotation 0, shift 0, zoom 1, jitter 0) leaves the image untouched, bit for bit, and so does every
 * photometric op at strength 0 (gamma 0, blur 0, noise 0). JPEG is never an identity: it rounds
 * to whole grey levels and loses detail even at quality 100.
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

    /**
     * For faces from elsewhere (detector crops, webcams, other lighting and cameras): STANDARD, a
     * detector-like crop jitter, then lighting (brightness, contrast, gamma), then the camera (blur,
     * sensor noise, JPEG), then random erasing. The camera ops are applied to a quarter of the images
     * each, so most faces still look like FER2013's.
     */
    public static final Augmentation ROBUST = parse("standard,jitter=0.1,brightness=0.25,contrast=0.25,gamma=0.3@0.5,"
            + "blur=1@0.25,noise=8@0.25,jpeg=30-90@0.25,erasing");

    public Augmentation {
        ops = List.copyOf(ops);
    }

    /** One operation; see the table in {@link Augmentation}. */
    public sealed interface Op permits Flip, Rotation, Shift, Zoom, Crop, Jitter, Brightness, Contrast, Gamma, Blur,
            Noise, Jpeg, Erasing, BatchOp {
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

    /** A face detector's crop window, scaled, stretched and moved: see the table in {@link Augmentation}. */
    public record Jitter(double amount, double probability) implements Op {
        public Jitter {
            check(amount >= 0 && amount <= 0.5, "jitter=" + amount + ": the amount must be in [0, 0.5], e.g. jitter=0.1");
            checkProbability("jitter", probability);
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

    /** Gamma log-uniform in [1/(1+amount), 1+amount]. */
    public record Gamma(double amount, double probability) implements Op {
        public Gamma {
            check(amount >= 0 && amount <= 4, "gamma=" + amount + ": the amount must be in [0, 4], e.g. gamma=0.3 for 0.77..1.3");
            checkProbability("gamma", probability);
        }
    }

    /** Gaussian blur with sigma uniform in [0, maxSigma] pixels. */
    public record Blur(double maxSigma, double probability) implements Op {
        public Blur {
            check(maxSigma >= 0 && maxSigma <= 5, "blur=" + maxSigma + ": the largest sigma must be 0..5 pixels, e.g. blur=1");
            checkProbability("blur", probability);
        }
    }

    /** Additive Gaussian noise, its standard deviation uniform in [0, maxStd] grey levels. */
    public record Noise(double maxStd, double probability) implements Op {
        public Noise {
            check(maxStd >= 0 && maxStd <= 128, "noise=" + maxStd + ": the largest standard deviation must be 0..128 grey levels, e.g. noise=8");
            checkProbability("noise", probability);
        }
    }

    /** JPEG re-encoding at a quality uniform in {@code minQuality..maxQuality} (1..100, ImageIO's scale). */
    public record Jpeg(int minQuality, int maxQuality, double probability) implements Op {
        public Jpeg {
            check(minQuality >= 1 && minQuality <= maxQuality && maxQuality <= 100, "jpeg=" + minQuality + "-" + maxQuality
                    + ": the qualities must satisfy 1 <= low <= high <= 100, e.g. jpeg=30-90");
            checkProbability("jpeg", probability);
        }
    }

    /** An op on a whole batch (mixup, cutmix), which {@link #apply} skips. */
    public sealed interface BatchOp extends Op permits Mixup, CutMix {
        /** The Beta(alpha, alpha) parameter of the mix weight. */
        double alpha();
    }

    public record Mixup(double alpha, double probability) implements BatchOp {
        public Mixup {
            check(alpha > 0 && alpha <= 10, "mixup=" + alpha + ": alpha must be in (0, 10], e.g. mixup=0.2");
            checkProbability("mixup", probability);
        }
    }

    public record CutMix(double alpha, double probability) implements BatchOp {
        public CutMix {
            check(alpha > 0 && alpha <= 10, "cutmix=" + alpha + ": alpha must be in (0, 10], e.g. cutmix=1");
            checkProbability("cutmix", probability);
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
     * (see the table above), or a preset: {@code none}, {@code standard}, {@code strong}, {@code robust}. Errors name
     * the item: {@code --augment: rotation=ten: expected a number, e.g. rotation=10}.
     */
    public static Augmentation parse(String spec) {
        return AugmentationSpec.parse(spec);
    }

    /** The spec that {@link #parse} reads back to this: {@code flip@0.5,rotation=10,...}. */
    public String describe() {
        return AugmentationSpec.describe(this);
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
            if (op instanceof BatchOp) {
                continue;   // mixed by ImageBatchSource, batch by batch, with the batch's own generator
            }
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
                case Jitter j -> {
                    // The crop window, relative to the image: side scale s, aspect a = width / height,
                    // centre (cx, cy) in pixels. Output pixel o samples the source at (s_x o + cx, s_y o + cy).
                    double s = 1 + uniform(random, j.amount());
                    double halfLogAspect = 0.5 * uniform(random, StrictMath.log1p(j.amount() / 2));
                    double sx = s * StrictMath.exp(halfLogAspect);
                    double sy = s * StrictMath.exp(-halfLogAspect);
                    double cx = uniform(random, j.amount() / 2) * w;
                    double cy = uniform(random, j.amount() / 2) * h;
                    inverse = compose(inverse, new double[] {sx, 0, cx, 0, sy, cy});
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
                case Gamma g -> {
                    warp(x, off, h, w, inverse);
                    inverse = null;
                    double gamma = StrictMath.exp(uniform(random, StrictMath.log1p(g.amount())));
                    if (gamma != 1) {
                        gamma(x, off, h * w, gamma);
                    }
                }
                case Blur b -> {
                    warp(x, off, h, w, inverse);
                    inverse = null;
                    double sigma = b.maxSigma() == 0 ? 0 : random.nextDouble() * b.maxSigma();
                    blur(x, off, h, w, sigma);
                }
                case Noise n -> {
                    warp(x, off, h, w, inverse);
                    inverse = null;
                    double std = n.maxStd() == 0 ? 0 : random.nextDouble() * n.maxStd();
                    if (std > 0) {
                        for (int i = off; i < off + h * w; i++) {
                            x[i] = clamp((float) (x[i] + std * random.nextGaussian()));
                        }
                    }
                }
                case Jpeg j -> {
                    warp(x, off, h, w, inverse);
                    inverse = null;
                    int quality = j.minQuality() + random.nextInt(j.maxQuality() - j.minQuality() + 1);
                    jpeg(x, off, h, w, quality);
                }
                case Erasing e -> {
                    warp(x, off, h, w, inverse);
                    inverse = null;
                    erase(x, off, h, w, e, random);
                }
                case BatchOp b -> throw new AssertionError("skipped above");
            }
        }
        warp(x, off, h, w, inverse);
    }

    /** Whether there is a batch op (mixup, cutmix) that can fire. */
    public boolean mixesBatches() {
        return ops.stream().anyMatch(op -> op instanceof BatchOp && op.probability() > 0);
    }

    /**
     * The mix of one batch {@code x [n, h, w]}, 0..255, labels {@code y [n]}, in place: draws which
     * batch op fires (at most one), lambda and the partner of each image from {@code random} (the
     * batch's own generator). Returns the partners' labels and lambda, or {@code null} when none
     * fires (or the batch has one image).
     */
    public Mix mix(float[] x, int[] y, int n, int h, int w, SplittableRandom random) {
        BatchOp chosen = null;
        for (Op op : ops) {
            if (op instanceof BatchOp b && b.probability() > 0 && (b.probability() >= 1 || random.nextDouble() < b.probability())) {
                chosen = b;
                break;
            }
        }
        if (chosen == null || n < 2) {
            return null;
        }
        double lambda = beta(random, chosen.alpha());
        int[] partner = new int[n];
        for (int i = 0; i < n; i++) {
            partner[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {   // Fisher-Yates
            int j = random.nextInt(i + 1);
            int t = partner[i];
            partner[i] = partner[j];
            partner[j] = t;
        }
        int size = h * w;
        float[] src = x.clone();
        if (chosen instanceof Mixup) {
            float l = (float) lambda;
            for (int i = 0; i < n; i++) {
                int a = i * size;
                int b = partner[i] * size;
                for (int k = 0; k < size; k++) {
                    x[a + k] = l * src[a + k] + (1 - l) * src[b + k];
                }
            }
        } else {
            // The CutMix paper's box: sides sqrt(1 - lambda) of the image's, centre uniform, clipped.
            double cut = Math.sqrt(1 - lambda);
            int bw = (int) Math.round(w * cut);
            int bh = (int) Math.round(h * cut);
            int cx = random.nextInt(w);
            int cy = random.nextInt(h);
            int x0 = Math.max(0, cx - bw / 2);
            int x1 = Math.min(w, cx + bw - bw / 2);
            int y0 = Math.max(0, cy - bh / 2);
            int y1 = Math.min(h, cy + bh - bh / 2);
            for (int i = 0; i < n; i++) {
                int a = i * size;
                int b = partner[i] * size;
                for (int yy = y0; yy < y1; yy++) {
                    System.arraycopy(src, b + yy * w + x0, x, a + yy * w + x0, x1 - x0);
                }
            }
            lambda = 1 - (double) (x1 - x0) * (y1 - y0) / size;
        }
        int[] yMix = new int[n];
        for (int i = 0; i < n; i++) {
            yMix[i] = y[partner[i]];
        }
        return new Mix(yMix, (float) lambda);
    }

    /** A mixed batch's second labels and the weight of the first. */
    public record Mix(int[] yMix, float lambda) {
    }

    /** Beta(a, a) as G1 / (G1 + G2) of two Gamma(a, 1) draws. */
    static double beta(SplittableRandom random, double a) {
        double g1 = gamma(random, a);
        double g2 = gamma(random, a);
        return g1 + g2 == 0 ? 0.5 : g1 / (g1 + g2);
    }

    /**
     * Gamma(a, 1) by Marsaglia and Tsang (2000), "A simple method for generating gamma variables";
     * for a &lt; 1 through Gamma(a + 1) * U^(1/a). StrictMath, so a seed gives the same bits anywhere.
     */
    private static double gamma(SplittableRandom random, double a) {
        if (a < 1) {
            double u = random.nextDouble();
            return gamma(random, a + 1) * StrictMath.pow(u, 1 / a);
        }
        double d = a - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = random.nextGaussian();
            double v = 1 + c * z;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = random.nextDouble();
            if (u > 0 && StrictMath.log(u) < 0.5 * z * z + d - d * v + d * StrictMath.log(v)) {
                return d * v;
            }
        }
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

    /**
     * v = 255 (v / 255)^gamma through a table of the 256 grey levels, read with linear interpolation
     * (exact for whole levels, which is what the cache stores): 256 calls to StrictMath.pow instead of
     * one per pixel, and the same bits on every JVM.
     */
    private static void gamma(float[] x, int off, int n, double gamma) {
        float[] table = new float[257];
        for (int v = 0; v < 256; v++) {
            table[v] = (float) (255 * StrictMath.pow(v / 255.0, gamma));
        }
        table[256] = table[255];
        for (int i = off; i < off + n; i++) {
            float v = clamp(x[i]);
            int lo = (int) v;
            x[i] = table[lo] + (v - lo) * (table[lo + 1] - table[lo]);
        }
    }

    /**
     * Separable Gaussian blur, radius ceil(3 sigma), edge pixels repeated outside the image. The
     * weights are normalized to sum to 1, so a flat image stays flat. Sigma below 0.2 leaves the
     * image as it is: the neighbours' weight would be under 4e-6.
     */
    private static void blur(float[] x, int off, int h, int w, double sigma) {
        if (sigma < 0.2) {
            return;
        }
        int r = (int) Math.ceil(3 * sigma);
        float[] k = new float[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            double v = StrictMath.exp(-(i * i) / (2 * sigma * sigma));
            k[i + r] = (float) v;
            sum += v;
        }
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) (k[i] / sum);
        }
        float[] rows = new float[h * w];   // [H, W] blurred along x
        for (int y = 0; y < h; y++) {
            int row = off + y * w;
            for (int c = 0; c < w; c++) {
                float acc = 0;
                for (int i = -r; i <= r; i++) {
                    int cc = Math.max(0, Math.min(w - 1, c + i));
                    acc += k[i + r] * x[row + cc];
                }
                rows[y * w + c] = acc;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < w; c++) {
                float acc = 0;
                for (int i = -r; i <= r; i++) {
                    int yy = Math.max(0, Math.min(h - 1, y + i));
                    acc += k[i + r] * rows[yy * w + c];
                }
                x[off + y * w + c] = clamp(acc);
            }
        }
    }

    /**
     * Rounds the image to 8-bit grey, writes it as a baseline JPEG at {@code quality} (1..100) with
     * ImageIO's own encoder, in memory, and decodes it back. ImageIO's encoder is deterministic, so
     * the same quality gives the same bytes.
     */
    private static void jpeg(float[] x, int off, int h, int w, int quality) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < h * w; i++) {
            data[i] = (byte) Math.round(clamp(x[off + i]));
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("--augment jpeg: this Java runtime has no ImageIO JPEG writer");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("--augment jpeg: encoding failed", e);
        } finally {
            writer.dispose();
        }
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        try (MemoryCacheImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            reader.setInput(in);
            java.awt.image.Raster back = reader.readRaster(0, null);
            if (back.getWidth() != w || back.getHeight() != h || back.getNumBands() != 1) {
                throw new IllegalStateException("--augment jpeg: decoded " + back.getWidth() + "x" + back.getHeight()
                        + " with " + back.getNumBands() + " bands, expected " + w + "x" + h + " grey");
            }
            int[] px = back.getSamples(back.getMinX(), back.getMinY(), w, h, 0, (int[]) null);
            for (int i = 0; i < h * w; i++) {
                x[off + i] = px[i];
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--augment jpeg: decoding failed", e);
        } finally {
            reader.dispose();
        }
    }

    private static float clamp(float v) {
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    // ---------------------------------------------------------------------------------------------
    // Checks of the ops' fields (the spec grammar is AugmentationSpec)

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    static void checkProbability(String op, double p) {
        check(p >= 0 && p <= 1, op + ": the probability must be in [0, 1], got " + p);
    }
}
