package org.fer4j.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The named weight tensors of a TensorFlow.js model: a {@code weights_manifest.json} (a list of
 * weight groups) or a {@code model.json} (whose {@code weightsManifest} member is that list), plus
 * the binary shards each group names, read relative to the JSON file.
 *
 * <p>The format, as TensorFlow.js writes it: every group lists {@code paths} (its shards, to be
 * concatenated in order) and {@code weights}, each {@code {name, shape, dtype}} with an optional
 * {@code quantization}. The weights lie back to back in the concatenated shards, little-endian,
 * in list order. Stored element types:
 *
 * <pre>
 * dtype float32, no quantization      4 bytes, IEEE float
 * dtype int32,   no quantization      4 bytes, two's complement (converted to float)
 * quantization uint8  {scale, min}    1 byte q, value = q * scale + min
 * quantization uint16 {scale, min}    2 bytes q, value = q * scale + min
 * quantization float16                2 bytes, IEEE half float
 * </pre>
 *
 * The affine de-quantisation is computed in double and rounded to float once, as the JavaScript
 * reader does. Every problem (a missing shard, a shard shorter than its weights, an unknown dtype,
 * a duplicate name) is an {@link IOException} whose one-line message names the file and the
 * weight.
 */
public final class TfjsWeights {

    /** One named tensor, row-major in TensorFlow's own layout (e.g. HWIO for a conv kernel). */
    public record Entry(String name, int[] shape, float[] data, String storedAs) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    /** Refuses manifests past this size: a real one lists a few hundred weights in a few KB. */
    static final long MAX_MANIFEST_BYTES = 64L << 20;

    /** Refuses shards past this size: the largest published TF.js models are far below it. */
    static final long MAX_SHARD_BYTES = 1L << 30;

    private final Path source;
    private final Map<String, Entry> entries;

