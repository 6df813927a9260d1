package org.fer4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

/**
 * Runs every benchmark method once, for every value its {@code @Param}s declare (with the batch
 * cut to 2 so that the whole file takes seconds), and checks that each result is sane. It times
 * nothing: speed is measured by the benchmarks themselves, never asserted in a test.
 */
class BenchmarkSmokeTest {
    /** Replaces large batches: the shapes and code paths stay those of the benchmark. */
    private static final Map<String, String> SMALL = Map.of("batch", "2");

    @Test
    void sgemmAtEveryShapeAgreesWithTheScalarReference() {
        forEachParams(SgemmBench.Problem.class, Map.of(), p -> {
            p.setUp();
            SgemmBench.Flops flops = new SgemmBench.Flops();
            float[] expected = p.c.clone();
            KernelsProvider.forName("scalar").sgemm(p.g.transA(), p.g.transB(), p.g.m(), p.g.n(), p.g.k(),
                    1f, p.a, 0, p.g.lda(), p.b, 0, p.g.ldb(), p.g.beta(), expected, 0, p.g.n());
            float[] c = new SgemmBench().sgemm(p, flops);
            // Relative to the size of a dot product of k terms in [-1, 1).
            float tolerance = 1e-5f * p.g.k() + 1e-5f;
            for (int i = 0; i < c.length; i++) {
                if (Math.abs(c[i] - expected[i]) > tolerance * Math.max(1f, Math.abs(expected[i]))) {
                    throw new AssertionError(p.backend + " " + p.shape + ": c[" + i + "] = " + c[i]
                            + ", scalar reference " + expected[i]);
                }
            }
            assertEquals(p.g.flop() / 1e9, flops.gflops, 1e-12, p.shape);
        });
    }

    @Test
    void fmaPeakLoopReturnsItsBoundedSum() {
        SgemmBench.Flops flops = new SgemmBench.Flops();
        float sum = new SgemmBench().fmaPeak(new SgemmBench.PeakOperands(), flops);
        // Each of the 12 accumulators tends to y / (1 - x) = 10 in every lane.
        assertTrue(Float.isFinite(sum) && sum > 0, "sum " + sum);
        assertTrue(flops.gflops > 0);
    }

    @Test
    void convForwardAndBackwardKeepTheirShapes() {
        forEachParams(ConvBench.class, SMALL, b -> {
            b.setUp();
            FerRef.Conv c = FerRef.conv(b.layer);
            assertArrayEquals(new int[] {2, c.filters(), c.outH(), c.outW()}, b.forward().shape(), b.layer);
            assertArrayEquals(new int[] {2, c.channels(), c.height(), c.width()}, b.backward().shape(), b.layer);
            assertFinite(b.forward(), b.backend + " " + b.layer);
        });
    }

    @Test
    void maxPoolForwardAndBackwardKeepTheirShapes() {
        forEachParams(MaxPoolBench.class, SMALL, b -> {
            b.setUp();
            FerRef.Pool p = FerRef.pool(b.layer);
            assertArrayEquals(new int[] {2, p.channels(), p.height() / 2, p.width() / 2}, b.forward().shape());
            assertArrayEquals(new int[] {2, p.channels(), p.height(), p.width()}, b.backward().shape());
        });
    }

    @Test
    void trainingStepGivesAFiniteLoss() {
        forEachParams(TrainStepBench.class, SMALL, b -> {
            b.setUp();
            double loss = b.step();
            assertTrue(Double.isFinite(loss) && loss > 0, b.backend + " loss " + loss);
        });
    }

    @Test
    void inferenceGivesOneRowOfLogitsPerImage() {
        forEachParams(InferenceBench.class, SMALL, b -> {
            b.setUp();
            Tensor y = b.forward();
            assertArrayEquals(new int[] {b.batch, 7}, y.shape(), b.backend);
            assertFinite(y, b.backend);
        });
    }

