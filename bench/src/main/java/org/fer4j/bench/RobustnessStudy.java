package org.fer4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.fer4j.datasets.Augmentation;
import org.fer4j.datasets.Dataset;
import org.fer4j.datasets.Fer2013Csv;
import org.fer4j.datasets.LoadOptions;
import org.fer4j.engine.Tensor;
import org.fer4j.models.EmotionClassifier;

/**
 * How a model holds up on faces that do not look like FER2013's: every PublicTest face is degraded
 * the way photos, webcams and detector crops degrade it (lighting, blur, sensor noise, JPEG, a
 * loose or tight face box, a tilted head, an occlusion) and each model's accuracy on the degraded
 * split is printed beside its accuracy on the clean one. The degradations are {@link Augmentation}
 * ops applied to every face (probability 1) at stronger settings than training uses, each face
 * drawing from its own generator seeded by the condition and the face, so every model sees the
 * same degraded faces and a rerun sees them again.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.fer4j.bench.RobustnessStudy \
 *     ../shared/data/fer2013/fer2013.csv.gz fer2013 runs/other/best.fer4j
 * </pre>
 *
 * Models classify with flip averaging, as bundled models do. A study, not a test: it needs the real
 * data and trained models.
 */
public final class RobustnessStudy {
    private static final int SIDE = 48;

    /** The conditions, by name: an augmentation spec applied to every face (empty: the clean split). */
    static final Map<String, String> CONDITIONS = new LinkedHashMap<>();

    static {
        CONDITIONS.put("clean", "none");
        CONDITIONS.put("lighting: brightness x0.5..1.5", "brightness=0.5@1");
        CONDITIONS.put("lighting: contrast x0.4..1.6", "contrast=0.6@1");
        CONDITIONS.put("lighting: gamma 0.5..2", "gamma=1@1");
        CONDITIONS.put("camera: blur sigma 0..2 px", "blur=2@1");
        CONDITIONS.put("camera: noise sd 0..20", "noise=20@1");
        CONDITIONS.put("camera: JPEG quality 10-40", "jpeg=10-40@1");
        CONDITIONS.put("detector box: jitter 0.2", "jitter=0.2@1");
        CONDITIONS.put("head tilt: rotation 20 deg", "rotation=20@1");
        CONDITIONS.put("occlusion: random erasing", "erasing@1");
        CONDITIONS.put("webcam: all of lighting + camera + box", "jitter=0.15@1,brightness=0.3@1,contrast=0.3@1,gamma=0.5@1,"
                + "blur=1.5@1,noise=12@1,jpeg=20-60@1");
    }

    private RobustnessStudy() {
    }

    /** The PublicTest faces under {@code spec}, as raw grey values 0..255, {@code [face][pixel]}. */
    static float[][] degrade(Dataset data, int[] faces, Augmentation augmentation, long seed) {
        float[][] out = new float[faces.length][];
        for (int i = 0; i < faces.length; i++) {
            byte[] face = data.image(faces[i]);
            float[] x = new float[SIDE * SIDE];
            for (int p = 0; p < x.length; p++) {
                x[p] = face[p] & 0xff;
            }
            augmentation.apply(x, 0, SIDE, SIDE, new SplittableRandom(seed * 1_000_003L + faces[i]));
            out[i] = x;
        }
        return out;
    }

    /** Accuracy of {@code model} on the given faces (each normalised by the model's own rule). */
    static double accuracy(EmotionClassifier model, float[][] faces, int[] labels) {
        int correct = 0;
        int batch = 256;
        for (int start = 0; start < faces.length; start += batch) {
            int n = Math.min(batch, faces.length - start);
            float[] x = new float[n * SIDE * SIDE];
            for (int i = 0; i < n; i++) {
                float[] f = faces[start + i].clone();
                model.info().normalization().apply(f);
                System.arraycopy(f, 0, x, i * SIDE * SIDE, SIDE * SIDE);
            }
            List<EmotionClassifier.Prediction> out = model.probabilities(new Tensor(x, n, 1, SIDE, SIDE));
            for (int i = 0; i < n; i++) {
                float[] p = out.get(i).probabilities();
                int best = 0;
                for (int k = 1; k < p.length; k++) {
                    if (p[k] > p[best]) {
                        best = k;
                    }
                }
                correct += best == labels[start + i] ? 1 : 0;
            }
        }
        return 100.0 * correct / faces.length;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: RobustnessStudy FER2013.csv[.gz] MODEL [MODEL...]   (bundled names or .fer4j files)");
            System.exit(2);
        }
        Dataset data = Fer2013Csv.read(Path.of(args[0]), LoadOptions.DEFAULT);
        int[] faces = TtaStudy.publicTest(data, args[0]);
        int[] labels = java.util.Arrays.stream(faces).map(data::label).toArray();
        List<EmotionClassifier> models = new ArrayList<>();
        for (int m = 1; m < args.length; m++) {
            EmotionClassifier model = EmotionClassifier.open(args[m]).withFlipAveraging(true);
            if (!model.classNames().equals(data.classNames())) {
                System.err.println(args[m] + ": classes " + model.classNames() + " differ from the data's " + data.classNames());
                System.exit(2);
            }
            models.add(model);
        }
        System.out.printf("%s: %d PublicTest faces; CPU %s; flip averaging%n%n", args[0], faces.length,
                org.fer4j.kernels.Cpu.model());
        StringBuilder header = new StringBuilder("| condition | spec |");
        StringBuilder rule = new StringBuilder("| --- | --- |");
        for (int m = 1; m < args.length; m++) {
            header.append(' ').append(args[m]).append(" |");
            rule.append(" ---: |");
        }
        System.out.println(header);
        System.out.println(rule);
        double[] clean = new double[models.size()];
        long seed = 0;
        for (Map.Entry<String, String> c : CONDITIONS.entrySet()) {
            float[][] degraded = degrade(data, faces, Augmentation.parse(c.getValue()), ++seed);
            boolean isClean = c.getValue().equals("none");  // the reference row the others are compared with
            StringBuilder line = new StringBuilder("| " + c.getKey() + " | `" + c.getValue() + "` |");
            for (int m = 0; m < models.size(); m++) {
                double acc = accuracy(models.get(m), degraded, labels);
                if (isClean) {
                    clean[m] = acc;
                    line.append(String.format(" %.2f%% |", acc));
                } else {
                    line.append(String.format(" %.2f%% (%+.2f) |", acc, acc - clean[m]));
                }
            }
            System.out.println(line);
        }
    }
}
