package org.fer4j.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;

/**
 * Named architectures. Each takes the number of classes (7 for FER2013, fewer for a subset) and a
 * seed for its initial weights.
 */
public final class ModelZoo {

    /** One named architecture: what it is for, and how to build it. */
    public record Entry(String name, String description, int defaultClasses, Builder builder) {
        public Sequential build(int classes, long seed) {
            if (classes < 2) {
                throw new IllegalArgumentException("model " + name + " needs at least 2 classes, got " + classes);
            }
            return builder.build(classes, seed);
        }
    }

    @FunctionalInterface
    public interface Builder {
        Sequential build(int classes, long seed);
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add(new Entry("fer-ref", "the reference CNN of the common Keras FER2013 example (48x48 grey input), "
                + "used to compare fer4j with other frameworks", 7, ModelZoo::ferRef));
        add(new Entry("bars-cnn", "a small CNN for the generated 16x16 bar-orientation task of `fer4j demo`",
                4, ModelZoo::barsCnn));
    }

    private ModelZoo() {
    }

    private static void add(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    public static List<String> names() {
        return List.copyOf(ENTRIES.keySet());
    }

    public static boolean contains(String name) {
        return ENTRIES.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public static Entry entry(String name) {
        Entry e = ENTRIES.get(name.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + String.join(", ", names()));
        }
        return e;
    }

    /** {@code name} with its default number of classes. */
    public static Sequential build(String name, long seed) {
        Entry e = entry(name);
        return e.build(e.defaultClasses(), seed);
    }

    /**
     * fer-ref: input 1x48x48; Conv3x3(32) valid + ReLU; Conv3x3(64) + ReLU; MaxPool 2;
     * Dropout 0.25; Conv3x3(128) + ReLU; MaxPool 2; Conv3x3(128) + ReLU; MaxPool 2; Dropout 0.25;
     * Flatten; Dense(1024) + ReLU; Dropout 0.5; Dense(classes). 2,345,607 parameters with 7
     * classes; 154.65 MFLOP forward per image.
     */
    public static Sequential ferRef(int classes, long seed) {
        return Sequential.builder("fer-ref", 1, 48, 48)
                .add(new Conv2D(32, 3)).add(new ReLU())
                .add(new Conv2D(64, 3)).add(new ReLU())
                .add(new MaxPool2D(2)).add(new Dropout(0.25f))
                .add(new Conv2D(128, 3)).add(new ReLU())
                .add(new MaxPool2D(2))
                .add(new Conv2D(128, 3)).add(new ReLU())
                .add(new MaxPool2D(2)).add(new Dropout(0.25f))
                .add(new Flatten())
                .add(new Dense(1024)).add(new ReLU()).add(new Dropout(0.5f))
                .add(new Dense(classes))
                .build(seed);
    }

    /** bars-cnn: two conv stages (the first with batch-norm) and a small dense head on 1x16x16. */
    public static Sequential barsCnn(int classes, long seed) {
        return Sequential.builder("bars-cnn", 1, 16, 16)
                .add(new Conv2D(8, 3, 1, Padding.SAME).withoutBias()).add(new BatchNorm()).add(new ReLU())
                .add(new MaxPool2D(2))
                .add(new Conv2D(16, 3, 1, Padding.SAME)).add(new ReLU()).add(new MaxPool2D(2))
                .add(new Flatten()).add(new Dense(32)).add(new ReLU()).add(new Dropout(0.2f))
                .add(new Dense(classes))
                .build(seed);
    }
}
