package org.fer4j.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.Padding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfjsImportTest {
    @TempDir
    Path dir;

    /** A weight to write: name, TF shape, values, stored type (float32, uint8, uint16, float16). */
    record W(String name, int[] shape, float[] values, String stored) {
    }

    /** Writes a manifest with one group whose data is split over two shards; quantizes as asked. */
    private Path write(List<W> weights, String file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder json = new StringBuilder("[{\"paths\": [\"g1-shard1of2.bin\", \"g1-shard2of2.bin\"], \"weights\": [");
        for (int i = 0; i < weights.size(); i++) {
            W w = weights.get(i);
            json.append(i == 0 ? "" : ",").append("{\"name\": \"").append(w.name()).append("\", \"shape\": ")
                    .append(java.util.Arrays.toString(w.shape())).append(", \"dtype\": \"float32\"");
            switch (w.stored()) {
                case "float32" -> {
                    for (float v : w.values()) {
                        buf.putFloat(v);
                    }
                }
                case "float16" -> {
                    json.append(", \"quantization\": {\"dtype\": \"float16\"}");
                    for (float v : w.values()) {
                        buf.putShort(Float.floatToFloat16(v));
                    }
                }
                default -> {
                    int levels = w.stored().equals("uint8") ? 255 : 65535;
                    float min = Float.MAX_VALUE;
                    float max = -Float.MAX_VALUE;
                    for (float v : w.values()) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                    double scale = (max - min) / levels;
                    json.append(", \"quantization\": {\"dtype\": \"").append(w.stored()).append("\", \"scale\": ")
                            .append(scale).append(", \"min\": ").append(min).append("}");
                    for (float v : w.values()) {
                        int q = (int) Math.round((v - min) / scale);
                        if (levels == 255) {
                            buf.put((byte) q);
                        } else {
                            buf.putShort((short) q);
                        }
                    }
                }
            }
            json.append("}");
        }
        json.append("]}]");
        buf.flip();
        byte[] all = new byte[buf.remaining()];
        buf.get(all);
        int half = all.length / 2;
        Files.write(dir.resolve("g1-shard1of2.bin"), java.util.Arrays.copyOfRange(all, 0, half));
        Files.write(dir.resolve("g1-shard2of2.bin"), java.util.Arrays.copyOfRange(all, half, all.length));
        Path manifest = dir.resolve(file);
        Files.writeString(manifest, json.toString());
        return manifest;
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void storedTypesAreDecodedAcrossShards() throws IOException {
        Random r = new Random(1);
        float[] a = random(r, 7);
        float[] b = random(r, 300);
        float[] c = random(r, 5);
        float[] d = random(r, 9);
        Path manifest = write(List.of(new W("a", new int[] {7}, a, "float32"), new W("b", new int[] {3, 100}, b, "uint8"),
                new W("c", new int[] {5}, c, "float16"), new W("d", new int[] {9}, d, "uint16")), "weights_manifest.json");
        TfjsWeights w = TfjsWeights.read(manifest);
        assertEquals(List.of("a", "b", "c", "d"), List.copyOf(w.entries().keySet()));
        assertArrayEquals(a, w.entries().get("a").data());
        assertArrayEquals(new int[] {3, 100}, w.entries().get("b").shape());
        float range = 0;
        for (float v : b) {
            range = Math.max(range, Math.abs(v));
        }
        assertArrayEquals(b, w.entries().get("b").data(), 2 * range / 255 * 0.51f + 1e-6f, "uint8: within half a level");
        assertArrayEquals(c, w.entries().get("c").data(), 2e-3f, "float16");
        assertArrayEquals(d, w.entries().get("d").data(), 1e-3f, "uint16");
        assertEquals("uint8", w.entries().get("b").storedAs());
    }

    @Test
    void modelJsonWithWeightsManifestIsRead() throws IOException {
        Path manifest = write(List.of(new W("x", new int[] {2}, new float[] {1, 2}, "float32")), "m.json");
        String list = Files.readString(manifest);
        Path model = dir.resolve("model.json");
        Files.writeString(model, "{\"format\": \"graph-model\", \"weightsManifest\": " + list + "}");
        assertArrayEquals(new float[] {1, 2}, TfjsWeights.read(model).entries().get("x").data());
    }

    @Test
    void truncatedShardMissingShardAndUnknownTypeAreNamed() throws IOException {
        Path manifest = write(List.of(new W("kernel", new int[] {64}, new float[64], "float32")), "w.json");
        Files.write(dir.resolve("g1-shard2of2.bin"), new byte[10]);
        IOException e = assertThrows(IOException.class, () -> TfjsWeights.read(manifest));
        assertTrue(e.getMessage().contains("'kernel'") && e.getMessage().contains("truncated"), e.getMessage());

        Files.delete(dir.resolve("g1-shard2of2.bin"));
        e = assertThrows(IOException.class, () -> TfjsWeights.read(manifest));
        assertTrue(e.getMessage().contains("g1-shard2of2.bin") && e.getMessage().contains("missing"), e.getMessage());

        Path odd = dir.resolve("odd.json");
        Files.writeString(odd, "[{\"paths\": [], \"weights\": [{\"name\": \"k\", \"shape\": [1], \"dtype\": \"complex64\"}]}]");
        e = assertThrows(IOException.class, () -> TfjsWeights.read(odd));
        assertTrue(e.getMessage().contains("'k'") && e.getMessage().contains("complex64"), e.getMessage());

        Path notJson = dir.resolve("bad.json");
        Files.writeString(notJson, "{\"weights\": 3}");
        e = assertThrows(IOException.class, () -> TfjsWeights.read(notJson));
        assertTrue(e.getMessage().startsWith(notJson.toString()), e.getMessage());
    }

    /** A conv (NHWC weights), a flatten and a dense: fer4j with the imported weights computes what TensorFlow would. */
    @Test
    void importedNetworkComputesTheTensorFlowFunction() throws IOException {
        int c = 2, h = 4, w = 3, f = 3, k = 2, units = 5;
        Sequential model = Sequential.builder("t", c, h, w)
                .add(new Conv2D(f, k, 1, Padding.VALID)).add(new Flatten()).add(new Dense(units)).build(1);
        Random r = new Random(7);
        float[] kernel = random(r, k * k * c * f);           // TF [KH, KW, CIN, COUT]
        float[] bias = random(r, f);
        int oh = h - k + 1, ow = w - k + 1;
        float[] dense = random(r, oh * ow * f * units);      // TF rows in (h, w, c) order
        float[] dbias = random(r, units);
        Path manifest = write(List.of(new W("conv/kernel", new int[] {k, k, c, f}, kernel, "float32"),
                new W("conv/bias", new int[] {f}, bias, "float32"),
                new W("fc/kernel", new int[] {oh * ow * f, units}, dense, "float32"),
                new W("fc/bias", new int[] {units}, dbias, "float32")), "w.json");
        Map<String, String> map = new LinkedHashMap<>();
        map.put("conv2d_1/kernel", "conv/kernel");
        map.put("conv2d_1/bias", "conv/bias");
        map.put("dense_1/kernel", "fc/kernel");
        map.put("dense_1/bias", "fc/bias");
        TfjsImport.apply(model, TfjsWeights.read(manifest), map);

        float[] x = random(r, c * h * w);  // fer4j input, NCHW
        float[] y = model.forward(new Tensor(x.clone(), 1, c, h, w), Mode.EVAL).data();

        // The same function computed channels-last, as TensorFlow does.
        float[] conv = new float[oh * ow * f];                   // [OH, OW, F]
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                for (int o = 0; o < f; o++) {
                    double s = bias[o];
                    for (int dy = 0; dy < k; dy++) {
                        for (int dx = 0; dx < k; dx++) {
                            for (int ch = 0; ch < c; ch++) {
                                s += x[(ch * h + i + dy) * w + j + dx] * kernel[((dy * k + dx) * c + ch) * f + o];
                            }
                        }
                    }
                    conv[(i * ow + j) * f + o] = (float) s;
                }
            }
        }
        for (int u = 0; u < units; u++) {
            double s = dbias[u];
            for (int row = 0; row < conv.length; row++) {
                s += conv[row] * dense[row * units + u];
            }
            assertEquals(s, y[u], 1e-4, "output " + u);
        }
    }

    @Test
    void missingExtraAndMisshapenTensorsAreAllListed() throws IOException {
        Sequential model = Sequential.builder("t", 1, 4, 4).add(new Conv2D(2, 3, 1, Padding.VALID)).build(1);
        Path manifest = write(List.of(new W("conv/kernel", new int[] {3, 3, 2, 2}, new float[36], "float32"),
                new W("unused", new int[] {4}, new float[4], "float32")), "w.json");
        Map<String, String> map = Map.of("conv2d_1/kernel", "conv/kernel", "conv2d_1/bias", "conv/bias");
        float[] before = model.params().get(0).value().data().clone();
        IOException e = assertThrows(IOException.class, () -> TfjsImport.apply(model, TfjsWeights.read(manifest), map));
        String m = e.getMessage();
        assertTrue(m.contains("3 problems"), m);
        assertTrue(m.contains("misshapen: tensor 'conv/kernel' [3, 3, 2, 2]") && m.contains("expected TF shape [3, 3, 1, 2]"), m);
        assertTrue(m.contains("missing: tensor 'conv/bias'"), m);
        assertTrue(m.contains("extra: tensor 'unused'"), m);
        assertArrayEquals(before, model.params().get(0).value().data(), "nothing is copied when the import fails");
    }
}
