package org.fer4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fer4j.cli.report.RunReport;
import org.fer4j.datasets.ClassMatch;
import org.fer4j.datasets.Datasets;
import org.fer4j.datasets.ImageBatchSource;
import org.fer4j.datasets.NormalizationSpec;
import org.fer4j.datasets.PreparedData;
import org.fer4j.datasets.Split;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.Text;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.metrics.ClassificationReport;
import org.fer4j.engine.metrics.ConfusionMatrix;
import org.fer4j.models.EmotionClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fer4j eval}: accuracy, macro-F1, the per-class table and the confusion matrix of a
 * trained model on one split of a data source, plus the report files.
 *
 * <p>The data's classes may differ from the model's ({@link ClassMatch}): the images of the classes
 * both have are evaluated, those of classes the model lacks are left out and counted, and the
 * model's classes that the data lacks are marked absent. The model still predicts among all its
 * classes (arg-max over every output), as it does in use: a CK+ anger face it calls neutral is an
 * error, and the confusion matrix's neutral column shows how often that happens.
 */
@Command(name = "eval",
        description = "Evaluate a trained model on a data source: accuracy, macro F1, per-class precision/recall/F1, "
                + "the confusion matrix, and the report files.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        footer = {"", "Examples:",
                "  fer4j eval --model fer2013 --data ../shared/data/fer2013/fer2013.csv.gz --split PublicTest",
                "  fer4j eval --model runs/vgg/best.fer4j --data faces/ --split test --tta flip --json",
                "  fer4j eval --model fer2013 --data CK+48 --merge contempt->disgust --split-spec own --split train   (every image)"})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "NAME|FILE", description = "a bundled model (fer2013, ...) or a .fer4j file; several separated by commas are an ensemble (their probabilities averaged)")
    String model;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--split", paramLabel = "NAME", description = "the split to evaluate: test, val, train, all, or the "
            + "source's own name (PublicTest, Training, ...) (default: test, or val when there is no test split)")
    String split;

    @Option(names = "--split-spec", paramLabel = "SPEC", description = "how to split the source: own or ratios such as "
            + "72/14/14 (default: as recorded in the model when it was trained, else own/auto)")
    String splitSpec;

    @Option(names = "--seed", description = "seed of a ratio split (default: the model's training seed, else 42)")
    Long seed;

    @Option(names = "--tta", paramLabel = "KIND", description = "test-time augmentation: none, or flip (average with the mirrored face) (default: the model's own: flip for bundled models, none for files)")
    Choices.Tta tta;

    @Option(names = "--batch", description = "batch size, 1..65536 (default: ${DEFAULT-VALUE})")
    int batch = 128;

    @Option(names = "--out", paramLabel = "DIR", description = "folder for the report files (default: eval-<model>-<split>)")
    Path out;

    @Option(names = "--json", description = "print the metrics as one JSON object on standard output (progress goes to standard error)")
    boolean json;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Override
    public Integer call() throws Exception {
        Flags.intIn("--batch", batch, 1, Flags.MAX_BATCH);
        PrintWriter o = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        o.println(engine.apply());
        EmotionClassifier classifier = EmotionClassifier.open(model);
        if (tta != null) {
            classifier = classifier.withFlipAveraging(tta == Choices.Tta.FLIP);
        }
        String ttaUsed = classifier.flipAveraging() ? "flip" : "none";
        Map<String, Object> meta = classifier.info().metadata();
        long s = seed != null ? seed : meta.get("seed") instanceof Number n ? n.longValue() : 42L;
        String spec0 = splitSpec != null ? splitSpec : meta.get("split_spec") instanceof String m && !m.equals("auto") ? m : null;
        if (dataOptions.classes != null) {
            List<String> asked = org.fer4j.datasets.ClassMap.parseClasses(dataOptions.classes);
            if (!asked.isEmpty() && !asked.equals(classifier.classNames())) {
                throw new IllegalArgumentException("--classes " + Text.escape(dataOptions.classes) + ": eval scores the model's "
                        + "own classes (" + Text.escape(String.join(",", classifier.classNames())) + "); leave out --classes, "
                        + "or map the data's names onto the model's with --merge");
            }
        }
        int[] size = classifier.inputSize();
        var config = dataOptions.config(s, size[0], size[1], spec0).toBuilder()
                .classes(List.of())   // all of the data's classes: matched to the model's below
                .normalization(specFor(classifier.info().normalization()))
                .build();
        try (PreparedData data = Datasets.prepare(config)) {
            ClassMatch match = ClassMatch.of(classifier.classNames(), data.classNames(), dataOptions.data.toString());
            ImageBatchSource whole = pick(data);
            ImageBatchSource source = whole.relabel(match.targets(), classifier.classNames().size());
            Map<String, Integer> leftOut = leftOut(match, whole.classCounts());
            String splitName = split == null ? (data.test().size() > 0 ? "test" : "val") : split;
            if (source.size() == 0) {
                throw new IllegalArgumentException("split " + splitName + " of " + dataOptions.data + " has no images of the "
                        + "classes it shares with the model (" + String.join(", ", match.shared()) + ")");
            }
            if (!match.identical()) {
                printMatch(o, match, leftOut);
            }
            o.printf(Locale.ROOT, "Evaluating %s on %s, split %s (%d images, %s)%s%n", model, dataOptions.data, splitName,
                    source.size(), data.splitDescription(), !classifier.flipAveraging() ? ""
                            : tta == null ? ", with flip averaging (the bundled model's default; --tta none for one pass)"
                            : ", with flip averaging");
            ConfusionMatrix confusion = new ConfusionMatrix(classifier.classNames().size());
            var it = source.batches(batch, false, 0L);
            while (it.hasNext()) {
                Batch b = it.next();
                List<EmotionClassifier.Prediction> predictions = classifier.probabilities(b.x());
                for (int i = 0; i < b.size(); i++) {
                    confusion.add(b.y()[i], predictions.get(i).index());
                }
            }
            ClassificationReport report = new ClassificationReport(confusion, classifier.classNames(), match.modelOnly());
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("model", model);
            facts.put("data", dataOptions.data.toString());
            facts.put("split", splitName);
            facts.put("tta", ttaUsed);
            if (!match.identical()) {
                facts.put("data_classes", match.dataClasses());
                facts.put("left_out", leftOut);
                facts.put("images_left_out", leftOut.values().stream().mapToInt(Integer::intValue).sum());
            }
            Path dir = out != null ? out : Path.of("eval-" + (classifier.members() > 1 ? "ensemble"
                    : Path.of(model).getFileName().toString().replace(".fer4j", ""))
                    + "-" + splitName.toLowerCase(Locale.ROOT));
            RunReport.write(dir, model + " on " + dataOptions.data.getFileName() + ", " + splitName, null, report, facts);
            if (json) {
                Map<String, Object> all = new LinkedHashMap<>(facts);
                all.putAll(report.toMap());
                spec.commandLine().getOut().println(Json.write(all));
            } else {
                o.println();
                o.print(report.format(4));
                o.println();
                o.print(report.confusionMatrixText());
                o.printf(Locale.ROOT, "%nAccuracy: %.2f%% (%d of %d), macro F1 %.4f%s%n", 100 * report.accuracy(),
                        confusion.correct(), confusion.total(), report.macroF1(), match.modelOnly().isEmpty() ? ""
                                : " (over the " + match.shared().size() + " classes the data has)");
                o.println("Report: " + dir.resolve(RunReport.HTML));
            }
            return 0;
        }
    }

    /** Images of the evaluated split per data class that the model lacks (0 included), in the data's order. */
    private static Map<String, Integer> leftOut(ClassMatch match, int[] counts) {
        Map<String, Integer> out = new LinkedHashMap<>();
        int[] target = match.targets();
        for (int d = 0; d < target.length; d++) {
            if (target[d] < 0) {
                out.put(match.dataClasses().get(d), counts[d]);
            }
        }
        return out;
    }

    private static void printMatch(PrintWriter o, ClassMatch match, Map<String, Integer> leftOut) {
        o.printf(Locale.ROOT, "Classes: the data has %s; the model has %s%n", String.join(", ", match.dataClasses()),
                String.join(", ", match.modelClasses()));
        o.printf(Locale.ROOT, "  evaluated: the %d classes both have (%s); the model predicts among all %d%n",
                match.shared().size(), String.join(", ", match.shared()), match.modelClasses().size());
        if (!leftOut.isEmpty()) {
            List<String> parts = leftOut.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + " images)").toList();
            int total = leftOut.values().stream().mapToInt(Integer::intValue).sum();
            o.printf(Locale.ROOT, "  left out, not in the model: %s%s; --merge %s->CLASS maps %s to one of the model's%n",
                    String.join(", ", parts), parts.size() == 1 ? "" : " (" + total + " images in all)",
                    leftOut.keySet().iterator().next(), leftOut.size() == 1 ? "it" : "one");
        }
        if (!match.modelOnly().isEmpty()) {
            o.printf(Locale.ROOT, "  absent, not in the data: %s (no images: an empty row in the confusion matrix)%n", String.join(", ", match.modelOnly()));
        }
    }

    /** The split the user named, by role or by the source's own name. */
    private ImageBatchSource pick(PreparedData data) {
        if (split == null) {
            return data.test().size() > 0 ? data.test() : data.val();
        }
        if (split.equalsIgnoreCase("all")) {
            throw new IllegalArgumentException("--split all: evaluate the splits one at a time (train, val, test)");
        }
        Split role = Split.fromSourceName(split);
        if (role == null) {
            throw new IllegalArgumentException("--split must be test, val, train or a source split name (Training, "
                    + "PublicTest, PrivateTest, validation ...), got '" + split + "'");
        }
        ImageBatchSource s = data.split(role);
        if (s.size() == 0) {
            throw new IllegalArgumentException("--split " + split + ": the data has no such split (" + data.splitDescription() + ")");
        }
        return role == Split.TRAIN ? s.plain() : s;
    }

    /** The data pipeline's spelling of the normalisation the model was trained with. */
    static NormalizationSpec specFor(Normalization n) {
        if (n.equals(Normalization.UNIT)) {
            return NormalizationSpec.UNIT;
        }
        if (n.equals(Normalization.NONE)) {
            return NormalizationSpec.NONE;
        }
        if (Math.abs(n.scale() - 1f / 255) < 1e-9) {
            return new NormalizationSpec(NormalizationSpec.Kind.FIXED, n.mean(), n.std());
        }
        throw new IllegalArgumentException("the model's normalisation " + n + " has no data-pipeline equivalent");
    }
}
