package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Flops;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.io.Json;
import org.fer4j.kernels.Parallel;
import org.fer4j.models.ModelZoo;
import org.junit.jupiter.api.Test;

/** {@code fer4j bench} runs and reports; it never asserts a speed (that would be a timed test). */
class BenchCommandTest {
    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void jsonHoldsEveryField() {
        Result r = run("bench", "--model", "bars-cnn", "--seconds", "0.2", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("Backend: fer4j kernels:"), r.err());
        assertTrue(r.err().contains("threads:"), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(r.out());
        assertEquals("bars-cnn", json.get("model"));
        assertEquals(64L, json.get("batch"));
        assertTrue(json.get("backend") instanceof String b && !b.isEmpty(), r.out());
        assertTrue(((Number) json.get("threads")).intValue() >= 1, r.out());
        assertTrue(((Number) json.get("vector_bits")).intValue() >= 0, r.out());
        for (String key : List.of("train_img_s", "infer_img_s", "latency_ms")) {
            double median = ((Number) json.get(key)).doubleValue();
            double min = ((Number) json.get(key + "_min")).doubleValue();
            double max = ((Number) json.get(key + "_max")).doubleValue();
            assertTrue(min > 0 && min <= median && median <= max, key + " in " + r.out());
        }
        assertTrue(((Number) json.get("peak_heap_mb")).doubleValue() > 0, r.out());
    }

    @Test
    void jsonNamesTheCpuAndTheShareOfTheFmaPeak() {
        Result r = run("bench", "--model", "bars-cnn", "--batch", "8", "--seconds", "0.2", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("CPU: " + org.fer4j.kernels.Cpu.model() + ", "), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(r.out());
        assertEquals(org.fer4j.kernels.Cpu.model(), json.get("cpu"));
        assertFalse(org.fer4j.kernels.Cpu.model().isBlank());
        assertEquals(Runtime.getRuntime().availableProcessors(), ((Number) json.get("cpu_cores")).intValue());
        long flop = Flops.forwardPerImage(ModelZoo.build("bars-cnn", 42));
        assertEquals(flop / 1e6, number(json, "forward_mflop_per_image"), 0.005);
        // The rates are the measured images/s times the operations per image (training: 3x forward).
        assertEquals(number(json, "train_img_s") * 3 * flop / 1e9, number(json, "train_gflops"),
                0.05 + 0.001 * number(json, "train_gflops"));
        assertEquals(number(json, "infer_img_s") * flop / 1e9, number(json, "infer_gflops"),
                0.05 + 0.001 * number(json, "infer_gflops"));
        // Surefire runs with the Vector API module, so the peak is measured; the ratios are rate / peak.
        double peak = number(json, "fma_peak_gflops");
        assertTrue(peak > 0, r.out());
        // Each value is rounded (GFLOP/s to 0.1, the ratios to 0.001): compare with that slack.
        for (String kind : List.of("train", "infer")) {
            double gflops = number(json, kind + "_gflops");
            double ratio = number(json, kind + "_peak_ratio");
            assertEquals(gflops / peak, ratio, 0.0006 + (0.05 / peak) * (1 + ratio), kind + " in " + r.out());
        }
    }

    private static double number(Map<String, Object> json, String key) {
        assertTrue(json.get(key) instanceof Number, key + " in " + json);
        return ((Number) json.get(key)).doubleValue();
    }

    @Test
    void layersProfileEveryLayerInOrder() {
        Result r = run("bench", "--model", "bars-cnn", "--batch", "8", "--seconds", "0.2", "--layers", "--json");
        assertEquals(0, r.code(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(r.out());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) json.get("layers");
        Sequential net = ModelZoo.build("bars-cnn", 42);
        assertEquals(net.layers().size(), layers.size(), r.out());
        double convForward = 0;
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> row = layers.get(i);
            assertEquals(net.layers().get(i).name(), row.get("name"), r.out());
            assertEquals(net.layers().get(i).type(), row.get("type"), r.out());
            for (String key : List.of("eval_forward_ms", "train_forward_ms", "backward_ms")) {
                assertTrue(((Number) row.get(key)).doubleValue() >= 0, key + " in " + row);
            }
            if (row.get("type").equals("Conv2D")) {
                convForward += ((Number) row.get("eval_forward_ms")).doubleValue();
            }
        }
        assertTrue(convForward > 0, "a convolution takes time: " + r.out());

        Result text = run("bench", "--model", "bars-cnn", "--batch", "8", "--seconds", "0.1", "--layers");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("Per layer, batch 8"), text.out());
        for (var layer : net.layers()) {
            assertTrue(text.out().contains(layer.name()), layer.name() + " in " + text.out());
        }
    }

    @Test
    void textReportStartsWithTheBackend() {
        // --threads sets the process-wide pool: put it back for the tests that share this JVM.
        int before = Parallel.threads();
        Result r;
        try {
            r = run("bench", "--model", "bars-cnn", "--batch", "7", "--threads", "1", "--seconds", "0.1");
        } finally {
            Parallel.setThreads(before);
        }
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("Backend: fer4j kernels:"), r.out());
        assertTrue(lines.get(1).contains("threads: 1"), r.out());
        assertTrue(lines.get(2).startsWith("CPU: " + org.fer4j.kernels.Cpu.model() + ", "), r.out());
        for (String label : List.of("Training (forward, backward, Adam):", "Inference, batch 7:",
                "Latency, batch 1:", "FMA peak, 1 thread:", "MFLOP forward per image", "Peak heap:")) {
            assertTrue(r.out().contains(label), label + " missing from " + r.out());
        }
    }

    @Test
    void badValuesNameTheFlag() {
        expectError("--threads must be in 1..256, got 0", "--threads", "0");
        expectError("--batch must be in 1..65536, got 0", "--batch", "0");
        expectError("--seconds must be in [0.05, 86400], got 0", "--seconds", "0");
        expectError("Invalid value for option '--backend': expected auto, scalar, vector or opencl, got 'fast'", "--backend", "fast");
        expectError("--model: unknown model 'fer-nope'", "--model", "fer-nope");
    }

    private static void expectError(String message, String... flags) {
        String[] args = new String[flags.length + 1];
        args[0] = "bench";
        System.arraycopy(flags, 0, args, 1, flags.length);
        Result r = run(args);
        assertEquals(Main.EXIT_USER, r.code(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }
}
