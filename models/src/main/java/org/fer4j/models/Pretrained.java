package org.fer4j.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;

/**
 * The trained models bundled in this jar as resources ({@code org/fer4j/models/pretrained/NAME.fer4j}),
 * loaded by name with no download. How each was made (data, split, command, metrics) is recorded
 * in its file's metadata and in {@code docs/models.md}.
 */
public final class Pretrained {
    private static final String FOLDER = "/org/fer4j/models/pretrained/";
    /** The resource of a bundled ensemble: its member names. */
    private static final String ENSEMBLE = ".ensemble";

    /**
     * Bundled models are used with test-time flip averaging: each face is classified as it is and
     * mirrored, and the two probability vectors are averaged. It is part of how they are meant to
     * run, and their accuracies in docs/models.md are measured with it (single-pass figures
     * beside them); it doubles the cost of a prediction.
     */
    public static final boolean FLIP_AVERAGING = true;

    /** Every name fer4j knows, with what it recognises; {@link #available()} says which this jar carries. */
    private static final Map<String, String> KNOWN = new LinkedHashMap<>();

    /**
     * Names that open another bundled model's weights, kept so that code written against an
     * earlier release still runs. None at present: {@code fer2013-robust} opened {@code fer2013}'s
     * weights from 2 to 3 December 2026, until {@code fer2013} had a last cycle of training with
     * the standard augmentation only; it is now again a file of its own, the network trained with
     * the robust augmentation throughout (docs/models.md).
     */
    private static final Map<String, String> ALIASES = Map.of();

    static {
        KNOWN.put("fer2013", "7 emotions: angry, disgust, fear, happy, sad, surprise, neutral; a wide VGG-style "
                + "network, 69.30% on PublicTest, the most accurate on cropped faces");
        KNOWN.put("fer2013-fast", "7 emotions, a smaller network (fer-vgg, 151 MFLOP a face against fer2013's 339), "
                + "66.48% against 69.30% on PublicTest: the fer2013 of releases before 2026-12-02");
        KNOWN.put("fer2013-robust", "7 emotions; the same network trained with lighting, blur, noise, JPEG and "
                + "occlusion augmentation throughout, for webcams and photos (68.35% on PublicTest)");
        KNOWN.put("fer2013-4", "4 emotions: happy, sad, surprise, neutral");
        KNOWN.put("fer2013-marketing", "4 emotions for customer reactions: happy, surprise, disgust, neutral");
    }

    /** The bundled model whose weights {@code name} opens: itself, or an alias's target. */
    static String resolve(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        return ALIASES.getOrDefault(key, key);
    }

    private Pretrained() {
    }

    /** Names whose weights this jar carries (an ensemble: all its members'). */
    public static List<String> available() {
        List<String> out = new ArrayList<>();
        for (String name : KNOWN.keySet()) {
            if (Pretrained.class.getResource(FOLDER + resolve(name) + ModelFile.EXTENSION) != null) {
                out.add(name);
            } else if (Pretrained.class.getResource(FOLDER + name + ENSEMBLE) != null) {
                try {
                    if (available().containsAll(members(name))) {
                        out.add(name);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    /**
     * The bundled models a bundled ensemble averages ({@code NAME.ensemble}: one member name a
     * line, {@code #} comments), or an empty list for a single network.
     */
    public static List<String> members(String name) throws IOException {
        String key = resolve(name);
        try (InputStream in = Pretrained.class.getResourceAsStream(FOLDER + key + ENSEMBLE)) {
            if (in == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String member = line.strip();
                if (!member.isEmpty() && !member.startsWith("#")) {
                    if (member.equals(key) || !KNOWN.containsKey(member)) {
                        throw new IOException("bundled ensemble '" + key + "' names '" + member
                                + "', expected the name of another bundled model");
                    }
                    out.add(member);
                }
            }
            return out;
        }
    }

    public static boolean isKnown(String name) {
        return KNOWN.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public static String describe(String name) {
        return KNOWN.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Loads a bundled model by name; the error lists the names that are bundled. An ensemble is not
     * one network: {@code EmotionClassifier.pretrained} loads it, and this refuses it, naming its members.
     */
    public static Checkpoint load(String name) throws IOException {
        String key = resolve(name);
        List<String> members = members(key);
        if (!members.isEmpty()) {
            throw new IllegalArgumentException("'" + name + "' is an ensemble of " + String.join(", ", members)
                    + " (their probabilities averaged), not one network; give one of them here");
        }
        String resource = FOLDER + key + ModelFile.EXTENSION;
        try (InputStream in = Pretrained.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled model '" + name + "'; bundled: "
                        + (available().isEmpty() ? "none in this build" : String.join(", ", available()))
                        + " (or give a .fer4j file)");
            }
            // ModelFile reads files (it checks sizes and the checksum up front), so the resource goes
            // through a temporary copy.
            Path tmp = Files.createTempFile("fer4j-" + key + "-", ModelFile.EXTENSION);
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return ModelFile.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
