package org.fer4j.spark;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The batch-inference job: images (a folder, read with {@code binaryFile}) or FER2013-style rows
 * (CSV or Parquet with a {@code pixels} column) in, one Parquet row per face out. The main class for
 * {@code spark-submit}, and what {@code fer4j spark predict} runs on a local master.
 */
public final class SparkPredict {
    static final String USAGE = """
            Usage: fer4j spark predict --input PATH --output DIR [options]
              (on a cluster: spark-submit --class org.fer4j.spark.SparkPredict fer4j-spark.jar --input ... --output ...)

            Classifies the emotion on every face, as fer4j predict does, on Spark, and writes one Parquet row per face:
            path, detected, face, x, y, width, height, face_score, emotion, confidence, probabilities, error.

              --input PATH         a folder of images (searched recursively), or a FER2013-style .csv[.gz] or
                                   .parquet with a pixels column (faces at the model's input size)
              --output DIR         where the Parquet files go (must not exist unless --overwrite)
              --format F           images, csv or parquet (default: csv or parquet by the name's ending, else images)
              --model NAME|FILE    a bundled model or a .fer4j file (default: fer2013)
              --detect MODE        auto, on or off (default: auto: images over 128 pixels go through the detector)
              --min-score S        lowest face score kept, in (0, 1) (default: 0.5)
              --input-size N       detector input size, a multiple of 32 (default: 416)
              --tta KIND           none or flip (default: the model's own: flip for bundled models)
              --max-pixels N       refuse larger images before decoding (default: 50000000)
              --batch N            pixel rows per forward pass, 1..4096 (default: 64)
              --partitions N       repartition the input into N partitions first (default: Spark's split)
              --master URL         local[2], spark://host:7077, ... (default: spark-submit's, else local[*])
              --overwrite          replace --output

            Examples:
              fer4j spark predict --master local[2] --input photos/ --output emotions.parquet
              fer4j spark predict --input fer2013.csv --output fer.parquet --batch 256
            """;

    private SparkPredict() {
    }

    public static void main(String[] args) {
        System.exit(SparkMain.guarded("predict", () -> run(args, System.out)));
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Flags f = new Flags(args, Set.of("--input", "--output", "--format", "--model", "--detect", "--min-score",
                "--input-size", "--tta", "--max-pixels", "--batch", "--partitions", "--master"),
                Set.of("--overwrite", "--help", "-h"));
        if (f.has("--help") || f.has("-h")) {
            out.print(USAGE);
            return 0;
        }
        String input = f.required("--input", "a folder of images, or a .csv/.parquet of pixel rows");
        String output = f.required("--output", "the folder for the Parquet output");
        String tta = f.get("--tta", null);
        if (tta != null && !tta.equals("none") && !tta.equals("flip")) {
            throw new IllegalArgumentException("--tta must be none or flip, got '" + tta + "'");
        }
        PredictOptions options = PredictOptions.DEFAULT.withModel(f.get("--model", "fer2013"))
                .withDetect(PredictOptions.Detect.parse(f.get("--detect", "auto")))
                .withFaces(f.intIn("--input-size", 416, 32, 2048), f.floatOr("--min-score", 0.5f))
                .withFlip(tta == null ? null : tta.equals("flip"))
                .withMaxPixels(f.longIn("--max-pixels", PredictOptions.DEFAULT.maxPixels(), 1, Integer.MAX_VALUE))
                .withBatchSize(f.intIn("--batch", 64, 1, 4096));
        int partitions = f.intIn("--partitions", 0, 1, 1_000_000);
        String format = f.get("--format", formatOf(input));
        if (!Set.of("images", "csv", "parquet").contains(format)) {
            throw new IllegalArgumentException("--format must be images, csv or parquet, got '" + format + "'");
        }
        SparkSession spark = SparkMain.session(f.get("--master", null), "fer4j predict");
        SparkEmotions fer = SparkEmotions.create(spark, options);
        Dataset<Row> in = switch (format) {
            case "images" -> SparkEmotions.readImages(spark, input);
            case "csv" -> spark.read().option("header", "true").csv(input);
            default -> spark.read().parquet(input);
        };
        if (partitions > 0) {
            in = in.repartition(partitions);
        }
        long start = System.nanoTime();
        fer.predict(in).write().mode(f.has("--overwrite") ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(output);
        double seconds = (System.nanoTime() - start) / 1e9;
        Row summary = spark.read().parquet(output).agg(
                functions.countDistinct("path").as("inputs"),
                functions.count(functions.col("face")).as("faces"),
                functions.count(functions.col("error")).as("errors"),
                functions.count(functions.lit(1)).as("rows")).first();
        long inputs = format.equals("images") ? summary.getLong(0) : summary.getLong(3);
        out.printf(Locale.ROOT, "%d %s, %d faces, %d errors in %.1f s (%.1f inputs/s) with %s on %s; wrote %s%n",
                inputs, format.equals("images") ? "images" : "rows", summary.getLong(1), summary.getLong(2), seconds,
                inputs / seconds, options.model(), spark.sparkContext().master(), output);
        return 0;
    }

    static String formatOf(String input) {
        String name = input.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        return name.endsWith(".csv") || name.endsWith(".csv.gz") ? "csv" : name.endsWith(".parquet") ? "parquet" : "images";
    }
}
