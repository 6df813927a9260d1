package org.fer4j.engine.io;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a model file says about the model besides its weights: what its outputs mean and how to
 * prepare its input.
 *
 * @param classNames    one name per output, in output order (e.g. angry, disgust, fear, ...);
 *                      non-empty, each name non-blank, no name twice
 * @param normalization how raw pixels become input
 * @param metadata      free-form, JSON-writable: e.g. {@code created}, {@code fer4j}, {@code notes};
 *                      {@code null} means empty. Held as a deep, unmodifiable copy.
 */
public record ModelInfo(List<String> classNames, Normalization normalization, Map<String, Object> metadata) {
    /** The longest class name: a label to print in a table, not a document. */
    public static final int MAX_CLASS_NAME = 100;
    /** The most classes a model may name. */
    public static final int MAX_CLASSES = 100_000;

    public ModelInfo {
        if (classNames == null || classNames.isEmpty()) {
            throw new IllegalArgumentException("model info: class names must not be empty");
        }
        if (classNames.size() > MAX_CLASSES) {
            throw new IllegalArgumentException("model info: " + classNames.size() + " classes, at most " + MAX_CLASSES
                    + " allowed");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < classNames.size(); i++) {
            String name = classNames.get(i);
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("model info: class name " + i + " is "
                        + (name == null ? "null" : "blank") + "; every class needs a name");
            }
            if (name.length() > MAX_CLASS_NAME) {
                throw new IllegalArgumentException("model info: classes[" + i + "] is " + name.length()
                        + " characters long, at most " + MAX_CLASS_NAME + " allowed: '" + Text.escape(name, 40) + "'");
            }
            if (!name.equals(name.strip()) || name.codePoints().anyMatch(Text::isUnsafe)) {
                throw new IllegalArgumentException("model info: classes[" + i + "] '" + Text.escape(name)
                        + "' holds control characters or surrounding spaces; class names must be printable");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("model info: class name '" + name + "' appears twice, at "
                        + classNames.indexOf(name) + " and " + i);
            }
        }
        classNames = List.copyOf(classNames);
        if (normalization == null) {
            throw new IllegalArgumentException("model info: normalization must not be null; use Normalization.NONE");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) Json.immutableCopy(
                metadata == null ? Map.of() : metadata, "metadata");
        metadata = copy;
    }

    /** Info with no metadata. */
    public static ModelInfo of(List<String> classNames, Normalization normalization) {
        return new ModelInfo(classNames, normalization, Map.of());
    }

    public int classCount() {
        return classNames.size();
    }

    /** A copy with {@code key} set in the metadata (added last, or replaced in place). */
    public ModelInfo withMetadata(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(metadata);
        m.put(key, value);
        return new ModelInfo(classNames, normalization, m);
    }
}