    private TfjsWeights(Path source, Map<String, Entry> entries) {
        this.source = source;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** The JSON file these weights were read from. */
    public Path source() {
        return source;
    }

    /** Every tensor by name, in the manifest's order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** Reads a {@code weights_manifest.json} or {@code model.json} and its shards. */
    public static TfjsWeights read(Path json) throws IOException {
        try {
            return readUnchecked(json);
        } catch (IOException e) {
            // Weight names and shard paths are text from the file: shown escaped, and bounded.
            String m = e.getMessage() == null ? json + ": read error" : e.getMessage();
            String safe = Text.escape(m, 4000);
            throw safe.equals(m) ? e : new IOException(safe, e);
        }
    }

    private static TfjsWeights readUnchecked(Path json) throws IOException {
        // A regular file of bounded size, strict UTF-8: every error names the file.
        String text = Text.readUtf8(json, MAX_MANIFEST_BYTES);
        Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(json + ": not JSON: " + e.getMessage());
        }
        List<?> groups;
        if (root instanceof List<?> list) {
            groups = list;
        } else if (root instanceof Map<?, ?> map && map.get("weightsManifest") instanceof List<?> list) {
            groups = list;
        } else {
            throw new IOException(json + ": expected a TensorFlow.js weights manifest (a JSON list of weight groups)"
                    + " or a model.json with a 'weightsManifest' list");
        }
        Path folder = json.toAbsolutePath().getParent();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            String where = json + ": weight group " + g;
            Map<?, ?> group = asMap(groups.get(g), where);
            List<?> paths = asList(group.get("paths"), where + ": 'paths'");
            List<?> weights = asList(group.get("weights"), where + ": 'weights'");
            ByteBuffer bytes = readShards(folder, paths, where);
            for (Object w : weights) {
                Entry e = decode(asMap(w, where + ": weight"), bytes, json);
                if (entries.putIfAbsent(e.name(), e) != null) {
                    throw new IOException(json + ": weight '" + e.name() + "' appears twice");
                }
            }
            if (bytes.hasRemaining()) {
                throw new IOException(where + ": its shards hold " + bytes.remaining()
                        + " bytes more than its weights need; wrong manifest for these shards?");
            }
        }
        return new TfjsWeights(json, entries);
    }

    private static ByteBuffer readShards(Path folder, List<?> paths, String where) throws IOException {
        List<byte[]> parts = new ArrayList<>();
        long total = 0;
        for (Object p : paths) {
            if (!(p instanceof String name) || name.isEmpty()) {
                throw new IOException(where + ": a shard path must be a non-empty string, got " + p);
            }
            Path shard = folder.resolve(name).normalize();
            if (!shard.startsWith(folder)) {
                throw new IOException(where + ": shard '" + name + "' points outside " + folder);
            }
            if (!Files.isRegularFile(shard)) {
                throw new IOException(where + ": shard " + shard + " is missing (or not a regular file)");
            }
            long size = Files.size(shard);
            if (size > MAX_SHARD_BYTES) {
                throw new IOException(where + ": shard " + shard + " is " + size + " bytes, over the limit of "
                        + MAX_SHARD_BYTES);
            }
            total += size;
            if (total > Integer.MAX_VALUE - 8) {
                throw new IOException(where + ": its shards exceed 2 GB together");
            }
            parts.add(Files.readAllBytes(shard));
        }
        ByteBuffer all = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.flip();
    }

    private static Entry decode(Map<?, ?> w, ByteBuffer bytes, Path json) throws IOException {
        if (!(w.get("name") instanceof String name) || name.isEmpty()) {
            throw new IOException(json + ": a weight without a name: " + w);
        }
        String where = json + ": weight '" + name + "'";
        List<?> dims = asList(w.get("shape"), where + ": 'shape'");
        int[] shape = new int[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new IOException(where + ": shape " + dims + " must hold non-negative integers");
            }
            shape[i] = (int) (long) d;
            count *= d;
            if (count > Integer.MAX_VALUE - 8) {
                throw new IOException(where + ": shape " + dims + " has too many elements");
            }
        }
        int n = (int) count;
        String dtype = String.valueOf(w.get("dtype")).toLowerCase(Locale.ROOT);
        Map<?, ?> q = w.get("quantization") == null ? null : asMap(w.get("quantization"), where + ": 'quantization'");
        String stored = q == null ? dtype : String.valueOf(q.get("dtype")).toLowerCase(Locale.ROOT);
        int width = switch (stored) {
            case "float32", "int32" -> 4;
            case "uint16", "float16" -> 2;
            case "uint8" -> 1;
            default -> throw new IOException(where + ": stored type '" + stored
                    + "' is not supported (float32, int32, or quantized uint8, uint16, float16)");
        };
        if (!dtype.equals("float32") && !dtype.equals("int32")) {
            throw new IOException(where + ": dtype '" + dtype + "' is not supported (float32, int32)");
        }
        if ((long) n * width > bytes.remaining()) {
            throw new IOException(where + ": needs " + (long) n * width + " bytes but its shards have only "
                    + bytes.remaining() + " left; truncated .bin file?");
        }
        float[] data = new float[n];
        if (q == null) {
            for (int i = 0; i < n; i++) {
                data[i] = dtype.equals("int32") ? bytes.getInt() : bytes.getFloat();
            }
        } else if (stored.equals("float16")) {
            for (int i = 0; i < n; i++) {
                data[i] = Float.float16ToFloat(bytes.getShort());
            }
        } else {
            double scale = number(q.get("scale"), where + ": quantization 'scale'");
            double min = number(q.get("min"), where + ": quantization 'min'");
            for (int i = 0; i < n; i++) {
                int level = stored.equals("uint8") ? Byte.toUnsignedInt(bytes.get()) : Short.toUnsignedInt(bytes.getShort());
                data[i] = (float) (level * scale + min);
            }
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(data[i])) {
                throw new IOException(where + ": element " + i + " is " + data[i] + "; weights must be finite");
            }
        }
        return new Entry(name, shape, data, stored);
    }

    private static double number(Object value, String where) throws IOException {
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new IOException(where + " must be a finite number, got " + value);
        }
        return n.doubleValue();
    }

    private static Map<?, ?> asMap(Object value, String where) throws IOException {
        if (!(value instanceof Map<?, ?> m)) {
            throw new IOException(where + ": expected a JSON object, got " + (value == null ? "nothing" : value));
        }
        return m;
    }

    private static List<?> asList(Object value, String where) throws IOException {
        if (!(value instanceof List<?> l)) {
            throw new IOException(where + ": expected a JSON list, got " + (value == null ? "nothing" : value));
        }
        return l;
    }
}
