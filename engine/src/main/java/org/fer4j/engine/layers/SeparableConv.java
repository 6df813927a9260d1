package org.fer4j.engine.layers;

import java.util.List;

/**
 * A depthwise-separable convolution (Chollet 2017, arXiv:1610.02357), built from two layers
 * rather than a layer of its own: a {@link DepthwiseConv2D} (spatial filtering, one kernel per
 * channel, with the stride and padding) followed by a 1x1 {@link Conv2D} (mixing channels into
 * {@code filters}). Keras' {@code SeparableConv2D} computes the same, with its bias on the
 * pointwise convolution only; so here the depthwise half has none.
 *
 * <pre>
 * x  [N, C, H, W] -> DepthwiseConv2D(k, stride, padding, no bias) -> [N, C, OH, OW]
 *                 -> Conv2D(filters, 1x1, bias)                   -> [N, filters, OH, OW]
 * </pre>
 *
 * The cost is {@code C*KH*KW + C*filters} multiply-adds per output position against a full
 * convolution's {@code C*KH*KW*filters}. Two layers keep the model file, the summary and the
 * gradient checks to what already exists: {@code Sequential.builder(...).addAll(SeparableConv.of(64, 3, Padding.SAME))}.
 */
public final class SeparableConv {
    private SeparableConv() {
    }

    /** Stride 1. */
    public static List<Layer> of(int filters, int kernelSize, Padding padding) {
        return of(filters, kernelSize, 1, padding);
    }

    /** The depthwise layer (stride and padding, no bias), then the 1x1 pointwise one (with bias). */
    public static List<Layer> of(int filters, int kernelSize, int stride, Padding padding) {
        return List.of(new DepthwiseConv2D(kernelSize, stride, padding).withoutBias(),
                new Conv2D(filters, 1, 1, Padding.VALID));
    }
}
