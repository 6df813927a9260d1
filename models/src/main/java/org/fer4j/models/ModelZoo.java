package org.fer4j.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Dropout;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.GlobalAveragePooling;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;
import org.fer4j.engine.layers.Residual;

/**
 * Named architectures. Each takes the number of classes (7 for FER2013, fewer for a subset) and a
 * seed for its initial weights.
 */
public final class ModelZoo {

    /** One named architecture: what it is for, and how to build it. */
    public record Entry(String name, String description, int defaultClasses, Builder builder) {
        public Sequential build(int classes, long seed) {
            if (classes < 2) {
                throw new IllegalArgumentException("model " + name + " needs at least 2 classes, got " + classes);
            }
            return builder.build(classes, seed);
        }
    }

    @FunctionalInterface
    public interface Builder {
        Sequential build(int classes, long seed);
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add(new Entry("fer-ref", "the reference CNN of the common Keras FER2013 example (48x48 grey input), "
                + "used to compare fer4j with other frameworks", 7, ModelZoo::ferRef));
        add(new Entry("fer-vgg", "a VGG-style net with batch-norm (four stages of 3x3 conv + BN + ReLU, max-pool, "
                + "dropout), sized to train on a 2-core machine", 7, ModelZoo::ferVgg));
        add(new Entry("fer-vgg-wide", "fer-vgg at 1.5 times the width (48, 96, 192, 384 filters; Dense 384): 2.25 times "
                + "the multiply-adds, for the long accuracy runs", 7, ModelZoo::ferVggWide));
        add(new Entry("fer-resnet", "a small residual net: a conv stem, three stages of two residual blocks, "
                + "global average pooling", 7, ModelZoo::ferResnet));
        add(new Entry("bars-cnn", "a small CNN for the generated 16x16 bar-orientation task of `fer4j demo`",
                4, ModelZoo::barsCnn));
    }

    private ModelZoo() {
    }

