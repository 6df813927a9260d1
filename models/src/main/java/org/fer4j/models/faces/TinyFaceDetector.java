package org.fer4j.models.faces;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.DepthwiseConv2D;
import org.fer4j.engine.layers.Init;
import org.fer4j.engine.layers.LeakyReLU;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;

/**
 * The TinyFaceDetector network: a YOLOv2-style single-shot detector (Redmon and Farhadi, "YOLO9000",
 * 2017) on MobileNet's depthwise-separable convolutions (Howard et al., 2017), as the face-api
 * JavaScript library defines it. For an input of {@code 3 x S x S} ({@code S} a multiple of 32;
 * 416 gives a 13 x 13 grid):
 *
 * <pre>
 * conv0   Conv2D 3x3, 16, valid, + bias, LeakyReLU 0.1        S - 2
 *         MaxPool 2x2 stride 2, same                          ceil((S - 2) / 2)
 * conv1   DepthwiseConv2D 3x3 pad 1 (no bias), Conv2D 1x1 32 + bias, LeakyReLU 0.1;  MaxPool 2/2 same
 * conv2   ... 64;  MaxPool 2/2 same
 * conv3   ... 128; MaxPool 2/2 same
 * conv4   ... 256; MaxPool 2/2 same                           S / 32
 * conv5   ... 512; MaxPool 2x2 stride 1, same                 S / 32 (the grid)
 * conv8   Conv2D 1x1, 25 = 5 anchors x (tx, ty, tw, th, score), + bias
 * </pre>
 *
 * The input is RGB with the mean {@link #MEAN_RGB} subtracted and divided by 255. Output channel
 * {@code a * 5 + k} at grid cell {@code (row, col)} is value {@code k} of anchor {@code a}.
 */
public final class TinyFaceDetector {
    /** Name of the architecture and of the bundled weights. */
    public static final String NAME = "tiny-face-detector";

    /** Mean of the training images per channel, subtracted before the division by 255. */
    public static final float[] MEAN_RGB = {117.001f, 114.697f, 97.404f};

    /** Anchor box sizes {@code (width, height)} in grid cells. */
    public static final float[][] ANCHORS = {
        {1.603231f, 2.094468f}, {6.041143f, 7.080126f}, {2.882459f, 3.518061f},
        {4.266906f, 5.178857f}, {9.041765f, 10.66308f},
    };

    /** Values per anchor: box offsets tx, ty, tw, th and the objectness score. */
    public static final int BOX_ENCODING = 5;

    private static final int[] SEPARABLE_FILTERS = {32, 64, 128, 256, 512};

    private TinyFaceDetector() {
    }

    /** The network for {@code 3 x inputSize x inputSize} input; {@code inputSize} a multiple of 32. */
    public static Sequential build(int inputSize, long seed) {
        if (inputSize < 32 || inputSize % 32 != 0) {
            throw new IllegalArgumentException("detector input size must be a multiple of 32 (>= 32), got " + inputSize);
        }
        Sequential.Builder b = Sequential.builder(NAME, 3, inputSize, inputSize)
                .add(new Conv2D(16, 3, 1, Padding.VALID)).add(new LeakyReLU(0.1f))
                .add(new MaxPool2D(2, 2, Padding.SAME));
        for (int i = 0; i < SEPARABLE_FILTERS.length; i++) {
            b.add(new DepthwiseConv2D(3, 3, 1, 1, Padding.of(1, 1), false, Init.AUTO))
                    .add(new Conv2D(SEPARABLE_FILTERS[i], 1, 1, 1, 1, Padding.VALID, true, Init.AUTO))
                    .add(new LeakyReLU(0.1f))
                    .add(new MaxPool2D(2, i < SEPARABLE_FILTERS.length - 1 ? 2 : 1, Padding.SAME));
        }
        b.add(new Conv2D(ANCHORS.length * BOX_ENCODING, 1));
        return b.build(seed);
    }

    /**
     * fer4j weight name -> TensorFlow.js tensor name of face-api's {@code tiny_face_detector_model}:
     * {@code conv0/filters}, {@code convI/depthwise_filter}, {@code convI/pointwise_filter},
     * {@code convI/bias} (I = 1..5), {@code conv8/filters}, {@code conv8/bias}.
     */
    public static Map<String, String> tfjsMapping(Sequential model) {
        Map<String, String> m = new LinkedHashMap<>();
        List<String> convs = model.layers().stream().filter(l -> l instanceof Conv2D).map(l -> l.name()).toList();
        List<String> depthwise = model.layers().stream().filter(l -> l instanceof DepthwiseConv2D).map(l -> l.name()).toList();
        m.put(convs.get(0) + "/kernel", "conv0/filters");
        m.put(convs.get(0) + "/bias", "conv0/bias");
        for (int i = 0; i < depthwise.size(); i++) {
            m.put(depthwise.get(i) + "/kernel", "conv" + (i + 1) + "/depthwise_filter");
            m.put(convs.get(i + 1) + "/kernel", "conv" + (i + 1) + "/pointwise_filter");
            m.put(convs.get(i + 1) + "/bias", "conv" + (i + 1) + "/bias");
        }
        String head = convs.get(convs.size() - 1);
        m.put(head + "/kernel", "conv8/filters");
        m.put(head + "/bias", "conv8/bias");
        return m;
    }
}
