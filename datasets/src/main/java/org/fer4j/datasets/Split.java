package org.fer4j.datasets;

import java.util.Locale;

/** The role a group of images plays: what the model learns from, tunes on, or is judged by. */
public enum Split {
    TRAIN("train"), VAL("val"), TEST("test");

    private final String label;

    Split(String label) {
        this.label = label;
    }

    /** {@code train}, {@code val} or {@code test}. */
    public String label() {
        return label;
    }

    /**
     * The role of a split as a source names it: FER2013's {@code Training}, {@code PublicTest} and
     * {@code PrivateTest} (the challenge's validation and final test), or the folder names
     * {@code train|training}, {@code val|valid|validation}, {@code test|testing}. {@code null} when
     * the name is none of these.
     */
    public static Split fromSourceName(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "training", "train" -> TRAIN;
            case "publictest", "val", "valid", "validation" -> VAL;
            case "privatetest", "test", "testing" -> TEST;
            default -> null;
        };
    }
}
