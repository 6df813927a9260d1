package org.fer4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Layer;
import org.junit.jupiter.api.Test;

class ModelZooTest {

    @Test
    void ferRefHasTheReferenceShapeAndParameterCount() {
        Sequential m = ModelZoo.build("fer-ref", 1);
        assertEquals(2_345_607, m.parameterCount());
        assertArrayEquals(new int[] {1, 48, 48}, m.inputShape());
        assertArrayEquals(new int[] {7}, m.outputShape());
        // 46 -> 44 -> 22 -> 20 -> 10 -> 8 -> 4: the flatten sees 128 * 4 * 4.
        int[] flat = m.layers().stream().filter(l -> l.type().equals("Flatten")).findFirst().orElseThrow().outputShape();
        assertArrayEquals(new int[] {2048}, flat);
        long macs = 0;
        for (Layer l : m.layers()) {
            if (l instanceof Conv2D c) {
                macs += c.forwardMacsPerImage();
            }
        }
        macs += 2048L * 1024 + 1024L * 7;
        // 154.65 MFLOP forward per image, counting a multiply-add as two.
        assertEquals(154.65, 2 * macs / 1e6, 0.01);
    }

    @Test
    void summaryListsEveryLayerAndTheTotals() {
        String s = ModelZoo.build("fer-ref", 1).summary();
        assertTrue(s.contains("Total params: 2,345,607"), s);
        assertTrue(s.contains("conv2d_1 (Conv2D)"), s);
        assertTrue(s.contains("(N, 32, 46, 46)"), s);
        assertTrue(s.contains("dense_2 (Dense)"), s);
        assertTrue(s.contains("7,175"), s);
    }

    @Test
    void classSubsetsChangeOnlyTheLastLayer() {
        Sequential four = ModelZoo.entry("fer-ref").build(4, 1);
        assertArrayEquals(new int[] {4}, four.outputShape());
        assertEquals(2_345_607 - 3 * 1025, four.parameterCount());
        Tensor out = four.forward(Tensor.zeros(2, 1, 48, 48), Mode.EVAL);
        assertArrayEquals(new int[] {2, 4}, out.shape());
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelZoo.entry("fer-nope"));
        assertTrue(e.getMessage().contains("fer-ref") && e.getMessage().contains("bars-cnn"), e.getMessage());
    }

    /** Every named architecture builds, takes a training step that lowers nothing to NaN, saves and reloads exactly. */
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tmp;

    @Test
    void everyArchitectureBuildsTrainsAStepSavesAndReloads() throws Exception {
        for (String name : ModelZoo.names()) {
            ModelZoo.Entry entry = ModelZoo.entry(name);
            Sequential model = entry.build(entry.defaultClasses(), 3);
            int[] in = model.inputShape();
            int n = 4;
            java.util.SplittableRandom random = new java.util.SplittableRandom(5);
            float[] x = new float[n * in[0] * in[1] * in[2]];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextDouble();
            }
            int[] y = random.ints(n, 0, entry.defaultClasses()).toArray();
            org.fer4j.engine.data.Batch batch = new org.fer4j.engine.data.Batch(new Tensor(x, n, in[0], in[1], in[2]), y);
            org.fer4j.engine.train.Trainer trainer = new org.fer4j.engine.train.Trainer(model,
                    new org.fer4j.engine.optim.Adam(model.params(), 1e-3f),
                    new org.fer4j.engine.layers.SoftmaxCrossEntropy(), null, org.fer4j.engine.train.TrainConfig.DEFAULT);
            float[] before = model.params().get(0).value().data().clone();
            double loss = trainer.step(batch);
            assertTrue(Double.isFinite(loss), name);
            assertTrue(!java.util.Arrays.equals(before, model.params().get(0).value().data()), name + " did not learn");

            java.nio.file.Path file = tmp.resolve(name + ".fer4j");
            java.util.List<String> classes = new java.util.ArrayList<>();
            for (int k = 0; k < entry.defaultClasses(); k++) {
                classes.add("c" + k);
            }
            org.fer4j.engine.io.ModelFile.save(file, model,
                    org.fer4j.engine.io.ModelInfo.of(classes, org.fer4j.engine.io.Normalization.UNIT));
            Sequential again = org.fer4j.engine.io.ModelFile.load(file).model();
            assertArrayEquals(model.predict(batch.x()).data(), again.predict(batch.x()).data(), name);
        }
    }
}
