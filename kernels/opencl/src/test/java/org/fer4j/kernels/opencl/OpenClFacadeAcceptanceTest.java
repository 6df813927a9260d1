package org.fer4j.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fer4j.kernels.CheckedKernels;
import org.fer4j.kernels.ValidCalls;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL backend, like the CPU ones ({@code FacadeAcceptanceTest}), rejects no call that the
 * checking facade accepts: the same random valid calls, arrays exactly as long as their spans,
 * through {@link CheckedKernels}. The ops this backend does not implement (depthwise convolution,
 * leaky ReLU, max-pool windows over the edge) refuse with "not implemented", which is not counted.
 */
class OpenClFacadeAcceptanceTest {

    @Test
    void rejectsNoCallTheFacadeAccepts() {
        OpenClKernels ocl = OpenClTestSupport.kernels();
        List<ValidCalls.Call> calls = ValidCalls.draw(18, 15);
        List<String> failures = ValidCalls.rejected(CheckedKernels.of(ocl), calls);
        assertTrue(failures.isEmpty(), failures.size() + " of " + calls.size() + " valid calls failed on opencl:\n"
                + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }
}
