package org.fer4j.engine.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;

/**
 * Every layer's backward against finite differences of its forward, over shapes and values that
 * jqwik draws. Each property checks the input gradient and every trainable parameter; a failure
 * names the layer, the tensor, the element and the two values.
 */
class LayerGradientProperties {

    private static void assertPasses(GradientCheck.Report report) {
        assertTrue(report.passed(), report.describe());
    }

    @Property(tries = 75)
    void conv2d(@ForAll @IntRange(min = 1, max = 3) int batch,
                @ForAll @IntRange(min = 1, max = 3) int channels,
                @ForAll @IntRange(min = 1, max = 4) int filters,
                @ForAll @IntRange(min = 3, max = 8) int height,
                @ForAll @IntRange(min = 3, max = 8) int width,
                @ForAll @IntRange(min = 1, max = 3) int kernel,
                @ForAll @IntRange(min = 1, max = 2) int stride,
                @ForAll @IntRange(min = 0, max = 2) int paddingMode,
                @ForAll boolean bias,
                @ForAll long seed) {
        Padding padding = switch (paddingMode) {
            case 0 -> Padding.VALID;
            case 1 -> Padding.SAME;
            default -> Padding.of(1, 1);
        };
        Conv2D conv = GradientCheck.built(new Conv2D(filters, kernel, kernel, stride, stride, padding, bias, Init.AUTO),
                seed, channels, height, width);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, batch, channels, height, width);
        assertPasses(GradientCheck.check(conv, x, Mode.TRAIN, seed));
    }

    @Property(tries = 60)
    void conv2dRectangularKernelsAndStrides(@ForAll @IntRange(min = 1, max = 3) int kh,
                                            @ForAll @IntRange(min = 1, max = 3) int kw,
                                            @ForAll @IntRange(min = 1, max = 3) int sh,
                                            @ForAll @IntRange(min = 1, max = 3) int sw,
                                            @ForAll boolean same,
                                            @ForAll long seed) {
        Conv2D conv = GradientCheck.built(new Conv2D(3, kh, kw, sh, sw, same ? Padding.SAME : Padding.of(1, 2), true,
                Init.GLOROT_UNIFORM), seed, 2, 7, 6);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, 2, 2, 7, 6);
        assertPasses(GradientCheck.check(conv, x, Mode.TRAIN, seed));
    }

    @Property(tries = 75)
    void maxPool(@ForAll @IntRange(min = 1, max = 3) int batch,
                 @ForAll @IntRange(min = 1, max = 3) int channels,
                 @ForAll @IntRange(min = 2, max = 8) int height,
                 @ForAll @IntRange(min = 2, max = 8) int width,
                 @ForAll @IntRange(min = 1, max = 3) int size,
                 @ForAll @IntRange(min = 1, max = 3) int stride,
                 @ForAll long seed) {
        // stride < size gives overlapping windows, stride == size the usual tiling, stride > size gaps.
        Assume.that(size <= height && size <= width);
        MaxPool2D pool = GradientCheck.built(new MaxPool2D(size, stride), seed, channels, height, width);
        Tensor x = GradientCheck.distinctTensor(new SplittableRandom(seed), batch, channels, height, width);
        assertPasses(GradientCheck.check(pool, x, Mode.TRAIN, seed));
    }

    @Property(tries = 60)
    void leakyRelu(@ForAll @IntRange(min = 1, max = 3) int batch,
                   @ForAll @IntRange(min = 1, max = 3) int channels,
                   @ForAll @IntRange(min = 1, max = 5) int size,
                   @ForAll @IntRange(min = 0, max = 9) int tenthsSlope,
                   @ForAll long seed) {
        LeakyReLU leaky = GradientCheck.built(new LeakyReLU(tenthsSlope / 10f), seed, channels, size, size);
        // At least 2*EPS from the kink at 0, so that no perturbation crosses it.
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0.05, batch, channels, size, size);
        assertPasses(GradientCheck.check(leaky, x, Mode.TRAIN, seed));
    }

    @Property(tries = 75)
    void depthwiseConv2d(@ForAll @IntRange(min = 1, max = 3) int batch,
                         @ForAll @IntRange(min = 1, max = 3) int channels,
                         @ForAll @IntRange(min = 3, max = 8) int height,
                         @ForAll @IntRange(min = 3, max = 8) int width,
                         @ForAll @IntRange(min = 1, max = 3) int kh,
                         @ForAll @IntRange(min = 1, max = 3) int kw,
                         @ForAll @IntRange(min = 1, max = 2) int stride,
                         @ForAll @IntRange(min = 0, max = 2) int paddingMode,
                         @ForAll boolean bias,
                         @ForAll long seed) {
        Padding padding = switch (paddingMode) {
            case 0 -> Padding.VALID;
            case 1 -> Padding.SAME;
            default -> Padding.of(1, 2);
        };
        DepthwiseConv2D conv = GradientCheck.built(
                new DepthwiseConv2D(kh, kw, stride, stride, padding, bias, Init.GLOROT_UNIFORM),
                seed, channels, height, width);
        if (bias) {
            randomizeBias(conv, seed);
        }
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, batch, channels, height, width);
        assertPasses(GradientCheck.check(conv, x, Mode.TRAIN, seed));
    }

    @Property(tries = 45)
    void separableConvolution(@ForAll @IntRange(min = 1, max = 3) int batch,
                              @ForAll @IntRange(min = 4, max = 7) int size,
                              @ForAll @IntRange(min = 1, max = 2) int stride,
                              @ForAll long seed) {
        Residual pair = GradientCheck.built(new Residual(SeparableConv.of(3, 3, stride, Padding.SAME),
                List.of(new Conv2D(3, 1, stride, Padding.SAME))), seed, 2, size, size);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, batch, 2, size, size);
        assertPasses(GradientCheck.check(pair, x, Mode.TRAIN, seed));
    }

    @Property(tries = 75)
    void maxPoolSamePadding(@ForAll @IntRange(min = 1, max = 3) int batch,
                            @ForAll @IntRange(min = 1, max = 3) int channels,
                            @ForAll @IntRange(min = 1, max = 9) int height,
                            @ForAll @IntRange(min = 1, max = 9) int width,
                            @ForAll @IntRange(min = 1, max = 3) int size,
                            @ForAll @IntRange(min = 1, max = 3) int stride,
                            @ForAll long seed) {
        // Only the cases with at most one padded row/column (at the bottom/right) are supported.
        int outH = (height + stride - 1) / stride;
        int outW = (width + stride - 1) / stride;
        Assume.that((outH - 1) * stride + size - height <= 1 && (outW - 1) * stride + size - width <= 1);
        MaxPool2D pool = GradientCheck.built(new MaxPool2D(size, stride, Padding.SAME), seed, channels, height, width);
        Tensor x = GradientCheck.distinctTensor(new SplittableRandom(seed), batch, channels, height, width);
        assertPasses(GradientCheck.check(pool, x, Mode.TRAIN, seed));
    }

    @Property(tries = 75)
    void batchNormOnFeatureMaps(@ForAll @IntRange(min = 1, max = 4) int batch,
                                @ForAll @IntRange(min = 1, max = 3) int channels,
                                @ForAll @IntRange(min = 1, max = 4) int height,
                                @ForAll @IntRange(min = 2, max = 4) int width,
                                @ForAll long seed) {
        Assume.that(batch * height * width >= 4);
        BatchNorm bn = GradientCheck.built(new BatchNorm(), seed, channels, height, width);
        randomizeAffine(bn, seed);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, batch, channels, height, width);
        assertPasses(GradientCheck.check(bn, x, Mode.TRAIN, seed));
    }

    @Property(tries = 75)
    void batchNormOnDenseFeatures(@ForAll @IntRange(min = 4, max = 8) int batch,
                                  @ForAll @IntRange(min = 1, max = 6) int features,
                                  @ForAll long seed) {
        BatchNorm bn = GradientCheck.built(new BatchNorm(0.9f, 1e-3f), seed, features);
        randomizeAffine(bn, seed);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, batch, features);
        assertPasses(GradientCheck.check(bn, x, Mode.TRAIN, seed));
    }

    @Property(tries = 30)
    void batchNormInEvaluationMode(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll long seed) {
        BatchNorm bn = GradientCheck.built(new BatchNorm(0.5f, 1e-3f), seed, 2, 3, 3);
        randomizeAffine(bn, seed);
        SplittableRandom random = new SplittableRandom(seed);
        bn.forward(GradientCheck.randomTensor(random, 0, 4, 2, 3, 3), Mode.TRAIN);  // non-trivial running statistics
        Tensor x = GradientCheck.randomTensor(random, 0, batch, 2, 3, 3);
        assertPasses(GradientCheck.check(bn, x, Mode.EVAL, seed));
    }

    @Property(tries = 60)
    void dropoutWithAFixedMask(@ForAll @IntRange(min = 1, max = 4) int batch,
                               @ForAll @IntRange(min = 1, max = 30) int features,
                               @ForAll @IntRange(min = 0, max = 8) int tenthsRate,
                               @ForAll long seed) {
        Dropout dropout = GradientCheck.built(new Dropout(tenthsRate / 10f), seed, features);
        dropout.holdMask(true);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, batch, features);
        assertPasses(GradientCheck.check(dropout, x, Mode.TRAIN, seed));
    }

    @Property(tries = 60)
    void dense(@ForAll @IntRange(min = 1, max = 5) int batch,
               @ForAll @IntRange(min = 1, max = 12) int inputs,
               @ForAll @IntRange(min = 1, max = 8) int units,
               @ForAll boolean bias,
               @ForAll long seed) {
        Dense dense = GradientCheck.built(new Dense(units, bias, Init.AUTO), seed, inputs);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, batch, inputs);
        assertPasses(GradientCheck.check(dense, x, Mode.TRAIN, seed));
    }

    @Property(tries = 60)
    void relu(@ForAll @IntRange(min = 1, max = 3) int batch,
              @ForAll @IntRange(min = 1, max = 3) int channels,
              @ForAll @IntRange(min = 1, max = 5) int size,
              @ForAll long seed) {
        ReLU relu = GradientCheck.built(new ReLU(), seed, channels, size, size);
        // At least 2*EPS from the kink at 0, so that no perturbation crosses it.
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0.05, batch, channels, size, size);
        assertPasses(GradientCheck.check(relu, x, Mode.TRAIN, seed));
    }

    @Property(tries = 30)
    void flatten(@ForAll @IntRange(min = 1, max = 3) int batch,
                 @ForAll @IntRange(min = 1, max = 3) int channels,
                 @ForAll @IntRange(min = 1, max = 4) int size,
                 @ForAll long seed) {
        Flatten flatten = GradientCheck.built(new Flatten(), seed, channels, size, size + 1);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, batch, channels, size, size + 1);
        assertPasses(GradientCheck.check(flatten, x, Mode.TRAIN, seed));
    }

    @Property(tries = 45)
    void globalAveragePooling(@ForAll @IntRange(min = 1, max = 3) int batch,
                              @ForAll @IntRange(min = 1, max = 4) int channels,
                              @ForAll @IntRange(min = 1, max = 5) int height,
                              @ForAll @IntRange(min = 1, max = 5) int width,
                              @ForAll long seed) {
        GlobalAveragePooling gap = GradientCheck.built(new GlobalAveragePooling(), seed, channels, height, width);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, batch, channels, height, width);
        assertPasses(GradientCheck.check(gap, x, Mode.TRAIN, seed));
    }

    @Property(tries = 45)
    void residualWithIdentityShortcut(@ForAll @IntRange(min = 1, max = 3) int batch,
                                      @ForAll @IntRange(min = 1, max = 3) int channels,
                                      @ForAll @IntRange(min = 3, max = 6) int size,
                                      @ForAll long seed) {
        Residual block = GradientCheck.built(new Residual(
                new Conv2D(channels, 3, 1, Padding.SAME), new BatchNorm(),
                new Conv2D(channels, 3, 1, Padding.SAME)), seed, channels, size, size);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, Math.max(batch, 2), channels, size, size);
        assertPasses(GradientCheck.check(block, x, Mode.TRAIN, seed));
    }

    @Property(tries = 45)
    void residualWithProjectionShortcut(@ForAll @IntRange(min = 1, max = 3) int batch,
                                        @ForAll @IntRange(min = 4, max = 7) int size,
                                        @ForAll long seed) {
        Residual block = GradientCheck.built(new Residual(
                List.of(new Conv2D(4, 3, 2, Padding.SAME), new BatchNorm(), new ReLU(), new Conv2D(4, 3, 1, Padding.SAME)),
                List.of(new Conv2D(4, 1, 2, Padding.SAME))), seed, 2, size, size);
        Tensor x = GradientCheck.randomTensor(new SplittableRandom(seed), 0, Math.max(batch, 2), 2, size, size);
        // Batch-norm feeding a ReLU makes this block a small network, checked with the network
        // tolerances: with the layer ones (1e-3 absolute or 1% relative) about one draw in 2,000
        // failed on either backend (8,000 draws; worst 2.05% relative on a gradient of 0.028, so
        // one CI run in 50 went red), with the network ones none did.
        assertPasses(GradientCheck.checkNetwork(block, x, Mode.TRAIN, seed, 2e-3));
    }

    @Property(tries = 75)
    void softmaxCrossEntropy(@ForAll @IntRange(min = 1, max = 6) int batch,
                             @ForAll @IntRange(min = 2, max = 7) int classes,
                             @ForAll boolean smoothing,
                             @ForAll boolean weighted,
                             @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] weights = null;
        if (weighted) {
            weights = new float[classes];
            for (int k = 0; k < classes; k++) {
                weights[k] = (float) (0.2 + 2 * random.nextDouble());
            }
        }
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(smoothing ? 0.1f : 0f, weights);
        Tensor logits = GradientCheck.randomTensor(random, 0, batch, classes);
        for (int i = 0; i < logits.size(); i++) {
            logits.data()[i] *= 3;
        }
        int[] labels = random.ints(batch, 0, classes).toArray();
        assertPasses(GradientCheck.check("SoftmaxCrossEntropy", lossFunction(loss, logits, labels), logits, List.of(), seed));
    }

    @Property(tries = 24)
    void wholeSequentialNetwork(@ForAll @IntRange(min = 2, max = 4) int batch, @ForAll long seed) {
        Sequential model = Sequential.builder("tiny", 1, 8, 8)
                .add(new Conv2D(3, 3, 1, Padding.SAME)).add(new BatchNorm()).add(new ReLU())
                .add(new MaxPool2D(2))
                .add(new Residual(new Conv2D(3, 3, 1, Padding.SAME), new ReLU(), new Conv2D(3, 3, 1, Padding.SAME)))
                .add(new Conv2D(4, 3, 2, Padding.VALID)).add(new ReLU())
                .add(new Flatten()).add(new Dropout(0.3f)).add(new Dense(5)).add(new ReLU())
                .add(new Dense(3))
                .build(seed);
        for (Layer l : model.layers()) {
            if (l instanceof Dropout d) {
                d.holdMask(true);
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        Tensor x = GradientCheck.randomTensor(random, 0, batch, 1, 8, 8);
        int[] labels = random.ints(batch, 0, 3).toArray();
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(0.05f, null);
        GradientCheck.Function f = new GradientCheck.Function() {
            @Override
            public Tensor forward() {
                return new Tensor(new float[] {(float) loss.forward(model.forward(x, Mode.TRAIN), labels)}, 1);
            }

            @Override
            public Tensor backward(Tensor dout) {
                Tensor dlogits = loss.backward().copy();
                for (int i = 0; i < dlogits.size(); i++) {
                    dlogits.data()[i] *= dout.data()[0];
                }
                return model.backward(dlogits);
            }
        };
        List<Param> params = model.params();
        GradientCheck.Report report = GradientCheck.checkAnywhere("Sequential 'tiny'", f, x, params, seed, 2e-3,
                GradientCheck.NETWORK_SMOOTH, GradientCheck.NETWORK_MATCH);
        assertPasses(report);
        // A whole network can draw a hidden unit that sits at a ReLU kink for some image: every
        // weight upstream of it then moves the unit across the kink and is skipped (seen in CI:
        // 110 checked, 139 skipped). Such a draw says nothing either way; jqwik draws another.
        Assume.that(report.mostlySmooth());
    }

    /** The loss as a function of the logits, returning a one-element tensor. */
    static GradientCheck.Function lossFunction(SoftmaxCrossEntropy loss, Tensor logits, int[] labels) {
        return new GradientCheck.Function() {
            @Override
            public Tensor forward() {
                return new Tensor(new float[] {(float) loss.forward(logits, labels)}, 1);
            }

            @Override
            public Tensor backward(Tensor dout) {
                Tensor d = loss.backward().copy();
                for (int i = 0; i < d.size(); i++) {
                    d.data()[i] *= dout.data()[0];
                }
                return d;
            }
        };
    }

    /** A bias away from its initial 0, so that a forward ignoring it would show. */
    static void randomizeBias(DepthwiseConv2D conv, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0xB1A5L);
        float[] b = conv.params().get(1).value().data();
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (random.nextDouble() - 0.5);
        }
    }

    /** Gamma and beta away from their initial 1 and 0, so that a gradient ignoring them shows. */
    static void randomizeAffine(BatchNorm bn, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (Param p : bn.params()) {
            if (p.trainable()) {
                float[] d = p.value().data();
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (0.5 + random.nextDouble());
                }
            }
        }
    }
}
