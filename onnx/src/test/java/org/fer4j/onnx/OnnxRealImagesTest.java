package org.fer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fer4j.datasets.Images;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.models.Pretrained;
import org.fer4j.models.faces.DetectedFace;
import org.fer4j.models.faces.FaceCrop;
import org.fer4j.models.faces.FaceDetector;
import org.fer4j.models.faces.TinyFaceDetector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Real inputs: the face-api demo photos kept with the models module's tests. The faces fer4j's
 * detector finds in them, cropped and converted as fer4j classifies them, go through every bundled
 * classifier exported to ONNX; the photos themselves go through the exported detector.
 */
class OnnxRealImagesTest {
    static final Path SAMPLES = Path.of("../models/src/test/resources/org/fer4j/models/faces/samples");

    static List<BufferedImage> photos() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(SAMPLES), "the sample photos are not at " + SAMPLES.toAbsolutePath());
        List<BufferedImage> out = new ArrayList<>();
        try (var files = Files.list(SAMPLES)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList()) {
                out.add(Images.read(p));
            }
        }
        return out;
    }

    @Test
    void bundledClassifiersAgreeWithOnnxRuntimeOnRealFaces() throws Exception {
        FaceDetector detector = FaceDetector.pretrained();
        List<BufferedImage> faces = new ArrayList<>();
        for (BufferedImage photo : photos()) {
            for (DetectedFace f : detector.detect(photo)) {
                faces.add(FaceCrop.crop(photo, f.box()));
            }
        }
        assertFalse(faces.isEmpty(), "no face found in the sample photos");
        for (String name : Pretrained.available()) {
            Checkpoint c = Pretrained.load(name);
            int[] in = c.model().inputShape();
            Tensor x = Tensor.zeros(faces.size(), in[0], in[1], in[2]);
            int per = in[0] * in[1] * in[2];
            for (int i = 0; i < faces.size(); i++) {
                Tensor one = Images.toInput(faces.get(i), in[1], in[2], c.info().normalization());
                System.arraycopy(one.data(), 0, x.data(), i * per, per);
            }
            float[] p = OrtSupport.softmaxRows(c.model().predict(x).data(), faces.size());
            float[] ort = OrtSupport.run(OnnxExport.toProto(c.model(), c.info(), true).toByteArray(), x);
            double d = OrtSupport.maxAbsDiff(p, ort);
            System.out.printf(Locale.ROOT, "ONNX Runtime vs fer4j, %-18s on %d real faces: max |dprob| %.3g%n",
                    name, faces.size(), d);
            assertTrue(d <= OnnxRuntimeParityTest.PROBABILITY_TOLERANCE, name + ": " + d);
            int k = c.info().classCount();
            for (int i = 0; i < faces.size(); i++) {
                assertEquals(argmax(p, i, k), argmax(ort, i, k), name + ": face " + i);
            }
        }
    }

    @Test
    void bundledDetectorAgreesWithOnnxRuntimeOnRealPhotos() throws Exception {
        Sequential model = OrtSupport.bundledDetector().model();
        int s = model.inputShape()[1];
        List<BufferedImage> photos = photos();
        Tensor x = Tensor.zeros(photos.size(), 3, s, s);
        for (int i = 0; i < photos.size(); i++) {
            // the detector's input: (RGB - face-api's mean colour) / 255, here by a plain nearest-pixel resize
            BufferedImage img = photos.get(i);
            for (int yy = 0; yy < s; yy++) {
                for (int xx = 0; xx < s; xx++) {
                    int rgb = img.getRGB(xx * img.getWidth() / s, yy * img.getHeight() / s);
                    for (int ch = 0; ch < 3; ch++) {
                        int v = (rgb >> (16 - 8 * ch)) & 0xFF;
                        x.data()[((i * 3 + ch) * s + yy) * s + xx] = (v - TinyFaceDetector.MEAN_RGB[ch]) / 255f;
                    }
                }
            }
        }
        float[] ours = model.predict(x).data();
        float[] ort = OrtSupport.run(OnnxExport.toProto(model, null, false).toByteArray(), x);
        double d = OrtSupport.maxAbsDiff(ours, ort);
        double scale = Math.max(1, OrtSupport.maxAbs(ours));
        System.out.printf(Locale.ROOT, "ONNX Runtime vs fer4j, detector on %d real photos: max |dout| %.3g of outputs up to %.3g%n",
                photos.size(), d, scale);
        assertTrue(d <= OnnxRuntimeParityTest.RELATIVE_TOLERANCE * scale, "detector: " + d);
    }

    private static int argmax(float[] p, int row, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (p[row * k + j] > p[row * k + best]) {
                best = j;
            }
        }
        return best;
    }
}
