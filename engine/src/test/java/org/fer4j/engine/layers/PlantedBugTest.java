package org.fer4j.engine.layers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Tensor;
import org.fer4j.kernels.ConvGeometry;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;
import org.fer4j.kernels.ScalarKernels;
import org.junit.jupiter.api.Test;

/**
 * The gradient checks can fail: each test plants one typical backward bug (a dropped term, a
 * shifted index, a missing mask or scale) in the kernels a layer uses, and the same check that
 * passes on the correct kernels must report the broken layer and tensor.
 */
class PlantedBugTest {
    private static final long SEED = 20261121L;

    /** A hook run instead of one kernel method; {@code real} runs the correct one. */
    interface Bug {
        Object apply(Kernels real, Object[] args) throws Exception;
    }

    /**
     * Scalar kernels with {@code method} replaced by {@code bug}. A default method of
     * {@link Kernels} that the scalar backend does not override (convBackwardData, made of sgemm
     * and col2im) runs on the proxy, so that the bug planted in a method it calls is reached.
     */
    static Kernels plant(String method, Bug bug) {
        Kernels real = new ScalarKernels();
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                (proxy, m, args) -> {
                    try {
                        if (m.getName().equals(method)) {
                            return bug.apply(real, args);
                        }
                        boolean inherited = m.isDefault() && real.getClass().getMethod(m.getName(),
                                m.getParameterTypes()).getDeclaringClass() == Kernels.class;
                        return inherited ? InvocationHandler.invokeDefault(proxy, m, args) : m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The check passes with correct kernels and fails, naming {@code tensor}, with the broken ones. */
    private static void assertCaught(Kernels broken, Supplier<GradientCheck.Report> check, String tensor) {
        GradientCheck.Report good = check.get();
        assertTrue(good.passed(), "control run: " + good.describe());
        GradientCheck.Report bad = KernelsProvider.using(broken, check);
        assertFalse(bad.passed(), "the planted bug went unnoticed: " + bad.describe());
        assertTrue(bad.worst().tensor().contains(tensor), bad.describe());
    }

    @Test
    void conv2dWithAShiftedIndexInCol2im() {
        // col2im folds every column entry back one pixel to the left of where it came from.
        Kernels broken = plant("col2im", (real, a) -> {
            ConvGeometry g = (ConvGeometry) a[4];
            a[4] = new ConvGeometry(g.channels(), g.height(), g.width(), g.filters(), g.kh(), g.kw(), g.strideH(),
                    g.strideW(), g.padTop(), g.padLeft() + 1, g.outH(), g.outW());
            return invoke(real, "col2im", a);
        });
        assertCaught(broken, () -> {
            Conv2D conv = GradientCheck.built(new Conv2D(3, 3, 1, Padding.SAME), SEED, 2, 6, 6);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 2, 2, 6, 6);
            return GradientCheck.check(conv, x, Mode.TRAIN, SEED);
        }, "input");
    }

    @Test
    void denseWithoutItsBiasGradient() {
        Kernels broken = plant("biasBackward", (real, a) -> null);
        assertCaught(broken, () -> {
            Dense dense = GradientCheck.built(new Dense(4), SEED, 6);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 3, 6);
            return GradientCheck.check(dense, x, Mode.TRAIN, SEED);
        }, "bias");
    }

    @Test
    void batchNormWithoutTheMeanTerm() {
        // dx = gamma*invStd*(dy - mean dy - xhat*mean(dy*xhat)) loses its "- mean dy": add it back.
        Kernels broken = plant("batchNormBackward", (real, a) -> {
            invoke(real, "batchNormBackward", a);
            float[] dx = (float[]) a[0];
            float[] dy = (float[]) a[3];
            float[] invStd = (float[]) a[5];
            float[] gamma = (float[]) a[6];
            int n = (int) a[7];
            int c = (int) a[8];
            int spatial = (int) a[9];
            for (int ci = 0; ci < c; ci++) {
                double sum = 0;
                for (int ni = 0; ni < n; ni++) {
                    for (int s = 0; s < spatial; s++) {
                        sum += dy[(ni * c + ci) * spatial + s];
                    }
                }
                float add = (float) (gamma[ci] * invStd[ci] * sum / (n * spatial));
                for (int ni = 0; ni < n; ni++) {
                    for (int s = 0; s < spatial; s++) {
                        dx[(ni * c + ci) * spatial + s] += add;
                    }
                }
            }
            return null;
        });
        assertCaught(broken, () -> {
            BatchNorm bn = GradientCheck.built(new BatchNorm(), SEED, 2, 3, 3);
            LayerGradientProperties.randomizeAffine(bn, SEED);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 3, 2, 3, 3);
            return GradientCheck.check(bn, x, Mode.TRAIN, SEED);
        }, "input");
    }

