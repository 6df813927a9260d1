package org.fer4j.kernels;

import java.util.Locale;

/**
 * The switch for the vector backend's Winograd F(2x2,3x3) convolutions (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", CVPR 2016): on by default, off with
 * {@code -Dfer4j.winograd=false}, so that the direct path (the image unfolded into the GEMM's
 * panels) stays measurable and testable. Only the vector backend's forward pass of 3x3, stride-1
 * convolutions of enough channels, and the input gradient of such convolutions (itself a 3x3
 * stride-1 convolution, {@link Kernels#convBackwardData}), read it (see {@code VectorWinograd});
 * the scalar reference, the OpenCL backend and the kernel gradient ignore it.
 *
 * <p>{@link #setEnabled} changes it for the whole process, between calls, so that a benchmark can
 * time both algorithms in one JVM, one after the other ({@code org.fer4j.bench.WinogradPaired}).
 */
public final class Winograd {

    /** The system property with the default ({@code -Dfer4j.winograd=true|false}). */
    public static final String PROPERTY = "fer4j.winograd";

    private static volatile Boolean enabled;

    private Winograd() {
    }

    /**
     * Whether the vector backend computes its 3x3 stride-1 convolutions by Winograd: {@link
     * #setEnabled}, else {@code -Dfer4j.winograd}, else true.
     *
     * @throws IllegalArgumentException if the property is neither true nor false:
     *     "-Dfer4j.winograd must be true or false, got 'yes'"
     */
    public static boolean enabled() {
        Boolean on = enabled;
        if (on == null) {
            on = parse(System.getProperty(PROPERTY));
            enabled = on;
        }
        return on;
    }

    /** Turns Winograd on or off for every later convolution of the process (for benchmarks and tests). */
    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** The property's value: true when absent or empty. */
    static boolean parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (v.isEmpty() || v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException("-D" + PROPERTY + " must be true or false, got '" + value + "'");
    }
}
