package org.fer4j.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.optim.OptimizerConfig;
import org.fer4j.kernels.KernelsProvider;

/**
 * Reads and writes {@code .fer4j} model files: fer4j's own versioned binary format (never Java
 * serialization). Version 1, all integers and floats little-endian:
 *
 * <pre>
 * offset        size  content
 * 0             8     magic 0x89 'F' 'E' 'R' '4' 'J' '\r' '\n'
 * 8             4     int32 format version: 1
 * 12            4     int32 H: length in bytes of the header
 * 16            H     the header: UTF-8 JSON, padded with whitespace so that the data starts at a multiple of 8
 * 16 + H        4*F   the float32 arrays back to back, in the order the header lists them:
 *                     "tensors" first, then "optimizer"."state"
 * 16 + H + 4*F  4     uint32 CRC-32 (java.util.zip.CRC32) of every byte before it
 * </pre>
 *
 * As in PNG's signature, the magic's first byte has the high bit set and it ends in CR LF, so a
 * 7-bit channel or a text-mode copy that converts line ends is caught as a wrong magic.
 *
 * <p>The header:
 *
 * <pre>
 * {
 *   "format": "fer4j-model",
 *   "model": {...},                          Sequential.config(): the architecture and seed
 *   "classes": ["angry", ...],               one per model output
 *   "input": {"channels": 1, "height": 48, "width": 48},   or {"shape": [...]} when the input is not (C, H, W)
 *   "normalization": {"scale": 0.003921569, "mean": 0.0, "std": 1.0},
 *   "tensors": [{"name": "conv2d_1/kernel", "shape": [32, 1, 3, 3]}, ...],   Sequential.state(), in order
 *   "optimizer": {"config": {...}, "steps": 1200, "state": [{"name": "m/conv2d_1/kernel", "length": 288}, ...]},
 *   "training": {...},                       optional, free-form: the trainer's progress
 *   "metadata": {...}                        free-form: created, fer4j version, notes
 * }
 * </pre>
 *
 * "optimizer" and "training" are present only in training checkpoints.
 *
 * <p>Saving is atomic: the file is written next to the target under a temporary name, forced to
 * disk, then renamed over the target, so a crash leaves either the old file or the new one.
 * Loading checks the magic, the version, the length and the checksum before it trusts the
 * header's architecture, and every problem is a {@link ModelFileException} naming the file.
 */
public final class ModelFile {
    /** The extension of model files. */
    public static final String EXTENSION = ".fer4j";

    /** The format version this build writes and reads. */
    public static final int VERSION = 1;

    static final byte[] MAGIC = {(byte) 0x89, 'F', 'E', 'R', '4', 'J', '\r', '\n'};
    static final String FORMAT = "fer4j-model";

    /** Magic, version and header length: the fixed part before the header. */
    static final int PREAMBLE = 16;
    private static final int CHECKSUM = 4;
    private static final int DATA_ALIGNMENT = 8;
    /** A header is a few kilobytes; a length beyond this is corruption, not a header to allocate. */
    private static final int MAX_HEADER = 256 << 20;
    /** Bytes per read or write: large enough to amortise the calls, small enough to stay in cache. */
    private static final int CHUNK = 1 << 20;

    private ModelFile() {
    }

    /** Saves a model for inference: architecture, weights and info, without optimizer or training state. */
    public static void save(Path path, Sequential model, ModelInfo info) throws IOException {
        save(path, Checkpoint.of(model, info));
    }

