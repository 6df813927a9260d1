package org.fer4j.spark;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.fer4j.datasets.Augmentation;
import org.fer4j.datasets.ClassNames;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.data.ArrayDataset;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.layers.SoftmaxCrossEntropy;
import org.fer4j.engine.optim.CosineDecay;
import org.fer4j.engine.optim.LrSchedule;
import org.fer4j.engine.optim.OptimizerConfig;
import org.fer4j.engine.optim.ReduceOnPlateau;
import org.fer4j.engine.optim.StepDecay;
import org.fer4j.engine.train.EpochLogs;
import org.fer4j.engine.train.ModelCheckpoint;
import org.fer4j.engine.train.ProgressBar;
import org.fer4j.engine.train.TrainConfig;
import org.fer4j.engine.train.Trainer;
import org.fer4j.models.ModelZoo;

/**
 * The data-parallel training job: a FER2013-style table (CSV or Parquet: {@code emotion},
 * {@code pixels}, {@code Usage}) read by Spark, trained with {@link SparkTrainer}, checkpoints in
 * {@code --out} on the driver ({@code best.fer4j}, {@code last.fer4j}, {@code history.csv}, and
 * {@code run.json}: the arguments, for {@code --resume}).
 */
public final class SparkTrain {
    static final String USAGE = """
            Usage: fer4j spark train --data FILE --out DIR [options]
              (on a cluster: spark-submit --class org.fer4j.spark.SparkTrain fer4j-spark.jar --data ... --out ...)

            Trains on Spark executors by synchronous parameter averaging: each of --workers workers trains
            --average-every mini-batches of --batch on its shard of the data, then the driver averages the models.
            Training rows: Usage = Training (all rows without a Usage column); validation: Usage = PublicTest.

              --data FILE          FER2013-style .csv[.gz] or .parquet: emotion, pixels (48x48), Usage
              --out DIR            run folder on the driver: best.fer4j, last.fer4j, history.csv, run.json
              --model NAME         architecture (fer-ref, fer-vgg, ...) (default: fer-ref)
              --workers N          data shards trained side by side, 1..4096 (default: 2)
              --average-every K    mini-batches per worker between two averages, >= 1 (default: 4)
              --epochs N           (default: 10)
              --batch N            mini-batch per worker (default: 64)
              --optimizer O        adam or sgd (default: adam)
              --lr X               learning rate, in (0, 10] (default: 0.001)
              --schedule S         none, cosine, plateau or step (default: none)
              --min-lr X           lowest LR of cosine and plateau, in [0, --lr) (default: 1e-5, or --lr when lower)
              --warmup E           cosine: linear warm-up epochs, 0..--epochs - 1 (default: 0)
              --patience P         plateau: epochs without val-loss improvement before the LR drops (default: 3)
              --factor F           plateau and step: LR multiplier, in (0, 1) (default: 0.5)
              --step-size E        step: epochs between LR drops, >= 1 (default: 10)
              --label-smoothing S  in [0, 1) (default: 0)
              --augment SPEC       none, standard, strong, robust, or a list such as flip,rotation=10,shift=0.1
                                   (as fer4j train; applied on the workers) (default: none)
              --limit N            use the first N training rows only (default: all)
              --seed S             weights, shards' order, dropout (default: 42)
              --master URL         local[2], spark://host:7077, ... (default: spark-submit's, else local[*])
              --resume DIR         continue the run in DIR from its last.fer4j with its own settings (saved in
                                   DIR/run.json); only --epochs and --master may be given with it
            """;

    /** The run's own arguments, saved in its folder for --resume. */
    static final String RUN_FILE = "run.json";

    private static final Set<String> VALUED = Set.of("--data", "--out", "--model", "--workers", "--average-every",
            "--epochs", "--batch", "--optimizer", "--lr", "--limit", "--seed", "--master", "--schedule", "--min-lr",
            "--warmup", "--patience", "--factor", "--step-size", "--label-smoothing", "--augment", "--resume");
    private static final Set<String> SWITCHES = Set.of("--help", "-h");

    private SparkTrain() {
    }

