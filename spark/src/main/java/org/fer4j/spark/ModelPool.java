package org.fer4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.broadcast.Broadcast;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.models.EmotionClassifier;
import org.fer4j.models.Pretrained;

/**
 * The models of one JVM (an executor, or the driver in local mode), loaded lazily and kept for
 * the JVM's life: a task borrows a {@link Predictor} when it starts on a partition and gives it
 * back when the task completes, so a model is loaded once per task slot that ever runs at the same
 * time (an executor with 4 cores holds at most 4), never per row or per partition.
 *
 * <p>Why not one instance per JVM: a model holds its activations between forward calls, so
 * {@link EmotionClassifier} serialises its predictions; tasks running side by side on one executor
 * would queue behind each other. A copy costs one model's weights (4.7 MB for the bundled fer2013).
 */
final class ModelPool {
    private static final Map<String, Queue<Predictor>> IDLE = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ModelPool() {
    }

    /** Where executors find the model: a bundled name, or a file's bytes broadcast by the driver. */
    record Source(String name, Broadcast<byte[]> bytes, String key) implements Serializable {
        /** On the driver: a bundled name stays a name; a file is read and broadcast once. */
        static Source of(org.apache.spark.sql.SparkSession spark, String model) throws IOException {
            Path file = Path.of(model);
            if (!Files.exists(file) && !Pretrained.isKnown(model)) {
                throw new IllegalArgumentException("--model " + model + ": no such file, and not a bundled model ("
                        + String.join(", ", Pretrained.available()) + ")");
            }
            if (Files.exists(file)) {
                EmotionClassifier.load(file);  // fails on the driver, with the file's name, before any task starts
                byte[] data = Files.readAllBytes(file);
                Broadcast<byte[]> b = spark.sparkContext().broadcast(data, scala.reflect.ClassTag$.MODULE$.apply(byte[].class));
                return new Source(file.getFileName().toString(), b, "file:" + b.id());
            }
            EmotionClassifier.pretrained(model);  // a known name whose weights this build lacks fails here
            return new Source(model, null, "bundled:" + model);
        }

        EmotionClassifier load() throws IOException {
            if (bytes == null) {
                return EmotionClassifier.pretrained(name);
            }
            Path tmp = Files.createTempFile("fer4j-spark-", ModelFile.EXTENSION);
            try {
                Files.write(tmp, bytes.value());
                return EmotionClassifier.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** An idle predictor for these settings, or a newly loaded one when all are busy. */
    static Predictor borrow(Source source, PredictOptions options) {
        Predictor p = IDLE.computeIfAbsent(key(source, options), k -> new ConcurrentLinkedQueue<>()).poll();
        if (p != null) {
            return p;
        }
        try {
            EmotionClassifier classifier = source.load();
            if (options.flip() != null) {
                classifier = classifier.withFlipAveraging(options.flip());
            }
            LOADS.incrementAndGet();
            return new Predictor(classifier, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the model " + source.name() + ": " + e.getMessage(), e);
        }
    }

    static void release(Source source, PredictOptions options, Predictor p) {
        IDLE.computeIfAbsent(key(source, options), k -> new ConcurrentLinkedQueue<>()).add(p);
    }

    /** How many models this JVM has loaded so far (tests check that it is per task slot, not per row). */
    static int loads() {
        return LOADS.get();
    }

    private static String key(Source source, PredictOptions options) {
        return source.key() + "|" + options;
    }
}