    /**
     * Writes {@code checkpoint} to {@code path} atomically, replacing any file there. On failure
     * the temporary file is deleted and an existing file at {@code path} is left as it was.
     */
    public static void save(Path path, Checkpoint checkpoint) throws IOException {
        KernelsProvider.get().synchronize(); // weights a device backend holds come back to the host
        List<float[]> arrays = new ArrayList<>();
        for (Param p : checkpoint.model().state()) {
            arrays.add(p.value().data());
        }
        if (checkpoint.optimizer() != null) {
            arrays.addAll(checkpoint.optimizer().arrays().values());
        }
        // Everything that can fail on the content (a map JSON cannot hold) fails here, before
        // any file is touched.
        byte[] header = headerBytes(checkpoint);
        AtomicFiles.write(path, channel -> {
            Sink sink = new Sink(channel);
            ByteBuffer preamble = ByteBuffer.allocate(PREAMBLE).order(ByteOrder.LITTLE_ENDIAN);
            preamble.put(MAGIC).putInt(VERSION).putInt(header.length).flip();
            sink.write(preamble);
            sink.write(ByteBuffer.wrap(header));
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] a : arrays) {
                for (int off = 0; off < a.length; off += CHUNK / Float.BYTES) {
                    int n = Math.min(CHUNK / Float.BYTES, a.length - off);
                    buffer.clear();
                    buffer.asFloatBuffer().put(a, off, n);
                    buffer.limit(n * Float.BYTES);
                    sink.write(buffer);
                }
            }
            ByteBuffer crc = ByteBuffer.allocate(CHECKSUM).order(ByteOrder.LITTLE_ENDIAN);
            crc.putInt((int) sink.crc.getValue()).flip();
            sink.writeUnchecked(crc);
        });
    }

    /**
     * Reads a model file: rebuilds the architecture, checks that every saved tensor has the name
     * and shape the architecture gives it, and loads the weights, running statistics and, when
     * present, the optimizer state and training progress.
     */
    public static Checkpoint load(Path path) throws IOException {
        try (FileChannel channel = open(path)) {
            Source source = new Source(path, channel);
            Map<String, Object> header = source.readHeader();
            Layout layout;
            ModelInfo info;
            try {
                layout = Layout.of(header);
                info = info(header);
            } catch (IllegalArgumentException e) {
                throw source.headerProblem("malformed header: " + e.getMessage(), e);
            }
            float[][] data = source.readData(layout);
            return rebuild(path, header, layout, info, data);
        }
    }

    /**
     * Reads only the preamble and the header: class names, normalization and metadata, without
     * loading weights. The checksum is not verified (that needs the whole file); {@link #load} does.
     */
    public static ModelInfo readInfo(Path path) throws IOException {
        try (FileChannel channel = open(path)) {
            Source source = new Source(path, channel);
            Map<String, Object> header = source.readHeader();
            try {
                return info(header);
            } catch (IllegalArgumentException e) {
                throw source.headerProblem("malformed header: " + e.getMessage(), e);
            }
        }
    }

    // ---- writing --------------------------------------------------------------------------

    private static byte[] headerBytes(Checkpoint c) {
        Sequential model = c.model();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("format", FORMAT);
        h.put("model", model.config());
        h.put("classes", c.info().classNames());
        h.put("input", inputOf(model));
        h.put("normalization", c.info().normalization().toMap());
        List<Object> tensors = new ArrayList<>();
        for (Param p : model.state()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", p.name());
            t.put("shape", p.value().shape());
            tensors.add(t);
        }
        h.put("tensors", tensors);
        OptimizerState opt = c.optimizer();
        if (opt != null) {
            List<Object> state = new ArrayList<>();
            for (Map.Entry<String, float[]> e : opt.arrays().entrySet()) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("name", e.getKey());
                s.put("length", e.getValue().length);
                state.add(s);
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("config", opt.config());
            o.put("steps", opt.steps());
            o.put("state", state);
            h.put("optimizer", o);
        }
        if (c.training() != null) {
            h.put("training", c.training());
        }
        h.put("metadata", c.info().metadata());
        // Pretty, so that `head -c 4000 model.fer4j` is readable; the newline and spaces that
        // pad the data to its alignment are JSON whitespace.
        byte[] json = (Json.writePretty(h) + "\n").getBytes(StandardCharsets.UTF_8);
        int padding = Math.floorMod(-(PREAMBLE + json.length), DATA_ALIGNMENT);
        byte[] header = Arrays.copyOf(json, json.length + padding);
        Arrays.fill(header, json.length, header.length, (byte) ' ');
        return header;
    }

    /** {@code {"channels", "height", "width"}} for an image model, {@code {"shape": [...]}} otherwise. */
    private static Map<String, Object> inputOf(Sequential model) {
        int[] shape = model.inputShape();
        Map<String, Object> in = new LinkedHashMap<>();
        if (shape.length == 3) {
            in.put("channels", shape[0]);
            in.put("height", shape[1]);
            in.put("width", shape[2]);
        } else {
            in.put("shape", shape);
        }
        return in;
    }

    /** Writes whole buffers, keeping the running CRC-32 of everything written. */
    private static final class Sink {
        private final FileChannel channel;
        final CRC32 crc = new CRC32();

        Sink(FileChannel channel) {
            this.channel = channel;
        }

        void write(ByteBuffer buffer) throws IOException {
            crc.update(buffer.duplicate());
            writeUnchecked(buffer);
        }

        void writeUnchecked(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    // ---- reading --------------------------------------------------------------------------

    private static FileChannel open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new ModelFileException(path, "is a folder, expected a " + EXTENSION + " model file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // A named pipe would block the open until someone writes to it; a device never ends.
            throw new ModelFileException(path, "is not a regular file (a pipe, socket or device), expected a "
                    + EXTENSION + " model file");
        }
        try {
            return FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(path, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new ModelFileException(path, "permission denied", e);
        }
    }

    /** One saved array as the header lists it: a tensor with its shape, or optimizer state with its length. */
    private record Entry(String name, int[] shape, int length) {
    }

    /** Where the float arrays are, from the header alone. */
    private record Layout(List<Entry> tensors, List<Entry> optimizerArrays) {

        static Layout of(Map<String, Object> header) {
            Object format = header.get("format");
            if (!FORMAT.equals(format)) {
                throw new IllegalArgumentException("'format' is " + Json.write(format) + ", expected \"" + FORMAT + "\"");
            }
            List<Entry> tensors = new ArrayList<>();
            List<?> list = list(header, "tensors");
            for (int i = 0; i < list.size(); i++) {
                String where = "tensors[" + i + "]";
                Map<String, Object> t = map(list.get(i), where);
                String name = string(t, "name", where);
                int[] shape = ints(t.get("shape"), where + ".shape");
                long size;
                try {
                    size = Tensor.checkedSize(shape);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + " '" + name + "': " + e.getMessage(), e);
                }
                tensors.add(new Entry(name, shape, (int) size));
            }
            List<Entry> optimizerArrays = new ArrayList<>();
            if (header.get("optimizer") != null) {
                Map<String, Object> o = map(header.get("optimizer"), "optimizer");
                map(o.get("config"), "optimizer.config");
                integer(o.get("steps"), "optimizer.steps", Long.MAX_VALUE);
                List<?> state = list(o, "state");
                for (int i = 0; i < state.size(); i++) {
                    String where = "optimizer.state[" + i + "]";
                    Map<String, Object> s = map(state.get(i), where);
                    int length = (int) integer(s.get("length"), where + ".length", Integer.MAX_VALUE - 8);
                    optimizerArrays.add(new Entry(string(s, "name", where), null, length));
                }
            }
            return new Layout(tensors, optimizerArrays);
        }

        List<Entry> all() {
            List<Entry> all = new ArrayList<>(tensors);
            all.addAll(optimizerArrays);
            return all;
        }

        long dataBytes() {
            long bytes = 0;
            for (Entry e : all()) {
                bytes += (long) e.length * Float.BYTES;
            }
            return bytes;
        }
    }

    /**
     * Reads a model file front to back through one buffer, keeping the CRC-32 of every byte read.
     * {@code position} is the next byte to read.
     */
    private static final class Source {
        private final Path path;
        private final FileChannel channel;
        private final long size;
        private final CRC32 crc = new CRC32();
        private long position;
        private long dataOffset;

        Source(Path path, FileChannel channel) throws IOException {
            this.path = path;
            this.channel = channel;
            this.size = channel.size();
        }

        /** Checks magic, version and length, and parses the header's JSON (only its syntax). */
        Map<String, Object> readHeader() throws IOException {
            if (size == 0) {
                throw new ModelFileException(path, "not a fer4j model file: the file is empty");
            }
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 64)).order(ByteOrder.LITTLE_ENDIAN);
            readAt(head, 0);
            int magicBytes = Math.min(MAGIC.length, head.limit());
            if (!Arrays.equals(head.array(), 0, magicBytes, MAGIC, 0, magicBytes)) {
                throw new ModelFileException(path, "not a fer4j model file: " + FileSniff.describe(head.array(), head.limit()));
            }
            if (size < PREAMBLE) {
                throw new ModelFileException(path, "truncated: the file has only " + size
                        + " bytes, fewer than the " + PREAMBLE + "-byte start (signature, version, header length)");
            }
            int version = head.getInt(8);
            if (version != VERSION) {
                throw new ModelFileException(path, "unsupported version " + version
                        + " (this build reads version " + VERSION + ")"
                        + (version > VERSION ? "; it was written by a newer fer4j" : ""));
            }
            int headerLength = head.getInt(12);
            if (headerLength < 2 || headerLength > MAX_HEADER) {
                throw headerProblem("header length " + headerLength + " is impossible (expected 2 to " + MAX_HEADER
                        + " bytes)", null);
            }
            if (size < PREAMBLE + (long) headerLength) {
                throw new ModelFileException(path, "truncated: the header says it is " + headerLength
                        + " bytes but the file ends " + (size - PREAMBLE) + " bytes into it");
            }
            ByteBuffer start = ByteBuffer.allocate(PREAMBLE);
            read(start);
            ByteBuffer headerBuffer = ByteBuffer.allocate(headerLength);
            read(headerBuffer);
            dataOffset = position;
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(headerBuffer).toString();
            } catch (CharacterCodingException e) {
                throw headerProblem("malformed header: not valid UTF-8", e);
            }
            Object json;
            try {
                json = Json.parse(text);
            } catch (IllegalArgumentException e) {
                throw headerProblem("malformed header JSON: " + e.getMessage(), e);
            }
            if (!(json instanceof Map<?, ?>)) {
                throw headerProblem("malformed header: expected a JSON object, found " + Json.write(json), null);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> header = (Map<String, Object>) json;
            return header;
        }

        /** Reads every array the layout lists, then checks the length of the file and its CRC-32. */
        float[][] readData(Layout layout) throws IOException {
            long dataBytes = layout.dataBytes();
            long expected = dataOffset + dataBytes + CHECKSUM;
            if (size < dataOffset + dataBytes) {
                throw new ModelFileException(path, "truncated: the header says " + dataBytes + " bytes of data follow it, the file has "
                        + (size - dataOffset));
            }
            if (size < expected) {
                throw new ModelFileException(path, "truncated: the data is complete but the " + CHECKSUM
                        + "-byte checksum at the end is missing (" + (size - dataOffset - dataBytes) + " of "
                        + CHECKSUM + " bytes present)");
            }
            if (size > expected) {
                throw new ModelFileException(path, "the file is " + size + " bytes but its header accounts for "
                        + expected + "; it is corrupt or has data appended");
            }
            List<Entry> entries = layout.all();
            float[][] data = new float[entries.size()][];
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; i++) {
                float[] a = new float[entries.get(i).length()];
                for (int off = 0; off < a.length; off += CHUNK / Float.BYTES) {
                    int n = Math.min(CHUNK / Float.BYTES, a.length - off);
                    buffer.clear().limit(n * Float.BYTES);
                    read(buffer);
                    buffer.asFloatBuffer().get(a, off, n);
                }
                data[i] = a;
            }
            long computed = crc.getValue();
            ByteBuffer stored = ByteBuffer.allocate(CHECKSUM).order(ByteOrder.LITTLE_ENDIAN);
            readAt(stored, position);
            long storedCrc = Integer.toUnsignedLong(stored.getInt(0));
            if (storedCrc != computed) {
                throw new ModelFileException(path, "checksum mismatch: the file is corrupt (stored CRC-32 "
                        + hex(storedCrc) + ", computed " + hex(computed) + ")");
            }
            return data;
        }

        /**
         * A problem found in the header before the checksum could be verified. A damaged byte
         * there shows up as bad JSON or a bad value, so the whole file's checksum (assuming its
         * last 4 bytes are the CRC) decides whether to call the file corrupt or the header wrong.
         */
        ModelFileException headerProblem(String problem, Exception cause) throws IOException {
            if (!wholeFileChecksumMatches()) {
                return new ModelFileException(path, "checksum mismatch: the file is corrupt or truncated ("
                        + problem + ")", cause);
            }
            return new ModelFileException(path, problem, cause);
        }

        private boolean wholeFileChecksumMatches() throws IOException {
            if (size < PREAMBLE + CHECKSUM) {
                return false;
            }
            CRC32 whole = new CRC32();
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            for (long at = 0; at < size - CHECKSUM; at += buffer.limit()) {
                buffer.clear().limit((int) Math.min(CHUNK, size - CHECKSUM - at));
                readAt(buffer, at);
                whole.update(buffer);
            }
            ByteBuffer stored = ByteBuffer.allocate(CHECKSUM).order(ByteOrder.LITTLE_ENDIAN);
            readAt(stored, size - CHECKSUM);
            return Integer.toUnsignedLong(stored.getInt(0)) == whole.getValue();
        }

        /** Fills {@code buffer} from {@link #position} on, adds it to the CRC and flips it for reading. */
        private void read(ByteBuffer buffer) throws IOException {
            readAt(buffer, position);
            position += buffer.limit();
            crc.update(buffer);
            buffer.rewind();
        }

        /** Fills {@code buffer} from {@code at} on and flips it; the file ending first is truncation. */
        private void readAt(ByteBuffer buffer, long at) throws IOException {
            long p = at;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, p);
                if (n < 0) {
                    throw new ModelFileException(path, "truncated: the file ended at byte " + p
                            + " while " + (buffer.remaining()) + " more bytes were expected (was it changed while being read?)");
                }
                p += n;
            }
            buffer.flip();
        }
    }

    private static String hex(long crc) {
        return String.format("%08x", crc);
    }

    // ---- interpreting the header ----------------------------------------------------------

    private static ModelInfo info(Map<String, Object> header) {
        List<?> classList = list(header, "classes");
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < classList.size(); i++) {
            if (!(classList.get(i) instanceof String s)) {
                throw new IllegalArgumentException("'classes[" + i + "]' must be a string, got " + Json.write(classList.get(i)));
            }
            classes.add(s);
        }
        Normalization normalization = Normalization.fromMap(map(header.get("normalization"), "normalization"));
        Object metadata = header.get("metadata");
        return new ModelInfo(classes, normalization, metadata == null ? Map.of() : map(metadata, "metadata"));
    }

    /**
     * Builds the model the header describes and loads {@code data} into it. The checksum has
     * been verified, so a problem here is a file that does not fit this build of fer4j (or was
     * edited by hand), and is reported as such.
     */
    private static Checkpoint rebuild(Path path, Map<String, Object> header, Layout layout, ModelInfo info,
                                      float[][] data) throws ModelFileException {
        Sequential model;
        try {
            model = Sequential.fromConfig(map(header.get("model"), "model"));
        } catch (RuntimeException e) {
            throw new ModelFileException(path, "the architecture in the header cannot be built: " + e.getMessage(), e);
        }
        // Through JSON both sides have the same number types (Long) and list types, so equals compares values.
        Object expectedInput = Json.parse(Json.write(inputOf(model)));
        if (!expectedInput.equals(header.get("input"))) {
            throw new ModelFileException(path, "the header's 'input' " + Json.write(header.get("input"))
                    + " does not match the architecture's input " + Json.write(expectedInput));
        }
        // As Checkpoint: a classifier names each of its outputs; a dense predictor [C, H, W] does not.
        long outputs = Tensor.checkedSize(model.outputShape());
        if (model.outputShape().length == 1 && info.classCount() != outputs) {
            throw new ModelFileException(path, "the header lists " + info.classCount() + " classes but model '"
                    + model.name() + "' has " + outputs + " outputs");
        }
        List<Param> state = model.state();
        List<Entry> saved = layout.tensors();
        for (int i = 0; i < Math.max(state.size(), saved.size()); i++) {
            if (i >= state.size() || i >= saved.size()) {
                throw new ModelFileException(path, "the header lists " + saved.size() + " tensors but model '"
                        + model.name() + "' has " + state.size() + "; the first unmatched is "
                        + (i < saved.size() ? "the file's '" + saved.get(i).name() + "'" : "the model's '" + state.get(i).name() + "'"));
            }
            Param p = state.get(i);
            Entry e = saved.get(i);
            if (!p.name().equals(e.name())) {
                throw new ModelFileException(path, "tensor " + i + " is '" + e.name() + "' in the file but '"
                        + p.name() + "' in the model built from the header");
            }
            if (!Arrays.equals(p.value().shape(), e.shape())) {
                throw new ModelFileException(path, "tensor '" + e.name() + "': the architecture gives shape "
                        + Tensor.shapeString(p.value().shape()) + ", the file has " + Tensor.shapeString(e.shape()));
            }
        }
        for (int i = 0; i < data.length; i++) {
            String name = i < saved.size() ? "tensor '" + saved.get(i).name() + "'"
                    : "optimizer state '" + layout.optimizerArrays().get(i - saved.size()).name() + "'";
            requireFinite(path, name, data[i]);
        }
        KernelsProvider.get().synchronize(); // the host writes below are then the current data
        for (int i = 0; i < state.size(); i++) {
            System.arraycopy(data[i], 0, state.get(i).value().data(), 0, data[i].length);
        }
        OptimizerState optimizer = null;
        Map<String, Object> training = null;
        try {
            if (header.get("optimizer") != null) {
                Map<String, Object> o = map(header.get("optimizer"), "optimizer");
                Map<String, Object> config = map(o.get("config"), "optimizer.config");
                OptimizerConfig.fromMap(config);
                Map<String, float[]> arrays = new LinkedHashMap<>();
                List<Entry> entries = layout.optimizerArrays();
                for (int i = 0; i < entries.size(); i++) {
                    if (arrays.put(entries.get(i).name(), data[state.size() + i]) != null) {
                        throw new IllegalArgumentException("optimizer.state lists '" + entries.get(i).name() + "' twice");
                    }
                }
                optimizer = new OptimizerState(config, integer(o.get("steps"), "optimizer.steps", Long.MAX_VALUE), arrays);
            }
            if (header.get("training") != null) {
                training = map(header.get("training"), "training");
            }
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(path, "malformed header: " + e.getMessage(), e);
        }
        return new Checkpoint(model, info, optimizer, training);
    }

    // ---- typed access to the parsed header; errors name the key ---------------------------

    /**
     * The largest magnitude a stored value may have. Trained weights, running statistics and Adam's
     * moments stay many orders below it; a diverged run's weights (1e20 and up) do not.
     */
    public static final float MAX_ABS_VALUE = 1e10f;

    private static void requireFinite(Path path, String name, float[] values) throws ModelFileException {
        for (int j = 0; j < values.length; j++) {
            float v = values[j];
            if (!Float.isFinite(v) || Math.abs(v) > MAX_ABS_VALUE) {
                throw new ModelFileException(path, name + "[" + j + "] is " + v + ": "
                        + (Float.isFinite(v) ? "beyond the plausible range +-" + MAX_ABS_VALUE : "not a finite number")
                        + " (saved from a diverged training run?)");
            }
        }
    }

    private static Map<String, Object> map(Object value, String where) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("'" + where + "' must be an object, got " + Json.write(value));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) m;
        return map;
    }

    private static List<?> list(Map<String, Object> map, String key) {
        if (!(map.get(key) instanceof List<?> l)) {
            throw new IllegalArgumentException("'" + key + "' must be a list, got " + Json.write(map.get(key)));
        }
        return l;
    }

    private static String string(Map<String, Object> map, String key, String where) {
        if (!(map.get(key) instanceof String s)) {
            throw new IllegalArgumentException("'" + where + "." + key + "' must be a string, got " + Json.write(map.get(key)));
        }
        return s;
    }

    private static long integer(Object value, String where, long max) {
        if (!(value instanceof Long n) || n < 0 || n > max) {
            throw new IllegalArgumentException("'" + where + "' must be an integer from 0 to " + max + ", got "
                    + Json.write(value));
        }
        return n;
    }

    private static int[] ints(Object value, String where) {
        if (!(value instanceof List<?> l)) {
            throw new IllegalArgumentException("'" + where + "' must be a list of integers, got " + Json.write(value));
        }
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) integer(l.get(i), where + "[" + i + "]", Integer.MAX_VALUE);
        }
        return out;
    }
}
