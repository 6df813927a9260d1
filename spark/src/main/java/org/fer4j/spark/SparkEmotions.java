package org.fer4j.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;
import org.fer4j.models.EmotionClassifier;

/**
 * Emotion recognition over a Spark {@code Dataset}: the Java API behind {@code fer4j spark predict}.
 *
 * <pre>
 * SparkEmotions fer = SparkEmotions.create(spark, PredictOptions.DEFAULT);      // fer2013, detect auto
 * Dataset&lt;Row&gt; faces = fer.predict(SparkEmotions.readImages(spark, "s3a://bucket/frames/"));
 * faces.write().parquet("s3a://bucket/emotions/");
 * </pre>
 *
 * Two kinds of input rows:
 * <ul>
 *   <li>encoded images, as Spark's {@code binaryFile} source reads them: {@code path} (string) and
 *       {@code content} (binary), JPEG, PNG, BMP, GIF (WebP where an ImageIO plug-in is present);</li>
 *   <li>faces as grey pixels at the model's input size (48x48), FER2013 style: {@code pixels} as a
 *       string of space-separated values 0..255 (the FER2013 CSV), an array of numbers, or binary
 *       (one unsigned byte per pixel); the output's {@code path} is the row's {@code path} or
 *       {@code id} column when it has one (null otherwise). These skip detection.</li>
 * </ul>
 * Each partition borrows one model from its executor's {@link ModelPool} (loaded once per task
 * slot, not per row), and the output has {@link #SCHEMA}: one row per face, one row with null face
 * fields for an image without a face, and one row with {@code error} set for an input that could
 * not be read or classified (the job never fails on a bad image).
 */
public final class SparkEmotions {
    /** The image file names {@link #readImages} picks, as {@code fer4j predict} does for a folder. */
    public static final String IMAGE_GLOB = "*.{png,jpg,jpeg,bmp,gif,webp,PNG,JPG,JPEG,BMP,GIF,WEBP}";

