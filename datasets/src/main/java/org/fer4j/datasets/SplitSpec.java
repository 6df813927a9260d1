package org.fer4j.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How images are divided into train, val and test.
 *
 * <pre>
 * own             the source's split: FER2013 Usage (Training -&gt; train, PublicTest -&gt; val,
 *                 PrivateTest -&gt; test) or the split folders; a source with none is all train
 * own,val=0.1     the same, and a stratified 10% of train becomes val (also own,val=10%)
 * auto            own when the source has a split of its own, else 72/14/14
 * 80/20           all images pooled, stratified by class: 80% train, 20% val
 * 72/14/14        all images pooled, stratified: train/val/test (any positive numbers; they are
 *                 normalized, so 0.8/0.2 is 80/20)
 * </pre>
 *
 * Stratified: each class is divided in the given proportions on its own (rounding by largest
 * remainder, so the parts add up), after a shuffle seeded by the seed and the class; the same seed
 * gives the same split.
 *
 * @param kind        own, auto or ratios
 * @param ratios      for {@link Kind#RATIOS}: 2 (train/val) or 3 (train/val/test) positive parts summing to 1
 * @param valFraction for own/auto: the share of train carved out as val, in [0, 1); 0 for none
 */
public record SplitSpec(Kind kind, List<Double> ratios, double valFraction) {

    public enum Kind { OWN, AUTO, RATIOS }

    public static final SplitSpec OWN = new SplitSpec(Kind.OWN, List.of(), 0);
    public static final SplitSpec AUTO = new SplitSpec(Kind.AUTO, List.of(), 0);

    /** What {@code auto} uses for a source with no split of its own: train, val and test. */
    static final List<Double> AUTO_RATIOS = List.of(0.72, 0.14, 0.14);

    public SplitSpec {
        ratios = List.copyOf(ratios);
        if (kind == Kind.RATIOS) {
            if (ratios.size() < 2 || ratios.size() > 3) {
                throw new IllegalArgumentException("--split needs 2 (train/val) or 3 (train/val/test) ratios, got "
                        + ratios.size());
            }
            double sum = 0;
            for (double r : ratios) {
                if (!(r > 0) || !Double.isFinite(r)) {
                    throw new IllegalArgumentException("--split ratios must be > 0, got " + ratios);
                }
                sum += r;
            }
            if (Math.abs(sum - 1) > 1e-9) {
                throw new IllegalArgumentException("--split ratios must sum to 1 (use SplitSpec.ratios to normalize), got " + sum);
            }
        } else if (!ratios.isEmpty()) {
            throw new IllegalArgumentException("--split " + kind.name().toLowerCase(Locale.ROOT) + " takes no ratios");
        }
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("--split val= must be in [0, 1), got " + valFraction);
        }
        if (kind == Kind.RATIOS && valFraction != 0) {
            throw new IllegalArgumentException("--split val= applies to own and auto splits, not to ratios");
        }
    }

    /** Stratified ratios, normalized: {@code ratios(72, 14, 14)}, {@code ratios(0.8, 0.2)}. */
    public static SplitSpec ratios(double... parts) {
        double sum = 0;
        for (double p : parts) {
            sum += p;
        }
        List<Double> list = new ArrayList<>();
        for (double p : parts) {
            list.add(sum > 0 ? p / sum : p);
        }
        return new SplitSpec(Kind.RATIOS, list, 0);
    }

    /** A copy that carves {@code fraction} of train into val (own and auto only). */
    public SplitSpec withValFraction(double fraction) {
        return new SplitSpec(kind, ratios, fraction);
    }

    /** Reads {@code own}, {@code auto}, {@code own,val=0.1}, {@code 80/20}, {@code 72/14/14}, {@code 0.8/0.2}. */
    public static SplitSpec parse(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        double val = 0;
        int comma = s.indexOf(',');
        if (comma >= 0) {
            String extra = s.substring(comma + 1).strip();
            s = s.substring(0, comma).strip();
            if (!extra.startsWith("val=")) {
                throw new IllegalArgumentException("--split " + spec + ": expected own,val=FRACTION, e.g. own,val=0.1");
            }
            String v = extra.substring(4).strip();
            boolean percent = v.endsWith("%");
            val = parseNumber(percent ? v.substring(0, v.length() - 1) : v, spec);
            if (percent) {
                val /= 100;
            } else if (val >= 1) {
                // val=2 could mean 2% or a typo for 0.2: say so rather than guess.
                throw new IllegalArgumentException("--split " + spec + ": val= is a fraction in [0, 1) or a percentage "
                        + "such as val=10%, got " + v);
            }
            if (!(val >= 0 && val < 1)) {
                throw new IllegalArgumentException("--split " + spec + ": val= must be in [0, 1) (or 0%..99%), got " + v);
            }
        }
        return switch (s) {
            case "own" -> OWN.withValFraction(val);
            case "auto" -> AUTO.withValFraction(val);
            default -> {
                if (val != 0) {
                    throw new IllegalArgumentException("--split " + spec + ": val= applies to own and auto only");
                }
                String[] parts = s.split("/");
                if (parts.length < 2 || parts.length > 3) {
                    throw new IllegalArgumentException("--split " + spec
                            + ": expected own, auto, own,val=0.1, or ratios such as 80/20 or 72/14/14");
                }
                double[] r = new double[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    r[i] = parseNumber(parts[i], spec);
                    if (!(r[i] > 0)) {
                        throw new IllegalArgumentException("--split " + spec + ": every ratio must be > 0");
                    }
                }
                // Percentages must add up to 100 (fractions to 1): 80/30 is a typo, not a ratio to guess at.
                double sum = 0;
                for (double x : r) {
                    sum += x;
                }
                if (Math.abs(sum - 100) > 1e-6 && Math.abs(sum - 1) > 1e-9) {
                    throw new IllegalArgumentException("--split " + spec + ": the parts must add up to 100 (or to 1), "
                            + "they add up to " + (sum == Math.rint(sum) ? Long.toString((long) sum) : Double.toString(sum)));
                }
                yield ratios(r);
            }
        };
    }

    private static double parseNumber(String s, String spec) {
        if (!s.strip().matches("[0-9.eE+-]+")) {
            throw new IllegalArgumentException("--split " + spec + ": '" + s.strip() + "' is not a number");
        }
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--split " + spec + ": '" + s.strip() + "' is not a number");
        }
    }

    /** {@code own}, {@code own,val=0.1}, {@code 72/14/14}. */
    public String describe() {
        if (kind == Kind.RATIOS) {
            List<String> parts = new ArrayList<>();
            for (double r : ratios) {
                double pct = r * 100;
                parts.add(Math.abs(pct - Math.rint(pct)) < 1e-6 ? Long.toString(Math.round(pct)) : String.format(Locale.ROOT, "%.2f", pct));
            }
            return String.join("/", parts);
        }
        String k = kind.name().toLowerCase(Locale.ROOT);
        return valFraction == 0 ? k : k + ",val=" + valFraction;
    }

    /**
     * The role of each image: {@link Split} ordinal, or -1 for images whose class is dropped
     * ({@code labels[i] < 0}).
     *
     * @param labels     the model class of each image, -1 when dropped
     * @param sourceRole the role the source gives each image ({@code null}: no split of its own)
     */
    int[] assign(int[] labels, Split[] sourceRole, int classes, long seed) {
        Kind k = kind == Kind.AUTO ? (sourceRole != null ? Kind.OWN : Kind.RATIOS) : kind;
        int[] role = new int[labels.length];
        if (k == Kind.RATIOS) {
            List<Double> r = kind == Kind.AUTO ? AUTO_RATIOS : ratios;
            int[] all = new int[labels.length];
            int n = 0;
            for (int i = 0; i < labels.length; i++) {
                role[i] = -1;
                if (labels[i] >= 0) {
                    all[n++] = i;
                }
            }
            stratify(java.util.Arrays.copyOf(all, n), labels, r, classes, seed, role, 0);
            return role;
        }
        for (int i = 0; i < labels.length; i++) {
            role[i] = labels[i] < 0 ? -1 : (sourceRole == null ? Split.TRAIN : sourceRole[i]).ordinal();
        }
        if (valFraction > 0) {
            int[] train = new int[labels.length];
            int n = 0;
            for (int i = 0; i < labels.length; i++) {
                if (role[i] == Split.TRAIN.ordinal()) {
                    train[n++] = i;
                }
            }
            stratify(java.util.Arrays.copyOf(train, n), labels, List.of(1 - valFraction, valFraction), classes, seed, role, 0);
        }
        return role;
    }

    /**
     * Divides {@code items} class by class in proportions {@code ratios}; item {@code i} gets role
     * {@code firstRole + part}.
     */
    static void stratify(int[] items, int[] labels, List<Double> ratios, int classes, long seed, int[] role, int firstRole) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i : items) {
            byClass.get(labels[i]).add(i);
        }
        for (int c = 0; c < classes; c++) {
            List<Integer> members = byClass.get(c);
            int n = members.size();
            SplittableRandom random = new SplittableRandom(Seeds.mix(seed, c + 1));
            for (int i = n - 1; i > 0; i--) {   // Fisher-Yates
                int j = random.nextInt(i + 1);
                Integer t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
            }
            int[] counts = largestRemainder(n, ratios);
            int at = 0;
            for (int part = 0; part < counts.length; part++) {
                for (int k = 0; k < counts[part]; k++) {
                    role[members.get(at++)] = firstRole + part;
                }
            }
        }
    }

    /** {@code n} split in proportions {@code ratios}: floors, then the leftovers to the largest remainders. */
    static int[] largestRemainder(int n, List<Double> ratios) {
        int[] counts = new int[ratios.size()];
        double[] rest = new double[ratios.size()];
        int given = 0;
        for (int i = 0; i < counts.length; i++) {
            double exact = n * ratios.get(i);
            counts[i] = (int) Math.floor(exact);
            rest[i] = exact - counts[i];
            given += counts[i];
        }
        while (given < n) {
            int best = 0;
            for (int i = 1; i < rest.length; i++) {
                if (rest[i] > rest[best] + 1e-12) {
                    best = i;
                }
            }
            counts[best]++;
            rest[best] = -1;
            given++;
        }
        return counts;
    }
}
