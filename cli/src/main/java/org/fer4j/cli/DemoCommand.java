package org.fer4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fer4j.cli.report.RunReport;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.data.ArrayDataset;
import org.fer4j.engine.data.SyntheticBars;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.metrics.ClassificationReport;
import org.fer4j.engine.optim.Adam;
import org.fer4j.engine.optim.CosineDecay;
import org.fer4j.engine.train.Evaluation;
import org.fer4j.engine.train.ModelCheckpoint;
import org.fer4j.engine.train.ProgressBar;
import org.fer4j.engine.train.TrainConfig;
import org.fer4j.engine.train.Trainer;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.models.ModelZoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job of the README, in three parts. First the real use: a bundled group photo (or
 * {@code --photo}) goes through the face detector and the bundled {@code fer2013} model, every
 * face is listed with its emotion, and an annotated copy is written. Then the end-to-end check
 * of the engine that needs no data: it
 * generates a learnable image task (bars at several orientations), trains {@code bars-cnn} on it
 * with the real trainer, and reports held-out accuracy. Then the bundled {@code fer2013} model on
 * FER2013's PublicTest split, through {@code fer4j eval}, when the data is there (by default where
 * a checkout with {@code ../shared} beside it has it); without the data that part says so and is
 * skipped, since FER2013 is not ours to ship.
 */
@Command(name = "demo",
        description = {"Find the faces in a bundled group photo (or --photo), classify each one's emotion with the bundled "
                + "fer2013 model and write an annotated copy.",
                "Then train a small CNN on generated images (bars at several orientations) and report its "
                + "held-out accuracy: the whole engine at work, with no data to download.",
                "Then, when FER2013 is found (--data), evaluate the bundled fer2013 model on its PublicTest split."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:",
                "  fer4j demo",
                "  fer4j demo --photo my-team.jpg --annotate out/",
                "  fer4j demo --epochs 3 --train 1200 --data none",
                "  fer4j demo --data ~/data/fer2013.csv",
                "  fer4j demo --backend opencl --data none",
                "  fer4j demo --out runs/demo && fer4j summary runs/demo/best.fer4j"})
