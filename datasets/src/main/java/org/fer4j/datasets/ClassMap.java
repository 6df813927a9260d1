package org.fer4j.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fer4j.engine.io.Text;

/**
 * From a source's classes to the classes a model learns: merges first ({@code contempt->disgust}
 * relabels every contempt face as disgust; a new name such as {@code angry->negative,sad->negative}
 * creates a class), then the subset ({@code happy,surprise,disgust,neutral} keeps those, in that
 * order, and drops the rest). Every name goes through {@link ClassNames#normalize}, so
 * {@code anger} and {@code Angry} both mean {@code angry}. Merges are one step: {@code a->b, b->c}
 * sends a to b, not to c.
 */
public final class ClassMap {
    private final List<String> classNames;
    private final int[] target;

    private ClassMap(List<String> classNames, int[] target) {
        this.classNames = List.copyOf(classNames);
        this.target = target;
    }

    /**
     * @param sourceClasses the source's classes, in label order
     * @param keep          classes to keep, in the order the model's outputs take; empty keeps all
     * @param merges        source class to the class it becomes
     * @param sourceName    names the source in errors
     */
    public static ClassMap of(List<String> sourceClasses, List<String> keep, Map<String, String> merges, String sourceName) {
        Map<String, String> rename = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : merges.entrySet()) {
            String from = ClassNames.normalize(e.getKey());
            String to = ClassNames.normalize(e.getValue());
            if (!sourceClasses.contains(from)) {
                throw new IllegalArgumentException("--merge " + e.getKey() + "->" + e.getValue() + ": no class '" + from
                        + "' in " + sourceName + " (classes: " + String.join(", ", sourceClasses) + ")");
            }
            rename.put(from, to);
        }
        TreeSet<String> merged = new TreeSet<>(ClassNames.ORDER);
        for (String c : sourceClasses) {
            merged.add(rename.getOrDefault(c, c));
        }
        List<String> names;
        if (keep.isEmpty()) {
            names = new ArrayList<>(merged);
        } else {
            names = new ArrayList<>();
            for (String k : keep) {
                String c = ClassNames.normalize(k);
                if (!merged.contains(c)) {
                    throw new IllegalArgumentException("--classes: no class '" + k + "' in " + sourceName
                            + (rename.isEmpty() ? "" : " after merges") + " (classes: " + String.join(", ", merged) + ")");
                }
                if (names.contains(c)) {
                    throw new IllegalArgumentException("--classes: '" + k + "' is listed twice"
                            + (k.equals(c) ? "" : " (as " + c + ")"));
                }
                names.add(c);
            }
        }
        int[] target = new int[sourceClasses.size()];
        for (int i = 0; i < target.length; i++) {
            String c = sourceClasses.get(i);
            target[i] = names.indexOf(rename.getOrDefault(c, c));
        }
        return new ClassMap(names, target);
    }

    /** The model's classes, in output order. */
    public List<String> classNames() {
        return classNames;
    }

    /** The model class of source label {@code sourceLabel}, or -1 when it is dropped. */
    public int target(int sourceLabel) {
        return target[sourceLabel];
    }

    /**
     * {@code happy, surprise,Disgust} as a list; empty for {@code null} or {@code all}. An empty or
     * blank list ({@code --classes ''}) or an empty item ({@code happy,,sad}) is an error: it would
     * otherwise quietly mean "all classes".
     */
    public static List<String> parseClasses(String spec) {
        List<String> list = new ArrayList<>();
        if (spec == null || spec.strip().equalsIgnoreCase("all")) {
            return list;
        }
        if (spec.isBlank()) {
            throw new IllegalArgumentException("--classes: the list is empty; name the classes to keep, e.g. "
                    + "happy,sad, or all");
        }
        for (String s : spec.split(",", -1)) {
            if (s.isBlank()) {
                throw new IllegalArgumentException("--classes " + spec + ": an empty class name; expected a list such as "
                        + "happy,sad");
            }
            list.add(s.strip());
        }
        return list;
    }

    /**
     * {@code contempt->disgust, anger->angry} (also {@code =} or {@code :} instead of {@code ->}) as
     * an ordered map; {@code where} names the option or file line in errors.
     */
    public static Map<String, String> parseMerges(String spec, String where) {
        Map<String, String> map = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return map;
        }
        for (String item : spec.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            String[] parts = item.split("->|=|:", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException(where + ": expected FROM->TO, e.g. contempt->disgust, found '"
                        + item.strip() + "'");
            }
            String from = parts[0].strip();
            if (map.containsKey(from)) {
                throw new IllegalArgumentException(where + ": '" + from + "' is merged twice");
            }
            map.put(from, parts[1].strip());
        }
        return map;
    }

    /**
     * A mapping file: one {@code FROM->TO} per line (or several, comma-separated), {@code #} starts a
     * comment, blank lines are skipped.
     */
    public static Map<String, String> readMerges(Path file) throws IOException {
        Map<String, String> map = new LinkedHashMap<>();
        List<String> lines = Text.readUtf8(file, 1 << 20).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            for (Map.Entry<String, String> e : parseMerges(line, file + " line " + (i + 1)).entrySet()) {
                if (map.putIfAbsent(e.getKey(), e.getValue()) != null) {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + e.getKey() + "' is merged twice");
                }
            }
        }
        return map;
    }
}
