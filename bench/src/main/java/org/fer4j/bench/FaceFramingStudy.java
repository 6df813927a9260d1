package org.fer4j.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.fer4j.models.EmotionClassifier;
import org.fer4j.models.faces.Box;
import org.fer4j.models.faces.DetectedFace;
import org.fer4j.models.faces.FaceCrop;
import org.fer4j.models.faces.FaceDetector;

/**
 * How to frame detector crops for the emotion classifier, measured: FER2013 test faces (an image
 * folder {@code test/<class>/*.jpg}) are scaled up 3x and placed in the middle of a larger grey
 * canvas, the detector finds them, and each crop framing (margin, downward shift) is classified
 * and scored against the labels, beside the accuracy on the faces as given ("tight").
 *
 * <pre>
 * java ... org.fer4j.bench.FaceFramingStudy ../shared/data/fer2013/images/test 100 fer2013
 * </pre>
 * Not a test: it needs the FER2013 images, which are not part of the project.
 */
public final class FaceFramingStudy {
    private static final float[] MARGINS = {-0.1f, 0f, 0.1f, 0.2f, 0.3f, 0.4f};
    private static final float[] SHIFTS = {-0.05f, 0f, 0.05f, 0.1f};

    private FaceFramingStudy() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args.length > 0 ? args[0] : "../shared/data/fer2013/images/test");
        int perClass = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        String model = args.length > 2 ? args[2] : "fer2013";
        EmotionClassifier classifier = EmotionClassifier.open(model);
        FaceDetector detector = FaceDetector.pretrained();
        List<String> classes = classifier.classNames();
        Random random = new Random(42);
        int total = 0;
        int detected = 0;
        int tightAll = 0;
        int tightDetected = 0;
        int[][] correct = new int[MARGINS.length][SHIFTS.length];
        double sizeRatio = 0;
        double centreDy = 0;
        double centreDx = 0;
        for (String cls : classes) {
            Path dir = folder.resolve(cls);
            if (!Files.isDirectory(dir)) {
                System.out.println("no folder " + dir + "; skipped");
                continue;
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = new ArrayList<>(s.sorted().toList());
            }
            java.util.Collections.shuffle(files, random);
            for (Path f : files.subList(0, Math.min(perClass, files.size()))) {
                BufferedImage face = ImageIO.read(f.toFile());
                int label = classes.indexOf(cls);
                total++;
                boolean tightOk = classifier.predict(face).index() == label;
                tightAll += tightOk ? 1 : 0;
                int side = 144;
                int offset = 72;
                BufferedImage canvas = new BufferedImage(side + 2 * offset, side + 2 * offset, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = canvas.createGraphics();
                g.setColor(new Color(128, 128, 128));
                g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(face, offset, offset, side, side, null);
                g.dispose();
                List<DetectedFace> found = detector.detect(canvas);
                if (found.isEmpty()) {
                    continue;
                }
                detected++;
                tightDetected += tightOk ? 1 : 0;
                Box b = found.get(0).box();
                sizeRatio += Math.max(b.width(), b.height()) / side;
                centreDx += (b.x() + b.width() / 2 - (offset + side / 2.0)) / side;
                centreDy += (b.y() + b.height() / 2 - (offset + side / 2.0)) / side;
                for (int m = 0; m < MARGINS.length; m++) {
                    for (int s = 0; s < SHIFTS.length; s++) {
                        BufferedImage crop = FaceCrop.crop(canvas, b, MARGINS[m], SHIFTS[s]);
                        correct[m][s] += classifier.predict(crop).index() == label ? 1 : 0;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "model %s, %d faces (%d per class), detected %d (%.1f%%)%n", model, total, perClass,
                detected, 100.0 * detected / total);
        System.out.printf(Locale.ROOT, "detector box: larger side / face side %.3f, centre offset x %+.3f y %+.3f (of the face side)%n",
                sizeRatio / detected, centreDx / detected, centreDy / detected);
        System.out.printf(Locale.ROOT, "tight (the faces as given): %.2f%% of all, %.2f%% of the detected%n",
                100.0 * tightAll / total, 100.0 * tightDetected / detected);
        System.out.print("accuracy of detector crops, of the detected faces\nmargin \\ shift");
        for (float s : SHIFTS) {
            System.out.printf(Locale.ROOT, "  %+6.2f", s);
        }
        System.out.println();
        for (int m = 0; m < MARGINS.length; m++) {
            System.out.printf(Locale.ROOT, "%+13.2f ", MARGINS[m]);
            for (int s = 0; s < SHIFTS.length; s++) {
                System.out.printf(Locale.ROOT, "  %6.2f", 100.0 * correct[m][s] / detected);
            }
            System.out.println();
        }
    }
}