    @Test
    void fer4jFoldedFer4jAndOnnxRuntimeAgreeOnEveryModel() {
        int threads = org.fer4j.kernels.Parallel.threads();  // setUp sets 2: put it back for the other tests
        try {
            forEachParams(OrtVersusBench.Problem.class, SMALL, p -> {
                try {
                    p.setUp();
                    float[] fer4j = new OrtVersusBench().fer4j(p).copy().data();
                    float[] folded = new OrtVersusBench().fer4jFolded(p).copy().data();
                    float[] ort;
                    try (var r = p.session.run(Map.of(org.fer4j.onnx.OnnxExport.INPUT, p.input))) {
                        var buffer = ((ai.onnxruntime.OnnxTensor) r.get(0)).getFloatBuffer();
                        ort = new float[buffer.remaining()];
                        buffer.get(ort);
                    }
                    assertEquals(2 * 7, fer4j.length, p.model);
                    double scale = 1e-4 * Math.max(1, maxAbs(fer4j));
                    assertTrue(maxAbsDiff(fer4j, ort) <= scale, p.model + " fer4j vs ONNX Runtime: "
                            + maxAbsDiff(fer4j, ort));
                    assertTrue(maxAbsDiff(fer4j, folded) <= scale, p.model + " folded vs unfolded: "
                            + maxAbsDiff(fer4j, folded));
                    assertEquals(ort[0], new OrtVersusBench().ort(p), 0f);
                    p.tearDown();
                } catch (ai.onnxruntime.OrtException e) {
                    throw new AssertionError(e);
                }
            });
            SgemmBench.Flops flops = new SgemmBench.Flops();
            float sum = new OrtVersusBench().fmaPeak(new SgemmBench.PeakOperands(), flops);
            assertTrue(Float.isFinite(sum) && sum > 0 && flops.gflops > 0, "sum " + sum);
        } finally {
            org.fer4j.kernels.Parallel.setThreads(threads);
        }
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /** The annotation processor ran: JMH's list names every benchmark method. */
    @Test
    void jmhBenchmarkListNamesEveryBenchmark() throws IOException {
        String list;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            assertTrue(in != null, "META-INF/BenchmarkList is missing: JMH's annotation processor did not run");
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String method : new String[] {"SgemmBench_sgemm", "SgemmBench_fmaPeak", "ConvBench_forward",
                "ConvBench_backward", "MaxPoolBench_forward", "MaxPoolBench_backward", "TrainStepBench_step",
                "InferenceBench_forward", "OrtVersusBench_fer4j", "OrtVersusBench_fer4jFolded",
                "OrtVersusBench_ort", "OrtVersusBench_fmaPeak"}) {
            assertTrue(list.contains("org.fer4j.bench.jmh_generated." + method + "_jmhTest"),
                    method + " missing from META-INF/BenchmarkList");
        }
    }

    private static void assertFinite(Tensor t, String what) {
        for (float v : t.data()) {
            if (!Float.isFinite(v)) {
                throw new AssertionError(what + ": non-finite output " + v);
            }
        }
    }

    /**
     * Creates {@code type} once per combination of the values its {@code @Param} fields declare
     * ({@code overrides} replaces a field's values), sets the fields as JMH would, and runs
     * {@code body} on it.
     */
    static <T> void forEachParams(Class<T> type, Map<String, String> overrides, Consumer<T> body) {
        Map<Field, String[]> params = new LinkedHashMap<>();
        for (Field f : type.getFields()) {
            Param p = f.getAnnotation(Param.class);
            if (p != null) {
                params.put(f, overrides.containsKey(f.getName())
                        ? new String[] {overrides.get(f.getName())} : p.value());
            }
        }
        assertTrue(!params.isEmpty(), type + " has no @Param fields");
        List<Map<Field, String>> combinations = new ArrayList<>();
        combinations.add(new LinkedHashMap<>());
        for (Map.Entry<Field, String[]> e : params.entrySet()) {
            List<Map<Field, String>> next = new ArrayList<>();
            for (Map<Field, String> partial : combinations) {
                for (String v : e.getValue()) {
                    Map<Field, String> m = new LinkedHashMap<>(partial);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            combinations = next;
        }
        for (Map<Field, String> combination : combinations) {
            try {
                T instance = type.getDeclaredConstructor().newInstance();
                for (Map.Entry<Field, String> e : combination.entrySet()) {
                    Field f = e.getKey();
                    if (f.getType() == int.class) {
                        f.setInt(instance, Integer.parseInt(e.getValue()));
                    } else {
                        f.set(instance, e.getValue());
                    }
                }
                body.accept(instance);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(type.getSimpleName() + " " + combination.values(), e);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(type.getSimpleName() + " with " + combination.values() + ": " + e.getMessage(), e);
            }
        }
    }
}
