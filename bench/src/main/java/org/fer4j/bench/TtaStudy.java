package org.fer4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fer4j.datasets.Dataset;
import org.fer4j.datasets.Fer2013Csv;
import org.fer4j.datasets.LoadOptions;
import org.fer4j.engine.Tensor;
import org.fer4j.models.EmotionClassifier;

/**
 * Test-time augmentation and ensembles, measured: every model given is run once per view of
 * each FER2013 PublicTest face (the face itself, its mirror image, shifts by two pixels with the
 * border repeated, and the five 44x44 corner and centre crops of "ten-crop" scaled back to 48x48,
 * each also mirrored), and the accuracy of each set of averaged views is printed, for each model
 * alone and for all the models together (an ensemble: their probabilities averaged).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.fer4j.bench.TtaStudy \
 *     ../shared/data/fer2013/fer2013.csv.gz fer2013 runs/other/best.fer4j
 * </pre>
 *
 * A study, not a test: it needs the real data and a trained model.
 */
public final class TtaStudy {
    private static final int SIDE = 48;

    /** One view of a face: a shift (or the corner of a crop), a mirror, and a crop size (0: none). */
    record View(int dx, int dy, boolean mirror, int crop) {
    }

    private static final List<View> VIEWS = new ArrayList<>();

    static {
        for (boolean mirror : new boolean[] {false, true}) {
            VIEWS.add(new View(0, 0, mirror, 0));
            for (int[] d : new int[][] {{2, 0}, {-2, 0}, {0, 2}, {0, -2}}) {
                VIEWS.add(new View(d[0], d[1], mirror, 0));
            }
            for (int[] corner : new int[][] {{2, 2}, {0, 0}, {4, 0}, {0, 4}, {4, 4}}) {
                VIEWS.add(new View(corner[0], corner[1], mirror, 4));
            }
        }
    }

    /** The sets of views compared: a name and a filter over {@link #VIEWS}. */
    record Scheme(String name, java.util.function.Predicate<View> uses) {
    }

    private static final List<Scheme> SCHEMES = List.of(
            new Scheme("single pass", v -> v.crop() == 0 && v.dx() == 0 && v.dy() == 0 && !v.mirror()),
            new Scheme("flip (2 views)", v -> v.crop() == 0 && v.dx() == 0 && v.dy() == 0),
            new Scheme("flip + 2 px shifts (10 views)", v -> v.crop() == 0),
            new Scheme("ten-crop 44 (10 views)", v -> v.crop() == 4),
            new Scheme("flip + ten-crop 44 (12 views)", v -> v.crop() == 4 || v.dx() == 0 && v.dy() == 0));

    private TtaStudy() {
    }

