package org.fer4j.models.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** The detector's own steps (resize, decoding, suppression) and its thread safety; FaceApiReferenceTest checks it against face-api. */
class FaceDetectorTest {

    @Test
    void networkShapesFollowTheInputSize() {
        Sequential net = TinyFaceDetector.build(416, 1);
        assertEquals(List.of(25, 13, 13), toList(net.outputShape()));
        assertEquals(List.of(25, 19, 19), toList(TinyFaceDetector.build(608, 1).outputShape()));
        assertThrows(IllegalArgumentException.class, () -> TinyFaceDetector.build(400, 1));
        assertEquals(19, TinyFaceDetector.tfjsMapping(net).size());
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int v : a) {
            l.add(v);
        }
        return l;
    }

    /** Resize without half-pixel centres: output i samples source i * side / S; the padding is black. */
    @Test
    void preprocessPadsAtTheBottomRightAndSamplesWithoutHalfPixelOffset() {
        BufferedImage image = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF0000);
        image.setRGB(1, 0, 0x000000);
        image.setRGB(2, 1, 0x00FF00);
        Tensor x = FaceDetector.preprocess(image, 8);      // square side 4 -> 8: source = i / 2
        float[] d = x.data();
        int plane = 64;
        float mr = TinyFaceDetector.MEAN_RGB[0];
        assertEquals((255 - mr) / 255f, d[0], 1e-6, "(0,0) samples source (0,0) exactly");
        assertEquals((127.5f - mr) / 255f, d[1], 1e-6, "(0,1) halfway between red and black");
        assertEquals((0 - mr) / 255f, d[7 * 8], 1e-6, "row 7 samples source row 3.5: padding, black");
        float mg = TinyFaceDetector.MEAN_RGB[1];
        assertEquals((255 - mg) / 255f, d[plane + 2 * 8 + 4], 1e-6, "green at source (x 2, y 1)");
    }

    @Test
    void decodingAndSuppressionFollowTheYoloFormulas() {
        int cells = 2;
        float[] out = new float[25 * cells * cells];
        for (int i = 0; i < out.length; i++) {
            out[i] = -20;                                       // every score ~ 0
        }
        int plane = cells * cells;
        // Anchor 0 at cell (row 1, col 0): tx = ty = 0 (centre of the cell), tw = th = 0 (the anchor's size), score 0.9.
        int base = 0 * 5 * plane + 1 * cells + 0;
        out[base] = 0;
        out[base + plane] = 0;
        out[base + 2 * plane] = 0;
        out[base + 3 * plane] = 0;
        out[base + 4 * plane] = (float) Math.log(0.9 / 0.1);
        // Anchor 2 at the same cell, nearly the same box, lower score: suppressed.
        int other = 2 * 5 * plane + 1 * cells + 0;
        out[other] = 0;
        out[other + plane] = 0;
        out[other + 2 * plane] = (float) Math.log(TinyFaceDetector.ANCHORS[0][0] / TinyFaceDetector.ANCHORS[2][0]);
        out[other + 3 * plane] = (float) Math.log(TinyFaceDetector.ANCHORS[0][1] / TinyFaceDetector.ANCHORS[2][1]);
        out[other + 4 * plane] = (float) Math.log(0.7 / 0.3);
        List<FaceDetector.Candidate> found = FaceDetector.decode(out, cells, 0.5f);
        assertEquals(2, found.size());
        FaceDetector.Candidate c = found.get(0);
        assertEquals(0.9, c.score(), 1e-6);
        double w = TinyFaceDetector.ANCHORS[0][0] / cells;
        assertEquals(0.25 - w / 2, c.x0(), 1e-6);                // centre x (0 + 0.5) / 2
        assertEquals(0.75 - TinyFaceDetector.ANCHORS[0][1] / cells / 2, c.y0(), 1e-6);
        List<FaceDetector.Candidate> kept = FaceDetector.nonMaxSuppression(found, 0.4f);
        assertEquals(1, kept.size());
        assertEquals(0.9, kept.get(0).score(), 1e-6);
        assertEquals(2, FaceDetector.nonMaxSuppression(found, 1f).size(), "IoU 1 (the same box) is not above a threshold of 1: both kept");
    }

    @Test
    void optionsAreValidatedNamingTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FaceDetector.Options(400, 0.5f, 0.4f));
        assertTrue(e.getMessage().contains("--input-size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FaceDetector.Options(416, 1.5f, 0.4f));
        assertTrue(e.getMessage().contains("--min-score"), e.getMessage());
    }

    /** One detector shared by threads gives every thread the answer it gives alone. */
    @Test
    void sharedDetectorIsThreadSafe() throws Exception {
        FaceDetector detector = FaceDetector.pretrained().withOptions(FaceDetector.Options.DEFAULT.withInputSize(224));
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            try (InputStream in = FaceDetectorTest.class.getResourceAsStream("samples/sample" + i + ".jpg")) {
                images.add(ImageDecoder.decode(in.readAllBytes(), "sample" + i, ImageDecoder.DEFAULT_MAX_PIXELS));
            }
        }
        List<List<DetectedFace>> alone = new ArrayList<>();
        for (BufferedImage image : images) {
            alone.add(detector.detect(image));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<DetectedFace>>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (BufferedImage image : images) {
                    futures.add(pool.submit(() -> detector.detect(image)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(alone.get(i % images.size()), futures.get(i).get(), "image " + (i % images.size()));
            }
        } finally {
            pool.shutdownNow();
        }
        FaceDetector copy = detector.copy();
        assertEquals(alone.get(0), copy.detect(images.get(0)), "a copy gives the same faces");
    }
}