    /**
     * One row per face: the input's path; whether the detector ran ({@code false}: the whole image
     * or pixel row is the face); the face's index in the image (0 = best detection score); its box
     * in the image's pixels (after EXIF rotation); the detector's score (1 without detection); the
     * most likely emotion, its probability, and every class's probability in the model's class
     * order (the {@code probabilities} field's metadata {@code classes} names them); the error of
     * an input that could not be read, else null.
     */
    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField("path", DataTypes.StringType, true),
            DataTypes.createStructField("detected", DataTypes.BooleanType, true),
            DataTypes.createStructField("face", DataTypes.IntegerType, true),
            DataTypes.createStructField("x", DataTypes.FloatType, true),
            DataTypes.createStructField("y", DataTypes.FloatType, true),
            DataTypes.createStructField("width", DataTypes.FloatType, true),
            DataTypes.createStructField("height", DataTypes.FloatType, true),
            DataTypes.createStructField("face_score", DataTypes.FloatType, true),
            DataTypes.createStructField("emotion", DataTypes.StringType, true),
            DataTypes.createStructField("confidence", DataTypes.FloatType, true),
            DataTypes.createStructField("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false), true),
            DataTypes.createStructField("error", DataTypes.StringType, true)});

    private final ModelPool.Source source;
    private final PredictOptions options;
    private final List<String> classNames;

    private SparkEmotions(ModelPool.Source source, PredictOptions options, List<String> classNames) {
        this.source = source;
        this.options = options;
        this.classNames = classNames;
    }

    /**
     * Checks the model on the driver (a bad file fails here, naming it, before any task starts)
     * and, for a model file, broadcasts its bytes so that executors need no shared file system.
     */
    public static SparkEmotions create(SparkSession spark, PredictOptions options) throws IOException {
        ModelPool.Source source = ModelPool.Source.of(spark, options.model());
        EmotionClassifier probe = source.load();
        return new SparkEmotions(source, options, probe.classNames());
    }

    /** The model's classes: the order of {@code probabilities}. */
    public List<String> classNames() {
        return classNames;
    }

    public PredictOptions options() {
        return options;
    }

    /** The image files under {@code dir} (recursively) as {@code binaryFile} rows: path, modificationTime, length, content. */
    public static Dataset<Row> readImages(SparkSession spark, String dir) {
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .option("pathGlobFilter", IMAGE_GLOB).load(dir);
    }

    /** {@link #SCHEMA} with the class names on the {@code probabilities} field. */
    public StructType schema() {
        Metadata classes = new MetadataBuilder().putStringArray("classes", classNames.toArray(new String[0])).build();
        StructField[] fields = SCHEMA.fields().clone();
        int i = SCHEMA.fieldIndex("probabilities");
        fields[i] = new StructField(fields[i].name(), fields[i].dataType(), fields[i].nullable(), classes);
        return new StructType(fields);
    }

    /** Predictions for every row of {@code input} (images or pixel rows; see the class comment). */
    public Dataset<Row> predict(Dataset<Row> input) {
        StructType in = input.schema();
        MapPartitionsFunction<Row, Row> fn;
        if (has(in, "content")) {
            requireType(in, "content", BinaryType.class);
            if (!has(in, "path")) {
                throw new IllegalArgumentException("image rows need a 'path' column beside 'content' (as Spark's binaryFile "
                        + "source gives); columns: " + String.join(", ", in.fieldNames()));
            }
            fn = new Images(source, options, in.fieldIndex("path"), in.fieldIndex("content"));
        } else if (has(in, "pixels")) {
            DataType t = in.apply("pixels").dataType();
            if (!(t instanceof StringType || t instanceof BinaryType
                    || (t instanceof ArrayType a && a.elementType() instanceof NumericType))) {
                throw new IllegalArgumentException("column 'pixels' has type " + t.simpleString()
                        + "; expected a string of space-separated values, an array of numbers, or binary");
            }
            int key = has(in, "path") ? in.fieldIndex("path") : has(in, "id") ? in.fieldIndex("id") : -1;
            fn = new Pixels(source, options, key, in.fieldIndex("pixels"));
        } else {
            throw new IllegalArgumentException("expected image rows (path, content: Spark's binaryFile source) or face rows "
                    + "(pixels, FER2013 style); the columns are: " + String.join(", ", in.fieldNames()));
        }
        return input.mapPartitions(fn, Encoders.row(schema()));
    }

    private static boolean has(StructType s, String column) {
        for (String f : s.fieldNames()) {
            if (f.equals(column)) {
                return true;
            }
        }
        return false;
    }

    private static void requireType(StructType s, String column, Class<? extends DataType> type) {
        DataType t = s.apply(column).dataType();
        if (!type.isInstance(t)) {
            throw new IllegalArgumentException("column '" + column + "' has type " + t.simpleString() + "; expected "
                    + type.getSimpleName().replace("Type", "").toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** Borrows this task's predictor, to be given back when the task completes (or on the driver, never). */
    private static Predictor borrow(ModelPool.Source source, PredictOptions options) {
        Predictor p = ModelPool.borrow(source, options);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) t -> ModelPool.release(source, options, p));
        }
        return p;
    }

    /** Encoded images: each row becomes its faces' rows, lazily, as the partition is read. */
    private record Images(ModelPool.Source source, PredictOptions options, int path, int content)
            implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            Predictor p = borrow(source, options);
            return new Expanding(rows, 1) {
                @Override
                List<Row> next(List<Row> in) {
                    Row r = in.get(0);
                    String name = r.isNullAt(path) ? null : r.getString(path);
                    if (r.isNullAt(content)) {
                        return List.of(Predictor.error(name, new IllegalArgumentException(name + ": no content")));
                    }
                    return p.image(name, (byte[]) r.get(content));
                }
            };
        }
    }

    /** Pixel rows, classified {@link PredictOptions#batchSize()} at a time. */
    private record Pixels(ModelPool.Source source, PredictOptions options, int key, int pixels)
            implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            Predictor p = borrow(source, options);
            return new Expanding(rows, options.batchSize()) {
                @Override
                List<Row> next(List<Row> in) {
                    List<String> paths = new ArrayList<>();
                    List<float[]> faces = new ArrayList<>();
                    List<String> errors = new ArrayList<>();
                    for (Row r : in) {
                        paths.add(key < 0 || r.isNullAt(key) ? null : String.valueOf(r.get(key)));
                        try {
                            faces.add(PixelColumn.read(r, pixels));
                            errors.add(null);
                        } catch (IllegalArgumentException e) {
                            faces.add(null);
                            errors.add(e.getMessage());
                        }
                    }
                    return p.pixels(paths, faces, errors);
                }
            };
        }
    }

    /** Reads up to {@code group} input rows at a time and hands out the output rows they give. */
    private abstract static class Expanding implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final int group;
        private Iterator<Row> pending = java.util.Collections.emptyIterator();

        Expanding(Iterator<Row> rows, int group) {
            this.rows = rows;
            this.group = group;
        }

        abstract List<Row> next(List<Row> in);

        @Override
        public boolean hasNext() {
            while (!pending.hasNext() && rows.hasNext()) {
                List<Row> in = new ArrayList<>(group);
                while (in.size() < group && rows.hasNext()) {
                    in.add(rows.next());
                }
                pending = next(in).iterator();
            }
            return pending.hasNext();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return pending.next();
        }
    }
}
