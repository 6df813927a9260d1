package org.fer4j.datasets;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One spelling per emotion across datasets. FER2013 says {@code angry}, CK+ says {@code anger},
 * others {@code happiness} or {@code sadness}: {@link #normalize} maps each to the canonical name,
 * so that a folder called {@code Anger} and FER2013's label 0 are the same class.
 *
 * <pre>
 * canonical   aliases (case-insensitive; '-', ' ' and '_' are the same)
 * angry       anger, mad
 * disgust     disgusted, disgusting
 * fear        fearful, afraid, scared
 * happy       happiness, joy
 * sad         sadness, sorrow
 * surprise    surprised, surprising
 * neutral     neutrality
 * contempt    contemptuous
 * </pre>
 *
 * A leading index such as {@code 0_angry} or {@code 3-happy} is dropped. Any other name is kept,
 * lower-cased, so that custom classes (e.g. {@code pain}) work too.
 */
public final class ClassNames {
    /** FER2013's labels 0..6, in label order. */
    public static final List<String> FER2013 = List.of("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral");

    /** Every canonical name, in the order classes are listed: FER2013's seven, then CK+'s contempt. */
    public static final List<String> CANONICAL = List.of("angry", "disgust", "fear", "happy", "sad", "surprise",
            "neutral", "contempt");

    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("anger", "angry"), Map.entry("mad", "angry"),
            Map.entry("disgusted", "disgust"), Map.entry("disgusting", "disgust"),
            Map.entry("fearful", "fear"), Map.entry("afraid", "fear"), Map.entry("scared", "fear"),
            Map.entry("happiness", "happy"), Map.entry("joy", "happy"),
            Map.entry("sadness", "sad"), Map.entry("sorrow", "sad"),
            Map.entry("surprised", "surprise"), Map.entry("surprising", "surprise"),
            Map.entry("neutrality", "neutral"),
            Map.entry("contemptuous", "contempt"));

    /** Canonical names first, in {@link #CANONICAL} order, then the others alphabetically. */
    public static final Comparator<String> ORDER = Comparator
            .comparingInt((String name) -> {
                int i = CANONICAL.indexOf(name);
                return i < 0 ? CANONICAL.size() : i;
            })
            .thenComparing(Comparator.naturalOrder());

    private ClassNames() {
    }

    /** The canonical spelling of {@code raw}: {@code " Anger "} gives {@code angry}, {@code "0_Happy"} {@code happy}. */
    public static String normalize(String raw) {
        String name = raw.strip().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        int i = 0;
        while (i < name.length() && Character.isDigit(name.charAt(i))) {
            i++;
        }
        if (i > 0 && i < name.length() - 1 && (name.charAt(i) == '_' || name.charAt(i) == '.')) {
            name = name.substring(i + 1);
        }
        return ALIASES.getOrDefault(name, name);
    }

    /** Whether {@code name} (already normalized) is one of the emotions fer4j knows. */
    public static boolean isCanonical(String name) {
        return CANONICAL.contains(name);
    }
}
