package org.fer4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fer4j.engine.io.Text;
import org.fer4j.cli.report.RunReport;
import org.fer4j.datasets.Augmentation;
import org.fer4j.datasets.ClassMap;
import org.fer4j.datasets.SplitSpec;
import org.fer4j.datasets.Datasets;
import org.fer4j.datasets.ImageBatchSource;
import org.fer4j.datasets.PreparedData;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.data.BatchSource;
import org.fer4j.engine.io.AtomicFiles;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.metrics.ClassificationReport;
import org.fer4j.engine.optim.ConstantLr;
import org.fer4j.engine.optim.CosineDecay;
import org.fer4j.engine.optim.LrSchedule;
import org.fer4j.engine.optim.Optimizer;
import org.fer4j.engine.optim.OptimizerConfig;
import org.fer4j.engine.optim.ReduceOnPlateau;
import org.fer4j.engine.optim.StepDecay;
import org.fer4j.engine.train.EarlyStopping;
import org.fer4j.engine.train.Evaluation;
import org.fer4j.engine.train.ModelCheckpoint;
import org.fer4j.engine.train.ProgressBar;
import org.fer4j.engine.train.TrainConfig;
import org.fer4j.engine.train.Trainer;
import org.fer4j.engine.train.TrainingDivergedException;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.models.ModelZoo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fer4j train}: Keras' {@code fit} from the command line. The flags map onto the data,
 * optimizer, schedule and trainer configurations; the run folder receives {@code best.fer4j},
 * {@code last.fer4j} (every epoch, atomically), {@code run.json} (the command, for
 * {@code --resume}) and the report.
 */
@Command(name = "train",
        description = "Train a model on FER2013 (CSV) or image folders, with progress, checkpoints and a report.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        footer = {"", "Examples:",
                "  fer4j train --data ../shared/data/fer2013/fer2013.csv.gz --model fer-ref --out runs/ref --epochs 3",
                "  fer4j train --data faces/ --classes happy,sad,surprise,neutral --split 72/14/14 --model fer-vgg \\",
                "              --augment standard --label-smoothing 0.1 --schedule cosine --out runs/vgg4",
                "  fer4j train --resume runs/vgg4                   continue an interrupted run",
                "", "Ctrl-C saves a checkpoint; --resume continues from it to the same weights as an uninterrupted run."})
final class TrainCommand implements Callable<Integer> {
    static final String RUN_FILE = "run.json";

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--model", paramLabel = "NAME|FILE", description = "architecture (fer-ref, fer-vgg, fer-resnet, ...) or a .fer4j file to go on training (default: fer-ref)")
    String model = "fer-ref";

    @Option(names = "--split", paramLabel = "SPEC", description = "own (the dataset's: FER2013 Usage, train/val/test folders), "
            + "or ratios such as 72/14/14 or 80/20 (stratified, seeded) (default: own when the data has one, else 72/14/14)")
    String split;

    @Option(names = "--init-from", paramLabel = "FILE", description = "start from the weights of a .fer4j file wherever names and shapes match (fine-tuning, e.g. a 4-class model from the 7-class one)")
    Path initFrom;