    public static void main(String[] args) {
        System.exit(SparkMain.guarded("train", () -> run(args, System.out)));
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Flags f = new Flags(args, VALUED, SWITCHES);
        if (f.has("--help") || f.has("-h")) {
            out.print(USAGE);
            return 0;
        }
        Checkpoint from = null;
        List<String> runArgs = List.of(args);
        if (f.has("--resume")) {
            Path resume = Path.of(f.get("--resume", null));
            runArgs = resumedArgs(f, resume);
            f = new Flags(runArgs.toArray(new String[0]), VALUED, SWITCHES);
            Path last = resume.resolve(ModelCheckpoint.LAST);
            if (!Files.isRegularFile(last)) {
                throw new IllegalArgumentException("--resume " + resume + ": no " + ModelCheckpoint.LAST + " yet (the run "
                        + "stopped before its first epoch ended); start it again without --resume");
            }
            from = ModelFile.load(last);
        }
        String data = f.required("--data", "a FER2013-style .csv[.gz] or .parquet");
        Path dir = Path.of(f.required("--out", "the run folder for checkpoints"));
        int workers = f.intIn("--workers", 2, 1, 4096);
        int every = f.intIn("--average-every", 4, 1, 1_000_000);
        int epochs = f.intIn("--epochs", 10, 1, 100_000);
        int batch = f.intIn("--batch", 64, 1, 65_536);
        int limit = f.intIn("--limit", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        long seed = f.longIn("--seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
        float lr = f.floatOr("--lr", 1e-3f);
        if (!(lr > 0 && lr <= 10)) {
            throw new IllegalArgumentException("--lr must be in (0, 10], got " + lr);
        }
        OptimizerConfig.Type type = OptimizerConfig.Type.parse(f.get("--optimizer", "adam"));
        String modelName = f.get("--model", "fer-ref");
        ModelZoo.entry(modelName);  // names the known ones when unknown
        float smoothing = f.floatOr("--label-smoothing", 0f);
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("--label-smoothing must be in [0, 1), got " + smoothing);
        }
        Augmentation augmentation = augmentation(f.get("--augment", "none"));
        LrSchedule schedule = schedule(f, lr, epochs);

        SparkSession spark = SparkMain.session(f.get("--master", null), "fer4j train");
        Dataset<Row> all = SparkPredict.formatOf(data).equals("parquet") ? spark.read().parquet(data)
                : spark.read().option("header", "true").csv(data);
        boolean usage = List.of(all.columns()).contains("Usage");
        Dataset<Row> train = usage ? all.filter(functions.col("Usage").equalTo("Training")) : all;
        if (limit < Integer.MAX_VALUE) {
            train = train.limit(limit);
        }
        List<String> classes = ClassNames.FER2013;
        Sequential model = from != null ? from.model() : ModelZoo.entry(modelName).build(classes.size(), seed);
        if (model.outputShape()[0] != classes.size()) {
            throw new IllegalArgumentException("--resume: the checkpoint has " + model.outputShape()[0] + " classes, "
                    + "FER2013 has " + classes.size());
        }
        Normalization normalization = Normalization.UNIT;
        ArrayDataset val = usage ? collect(all.filter(functions.col("Usage").equalTo("PublicTest")), model, classes.size(),
                normalization) : null;
        if (val == null && schedule != null && schedule.monitorsMetric()) {
            throw new IllegalArgumentException("--schedule plateau needs validation rows (Usage = PublicTest) in --data");
        }
        Trainer trainer = new Trainer(model, OptimizerConfig.preset(type).toBuilder().lr(lr).build().create(model.params()),
                new SoftmaxCrossEntropy(smoothing, null), schedule,
                TrainConfig.DEFAULT.toBuilder().epochs(epochs).batchSize(batch).seed(seed).build());
        ModelInfo info = ModelInfo.of(classes, normalization).withMetadata("command", "fer4j spark train "
                + String.join(" ", runArgs));
        PrintWriter o = new PrintWriter(out, true);
        if (from != null) {
            ModelCheckpoint.restore(trainer, from);
            o.printf(Locale.ROOT, "Resuming %s from %s at epoch %d of %d%n", dir, ModelCheckpoint.LAST,
                    trainer.nextEpoch() + 1, epochs);
        } else {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(RUN_FILE), Json.writePretty(Map.of("command", "spark train", "args", runArgs)) + "\n");
        }
        o.println("Backend: " + org.fer4j.kernels.KernelsProvider.selectionReason());
        o.printf(Locale.ROOT, "Spark %s on %s: %d workers, averaging every %d mini-batches of %d%n", spark.version(),
                spark.sparkContext().master(), workers, every, batch);
        if (!augmentation.isIdentity()) {
            o.println("Augmentation: " + augmentation.describe());
        }
        SparkTrainer distributed = new SparkTrainer(spark, trainer, workers, every, normalization)
                .augmentation(augmentation)
                .addCallback(new ProgressBar(o, false))
                .addCallback(new ModelCheckpoint(dir, info, val == null ? "accuracy" : "val_accuracy"));
        distributed.fit(train, val);
        Files.writeString(dir.resolve("history.csv"), trainer.history().toCsv());
        EpochLogs last = trainer.history().last();
        o.printf(Locale.ROOT, "Done: %d epochs, last epoch %.1f s, accuracy %.4f, val_accuracy %.4f; run folder %s%n",
                trainer.history().epochs().size(), last.seconds(), last.accuracy(), last.valAccuracy(), dir);
        return 0;
    }