    /**
     * {@code face} (48x48 grey bytes) seen through {@code view}: shifted with its border repeated,
     * or a {@code 48 - crop} square from {@code (dx, dy)} scaled back to 48x48 bilinearly.
     */
    static float[] view(byte[] face, View view) {
        float[] out = new float[SIDE * SIDE];
        float scale = (SIDE - view.crop()) / (float) SIDE;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int sx = view.mirror() ? SIDE - 1 - x : x;
                out[y * SIDE + x] = view.crop() == 0
                        ? pixel(face, sx + view.dx(), y + view.dy())
                        : bilinear(face, view.dx() + (sx + 0.5f) * scale - 0.5f, view.dy() + (y + 0.5f) * scale - 0.5f);
            }
        }
        return out;
    }

    private static float pixel(byte[] face, int x, int y) {
        int cx = Math.clamp(x, 0, SIDE - 1);
        int cy = Math.clamp(y, 0, SIDE - 1);
        return face[cy * SIDE + cx] & 0xff;
    }

    private static float bilinear(byte[] face, float fx, float fy) {
        int x0 = (int) Math.floor(fx);
        int y0 = (int) Math.floor(fy);
        float ax = fx - x0;
        float ay = fy - y0;
        float top = (1 - ax) * pixel(face, x0, y0) + ax * pixel(face, x0 + 1, y0);
        float bottom = (1 - ax) * pixel(face, x0, y0 + 1) + ax * pixel(face, x0 + 1, y0 + 1);
        return (1 - ay) * top + ay * bottom;
    }

    /** {@code [view][face][class]}: each view's probabilities for each face. */
    static float[][][] probabilities(EmotionClassifier model, Dataset data, int[] faces) {
        float[][][] p = new float[VIEWS.size()][faces.length][];
        int batch = 256;
        for (int v = 0; v < VIEWS.size(); v++) {
            for (int start = 0; start < faces.length; start += batch) {
                int n = Math.min(batch, faces.length - start);
                float[] x = new float[n * SIDE * SIDE];
                for (int i = 0; i < n; i++) {
                    float[] f = view(data.image(faces[start + i]), VIEWS.get(v));
                    model.info().normalization().apply(f);
                    System.arraycopy(f, 0, x, i * SIDE * SIDE, SIDE * SIDE);
                }
                List<EmotionClassifier.Prediction> out = model.probabilities(new Tensor(x, n, 1, SIDE, SIDE));
                for (int i = 0; i < n; i++) {
                    p[v][start + i] = out.get(i).probabilities();
                }
            }
        }
        return p;
    }

    /** Accuracy of {@code scheme}'s views averaged over every model in {@code perModel}. */
    static double accuracy(List<float[][][]> perModel, Scheme scheme, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            float[] sum = null;
            for (float[][][] p : perModel) {
                for (int v = 0; v < VIEWS.size(); v++) {
                    if (!scheme.uses().test(VIEWS.get(v))) {
                        continue;
                    }
                    if (sum == null) {
                        sum = new float[p[v][i].length];
                    }
                    for (int k = 0; k < sum.length; k++) {
                        sum[k] += p[v][i][k];
                    }
                }
            }
            int best = 0;
            for (int k = 1; k < sum.length; k++) {
                if (sum[k] > sum[best]) {
                    best = k;
                }
            }
            correct += best == labels[i] ? 1 : 0;
        }
        return 100.0 * correct / labels.length;
    }

    /** The rows of the PublicTest split, in order; exits with a one-line error when there are none. */
    static int[] publicTest(Dataset data, String source) {
        int split = data.splitNames().indexOf("PublicTest");
        if (split < 0) {
            System.err.println(source + ": no PublicTest rows");
            System.exit(2);
        }
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            if (data.split(i) == split) {
                rows.add(i);
            }
        }
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: TtaStudy FER2013.csv[.gz] MODEL [MODEL...]   (bundled names or .fer4j files)");
            System.exit(2);
        }
        Dataset data = Fer2013Csv.read(Path.of(args[0]), LoadOptions.DEFAULT);
        int[] faces = publicTest(data, args[0]);
        int[] labels = java.util.Arrays.stream(faces).map(data::label).toArray();
        System.out.printf("%s: %d PublicTest faces; CPU %s%n", args[0], faces.length, org.fer4j.kernels.Cpu.model());
        List<float[][][]> all = new ArrayList<>();
        for (int m = 1; m < args.length; m++) {
            EmotionClassifier model = EmotionClassifier.open(args[m]).withFlipAveraging(false);
            if (!model.classNames().equals(data.classNames())) {
                System.err.println(args[m] + ": classes " + model.classNames() + " differ from the data's " + data.classNames());
                System.exit(2);
            }
            float[][][] p = probabilities(model, data, faces);
            all.add(p);
            for (Scheme s : SCHEMES) {
                System.out.printf("%-40s %-32s %6.2f%%%n", args[m], s.name(), accuracy(java.util.Collections.singletonList(p), s, labels));
            }
        }
        if (all.size() > 1) {
            for (Scheme s : SCHEMES) {
                System.out.printf("%-40s %-32s %6.2f%%%n", "ensemble of " + all.size(), s.name(), accuracy(all, s, labels));
            }
        }
    }
}
