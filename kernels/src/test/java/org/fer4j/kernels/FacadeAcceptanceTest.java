package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The other half of checking at the facade: since the backends no longer check, none of them may
 * reject, or fail on, a call that {@link CheckedKernels} accepts. Random valid calls of every
 * kernel ({@link ValidCalls}: empty sizes, offsets, null arrays where allowed, arrays exactly as
 * long as their spans) go through the facade to each backend. The OpenCL module runs the same
 * calls on its backend.
 */
class FacadeAcceptanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void noBackendRejectsACallTheFacadeAccepts(String backend) {
        if (backend.equals("vector")) {
            String why = KernelsProvider.vectorUnavailableReason();
            Assumptions.assumeTrue(why == null, () -> "vector skipped: " + why);
        }
        List<ValidCalls.Call> calls = ValidCalls.draw(18, 25);
        List<String> failures = ValidCalls.rejected(KernelsProvider.forName(backend), calls);
        assertTrue(failures.isEmpty(), failures.size() + " of " + calls.size() + " valid calls failed on "
                + backend + ":\n" + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }

    /** The test can fail: a backend whose axpy reads one element past its span is caught. */
    @Test
    void aBackendThatReadsPastItsSpanIsCaught() {
        Kernels scalar = new ScalarKernels();
        Kernels overReading = (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(),
                new Class<?>[] {Kernels.class}, (proxy, method, args) -> {
                    if (method.getName().equals("axpy")) {
                        float[] x = (float[]) args[2];
                        int end = (int) args[3] + (int) args[4];
                        if (x != null && (int) args[4] > 0 && x[end] == 12345f) { // reads x[end]: out of span
                            return null;
                        }
                    }
                    try {
                        return method.invoke(scalar, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        List<ValidCalls.Call> calls = ValidCalls.draw(18, 25);
        List<String> failures = ValidCalls.rejected(CheckedKernels.of(overReading), calls);
        assertTrue(!failures.isEmpty(), "the over-read went unnoticed");
        assertEquals(List.of(), failures.stream().filter(f -> !f.startsWith("axpy(")).toList(),
                "only axpy is broken");
    }
}