    /**
     * {@code --resume DIR}: the arguments saved in {@code DIR/run.json}, with {@code --out DIR} and
     * the {@code --epochs} and {@code --master} given now (the last value of a flag wins).
     */
    static List<String> resumedArgs(Flags now, Path dir) throws java.io.IOException {
        for (String flag : now.given()) {
            if (!List.of("--resume", "--epochs", "--master").contains(flag)) {
                throw new IllegalArgumentException(flag + " cannot change when resuming; the run keeps its own settings "
                        + "(only --epochs and --master may be given with --resume)");
            }
        }
        Path runFile = dir.resolve(RUN_FILE);
        if (!Files.isRegularFile(runFile)) {
            throw new IllegalArgumentException("--resume " + dir + ": expected a run folder with " + RUN_FILE + " and "
                    + ModelCheckpoint.LAST + " (written by fer4j spark train --out)");
        }
        Object saved = Json.parse(Files.readString(runFile));
        if (!(saved instanceof Map<?, ?> m) || !"spark train".equals(m.get("command")) || !(m.get("args") instanceof List<?> list)) {
            throw new IllegalArgumentException(runFile + ": expected {\"command\": \"spark train\", \"args\": [...]}");
        }
        List<String> args = new ArrayList<>();
        for (Object a : list) {
            args.add(String.valueOf(a));
        }
        args.addAll(List.of("--out", dir.toString()));
        for (String flag : List.of("--epochs", "--master")) {
            if (now.has(flag)) {
                args.addAll(List.of(flag, now.get(flag, null)));
            }
        }
        return args;
    }

    /** {@code --augment}: the error names the flag, as {@code fer4j train}'s does. */
    static Augmentation augmentation(String spec) {
        try {
            return Augmentation.parse(spec);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m != null && m.startsWith("--augment") ? m : "--augment: " + m, e);
        }
    }

    /**
     * {@code --schedule} and its settings, the recipe of {@code fer4j train}; null for none (the
     * optimizer keeps --lr). Errors name the flag.
     */
    static LrSchedule schedule(Flags f, float lr, int epochs) {
        String name = f.get("--schedule", "none").toLowerCase(Locale.ROOT);
        float minLr = f.floatOr("--min-lr", Math.min(1e-5f, lr * 0.999f));
        if (!(minLr >= 0 && minLr < lr)) {
            throw new IllegalArgumentException("--min-lr must be in [0, --lr) = [0, " + lr + "), got " + minLr);
        }
        int warmup = f.intIn("--warmup", 0, 0, epochs - 1);  // the cosine starts within the run
        int patience = f.intIn("--patience", 3, 0, 100_000);
        int stepSize = f.intIn("--step-size", 10, 1, 100_000);
        float factor = f.floatOr("--factor", 0.5f);
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("--factor must be in (0, 1), got " + factor);
        }
        return switch (name) {
            case "none" -> null;
            case "cosine" -> new CosineDecay(lr, epochs, minLr, warmup);
            case "plateau" -> new ReduceOnPlateau(lr, ReduceOnPlateau.Mode.MIN, factor, patience, 1e-4, 0, minLr);
            case "step" -> new StepDecay(lr, stepSize, factor);
            default -> throw new IllegalArgumentException("--schedule must be none, cosine, plateau or step, got '"
                    + f.get("--schedule", "") + "'");
        };
    }

    /** Validation rows, collected to the driver (validation runs there, single-process); null when there are none. */
    static ArrayDataset collect(Dataset<Row> rows, Sequential model, int classes, Normalization normalization) {
        List<Row> list = rows.select("pixels", "emotion").collectAsList();
        if (list.isEmpty()) {
            return null;
        }
        int size = 1;
        for (int s : model.inputShape()) {
            size *= s;
        }
        float[] x = new float[list.size() * size];
        int[] y = new int[list.size()];
        for (int i = 0; i < y.length; i++) {
            float[] p = PixelColumn.read(list.get(i), 0);
            if (p.length != size) {
                throw new IllegalArgumentException("validation row " + (i + 1) + ": expected " + size + " pixels, found " + p.length);
            }
            normalization.apply(p);
            System.arraycopy(p, 0, x, i * size, size);
            y[i] = Integer.parseInt(String.valueOf(list.get(i).get(1)).strip());
        }
        return new ArrayDataset(x, y, model.inputShape(), classes);
    }
}