    @Test
    void maxPoolRoutingToTheNeighbourOfTheWinner() {
        Kernels broken = plant("maxPoolBackward", (real, a) -> {
            int[] argmax = ((int[]) a[2]).clone();
            int inCount = (int) a[3];
            for (int i = 0; i < argmax.length; i++) {
                argmax[i] = Math.min(argmax[i] + 1, inCount - 1);
            }
            a[2] = argmax;
            return invoke(real, "maxPoolBackward", a);
        });
        assertCaught(broken, () -> {
            MaxPool2D pool = GradientCheck.built(new MaxPool2D(2), SEED, 2, 6, 6);
            Tensor x = GradientCheck.distinctTensor(new SplittableRandom(SEED), 2, 2, 6, 6);
            return GradientCheck.check(pool, x, Mode.TRAIN, SEED);
        }, "input");
    }

    @Test
    void reluThatForgetsItsMask() {
        Kernels broken = plant("reluBackward", (real, a) -> {
            System.arraycopy((float[]) a[1], 0, (float[]) a[0], 0, (int) a[3]);
            return null;
        });
        assertCaught(broken, () -> {
            ReLU relu = GradientCheck.built(new ReLU(), SEED, 12);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0.05, 3, 12);
            return GradientCheck.check(relu, x, Mode.TRAIN, SEED);
        }, "input");
    }

    @Test
    void leakyReluThatForgetsItsSlope() {
        // The negative side gets no gradient at all, as if it were a plain ReLU.
        Kernels broken = plant("leakyReluBackward", (real, a) -> {
            a[3] = 0f;  // slope
            return invoke(real, "leakyReluBackward", a);
        });
        assertCaught(broken, () -> {
            LeakyReLU leaky = GradientCheck.built(new LeakyReLU(0.2f), SEED, 12);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0.05, 3, 12);
            return GradientCheck.check(leaky, x, Mode.TRAIN, SEED);
        }, "input");
    }

    @Test
    void depthwiseConvWithAnUnflippedKernelInDx() {
        // dx must correlate dy with the kernel turned by 180 degrees (a transposed convolution);
        // the classic bug uses it as it is. dweight and dbias stay right.
        Kernels broken = plant("depthwiseConvBackward", (real, a) -> {
            invoke(real, "depthwiseConvBackward", a);
            float[] weight = (float[]) a[5];
            int kh = (int) a[10];
            int kw = (int) a[11];
            float[] flipped = weight.clone();
            for (int c = 0; c < weight.length / (kh * kw); c++) {
                for (int t = 0; t < kh * kw; t++) {
                    flipped[c * kh * kw + t] = weight[c * kh * kw + kh * kw - 1 - t];
                }
            }
            Object[] b = a.clone();
            b[1] = ((float[]) a[1]).clone();  // scratch: the real dweight keeps its right value
            b[2] = null;
            b[5] = flipped;
            return invoke(real, "depthwiseConvBackward", b);
        });
        assertCaught(broken, () -> {
            DepthwiseConv2D conv = GradientCheck.built(new DepthwiseConv2D(3, 1, Padding.SAME), SEED, 2, 6, 6);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 2, 2, 6, 6);
            return GradientCheck.check(conv, x, Mode.TRAIN, SEED);
        }, "input");
    }

    @Test
    void depthwiseConvWithItsWeightGradientOneRowOff() {
        // dweight pairs dy with the input row below the one forward read; dx and dbias stay right.
        Kernels broken = plant("depthwiseConvBackward", (real, a) -> {
            float[] dweight = (float[]) a[1];
            float[] before = dweight.clone();
            invoke(real, "depthwiseConvBackward", a);
            System.arraycopy(before, 0, dweight, 0, before.length);
            Object[] b = a.clone();
            b[0] = ((float[]) a[0]).clone();  // scratch dx
            b[2] = null;
            b[14] = (int) a[14] - 1;  // padTop
            return invoke(real, "depthwiseConvBackward", b);
        });
        assertCaught(broken, () -> {
            DepthwiseConv2D conv = GradientCheck.built(new DepthwiseConv2D(3, 2, Padding.SAME), SEED, 2, 7, 7);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 2, 2, 7, 7);
            return GradientCheck.check(conv, x, Mode.TRAIN, SEED);
        }, "kernel");
    }

    @Test
    void depthwiseConvWithoutItsBiasGradient() {
        Kernels broken = plant("depthwiseConvBackward", (real, a) -> {
            a[2] = null;  // dbias
            return invoke(real, "depthwiseConvBackward", a);
        });
        assertCaught(broken, () -> {
            DepthwiseConv2D conv = GradientCheck.built(new DepthwiseConv2D(3, 1, Padding.VALID), SEED, 3, 5, 5);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 2, 3, 5, 5);
            return GradientCheck.check(conv, x, Mode.TRAIN, SEED);
        }, "bias");
    }

    @Test
    void maxPoolSameThatDropsTheCutWindows() {
        // 7x7 pooled 2x2 at stride 2 'same' gives 4x4; the bug routes nothing back from the last
        // row and column of windows, the ones cut by the edge.
        Kernels broken = plant("maxPoolBackward", (real, a) -> {
            float[] dout = ((float[]) a[1]).clone();
            for (int o = 0; o < dout.length; o++) {
                if (o % 4 == 3 || (o / 4) % 4 == 3) {
                    dout[o] = 0f;
                }
            }
            a[1] = dout;
            return invoke(real, "maxPoolBackward", a);
        });
        assertCaught(broken, () -> {
            MaxPool2D pool = GradientCheck.built(new MaxPool2D(2, 2, Padding.SAME), SEED, 2, 7, 7);
            Tensor x = GradientCheck.distinctTensor(new SplittableRandom(SEED), 2, 2, 7, 7);
            return GradientCheck.check(pool, x, Mode.TRAIN, SEED);
        }, "input");
    }

    @Test
    void globalAveragePoolingWithoutTheOneOverHw() {
        Kernels broken = plant("avgPoolGlobalBackward", (real, a) -> {
            invoke(real, "avgPoolGlobalBackward", a);
            float[] din = (float[]) a[0];
            int spatial = (int) a[3];
            for (int i = 0; i < din.length; i++) {
                din[i] *= spatial;
            }
            return null;
        });
        assertCaught(broken, () -> {
            GlobalAveragePooling gap = GradientCheck.built(new GlobalAveragePooling(), SEED, 3, 4, 4);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 2, 3, 4, 4);
            return GradientCheck.check(gap, x, Mode.TRAIN, SEED);
        }, "input");
    }

    @Test
    void softmaxCrossEntropyBackwardIgnoringLabelSmoothing() {
        Kernels broken = plant("softmaxCrossEntropyBackward", (real, a) -> {
            a[5] = 0f;  // smoothing
            return invoke(real, "softmaxCrossEntropyBackward", a);
        });
        assertCaught(broken, () -> {
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(0.2f, null);
            SplittableRandom random = new SplittableRandom(SEED);
            Tensor logits = GradientCheck.randomTensor(random, 0, 4, 5);
            int[] labels = random.ints(4, 0, 5).toArray();
            return GradientCheck.check("SoftmaxCrossEntropy", LayerGradientProperties.lossFunction(loss, logits, labels),
                    logits, List.of(), SEED);
        }, "input");
    }

    @Test
    void residualThatDropsTheShortcutGradient() {
        // The block adds its two paths with add() in forward and adds their gradients with add()
        // in backward. GradientCheck runs forward twice before its one backward, so the third
        // call is the backward one: it keeps only the main path's gradient.
        assertCaught(dropsTheThirdAdd(), () -> {
            Residual block = GradientCheck.built(new Residual(new Conv2D(2, 3, 1, Padding.SAME)), SEED, 2, 5, 5);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 2, 2, 5, 5);
            return GradientCheck.check(block, x, Mode.TRAIN, SEED);
        }, "input");
    }

    @Test
    void projectionResidualThatDropsTheShortcutGradientUnderNetworkTolerances() {
        // The looser tolerances of a block with batch-norm before a ReLU
        // (LayerGradientProperties.residualWithProjectionShortcut) still see a lost path.
        assertCaught(dropsTheThirdAdd(), () -> {
            Residual block = GradientCheck.built(new Residual(
                    List.of(new Conv2D(4, 3, 2, Padding.SAME), new BatchNorm(), new ReLU(), new Conv2D(4, 3, 1, Padding.SAME)),
                    List.of(new Conv2D(4, 1, 2, Padding.SAME))), SEED, 2, 6, 6);
            Tensor x = GradientCheck.randomTensor(new SplittableRandom(SEED), 0, 2, 2, 6, 6);
            return GradientCheck.checkNetwork(block, x, Mode.TRAIN, SEED, 2e-3);
        }, "input");
    }

    /**
     * Scalar kernels whose third {@code add} keeps only its second operand: GradientCheck runs
     * forward twice before its one backward, so in a residual block that is the backward's sum of
     * the two paths' gradients, and the shortcut's is lost.
     */
    private static Kernels dropsTheThirdAdd() {
        int[] calls = {0};
        return plant("add", (real, a) -> {
            if (calls[0]++ == 2) {
                System.arraycopy((float[]) a[1], 0, (float[]) a[0], 0, (int) a[3]);
                return null;
            }
            return invoke(real, "add", a);
        });
    }

    private static Object invoke(Kernels real, String method, Object[] args) throws Exception {
        for (var m : Kernels.class.getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw (Exception) e.getCause();
                }
            }
        }
        throw new IllegalArgumentException("no kernel " + method);
    }
}