    @Option(names = "--out", paramLabel = "DIR", description = "run folder for checkpoints and the report")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "continue the run in DIR from its last.fer4j with its own settings (--epochs, --threads and --backend may change)")
    Path resume;

    @Option(names = "--overwrite", description = "start over in an --out folder that already holds a run")
    boolean overwrite;

    @Option(names = "--epochs", description = "training epochs, 1..100000 (default: ${DEFAULT-VALUE})")
    int epochs = 30;

    @Option(names = "--batch", description = "batch size, 1..65536 (default: ${DEFAULT-VALUE})")
    int batch = 64;

    @Option(names = "--optimizer", description = "adam, adamw or sgd (default: adam)")
    Choices.Optimizer optimizer = Choices.Optimizer.ADAM;

    @Option(names = "--lr", description = "learning rate, in (0, 10] (default: ${DEFAULT-VALUE})")
    float lr = 1e-3f;

    @Option(names = "--momentum", description = "SGD momentum, in [0, 1); sgd only (default: 0.9)")
    Float momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum; sgd only")
    boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "W", description = "L2 (sgd, adam) or decoupled (adamw) weight decay, in [0, 1] (default: 0, adamw 0.01)")
    Float weightDecay;

    @Option(names = "--schedule", description = "none, plateau, cosine or step (default: plateau)")
    Choices.Schedule schedule = Choices.Schedule.PLATEAU;

    @Option(names = "--patience", description = "plateau: epochs without val-loss improvement before the LR drops, 0..100000 (default: ${DEFAULT-VALUE})")
    int patience = 3;

    @Option(names = "--factor", description = "plateau and step: LR multiplier, in (0, 1) (default: ${DEFAULT-VALUE})")
    float factor = 0.5f;

    @Option(names = "--step-size", paramLabel = "E", description = "step: epochs between LR drops, 1..100000 (default: ${DEFAULT-VALUE})")
    int stepSize = 10;

    @Option(names = "--min-lr", description = "lowest LR of plateau and cosine, in [0, --lr) (default: 1e-5, or --lr when that is lower)")
    Float minLr;

    @Option(names = "--warmup", paramLabel = "E", description = "cosine: linear warm-up epochs, 0..--epochs minus 1 (default: ${DEFAULT-VALUE})")
    int warmup = 0;

    @Option(names = "--label-smoothing", paramLabel = "S", description = "label smoothing in [0, 1) (default: ${DEFAULT-VALUE})")
    float labelSmoothing = 0f;

    @Option(names = "--class-weights", paramLabel = "KIND", description = "none or balanced (default: none)")
    Choices.ClassWeights classWeights = Choices.ClassWeights.NONE;

    @Option(names = "--oversample", paramLabel = "F", description = "oversample rare training classes up to F of the largest class, 0..1 (default: off)")
    Double oversample;

    @Option(names = "--augment", paramLabel = "SPEC", description = "none, standard, strong, robust, or a list such as flip,rotation=10,shift=0.1,zoom=0.1,brightness=0.2,erasing (default: ${DEFAULT-VALUE})")
    String augment = "none";

    @Option(names = "--clip-norm", paramLabel = "N", description = "clip the global gradient norm, in [0, 1e6], 0 = off (default: off)")
    float clipNorm = 0f;

    @Option(names = "--early-stopping", paramLabel = "P", description = "stop after P epochs without improvement of --monitor, 0..100000, 0 = off (default: off)")
    int earlyStopping = 0;

    @Option(names = "--monitor", description = "metric for best.fer4j and early stopping: val_accuracy, val_loss, accuracy, loss (default: val_accuracy)")
    Choices.Monitor monitor = Choices.Monitor.VAL_ACCURACY;

    @Option(names = "--seed", description = "seed for weights, split, order, augmentation and dropout (default: ${DEFAULT-VALUE})")
    long seed = 42;

    @Option(names = "--prefetch", paramLabel = "N", description = "background threads preparing batches, 1..64 (default: ${DEFAULT-VALUE})")
    int prefetch = 1;

    @Mixin
    EngineOptions engine = new EngineOptions();

    /** The arguments this command was started with: saved in run.json for --resume. */
    List<String> arguments = List.of();

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        List<String> mine = new ArrayList<>(all.subList(all.indexOf(spec.name()) + 1, all.size()));
        mine.remove("--overwrite");
        arguments = mine;
        if (resume != null) {
            return resumeRun(o);
        }
        validate();
        Path dir = out;
        prepareRunFolder(dir);
        // Atomically: a kill while it is written must not leave an empty run.json that --resume cannot read.
        AtomicFiles.writeString(dir.resolve(RUN_FILE), Json.writePretty(Map.of("command", "train", "args", arguments)) + "\n");
        return run(o, dir, null);
    }

    private void validate() {
        if (out == null) {
            throw new IllegalArgumentException("--out is required: the run folder for checkpoints and the report");
        }
        Flags.intIn("--epochs", epochs, 1, Flags.MAX_EPOCHS);
        Flags.intIn("--batch", batch, 1, Flags.MAX_BATCH);
        Flags.intIn("--prefetch", prefetch, 1, 64);
        Flags.openClosed("--lr", lr, 0, Flags.MAX_LR);
        Flags.closedOpen("--label-smoothing", labelSmoothing, 0, 1);
        Flags.intIn("--early-stopping", earlyStopping, 0, Flags.MAX_EPOCHS);
        Flags.intIn("--patience", patience, 0, Flags.MAX_EPOCHS);
        Flags.open("--factor", factor, 0, 1);
        Flags.intIn("--step-size", stepSize, 1, Flags.MAX_EPOCHS);
        Flags.intIn("--warmup", warmup, 0, epochs - 1);  // the cosine needs at least one epoch after it
        Flags.closed("--clip-norm", clipNorm, 0, 1e6);
        if (minLr != null) {
            Flags.closedOpen("--min-lr", minLr, 0, lr);
        }
        if (weightDecay != null) {
            Flags.closed("--weight-decay", weightDecay, 0, 1);
        }
        if (oversample != null) {
            Flags.closed("--oversample", oversample, 0, 1);
        }
        if (optimizer != Choices.Optimizer.SGD && (momentum != null || nesterov)) {
            throw new IllegalArgumentException((momentum != null ? "--momentum" : "--nesterov") + " applies to --optimizer sgd"
                    + " only, not " + Choices.word(optimizer) + " (Adam's momentum is its beta1, fixed at 0.9)");
        }
        if (momentum != null) {
            Flags.closedOpen("--momentum", momentum, 0, 1);
        }
        Augmentation.parse(augment);
        engine.validate();
        if (dataOptions.classes != null) {
            ClassMap.parseClasses(dataOptions.classes);
        }
        if (split != null) {
            SplitSpec.parse(split);
        }
    }

    /** A run folder holds at most one run: refuse to mix a new one into it unless asked to. */
    private void prepareRunFolder(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, expected a folder");
        }
        Path last = dir.resolve(ModelCheckpoint.LAST);
        Path runFile = dir.resolve(RUN_FILE);
        if (Files.exists(last) || Files.exists(runFile)) {
            if (!overwrite) {
                throw new IllegalArgumentException("--out " + dir + " already holds a run (" + (Files.exists(last)
                        ? ModelCheckpoint.LAST : RUN_FILE) + "); pass --resume " + dir + " to continue it or --overwrite to "
                        + "start over");
            }
            for (String f : List.of(ModelCheckpoint.LAST, ModelCheckpoint.BEST, RUN_FILE, RunReport.HISTORY, RunReport.CURVES,
                    RunReport.CONFUSION, RunReport.METRICS, RunReport.HTML)) {
                Files.deleteIfExists(dir.resolve(f));
            }
        }
        Files.createDirectories(dir);
    }

    /** Re-reads the run's own command from run.json and continues it from last.fer4j. */
    private Integer resumeRun(PrintWriter o) throws Exception {
        Path dir = resume;
        Path runFile = dir.resolve(RUN_FILE);
        Path last = dir.resolve(ModelCheckpoint.LAST);
        if (!Files.isRegularFile(runFile)) {
            throw new IllegalArgumentException("--resume " + dir + ": expected a run folder with " + RUN_FILE + " and "
                    + ModelCheckpoint.LAST + " (written by fer4j train --out)");
        }
        // run.json without last.fer4j: the run was stopped before its first epoch ended.
        boolean afresh = !Files.isRegularFile(last);
        CommandLine.ParseResult now = spec.commandLine().getParseResult();
        for (CommandLine.Model.OptionSpec opt : now.matchedOptions()) {
            if (!List.of("--resume", "--epochs", "--threads", "--backend", "--verbose").contains(opt.longestName())) {
                throw new IllegalArgumentException(opt.longestName() + " cannot change when resuming; the run keeps its own "
                        + "settings (only --epochs, --threads and --backend may be given with --resume)");
            }
        }
        Object saved = Json.parse(Text.readUtf8(runFile, 1 << 20));
        if (!(saved instanceof Map<?, ?> m) || !(m.get("args") instanceof List<?> args)) {
            throw new IllegalArgumentException(runFile + ": expected {\"command\": \"train\", \"args\": [...]}");
        }
        TrainCommand original = new TrainCommand();
        CommandLine parser = Main.parser(original);
        List<String> savedArgs = new ArrayList<>();
        for (Object a : args) {
            savedArgs.add(String.valueOf(a));
        }
        parser.parseArgs(savedArgs.toArray(new String[0]));
        original.spec = spec;
        original.arguments = savedArgs;
        original.out = dir;
        if (now.hasMatchedOption("--epochs")) {
            original.epochs = epochs;
        }
        if (now.hasMatchedOption("--threads")) {
            original.engine.threads = engine.threads;
        }
        if (now.hasMatchedOption("--backend")) {
            original.engine.backend = engine.backend;
        }
        original.validate();
        Checkpoint from = null;
        if (afresh) {
            o.println("No checkpoint in " + dir + " yet (the run was stopped before its first epoch ended): "
                    + "starting it afresh with its own settings");
        } else {
            from = ModelFile.load(last);
            o.println("Resuming " + dir + " from " + ModelCheckpoint.LAST);
        }
        // Saves killed midway leave .last.fer4j.<random>.tmp behind: nothing is writing now.
        int stale = AtomicFiles.removeStaleTemps(dir, ModelCheckpoint.LAST) + AtomicFiles.removeStaleTemps(dir, ModelCheckpoint.BEST);
        if (stale > 0) {
            o.println("Removed " + stale + " temporary file" + (stale == 1 ? "" : "s") + " of interrupted checkpoint saves");
        }
        return original.run(o, dir, from);
    }

    /**
     * The run, in the order a reader follows it: the architecture (it fixes the input size the data
     * is resampled to), the data, the network, the trainer, the epochs, the report.
     */
    private Integer run(PrintWriter o, Path dir, Checkpoint resumeFrom) throws Exception {
        o.println(engine.apply());
        Checkpoint fromFile = resumeFrom == null ? modelFile() : null;
        int[] in = resumeFrom != null ? resumeFrom.model().inputShape() : fromFile != null ? fromFile.model().inputShape()
                : ModelZoo.entry(model).build(2, seed).inputShape();
        o.flush();
        try (PreparedData data = Datasets.prepare(dataOptions.config(seed, in[1], in[2], split).toBuilder()
                .augmentation(Augmentation.parse(augment))
                .oversample(oversample == null ? 0 : oversample)
                .prefetchThreads(prefetch).build())) {
            printData(o, data);
            Sequential net = network(o, data.classNames(), resumeFrom, fromFile);
            o.print(net.summary());
            ModelInfo info = runInfo(data, net);
            Trainer trainer = trainer(o, net, data, dir, info, resumeFrom);
            if (!fit(trainer, data, dir, info)) {
                return Main.EXIT_INTERRUPTED;
            }
            return report(o, dir, data, trainer, info);
        }
    }

    /** {@code --model FILE}: the model file to continue training; null for an architecture of the zoo. */
    private Checkpoint modelFile() throws IOException {
        if (ModelZoo.contains(model)) {
            return null;
        }
        Path file = Path.of(model);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--model: unknown model '" + model + "'; known architectures: "
                    + String.join(", ", ModelZoo.names()) + ", or a .fer4j file");
        }
        return ModelFile.load(file);
    }

    /** The network to train: the resumed one, the --model file's, or a new one of the zoo (--init-from fills it). */
    private Sequential network(PrintWriter o, List<String> classes, Checkpoint resumeFrom, Checkpoint fromFile)
            throws IOException {
        if (resumeFrom != null) {
            Sequential net = resumeFrom.model();
            if (net.outputShape()[0] != classes.size()) {
                throw new IllegalArgumentException("the checkpoint has " + net.outputShape()[0] + " classes but the data has "
                        + classes.size());
            }
            return net;
        }
        Sequential net;
        if (fromFile != null) {
            net = fromFile.model();
            if (!fromFile.info().classNames().equals(classes)) {
                throw new IllegalArgumentException("--model " + model + " has classes " + fromFile.info().classNames()
                        + " but the data has " + classes + "; use --init-from to start a new head from it");
            }
        } else {
            net = ModelZoo.entry(model).build(classes.size(), seed);
        }
        if (initFrom != null) {
            o.println(initialiseFrom(net, initFrom));
        }
        return net;
    }

    /** What the saved models say about this run: the data's classes and normalisation, and how it was trained. */
    private ModelInfo runInfo(PreparedData data, Sequential net) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("fer4j_version", new Main.Version().getVersion()[0]);
        metadata.put("architecture", net.name());
        metadata.put("data", dataOptions.data.getFileName().toString());
        metadata.put("split", data.splitDescription());
        metadata.put("split_spec", split == null ? "auto" : split);
        metadata.put("seed", seed);
        metadata.put("epochs", epochs);
        metadata.put("command", "fer4j train " + String.join(" ", arguments));
        ModelInfo info = data.modelInfo();
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            info = info.withMetadata(e.getKey(), e.getValue());
        }
        return info;
    }

    /**
     * The loss, optimizer and schedule from the flags, the resumed state if any, and the callbacks:
     * progress, checkpoints, early stopping.
     */
    private Trainer trainer(PrintWriter o, Sequential net, PreparedData data, Path dir, ModelInfo info,
                            Checkpoint resumeFrom) throws IOException {
        float[] weights = classWeights == Choices.ClassWeights.BALANCED ? data.balancedClassWeights() : null;
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(labelSmoothing, weights);
        Optimizer opt = optimizerConfig().create(net.params());
        LrSchedule lrSchedule = schedule();
        boolean validated = data.val().size() > 0;
        String watched = Choices.word(monitor);
        if (!validated && watched.startsWith("val_")) {
            watched = watched.substring(4);
            o.println("No validation split: monitoring training " + watched + " instead");
        }
        if (!validated && lrSchedule != null && lrSchedule.monitorsMetric()) {
            throw new IllegalArgumentException("--schedule plateau needs a validation split (see --split)");
        }
        Trainer trainer = new Trainer(net, opt, loss, lrSchedule,
                TrainConfig.DEFAULT.toBuilder().epochs(epochs).batchSize(batch).seed(seed).clipNorm(clipNorm).build());
        if (resumeFrom != null) {
            ModelCheckpoint.restore(trainer, resumeFrom);
            o.printf(Locale.ROOT, "Continuing at epoch %d of %d%n", trainer.nextEpoch() + 1, epochs);
        }
        trainer.addCallback(new ProgressBar(o, System.console() != null));
        trainer.addCallback(new ModelCheckpoint(dir, info, watched));
        if (earlyStopping > 0) {
            trainer.addCallback(new EarlyStopping(watched, earlyStopping, 0, true));
        }
        return trainer;
    }

    /**
     * Runs the epochs; false when Ctrl-C stopped them (last.fer4j is then saved and the way to
     * continue printed). Divergence is one line naming the last finite checkpoint.
     */
    private boolean fit(Trainer trainer, PreparedData data, Path dir, ModelInfo info) throws IOException {
        BatchSource val = data.val().size() > 0 ? data.val() : null;
        try (Interrupts interrupts = Interrupts.install(trainer, spec.commandLine().getErr())) {
            try {
                trainer.fit(data.train(), val);
            } catch (TrainingDivergedException e) {
                Path last = dir.resolve(ModelCheckpoint.LAST);
                throw new IllegalStateException(e.getMessage() + "; " + (Files.exists(last)
                        ? "the last finite checkpoint is kept in " + last + " (epoch " + e.epoch() + ")"
                        : "no checkpoint was written") + "; try a lower --lr (now " + lr + ") or --clip-norm 1", e);
            }
            if (interrupts.interrupted()) {
                ModelCheckpoint.save(dir.resolve(ModelCheckpoint.LAST), trainer, info);
                interrupts.saved();
                spec.commandLine().getErr().println("fer4j train: interrupted; checkpoint saved in " + dir.resolve(
                        ModelCheckpoint.LAST) + "; continue with: fer4j train --resume " + dir);
                return false;
            }
        }
        return true;
    }

    /** Evaluates best.fer4j on the test split (or validation), prints and writes the report. */
    private int report(PrintWriter o, Path dir, PreparedData data, Trainer trainer, ModelInfo info) throws IOException {
        Path bestFile = dir.resolve(ModelCheckpoint.BEST);
        Sequential best = Files.exists(bestFile) ? ModelFile.load(bestFile).model() : trainer.model();
        ImageBatchSource split = data.test().size() > 0 ? data.test() : data.val().size() > 0 ? data.val() : data.train().plain();
        String splitName = data.test().size() > 0 ? "test" : data.val().size() > 0 ? "validation" : "training";
        Evaluation eval = Trainer.evaluate(best, trainer.loss(), split, batch);
        ClassificationReport report = new ClassificationReport(eval.confusion(), data.classNames());
        o.println();
        o.printf(Locale.ROOT, "Best model (%s) on the %s split (%d images):%n%n", ModelCheckpoint.BEST, splitName,
                eval.confusion().total());
        o.print(report.format(4));
        o.println();
        o.print(report.confusionMatrixText());

        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("model", best.name());
        facts.put("data", dataOptions.data.toString());
        facts.put("split", splitName + " (" + data.splitDescription() + ")");
        facts.put("epochs_trained", trainer.history().epochs().size());
        facts.put("backend", KernelsProvider.get().describe());
        facts.put("command", "fer4j train " + String.join(" ", arguments));
        List<Path> files = RunReport.write(dir, best.name() + " on " + dataOptions.data.getFileName() + ", " + splitName
                + " split", trainer.history(), report, facts);
        if (Files.exists(bestFile)) {
            // Record the final figures in the deployable model itself.
            Checkpoint c = ModelFile.load(bestFile);
            ModelFile.save(bestFile, c.model(), c.info().withMetadata(splitName + "_accuracy", eval.accuracy())
                    .withMetadata(splitName + "_macro_f1", report.macroF1()));
        }
        o.printf(Locale.ROOT, "%n%s accuracy: %.2f%%, macro F1 %.4f%n", capitalise(splitName), 100 * eval.accuracy(),
                report.macroF1());
        List<String> names = new ArrayList<>();
        for (Path f : files) {
            names.add(f.getFileName().toString());
        }
        o.println("Run folder: " + dir + " (" + ModelCheckpoint.BEST + ", " + ModelCheckpoint.LAST + ", " + String.join(", ", names) + ")");
        return 0;
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private void printData(PrintWriter o, PreparedData data) {
        var d = data.dataset();
        o.printf(Locale.ROOT, "Data: %s (%s), %d images of %dx%d%s%n", dataOptions.data, d.report().format(), d.size(),
                d.height(), d.width(), d.origin().fromCache() ? String.format(Locale.ROOT, ", from the cache in %.2f s",
                        d.origin().seconds()) : String.format(Locale.ROOT, ", decoded in %.1f s", d.origin().seconds()));
        if (d.report().badCount() > 0) {
            o.printf(Locale.ROOT, "      %d bad rows or files skipped (--skip-bad)%n", d.report().badCount());
        }
        o.println("      split: " + data.splitDescription());
        List<String> classes = data.classNames();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "      %-10s %8s %8s %8s%n", "class", "train", "val", "test"));
        int[][] counts = {data.train().classCounts(), data.val().classCounts(), data.test().classCounts()};
        for (int k = 0; k < classes.size(); k++) {
            sb.append(String.format(Locale.ROOT, "      %-10s %8d %8d %8d%n", Text.escape(classes.get(k)), counts[0][k], counts[1][k], counts[2][k]));
        }
        o.print(sb);
        if (!data.train().augmentation().isIdentity()) {
            o.println("      augmentation: " + data.train().augmentation().describe());
        }
    }

    private OptimizerConfig optimizerConfig() {
        OptimizerConfig.Type type = OptimizerConfig.Type.valueOf(optimizer.name());
        OptimizerConfig.Builder b = OptimizerConfig.preset(type).toBuilder().lr(lr);
        if (type == OptimizerConfig.Type.SGD) {
            b.momentum(momentum == null ? 0.9f : momentum).nesterov(nesterov);
        }
        if (weightDecay != null) {
            b.weightDecay(weightDecay);
        }
        return b.build();
    }

    private LrSchedule schedule() {
        return switch (schedule) {
            case NONE -> new ConstantLr(lr);
            case PLATEAU -> new ReduceOnPlateau(lr, ReduceOnPlateau.Mode.MIN, factor, patience, 1e-4, 0, minLr());
            case COSINE -> new CosineDecay(lr, epochs, minLr(), warmup);
            case STEP -> new StepDecay(lr, stepSize, factor);
        };
    }

    /** The --min-lr given, else 1e-5 capped at --lr, so that a small --lr alone is not refused. */
    private float minLr() {
        return minLr != null ? minLr : Math.min(1e-5f, lr * 0.999f);
    }

    /** Copies every tensor of {@code file}'s model whose name and shape match into {@code net}. */
    static String initialiseFrom(Sequential net, Path file) throws IOException {
        Sequential.Transfer t = net.copyMatching(ModelFile.load(file).model());
        if (t.copied() == 0) {
            throw new IllegalArgumentException("--init-from " + file + ": no tensor matches this architecture by name and shape");
        }
        return "Initialised " + t.copied() + " of " + t.total() + " tensors from " + file
                + (t.kept().isEmpty() ? "" : "; new: " + String.join(", ", t.kept()));
    }
}
