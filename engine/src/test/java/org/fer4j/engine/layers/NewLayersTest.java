package org.fer4j.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** Shapes, configuration and initialisation of LeakyReLU, DepthwiseConv2D, SeparableConv and MaxPool2D 'same'. */
class NewLayersTest {

    @Test
    void leakyReluSlopeOutsideZeroToOneIsRefusedNamingIt() {
        for (float slope : new float[] {-0.1f, 1f, 1.5f, Float.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new LeakyReLU(slope));
            assertTrue(e.getMessage().contains("LeakyReLU slope must be in [0, 1), got " + slope), e.getMessage());
        }
        assertEquals(0.1f, new LeakyReLU().slope());
    }

    @Test
    void leakyReluForwardIsTheDefinition() {
        LeakyReLU leaky = GradientCheck.built(new LeakyReLU(0.25f), 1, 4);
        Tensor y = leaky.forward(new Tensor(new float[] {-2f, 0f, 3f, -0.5f}, 1, 4), Mode.TRAIN);
        assertArrayEquals(new float[] {-0.5f, 0f, 3f, -0.125f}, y.data());
    }

    @Test
    void maxPoolSameGivesTheYoloShapes() {
        assertArrayEquals(new int[] {16, 104, 104},
                GradientCheck.built(new MaxPool2D(2, 2, Padding.SAME), 1, 16, 207, 207).outputShape());
        assertArrayEquals(new int[] {8, 13, 13},
                GradientCheck.built(new MaxPool2D(2, 1, Padding.SAME), 1, 8, 13, 13).outputShape());
        assertArrayEquals(new int[] {8, 6, 6},  // even sizes: the same as valid
                GradientCheck.built(new MaxPool2D(2, 2, Padding.SAME), 1, 8, 12, 12).outputShape());
    }

    @Test
    void maxPoolSameIgnoresTheOverhangRatherThanPaddingWithZero() {
        MaxPool2D pool = GradientCheck.built(new MaxPool2D(2, 2, Padding.SAME), 1, 1, 3, 3);
        float[] x = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
        Tensor y = pool.forward(new Tensor(x, 1, 1, 3, 3), Mode.TRAIN);
        assertArrayEquals(new float[] {-1, -3, -7, -9}, y.data());
    }

    @Test
    void maxPoolSameNeedingTopPaddingAndExplicitPaddingAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.built(new MaxPool2D(3, 1, Padding.SAME), 1, 1, 5, 5));
        assertTrue(e.getMessage().contains("would pad 2 rows"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> new MaxPool2D(2, 2, Padding.of(1, 1)));
        assertTrue(f.getMessage().contains("MaxPool2D padding must be 'valid' or 'same'"), f.getMessage());
    }

    @Test
    void configsRoundTripAndValidPoolingWritesNoPaddingKey() {
        for (Layer layer : List.of(new LeakyReLU(0.3f), new DepthwiseConv2D(3, 2, 1, 2, Padding.of(1, 0), false,
                Init.HE_NORMAL), new DepthwiseConv2D(5, 1, Padding.SAME), new MaxPool2D(2, 1, Padding.SAME),
                new MaxPool2D(3, 2))) {
            Layer back = Layers.fromConfig(Layers.describe(layer));
            assertEquals(layer.type(), back.type());
            assertEquals(configText(layer), configText(back));
        }
        assertTrue(!new MaxPool2D(2).config().containsKey("padding"));
        assertEquals(0.1f, ((LeakyReLU) Layers.fromConfig(Map.of("type", "LeakyReLU"))).slope());
    }

    private static String configText(Layer layer) {
        StringBuilder sb = new StringBuilder();
        layer.config().forEach((k, v) -> sb.append(k).append('=')
                .append(v instanceof int[] a ? java.util.Arrays.toString(a) : String.valueOf(v)).append(';'));
        return sb.toString();
    }

    @Test
    void depthwiseShapesParametersAndMacs() {
        DepthwiseConv2D same = GradientCheck.built(new DepthwiseConv2D(3, 2, Padding.SAME), 1, 8, 13, 13);
        assertArrayEquals(new int[] {8, 7, 7}, same.outputShape());
        assertEquals(8 * 9 + 8, same.parameterCount());
        assertArrayEquals(new int[] {8, 1, 3, 3}, same.params().get(0).value().shape());
        assertEquals(8L * 7 * 7 * 9, same.forwardMacsPerImage());
        DepthwiseConv2D valid = GradientCheck.built(new DepthwiseConv2D(3).withoutBias(), 1, 2, 5, 6);
        assertArrayEquals(new int[] {2, 3, 4}, valid.outputShape());
        assertEquals(2 * 9, valid.parameterCount());
    }

    @Test
    void separableIsDepthwiseWithoutBiasThenOneByOne() {
        Sequential model = Sequential.builder("sep", 3, 9, 9).addAll(SeparableConv.of(5, 3, 2, Padding.SAME)).build(1);
        assertEquals(2, model.layers().size());
        assertEquals("DepthwiseConv2D", model.layers().get(0).type());
        assertEquals("Conv2D", model.layers().get(1).type());
        assertArrayEquals(new int[] {5, 5, 5}, model.layers().get(1).outputShape());
        assertEquals(3 * 9 + (3 * 5 + 5), model.parameterCount());
    }

    @Test
    void aConvolutionFeedingALeakyReluGetsHeInitialisation() {
        // Glorot uniform never leaves +-sqrt(6 / (fanIn + fanOut)); He normal with a larger std does.
        double glorotLimit = Math.sqrt(6.0 / (4 * 9 + 16 * 9));
        assertTrue(maxAbsKernel(new LeakyReLU()) > glorotLimit, "He expected before LeakyReLU");
        assertTrue(maxAbsKernel(new Flatten()) <= glorotLimit, "Glorot expected before Flatten");
    }

    private static double maxAbsKernel(Layer next) {
        Sequential model = Sequential.builder("init", 4, 6, 6).add(new Conv2D(16, 3)).add(next).build(3);
        double max = 0;
        for (float w : model.layers().get(0).params().get(0).value().data()) {
            max = Math.max(max, Math.abs(w));
        }
        return max;
    }

    @Test
    void depthwiseForwardIsTheDefinitionOnASmallCase() {
        // One 3x3 channel, 2x2 kernel, valid: y[oy, ox] = sum w[ki, kj] * x[oy + ki, ox + kj] + b.
        DepthwiseConv2D conv = GradientCheck.built(new DepthwiseConv2D(2), 1, 1, 3, 3);
        float[] w = conv.params().get(0).value().data();
        System.arraycopy(new float[] {1, 2, 3, 4}, 0, w, 0, 4);
        conv.params().get(1).value().data()[0] = 0.5f;
        Tensor y = conv.forward(new Tensor(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3), Mode.TRAIN);
        assertArrayEquals(new float[] {37.5f, 47.5f, 67.5f, 77.5f}, y.data());
    }
}
