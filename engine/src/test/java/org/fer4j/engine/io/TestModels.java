package org.fer4j.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.engine.layers.Residual;

/** Models, batches and raw-file surgery shared by the model-file tests. */
final class TestModels {
    static final List<String> CLASSES = List.of("angry", "happy", "neutral");

    private TestModels() {
    }

    /**
     * Every kind of saved state: conv with 'same' padding, batch-norm running statistics (also
     * inside a residual block's main path and its projection shortcut), dropout, dense.
     * Input (1, 8, 8), output 3.
     */
    static Sequential everyLayer(long seed) {
        return Sequential.builder("every-layer", 1, 8, 8)
                .add(new Conv2D(4, 3, 1, Padding.SAME))
                .add(new BatchNorm(0.5f, 1e-3f))
                .add(new ReLU())
                .add(new MaxPool2D(2))
                .add(new Dropout(0.25f))
                .add(new Residual(
                        List.of(new Conv2D(6, 3, 1, Padding.SAME), new BatchNorm(), new ReLU(),
                                new Conv2D(6, 3, 1, Padding.SAME)),
                        List.of(new Conv2D(6, 1, 1, Padding.VALID), new BatchNorm())))
                .add(new ReLU())
                .add(new Flatten())
                .add(new Dense(3))
                .build(seed);
    }

    /** Small and without dropout, whose mask stream a checkpoint does not hold: for resuming exactly. */
    static Sequential small(long seed) {
        return Sequential.builder("small", 1, 6, 6)
                .add(new Conv2D(3, 3, 1, Padding.SAME))
                .add(new BatchNorm())
                .add(new ReLU())
                .add(new Flatten())
                .add(new Dense(3))
                .build(seed);
    }

    /**
     * Moves the weights away from their seeded initialisation (so that a load which forgot to
     * copy the data would show) and runs TRAIN forwards so that the running statistics move too.
     */
    static void perturb(Sequential model, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (Param p : model.params()) {
            float[] w = p.value().data();
            for (int i = 0; i < w.length; i++) {
                w[i] += (float) (0.1 * random.nextGaussian());
            }
        }
        for (int step = 0; step < 3; step++) {
            model.forward(batch(random.nextLong(), 4, model.inputShape()), Mode.TRAIN);
        }
    }

    static Tensor batch(long seed, int n, int... sampleShape) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Tensor x = Tensor.zeros(shape);
        SplittableRandom random = new SplittableRandom(seed);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** The raw bits of every state tensor, concatenated: equal means bit-identical weights. */
    static int[] stateBits(Sequential model) {
        int[] bits = new int[(int) (model.parameterCount() + model.stateCount())];
        int at = 0;
        for (Param p : model.state()) {
            for (float v : p.value().data()) {
                bits[at++] = Float.floatToRawIntBits(v);
            }
        }
        return bits;
    }

    static int headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 12, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** Offset of the first float: after magic, version, header length and the header. */
    static int dataOffset(byte[] file) {
        return ModelFile.PREAMBLE + headerLength(file);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> header(byte[] file) {
        return (Map<String, Object>) Json.parse(new String(file, ModelFile.PREAMBLE, headerLength(file),
                StandardCharsets.UTF_8));
    }

    /**
     * Rewrites a saved file with its header changed by {@code edit}, keeping the data and writing
     * a correct length and checksum: a well-formed file whose header says something else.
     */
    static void editHeader(Path path, Consumer<Map<String, Object>> edit) throws IOException {
        byte[] file = Files.readAllBytes(path);
        Map<String, Object> header = header(file);
        edit.accept(header);
        byte[] json = Json.writePretty(header).getBytes(StandardCharsets.UTF_8);
        int dataOffset = dataOffset(file);
        int dataLength = file.length - dataOffset - 4;
        ByteBuffer out = ByteBuffer.allocate(ModelFile.PREAMBLE + json.length + dataLength + 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(file, 0, 12).putInt(json.length).put(json).put(file, dataOffset, dataLength);
        writeWithChecksum(path, Arrays.copyOf(out.array(), out.capacity() - 4));
    }

    /** Writes {@code content} followed by its CRC-32, as the format ends. */
    static void writeWithChecksum(Path path, byte[] content) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(content);
        ByteBuffer out = ByteBuffer.allocate(content.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        out.put(content).putInt((int) crc.getValue());
        Files.write(path, out.array());
    }
}