    private static void add(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    public static List<String> names() {
        return List.copyOf(ENTRIES.keySet());
    }

    public static boolean contains(String name) {
        return ENTRIES.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public static Entry entry(String name) {
        Entry e = ENTRIES.get(name.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + String.join(", ", names()));
        }
        return e;
    }

    /** {@code name} with its default number of classes. */
    public static Sequential build(String name, long seed) {
        Entry e = entry(name);
        return e.build(e.defaultClasses(), seed);
    }

    /**
     * fer-ref: input 1x48x48; Conv3x3(32) valid + ReLU; Conv3x3(64) + ReLU; MaxPool 2;
     * Dropout 0.25; Conv3x3(128) + ReLU; MaxPool 2; Conv3x3(128) + ReLU; MaxPool 2; Dropout 0.25;
     * Flatten; Dense(1024) + ReLU; Dropout 0.5; Dense(classes). 2,345,607 parameters with 7
     * classes; 154.65 MFLOP forward per image.
     */
    public static Sequential ferRef(int classes, long seed) {
        return Sequential.builder("fer-ref", 1, 48, 48)
                .add(new Conv2D(32, 3)).add(new ReLU())
                .add(new Conv2D(64, 3)).add(new ReLU())
                .add(new MaxPool2D(2)).add(new Dropout(0.25f))
                .add(new Conv2D(128, 3)).add(new ReLU())
                .add(new MaxPool2D(2))
                .add(new Conv2D(128, 3)).add(new ReLU())
                .add(new MaxPool2D(2)).add(new Dropout(0.25f))
                .add(new Flatten())
                .add(new Dense(1024)).add(new ReLU()).add(new Dropout(0.5f))
                .add(new Dense(classes))
                .build(seed);
    }

    /**
     * fer-vgg: VGG's pattern (Simonyan and Zisserman 2014) with batch-norm after every conv, on
     * 1x48x48. Stages of 32, 64, 128 and 256 filters halve the resolution 48 -> 24 -> 12 -> 6 -> 3;
     * the first and last stages have one conv each (a second at 48x48 would cost a fifth of the
     * network's multiply-adds, a second at 6x6 a quarter of its training time, measured), the
     * middle stages two. Head: Dense(256) +
     * BN + ReLU + Dropout 0.5. Convs feeding batch-norm have no bias (BN's shift replaces it).
     */
    public static Sequential ferVgg(int classes, long seed) {
        return vgg("fer-vgg", new int[][] {{32}, {64, 64}, {128, 128}, {256}}, 256, classes, seed);
    }

    /**
     * fer-vgg-wide: fer-vgg's layout with every width 1.5 times larger (stages of 48, 96+96,
     * 192+192 and 384 filters, Dense(384)). fer-vgg trains to about the same accuracy on its
     * training and validation images (it under-fits FER2013); this is the capacity step for the
     * long runs of docs/models.md, at 2.25 times the multiply-adds.
     */
    public static Sequential ferVggWide(int classes, long seed) {
        return vgg("fer-vgg-wide", new int[][] {{48}, {96, 96}, {192, 192}, {384}}, 384, classes, seed);
    }

    private static Sequential vgg(String name, int[][] stages, int hidden, int classes, long seed) {
        Sequential.Builder b = Sequential.builder(name, 1, 48, 48);
        float[] dropout = {0.1f, 0.2f, 0.3f, 0.3f};
        for (int s = 0; s < stages.length; s++) {
            for (int filters : stages[s]) {
                b.add(new Conv2D(filters, 3, 1, Padding.SAME).withoutBias()).add(new BatchNorm()).add(new ReLU());
            }
            b.add(new MaxPool2D(2)).add(new Dropout(dropout[s]));
        }
        return b.add(new Flatten())
                .add(new Dense(hidden, false, org.fer4j.engine.layers.Init.AUTO)).add(new BatchNorm()).add(new ReLU())
                .add(new Dropout(0.5f))
                .add(new Dense(classes))
                .build(seed);
    }

    /**
     * fer-resnet: a ResNet-style net (He et al. 2015, arXiv:1512.03385) on 1x48x48: a 3x3 stem of
     * 32 filters, then stages of 32, 64 and 128 filters with two basic blocks each (3x3 conv + BN
     * + ReLU + 3x3 conv + BN, added to the input; a strided 1x1 projection where the shape
     * changes), ReLU after each sum, global average pooling and Dense(classes). Resolution
     * 48 -> 24 (stem pool) -> 24 -> 12 -> 6.
     */
    public static Sequential ferResnet(int classes, long seed) {
        Sequential.Builder b = Sequential.builder("fer-resnet", 1, 48, 48)
                .add(new Conv2D(32, 3, 1, Padding.SAME).withoutBias()).add(new BatchNorm()).add(new ReLU())
                .add(new MaxPool2D(2));
        int channels = 32;
        for (int width : new int[] {32, 64, 128}) {
            for (int block = 0; block < 2; block++) {
                int stride = block == 0 && width != channels ? 2 : 1;
                List<org.fer4j.engine.layers.Layer> main = List.of(
                        new Conv2D(width, 3, stride, Padding.SAME).withoutBias(), new BatchNorm(), new ReLU(),
                        new Conv2D(width, 3, 1, Padding.SAME).withoutBias(), new BatchNorm());
                List<org.fer4j.engine.layers.Layer> shortcut = stride == 1 && width == channels ? List.of()
                        : List.of(new Conv2D(width, 1, stride, Padding.SAME).withoutBias(), new BatchNorm());
                b.add(new Residual(main, shortcut)).add(new ReLU());
                channels = width;
            }
        }
        return b.add(new GlobalAveragePooling()).add(new Dropout(0.3f)).add(new Dense(classes)).build(seed);
    }

    /** bars-cnn: two conv stages (the first with batch-norm) and a small dense head on 1x16x16. */
    public static Sequential barsCnn(int classes, long seed) {
        return Sequential.builder("bars-cnn", 1, 16, 16)
                .add(new Conv2D(8, 3, 1, Padding.SAME).withoutBias()).add(new BatchNorm()).add(new ReLU())
                .add(new MaxPool2D(2))
                .add(new Conv2D(16, 3, 1, Padding.SAME)).add(new ReLU()).add(new MaxPool2D(2))
                .add(new Flatten()).add(new Dense(32)).add(new ReLU()).add(new Dropout(0.2f))
                .add(new Dense(classes))
                .build(seed);
    }
}
