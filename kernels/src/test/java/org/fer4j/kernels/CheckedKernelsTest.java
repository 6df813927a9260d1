package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The facade's argument checks: each kind of bad argument is refused with one line naming the
 * kernel, the argument and what was expected, before the backend is reached; and the wrapper
 * forwards every method of {@link Kernels}, default methods included.
 */
class CheckedKernelsTest {

    /** A backend that fails the test if any kernel reaches it: the checks must come first. */
    private static final Kernels UNREACHABLE = (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(),
            new Class<?>[] {Kernels.class}, (proxy, method, args) -> {
                throw new AssertionError(method.getName() + " reached the backend");
            });

    private static final Kernels FACADE = CheckedKernels.of(UNREACHABLE);

    private static Arguments bad(String message, Consumer<Kernels> call) {
        return Arguments.of(message, call);
    }

    static Stream<Arguments> badArguments() {
        float[] four = new float[4];
        return Stream.of(
                // sizes
                bad("axpy: n must be >= 0, got -1", k -> k.axpy(four, 0, four, 0, -1, 1f)),
                bad("maxPoolForward: kh must be >= 1, got 0",
                        k -> k.maxPoolForward(four, new int[4], four, 1, 2, 2, 0, 1, 1, 1, 1, 1)),
                bad("avgPoolGlobalForward: spatial must be >= 1, got 0", k -> k.avgPoolGlobalForward(four, four, 1, 0)),
                bad("batchNormStats: n*spatial must be >= 1, got 0", k -> k.batchNormStats(four, four, four, 0, 1, 4)),
                // arrays: too short from an offset, null, a negative offset
                bad("reluForward: x needs 3 elements from offset 0, but its length is 2",
                        k -> k.reluForward(new float[3], new float[2], 3)),
                bad("fill: x needs 4 elements from offset 1, but its length is 4", k -> k.fill(four, 1, 4, 0f)),
                bad("add: b is null", k -> k.add(four, four, null, 4)),
                bad("scale: x offset must be >= 0, got -1", k -> k.scale(four, -1, 1, 2f)),
                bad("addBias: bias needs 3 elements from offset 0, but its length is 2",
                        k -> k.addBias(new float[6], new float[2], 1, 3, 2)),
                // matrices
                bad("sgemm: lda must be >= 3 (the stored width of a), got 2",
                        k -> k.sgemm(false, false, 2, 2, 3, 1f, new float[6], 0, 2, new float[6], 0, 2, 0f, four, 0, 2)),
                bad("sgemm: c needs 4 elements from offset 1, but its length is 4",
                        k -> k.sgemm(true, false, 2, 2, 1, 1f, four, 0, 2, four, 0, 2, 0f, four, 1, 2)),
                // products that overflow int are reported, not wrapped
                bad("convolution geometry: channels*kh*kw*outH*outW = 4294967296 does not fit in an int",
                        k -> k.im2col(four, 0, four, 0, new ConvGeometry(1, 1, 1, 1, 1 << 8, 1 << 8, 1, 1, 0, 0,
                                1 << 8, 1 << 8))),
                // geometry
                bad("maxPoolForward: outH = 3 windows at stride 2 need height > 4, got 4",
                        k -> k.maxPoolForward(new float[6], new int[6], new float[16], 1, 4, 4, 2, 2, 2, 2, 3, 2)),
                bad("convolution geometry: strideW must be >= 1, got 0",
                        k -> new ConvGeometry(1, 3, 3, 2, 3, 3, 1, 0, 1, 1, 2, 2)),
                bad("convolution geometry: padTop must be >= 0, got -1",
                        k -> ConvGeometry.of(1, 3, 3, 2, 3, 3, 1, 1, -1, 1, 1, 1)),
                bad("col2im: the geometry is null", k -> k.col2im(four, 0, four, 0, null)),
                bad("convForward: kernel needs 18 elements from offset 0, but its length is 4",
                        k -> k.convForward(new float[8], 0, new float[9], 0, 1, four, null, new float[36],
                                new ConvGeometry(1, 3, 3, 2, 3, 3, 1, 1, 1, 1, 2, 2), false, 0f)),
                bad("convForward: img needs 18 elements from offset 0, but its length is 9",
                        k -> k.convForward(new float[16], 0, new float[9], 0, 2, new float[18], null, new float[36],
                                new ConvGeometry(1, 3, 3, 2, 3, 3, 1, 1, 1, 1, 2, 2), false, 0f)),
                bad("convForwardPooled: the convolution's output must be at least 2x2 to pool, got 1x3",
                        k -> k.convForwardPooled(new float[8], 0, new float[9], 0, 1, new float[18], null,
                                new float[36], ConvGeometry.of(1, 3, 5, 2, 3, 3, 1, 1, 0, 0, 0, 0), false, 0f,
                                new float[6])),
                bad("convForwardPooled: full needs 16 elements from offset 0, but its length is 8",
                        k -> k.convForwardPooled(new float[8], 0, new float[18], 0, 2, new float[18], null,
                                new float[36], new ConvGeometry(1, 3, 3, 2, 3, 3, 1, 1, 1, 1, 2, 2), false, 0f,
                                new float[8])),
                bad("convBackwardKernel: x needs 18 elements from offset 1, but its length is 18",
                        k -> k.convBackwardKernel(new float[18], new float[16], 0, new float[18], 1, 2, new float[36],
                                new ConvGeometry(1, 3, 3, 2, 3, 3, 1, 1, 1, 1, 2, 2))),
                bad("convBackwardData: dy needs 16 elements from offset 0, but its length is 9",
                        k -> k.convBackwardData(new float[18], 0, new float[9], 0, 2, new float[18], new float[36],
                                new ConvGeometry(1, 3, 3, 2, 3, 3, 1, 1, 1, 1, 2, 2))),
                bad("depthwiseConvForward: bias needs 2 elements from offset 0, but its length is 1",
                        k -> k.depthwiseConvForward(new float[8], new float[8], new float[2], new float[1], 1, 2, 2, 2,
                                1, 1, 1, 1, 0, 0, 2, 2)),
                // values
                bad("dropoutMask: rate must be in [0, 1), got 1.0", k -> k.dropoutMask(four, 4, 1f, 1L)),
                bad("adamUpdate: beta2 must be in [0, 1), got 1.0",
                        k -> k.adamUpdate(four, four, four, four, 4, 1e-3f, 0.9f, 1f, 1e-8f, 0f, false, 1)),
                bad("adamUpdate: t must be >= 1, got 0",
                        k -> k.adamUpdate(four, four, four, four, 4, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, 0)),
                bad("sgdUpdate: velocity is null", k -> k.sgdUpdate(four, four, null, 4, 0.1f, 0.9f, 0f, false)),
                bad("softmaxCrossEntropyForward: smoothing must be in [0, 1], got 1.5",
                        k -> k.softmaxCrossEntropyForward(four, four, new int[2], 2, 2, 1.5f, null)),
                bad("softmaxCrossEntropyBackward: row 1 has label 2, outside [0, 2)",
                        k -> k.softmaxCrossEntropyBackward(four, four, new int[] {0, 2}, 2, 2, 0f, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    void eachKindOfBadArgumentIsRefusedBeforeTheBackendWithOneClearLine(String message, Consumer<Kernels> call) {
        var e = assertThrows(IllegalArgumentException.class, () -> call.accept(FACADE));
        assertEquals(message, e.getMessage());
    }

    @Test
    void everyMethodOfKernelsIsForwardedNotLeftToItsDefault() throws Exception {
        List<String> missing = new ArrayList<>();
        for (Method m : Kernels.class.getMethods()) {
            Method own = CheckedKernels.class.getMethod(m.getName(), m.getParameterTypes());
            if (own.getDeclaringClass() != CheckedKernels.class) {
                missing.add(m.getName());
            }
        }
        assertEquals(List.of(), missing, "CheckedKernels must override these, or they bypass the backend's own");
    }

    @Test
    void aDefaultMethodReachesTheBackendsOwnVersion() {
        List<String> seen = new ArrayList<>();
        Kernels scalar = new ScalarKernels();
        Kernels recording = (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(),
                new Class<?>[] {Kernels.class}, (proxy, method, args) -> {
                    seen.add(method.getName());
                    return method.invoke(scalar, args);
                });
        float[] y = new float[6];
        CheckedKernels.of(recording).fillBias(y, 0, new float[] {1f, 2f}, 1, 2, 3);
        assertEquals(List.of("fillBias"), seen);
        assertEquals(2f, y[5]);
    }

    @Test
    void wrappingIsIdempotentAndTheBackendCanBeReached() {
        Kernels scalar = new ScalarKernels();
        Kernels checked = CheckedKernels.of(scalar);
        assertSame(checked, CheckedKernels.of(checked));
        assertSame(scalar, CheckedKernels.backendOf(checked));
        assertSame(scalar, CheckedKernels.backendOf(scalar));
        assertEquals("scalar", checked.name());
        assertEquals(scalar.describe(), checked.describe());
    }

    @Test
    void theProviderHandsOutCheckedKernels() {
        Kernels kernels = KernelsProvider.forName("scalar");
        assertInstanceOf(CheckedKernels.class, kernels);
        assertInstanceOf(ScalarKernels.class, CheckedKernels.backendOf(kernels));
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.fill(new float[1], 0, 2, 0f));
        assertTrue(e.getMessage().startsWith("fill: "), e.getMessage());
    }
}
