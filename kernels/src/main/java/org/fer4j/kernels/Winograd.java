package org.fer4j.kernels;

import java.util.Locale;

/**
 * The switch for the vector backend's Winograd convolutions (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", CVPR 2016): F(4x4,3x3) and F(2x2,3x3), chosen layer by layer,
 * by default; {@code -Dfer4j.winograd=false} keeps the direct path (the image unfolded into the
 * GEMM's panels), and {@code f2} or {@code f4} takes one of the two wherever Winograd is taken, so
 * that each stays measurable and testable. Only the vector backend reads it: the forward pass of
 * 3x3, stride-1 convolutions of enough channels (see {@code VectorWinograd} and {@code
 * VectorWinograd4}), and the two backward products of such convolutions of enough channels, the
 * input gradient (itself a 3x3 stride-1 convolution, {@link Kernels#convBackwardData}) and the
 * kernel gradient ({@link Kernels#convBackwardKernel}), which use F(2x2) whenever Winograd is on;
 * the scalar reference and the OpenCL backend ignore it.
 *
 * <p>{@link #setVariant} (or {@link #setEnabled}) changes it for the whole process, between calls,
 * so that a benchmark can time the algorithms in one JVM, one after the other ({@code
 * org.fer4j.bench.WinogradPaired}).
 */
public final class Winograd {

    /** The system property with the default ({@code -Dfer4j.winograd=true|false|f2|f4}). */
    public static final String PROPERTY = "fer4j.winograd";

    /** Which algorithm the vector backend's 3x3 stride-1 convolutions use, where Winograd suits them. */
    public enum Variant {
        /** The direct path everywhere ({@code false}). */
        OFF,
        /** F(4x4,3x3) or F(2x2,3x3), whichever measured faster for the layer's shape ({@code true}, the default). */
        AUTO,
        /** F(2x2,3x3) wherever Winograd is taken ({@code f2}). */
        F2,
        /** F(4x4,3x3) wherever Winograd is taken ({@code f4}). */
        F4
    }

    private static volatile Variant variant;

    private Winograd() {
    }

    /**
     * The algorithm in force: {@link #setVariant}, else {@code -Dfer4j.winograd}, else {@link Variant#AUTO}.
     *
     * @throws IllegalArgumentException if the property is not one of its values:
     *     "-Dfer4j.winograd must be true, false, f2 or f4, got 'yes'"
     */
    public static Variant variant() {
        Variant v = variant;
        if (v == null) {
            v = parse(System.getProperty(PROPERTY));
            variant = v;
        }
        return v;
    }

    /** Whether the vector backend computes any convolution by Winograd: every variant but {@link Variant#OFF}. */
    public static boolean enabled() {
        return variant() != Variant.OFF;
    }

    /** Sets the algorithm for every later convolution of the process (for benchmarks and tests). */
    public static void setVariant(Variant v) {
        if (v == null) {
            throw new IllegalArgumentException("Winograd variant must not be null");
        }
        variant = v;
    }

    /** Turns Winograd on ({@link Variant#AUTO}) or off for every later convolution of the process. */
    public static void setEnabled(boolean on) {
        variant = on ? Variant.AUTO : Variant.OFF;
    }

    /** The property's value: AUTO when absent, empty or true; OFF for false; F2, F4 for f2, f4. */
    static Variant parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "true" -> Variant.AUTO;
            case "false" -> Variant.OFF;
            case "f2" -> Variant.F2;
            case "f4" -> Variant.F4;
            default -> throw new IllegalArgumentException(
                    "-D" + PROPERTY + " must be true, false, f2 or f4, got '" + value + "'");
        };
    }
}
