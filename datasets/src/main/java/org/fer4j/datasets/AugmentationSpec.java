package org.fer4j.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fer4j.datasets.Augmentation.Blur;
import org.fer4j.datasets.Augmentation.Brightness;
import org.fer4j.datasets.Augmentation.Contrast;
import org.fer4j.datasets.Augmentation.Crop;
import org.fer4j.datasets.Augmentation.CutMix;
import org.fer4j.datasets.Augmentation.Erasing;
import org.fer4j.datasets.Augmentation.Flip;
import org.fer4j.datasets.Augmentation.Gamma;
import org.fer4j.datasets.Augmentation.Jitter;
import org.fer4j.datasets.Augmentation.Jpeg;
import org.fer4j.datasets.Augmentation.Mixup;
import org.fer4j.datasets.Augmentation.Noise;
import org.fer4j.datasets.Augmentation.Op;
import org.fer4j.datasets.Augmentation.Rotation;
import org.fer4j.datasets.Augmentation.Shift;
import org.fer4j.datasets.Augmentation.Zoom;

/**
 * The grammar of augmentation specs, {@code flip,rotation=10,shift=0.1@0.5,erasing@0.25} or a
 * preset, both ways: {@link #parse} reads one into an {@link Augmentation} (errors name the item:
 * {@code --augment: rotation=ten: expected a number, e.g. rotation=10}) and {@link #describe}
 * writes the spec that reads back to it. What each op does to an image is {@link Augmentation}'s.
 */
final class AugmentationSpec {
    private AugmentationSpec() {
    }

    /** See {@link Augmentation#parse}. */
    static Augmentation parse(String spec) {
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
                        ops.addAll(Augmentation.STANDARD.ops());
                        continue;
                    }
                    case "strong" -> {
                        ops.addAll(Augmentation.STRONG.ops());
                        continue;
                    }
                    case "robust" -> {
                        ops.addAll(Augmentation.ROBUST.ops());
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
                    Augmentation.checkProbability(item, p);  // flip@-1 is an error, not "the default"
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
                    case "jitter", "crop_jitter", "box_jitter" -> new Jitter(number(need(value, item, "jitter=0.1"), item, "an amount, e.g. jitter=0.1"), prob);
                    case "gamma" -> new Gamma(number(need(value, item, "gamma=0.3"), item, "an amount, e.g. gamma=0.3"), prob);
                    case "blur" -> new Blur(number(need(value, item, "blur=1"), item, "the largest sigma in pixels, e.g. blur=1"), prob);
                    case "noise" -> new Noise(number(need(value, item, "noise=8"), item, "the largest standard deviation in grey levels, e.g. noise=8"), prob);
                    case "jpeg" -> jpeg(need(value, item, "jpeg=30-90"), item, prob);
                    case "mixup" -> new Mixup(number(need(value, item, "mixup=0.2"), item, "alpha, e.g. mixup=0.2"), prob);
                    case "cutmix" -> new CutMix(number(need(value, item, "cutmix=1"), item, "alpha, e.g. cutmix=1"), prob);
                    case "erasing", "erase", "random_erasing" -> new Erasing(p >= 0 ? p : value != null
                            ? number(value, item, "a probability, e.g. erasing=0.5") : 0.5);
                    default -> throw new IllegalArgumentException("unknown augmentation '" + name
                            + "', expected flip, rotation, shift, zoom, crop, jitter, brightness, contrast, gamma, blur,"
                            + " noise, jpeg, erasing, mixup, cutmix, or a preset (none, standard, strong, robust)");
                });
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new IllegalArgumentException(m.startsWith("--augment") ? m : "--augment: " + m);
            }
        }
        return new Augmentation(ops);
    }

    /** See {@link Augmentation#describe}. */
    static String describe(Augmentation augmentation) {
        List<Op> ops = augmentation.ops();
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
                case Jitter j -> "jitter=" + fmt(j.amount());
                case Gamma g -> "gamma=" + fmt(g.amount());
                case Blur b -> "blur=" + fmt(b.maxSigma());
                case Noise n -> "noise=" + fmt(n.maxStd());
                case Jpeg j -> "jpeg=" + j.minQuality() + "-" + j.maxQuality();
                case Erasing e -> "erasing";
                case Mixup m -> "mixup=" + fmt(m.alpha());
                case CutMix c -> "cutmix=" + fmt(c.alpha());
            };
            items.add(s + "@" + fmt(op.probability()));
        }
        return String.join(",", items);
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

    /** {@code 30-90} (qualities 30..90) or {@code 30} (30..95). */
    private static Jpeg jpeg(String value, String item, double probability) {
        int dash = value.indexOf('-');
        String expected = "qualities 1..100, e.g. jpeg=30-90 or jpeg=30 (30..95)";
        int lo = (int) integer(dash < 0 ? value : value.substring(0, dash), item, expected);
        int hi = dash < 0 ? Math.max(lo, 95) : (int) integer(value.substring(dash + 1), item, expected);
        return new Jpeg(lo, hi, probability);
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
