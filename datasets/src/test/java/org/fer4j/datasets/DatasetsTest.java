package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.data.Batch;
import org.fer4j.engine.io.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir
    Path dir;

    private DataConfig config(Path source) {
        return DataConfig.DEFAULT.toBuilder().source(source)
                .load(LoadOptions.DEFAULT.toBuilder().cacheDir(dir.resolve("cache")).build()).prefetchThreads(0).build();
    }

    @Test
    void fer2013OwnSplitIsTrainingAndPublicTestAsVal() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(70, 1)));
        PreparedData data = Datasets.prepare(config(csv));
        assertEquals(ClassNames.FER2013, data.classNames());
        assertEquals(56, data.train().imageCount());
        assertEquals(14, data.val().imageCount());
        assertEquals(0, data.test().imageCount());
        assertEquals(Normalization.UNIT, data.normalization());
        assertEquals(data.classNames(), data.modelInfo().classNames());
        assertTrue(data.splitDescription().startsWith("own (Training -> train, PublicTest -> val)"),
                data.splitDescription());
    }

    @Test
    void subsetAndMergeThroughTheConfig() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(70, 1)));
        PreparedData four = Datasets.prepare(config(csv).toBuilder().classes("happy,surprise,disgust,neutral").build());
        assertEquals(List.of("happy", "surprise", "disgust", "neutral"), four.classNames());
        assertEquals(40, four.train().imageCount() + four.val().imageCount());
        assertArrayEquals(new int[] {8, 8, 8, 8}, four.train().classCounts());

        PreparedData merged = Datasets.prepare(config(csv).toBuilder()
                .merges("angry->negative,disgust->negative,fear->negative,sad->negative").split("80/20").build());
        assertEquals(List.of("happy", "surprise", "neutral", "negative"), merged.classNames());
        assertArrayEquals(new int[] {8, 8, 8, 32}, merged.train().classCounts());
        assertArrayEquals(new int[] {2, 2, 2, 8}, merged.val().classCounts());
    }

    @Test
    void ratioSplitOfAFolderSet() throws IOException {
        Path root = dir.resolve("CK+48");
        Fixtures.classFolder(root, null, "anger", 50, 0);
        Fixtures.classFolder(root, null, "contempt", 14, 100);
        PreparedData data = Datasets.prepare(config(root).toBuilder().split("72/14/14").merges("contempt->disgust").build());
        assertEquals(List.of("angry", "disgust"), data.classNames());
        assertArrayEquals(new int[] {36, 10}, data.train().classCounts());
        assertArrayEquals(new int[] {7, 2}, data.val().classCounts());
        assertArrayEquals(new int[] {7, 2}, data.test().classCounts());
        // auto on a source without a split: 72/14/14, the same as asking for it.
        PreparedData auto = Datasets.prepare(config(root).toBuilder().merges("contempt->disgust").build());
        assertArrayEquals(data.train().classCounts(), auto.train().classCounts());
        assertArrayEquals(data.test().classCounts(), auto.test().classCounts());
        assertTrue(auto.splitDescription().startsWith("72/14/14"), auto.splitDescription());
    }

    @Test
    void dedupRemovesLeakedCopiesFromValAndReportsThem() throws IOException {
        List<Fixtures.Row> rows = new ArrayList<>(Fixtures.rows(14, 2));
        // Rows 0 and 1 (Training) reappear as PublicTest rows; row 2 appears twice in Training.
        rows.add(new Fixtures.Row(rows.get(0).emotion(), "PublicTest", rows.get(0).pixels()));
        rows.add(new Fixtures.Row(5, "PublicTest", rows.get(1).pixels()));
        rows.add(new Fixtures.Row(rows.get(2).emotion(), "Training", rows.get(2).pixels()));
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(rows));
        PreparedData kept = Datasets.prepare(config(csv));
        assertEquals(3, kept.duplicates().groups());
        assertEquals(2, kept.duplicates().crossSplit());
        assertEquals(1, kept.duplicates().conflicting());
        assertEquals(17, kept.train().imageCount() + kept.val().imageCount());
        PreparedData dedup = Datasets.prepare(config(csv).toBuilder().dedup(true).build());
        assertArrayEquals(new int[] {1, 2, 0}, dedup.duplicates().removed());
        assertEquals(kept.train().imageCount() - 1, dedup.train().imageCount());
        assertEquals(kept.val().imageCount() - 2, dedup.val().imageCount());
    }

    @Test
    void datasetNormalizationUsesTrainingStatistics() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(20, 3)));
        PreparedData data = Datasets.prepare(config(csv).toBuilder().normalization(NormalizationSpec.DATASET).build());
        double[] stats = data.train().pixelStats();
        Normalization n = data.normalization();
        assertEquals(1f / 255, n.scale());
        assertEquals(stats[0] / 255, n.mean(), 1e-6);
        assertEquals(stats[1] / 255, n.std(), 1e-6);
        // Normalized training batches have mean ~0 and std ~1.
        double sum = 0;
        double sq = 0;
        long count = 0;
        var it = data.train().batches(64, false, 0);
        while (it.hasNext()) {
            for (float v : it.next().x().data()) {
                sum += v;
                sq += v * v;
                count++;
            }
        }
        assertEquals(0, sum / count, 1e-3);
        assertEquals(1, Math.sqrt(sq / count), 1e-3);
        assertEquals(NormalizationSpec.parse("mean=0.5,std=0.25").resolve(0, 1), new Normalization(1f / 255, 0.5f, 0.25f));
        assertThrows(IllegalArgumentException.class, () -> NormalizationSpec.parse("zscore"));
    }

    @Test
    void anImageIsPreparedForPredictionExactlyAsForTraining() throws IOException {
        Path root = dir.resolve("faces");
        Fixtures.writeImage(Fixtures.grey(100, 80, 1), root.resolve("happy/a.png"), "png");
        Fixtures.writeImage(Fixtures.grey(30, 30, 2), root.resolve("sad/b.png"), "png");
        Normalization norm = new Normalization(1f / 255, 0.4f, 0.3f);
        PreparedData data = Datasets.prepare(config(root).toBuilder().split("own")
                .normalization(NormalizationSpec.parse("mean=0.4,std=0.3")).build());
        Batch batch = data.train().batches(2, false, 0).next();
        for (int i = 0; i < 2; i++) {
            Path file = root.resolve(i == 0 ? "happy/a.png" : "sad/b.png");
            Tensor t = Images.toInput(Images.read(file), 48, 48, norm);
            float[] fromBatch = java.util.Arrays.copyOfRange(batch.x().data(), i * 48 * 48, (i + 1) * 48 * 48);
            assertArrayEquals(t.data(), fromBatch, "image " + file);
        }
    }

    @Test
    void unknownSourcesAreNamed() throws IOException {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> Datasets.load(dir.resolve("nope.csv"), LoadOptions.DEFAULT));
        assertTrue(missing.getMessage().contains("nope.csv"));
        Path txt = Files.writeString(dir.resolve("faces.txt"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.load(txt, LoadOptions.DEFAULT));
        assertTrue(e.getMessage().startsWith(txt + ": expected a FER2013 .csv"), e.getMessage());
    }

    @Test
    void classWeightsOverTheTrainingSplit() throws IOException {
        Path csv = Fixtures.writeCsv(dir, "fer2013.csv", Fixtures.csv(Fixtures.rows(70, 1)));
        PreparedData data = Datasets.prepare(config(csv));
        float[] w = data.balancedClassWeights();
        assertEquals(7, w.length);
        for (float v : w) {
            assertEquals(1f, v, 1e-6);   // 8 training images per class: balanced already
        }
    }
}