final class DemoCommand implements Callable<Integer> {
    private static final int SIZE = 16;
    /** Generated images per split: 10^6 of 16x16 floats is 1 GB. */
    private static final int MAX_IMAGES = 1_000_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--epochs", defaultValue = "6", description = "training epochs, 1..100000 (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--train", paramLabel = "N", defaultValue = "2400", description = "generated training images, 1..1000000 (default: ${DEFAULT-VALUE})")
    int trainCount;

    @Option(names = "--test", paramLabel = "N", defaultValue = "600", description = "generated held-out images, 1..1000000 (default: ${DEFAULT-VALUE})")
    int testCount;

    @Option(names = "--classes", paramLabel = "K", defaultValue = "8", description = "bar orientations to tell apart, 2..12 (default: ${DEFAULT-VALUE})")
    int classes;

    @Option(names = "--batch", defaultValue = "32", description = "batch size, 1..65536 (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate, in (0, 10], decayed by a cosine schedule (default: ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--seed", defaultValue = "42", description = "seed for data, weights and order (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "run folder for best.fer4j, last.fer4j, history.csv and metrics.json")
    Path out;

    /** Where a checkout with {@code ../shared} beside it finds FER2013. */
    static final String DEFAULT_FER2013 = "../shared/data/fer2013/fer2013.csv.gz";

    @Option(names = "--data", paramLabel = "SOURCE", defaultValue = DEFAULT_FER2013,
            description = "FER2013 (.csv, .csv.gz or .tar.gz) for the bundled model's evaluation on PublicTest, or none "
                    + "to skip it; the default is skipped when it is absent (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--photo", paramLabel = "FILE", description = "a photo of your own for the first part (default: the bundled group photo)")
    Path photo;

    @Option(names = "--annotate", paramLabel = "DIR", defaultValue = "demo-output",
            description = "where the annotated photo is written (default: ${DEFAULT-VALUE})")
    Path annotate;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "where the decoded FER2013 is cached (default: "
            + "$FER4J_CACHE_DIR or ~/.cache/fer4j/datasets)")
    Path cacheDir;

    @Override
    public Integer call() throws Exception {
        Flags.intIn("--epochs", epochs, 1, Flags.MAX_EPOCHS);
        Flags.intIn("--train", trainCount, 1, MAX_IMAGES);
        Flags.intIn("--test", testCount, 1, MAX_IMAGES);
        Flags.intIn("--batch", batch, 1, Flags.MAX_BATCH);
        if (classes < 2 || classes > 12) {
            throw new IllegalArgumentException("--classes must be in 2..12, got " + classes);
        }
        Flags.openClosed("--lr", lr, 0, Flags.MAX_LR);
        PrintWriter o = spec.commandLine().getOut();
        o.println(engine.apply());
        int photoCode = photo(o);
        if (photoCode != 0) {
            return photoCode;
        }
        o.println();

        ArrayDataset train = SyntheticBars.generate(trainCount, SIZE, classes, seed);
        ArrayDataset test = SyntheticBars.generate(testCount, SIZE, classes, seed + 1);
        List<String> names = List.of(SyntheticBars.classNames(classes));
        o.printf(Locale.ROOT, "Data: generated bars, %d classes (%s), %d training and %d held-out images of 1x%dx%d%n",
                classes, String.join(", ", names), trainCount, testCount, SIZE, SIZE);

        Sequential model = ModelZoo.entry("bars-cnn").build(classes, seed);
        o.print(model.summary());
        o.flush();

        Trainer trainer = new Trainer(model, new Adam(model.params(), lr), new SoftmaxCrossEntropy(0.05f, null),
                new CosineDecay(lr, epochs, lr / 20, 0),
                TrainConfig.DEFAULT.toBuilder().epochs(epochs).batchSize(batch).seed(seed).build());
        trainer.addCallback(new ProgressBar(o, System.console() != null));
        ModelInfo info = ModelInfo.of(names, Normalization.NONE);
        if (out != null) {
            trainer.addCallback(new ModelCheckpoint(out, info, "val_accuracy"));
        }
        trainer.fit(train, test);

        Evaluation eval = trainer.evaluate(test, 100);
        ClassificationReport report = new ClassificationReport(eval.confusion(), names);
        o.println();
        o.print(report.format(4));
        o.println();
        o.print(report.confusionMatrixText());
        o.printf(Locale.ROOT, "%nHeld-out accuracy: %.2f%% (%d of %d images)%n", 100 * eval.accuracy(),
                eval.confusion().correct(), eval.confusion().total());
        if (out != null) {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("model", model.name());
            facts.put("data", "generated bars, " + classes + " orientations, seed " + seed);
            facts.put("split", "held-out (" + testCount + " images)");
            facts.put("backend", KernelsProvider.get().describe());
            RunReport.write(out, "fer4j demo: bars-cnn on generated bars", trainer.history(), report, facts);
            o.println("Run folder: " + out + " (best.fer4j, last.fer4j, history.csv, curves.png, confusion_matrix.png, "
                    + "metrics.json, report.html)");
        }
        return bundledModel(o);
    }

    /** The first part: {@code fer4j predict --model fer2013 --annotate DIR} on the group photo. */
    private int photo(PrintWriter o) throws IOException {
        Path file = photo;
        if (file == null) {
            file = Files.createTempDirectory("fer4j-demo").resolve("group-photo.jpg");
            try (InputStream in = DemoCommand.class.getResourceAsStream("demo/group-photo.jpg")) {
                if (in == null) {
                    throw new IllegalStateException("the bundled demo photo is missing from this build");
                }
                Files.copy(in, file);
            }
            o.println("Faces and emotions in a group photo (bundled; from face-api's demo, MIT licence):");
        } else {
            o.println("Faces and emotions in " + file + ":");
        }
        o.flush();
        List<String> args = new ArrayList<>(List.of("predict", "--model", "fer2013", "--detect", "on", "--top", "3",
                "--annotate", annotate.toString(), file.toString()));
        if (Main.verbose) {
            args.add("--verbose");
        }
        try {
            return Main.run(args.toArray(String[]::new), o, spec.commandLine().getErr());
        } finally {
            if (photo == null) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.getParent());
            }
        }
    }

    /** The third part: {@code fer4j eval --model fer2013 --split PublicTest} on the FER2013 data, if any. */
    private int bundledModel(PrintWriter o) throws IOException {
        if (data.equalsIgnoreCase("none")) {
            return 0;
        }
        Path source = Path.of(data);
        o.println();
        if (!Files.exists(source)) {
            if (!data.equals(DEFAULT_FER2013)) {
                throw new IllegalArgumentException("--data: " + data + " does not exist (expected FER2013 as .csv, .csv.gz or .tar.gz)");
            }
            o.println("Bundled model: FER2013 is not at " + data + ", so the evaluation of the bundled fer2013 model is "
                    + "skipped; pass --data <fer2013.csv> to run it, or classify your own faces with "
                    + "fer4j predict --model fer2013 <image>");
            return 0;
        }
        o.println("Bundled model: fer2013 on " + data + ", split PublicTest");
        o.flush();
        Path reportDir = out != null ? out.resolve("fer2013-publictest")
                : Files.createTempDirectory("fer4j-demo-eval");
        PrintWriter err = spec.commandLine().getErr();
        List<String> args = new ArrayList<>(List.of("eval", "--model", "fer2013", "--data", data,
                "--split", "PublicTest", "--out", reportDir.toString()));
        if (cacheDir != null) {
            args.addAll(List.of("--cache-dir", cacheDir.toString()));
        }
        if (Main.verbose) {
            args.add("--verbose"); // Main.run starts quiet; keep the user's choice
        }
        return Main.run(args.toArray(String[]::new), o, err);
    }

}
