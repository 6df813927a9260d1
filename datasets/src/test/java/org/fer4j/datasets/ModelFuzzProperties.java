package org.fer4j.datasets;

import static org.fer4j.datasets.ReaderFuzzProperties.outcome;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelFileException;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.io.TfjsWeights;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;

/**
 * Fuzzing of the model readers (here, since datasets sees the engine): a mutated {@code .fer4j}
 * file must load or be a {@link ModelFileException} naming the file; a mutated TensorFlow.js
 * manifest or shard must read or be an IOException naming the file. Model files are mutated three
 * ways: raw bytes (the CRC catches them), the header JSON with a correct CRC written back (the
 * checks behind the CRC), and the float data with a correct CRC (NaN, Inf, huge values).
 */
class ModelFuzzProperties {
    private static final byte[] MODEL = savedModel();

    private static byte[] savedModel() {
        try {
            Sequential model = Sequential.builder("small", 1, 6, 6)
                    .add(new Conv2D(3, 3, 1, Padding.SAME)).add(new BatchNorm()).add(new ReLU())
                    .add(new Flatten()).add(new Dense(3)).build(7);
            Path file = Files.createTempFile("fer4j-fuzz", ".fer4j");
            ModelFile.save(file, model, new ModelInfo(List.of("angry", "happy", "neutral"), Normalization.UNIT,
                    Map.of("notes", "fuzz base")));
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final int PREAMBLE = 16;

    static byte[] baseModel() {
        return MODEL.clone();
    }

    /** The file with header {@code header} (padded so the data stays 8-byte aligned), {@code data}, and a correct CRC. */
    static byte[] rebuild(byte[] header, byte[] data) {
        int padded = (int) ((PREAMBLE + header.length + 7L) / 8 * 8) - PREAMBLE;
        ByteBuffer b = ByteBuffer.allocate(PREAMBLE + padded + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MODEL, 0, 12).putInt(padded).put(header);
        for (int i = header.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        b.put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static int headerLength() {
        return ByteBuffer.wrap(MODEL, 12, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    static byte[] mutatedModel(long seed) {
        int h = headerLength();
        byte[] header = Arrays.copyOfRange(MODEL, PREAMBLE, PREAMBLE + h);
        byte[] data = Arrays.copyOfRange(MODEL, PREAMBLE + h, MODEL.length - 4);
        return switch ((int) Math.floorMod(seed, 3L)) {
            case 0 -> Mutator.mutate(MODEL, seed);
            case 1 -> rebuild(Mutator.mutate(header, seed), data);
            default -> {
                SplittableRandom r = new SplittableRandom(seed);
                int[] specials = {0x7fc00000, 0x7f800000, 0xff800000, 0x7f7fffff, 0x60ad78ec, 0x00000001};
                ByteBuffer d = ByteBuffer.wrap(data.clone()).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0, n = 1 + r.nextInt(3); k < n && data.length >= 4; k++) {
                    d.putInt(4 * r.nextInt(data.length / 4), r.nextBoolean() ? specials[r.nextInt(specials.length)] : r.nextInt());
                }
                yield rebuild(header, d.array());
            }
        };
    }

    @Property(seed = "16", shrinking = ShrinkingMode.OFF)
    void modelFile(@ForAll long seed) throws IOException {
        Path file = Files.createTempFile("fer4j-fuzz", ".fer4j");
        try {
            Files.write(file, mutatedModel(seed));
            Statistics.label("model file").collect(outcome(file.toString(), ModelFileException.class,
                    () -> ModelFile.load(file)));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A manifest of three weights (float32, uint8-quantised, float16) and its one shard. */
    private static final String MANIFEST = "[{\"paths\": [\"group1-shard1of1.bin\"], \"weights\": ["
            + "{\"name\": \"conv/kernel\", \"shape\": [3, 3, 1, 2], \"dtype\": \"float32\"},"
            + "{\"name\": \"conv/bias\", \"shape\": [2], \"dtype\": \"float32\", \"quantization\": "
            + "{\"dtype\": \"uint8\", \"scale\": 0.01, \"min\": -1.0}},"
            + "{\"name\": \"dense/kernel\", \"shape\": [4, 2], \"dtype\": \"float32\", \"quantization\": {\"dtype\": \"float16\"}}"
            + "]}]";
    private static final byte[] SHARD = shard();

    private static byte[] shard() {
        ByteBuffer b = ByteBuffer.allocate(18 * 4 + 2 + 8 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 18; i++) {
            b.putFloat(0.1f * i - 0.5f);
        }
        b.put((byte) 10).put((byte) 200);
        for (int i = 0; i < 8; i++) {
            b.putShort((short) 0x3c00);   // 1.0 in half precision
        }
        return b.array();
    }

    @Property(seed = "16", shrinking = ShrinkingMode.OFF)
    void tfjsWeights(@ForAll long seed) throws IOException {
        Path dir = Files.createTempDirectory("fer4j-fuzz-tfjs");
        try {
            byte[] manifest = MANIFEST.getBytes(StandardCharsets.UTF_8);
            boolean json = (seed & 1) == 0;
            Files.write(dir.resolve("weights_manifest.json"), json ? Mutator.mutate(manifest, seed) : manifest);
            Files.write(dir.resolve("group1-shard1of1.bin"), json ? SHARD : Mutator.mutate(SHARD, seed));
            Path file = dir.resolve("weights_manifest.json");
            Statistics.label("tfjs").collect(outcome(dir.toString(), IOException.class, () -> TfjsWeights.read(file)));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static {
        // The base inputs are valid: the test can fail only through the mutations.
        try {
            Path file = Files.createTempFile("fer4j-fuzz", ".fer4j");
            Files.write(file, rebuild(Arrays.copyOfRange(MODEL, PREAMBLE, PREAMBLE + headerLength()),
                    Arrays.copyOfRange(MODEL, PREAMBLE + headerLength(), MODEL.length - 4)));
            ModelFile.load(file);
            Files.delete(file);
        } catch (IOException e) {
            throw new IllegalStateException("the fuzz base model does not load: " + e.getMessage(), e);
        }
    }

}
