package org.fer4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.fer4j.datasets.Images;
import org.fer4j.engine.io.Json;
import org.fer4j.models.EmotionClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fer4j predict}: the emotion on each face image, with every class's probability. */
@Command(name = "predict",
        description = "Classify the emotion on face images (PNG, JPEG, BMP, GIF; any size or colour, converted exactly "
                + "as in training).",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        footer = {"", "Examples:",
                "  fer4j predict --model fer2013 face.png",
                "  fer4j predict --model runs/vgg/best.fer4j --format csv photos/ > predictions.csv",
                "  fer4j predict --model fer2013-4 --top 2 --format json a.jpg b.jpg"})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "NAME|FILE", description = "a bundled model (fer2013, ...) or a .fer4j file")
    String model;

    @Parameters(paramLabel = "IMAGE|FOLDER", arity = "1..*", description = "image files, or folders searched recursively")
    List<Path> inputs;

    @Option(names = "--format", description = "table, csv or json (default: ${DEFAULT-VALUE})")
    String format = "table";

    @Option(names = "--top", paramLabel = "K", description = "in the table, list the K most likely classes (default: all)")
    Integer top;

    @Option(names = "--tta", paramLabel = "KIND", description = "test-time augmentation: none, or flip (average with the mirrored face) (default: the model's own: flip for bundled models, none for files)")
    String tta;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Override
    public Integer call() throws Exception {
        if (!List.of("table", "csv", "json").contains(format)) {
            throw new IllegalArgumentException("--format must be table, csv or json, got '" + format + "'");
        }
        if (top != null && top < 1) {
            throw new IllegalArgumentException("--top must be >= 1, got " + top);
        }
        if (tta != null && !tta.equals("none") && !tta.equals("flip")) {
            throw new IllegalArgumentException("--tta must be none or flip, got '" + tta + "'");
        }
        List<Path> files = expand(inputs);
        engine.apply();
        EmotionClassifier classifier = EmotionClassifier.open(model);
        if (tta != null) {
            classifier = classifier.withFlipAveraging(tta.equals("flip"));
        }
        List<String> classes = classifier.classNames();
        int k = top == null ? classes.size() : Math.min(top, classes.size());
        PrintWriter o = spec.commandLine().getOut();
        List<Object> json = new ArrayList<>();
        if (format.equals("csv")) {
            o.println("file,emotion,confidence," + String.join(",", classes));
        }
        for (Path file : files) {
            EmotionClassifier.Prediction p = classifier.predict(Images.read(file));
            switch (format) {
                case "csv" -> {
                    StringBuilder sb = new StringBuilder(csv(file.toString())).append(',').append(p.label())
                            .append(String.format(Locale.ROOT, ",%.4f", p.confidence()));
                    for (float v : p.probabilities()) {
                        sb.append(String.format(Locale.ROOT, ",%.4f", v));
                    }
                    o.println(sb);
                }
                case "json" -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", file.toString());
                    m.put("emotion", p.label());
                    m.put("confidence", p.confidence());
                    Map<String, Object> probs = new LinkedHashMap<>();
                    for (int j : p.top(k)) {
                        probs.put(classes.get(j), p.probabilities()[j]);
                    }
                    m.put("probabilities", probs);
                    json.add(m);
                }
                default -> {
                    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-40s %-9s", file, p.label()));
                    for (int j : p.top(k)) {
                        sb.append(String.format(Locale.ROOT, "  %s %5.1f%%", classes.get(j), 100 * p.probabilities()[j]));
                    }
                    o.println(sb);
                }
            }
        }
        if (format.equals("json")) {
            o.println(Json.writePretty(json));
        }
        return 0;
    }

    /** Files as given; folders walked for image files in a stable (sorted) order. */
    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> walk = Files.walk(in)) {
                    walk.filter(Files::isRegularFile).filter(Images::isImageFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(in)) {
                files.add(in);
            } else {
                throw new java.nio.file.NoSuchFileException(in.toString());
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no image files (png, jpg, jpeg, bmp, gif) in " + inputs);
        }
        return files;
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
