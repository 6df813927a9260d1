package org.fer4j.models;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.fer4j.datasets.Images;
import org.fer4j.engine.Mode;
import org.fer4j.engine.InferenceModel;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.models.faces.Box;
import org.fer4j.models.faces.DetectedFace;
import org.fer4j.models.faces.FaceCrop;
import org.fer4j.models.faces.FaceDetector;

/**
 * The Java API for inference: a trained model with its class names and normalisation, applied
 * to images exactly as training prepared them (grey, resampled to the model's input size, then
 * normalised as recorded in the model file).
 *
 * <pre>
 * EmotionClassifier fer = EmotionClassifier.pretrained("fer2013");
 * Prediction p = fer.predict(ImageIO.read(new File("face.png")));
 * System.out.println(p.label() + " " + p.confidence());   // happy 0.91
 * </pre>
 *
 * Instances are thread-safe: predictions are serialised on the model, whose layers keep caches.
 *
 * <p>An ensemble ({@link #ensemble}) is a classifier too: its members classify each face and their
 * probabilities are averaged (each member with flip averaging when the ensemble has it).
 */
public final class EmotionClassifier {
    private final Sequential model;
    /** What predictions run: {@code model} with batch-norm folded into the layers before it. */
    private final Sequential inference;
    private final ModelInfo info;
    private final boolean flipAveraging;
    private final int height;
    private final int width;
    /** The other members of an ensemble, which average their probabilities with this one's; empty for one model. */
    private final List<EmotionClassifier> others;

    private EmotionClassifier(Sequential model, ModelInfo info, boolean flipAveraging) {
        this(model, info, flipAveraging, List.of());
    }

    private EmotionClassifier(Sequential model, ModelInfo info, boolean flipAveraging, List<EmotionClassifier> others) {
        int[] in = model.inputShape();
        if (in.length != 3 || in[0] != 1) {
            throw new IllegalArgumentException("model '" + model.name() + "' takes " + Tensor.shapeString(in)
                    + "; an emotion classifier needs one grey channel (1, height, width)");
        }
        if (model.outputShape()[0] != info.classCount()) {
            throw new IllegalArgumentException("model '" + model.name() + "' has " + model.outputShape()[0]
                    + " outputs but " + info.classCount() + " class names");
        }
        this.model = model;
        this.inference = InferenceModel.of(model);
        this.info = info;
        this.flipAveraging = flipAveraging;
        this.height = in[1];
        this.width = in[2];
        this.others = List.copyOf(others);
    }

    /**
     * An ensemble: every face goes through each member and the members' probabilities are
     * averaged, with flip averaging if the first member has it. The members must agree on the class
     * names (in order), the input size and the normalisation, since they share one input; the
     * first member's {@link #info()} and {@link #model()} stand for the ensemble.
     */
    public static EmotionClassifier ensemble(List<EmotionClassifier> members) {
        if (members.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least 2 models, got " + members.size());
        }
        EmotionClassifier first = members.getFirst();
        List<EmotionClassifier> rest = new ArrayList<>();
        for (int i = 1; i < members.size(); i++) {
            EmotionClassifier m = members.get(i);
            String what = "ensemble member " + (i + 1) + " ('" + m.model.name() + "')";
            if (!m.classNames().equals(first.classNames())) {
                throw new IllegalArgumentException(what + " has the classes " + m.classNames() + ", the first member "
                        + first.classNames() + "; the members must have the same classes in the same order");
            }
            if (!Arrays.equals(m.inputSize(), first.inputSize())) {
                throw new IllegalArgumentException(what + " takes " + m.height + "x" + m.width + " faces, the first member "
                        + first.height + "x" + first.width);
            }
            if (!m.info.normalization().equals(first.info.normalization())) {
                throw new IllegalArgumentException(what + " normalises with " + m.info.normalization()
                        + ", the first member with " + first.info.normalization() + "; the members share one input");
            }
            rest.add(m);           // its own model; an ensemble member's members follow it
            rest.addAll(m.others);
        }
        rest.addAll(0, first.others);
        rest.replaceAll(m -> m.flipAveraging == first.flipAveraging ? m : m.withFlipAveraging(first.flipAveraging));
        return new EmotionClassifier(first.model, first.info, first.flipAveraging, rest);
    }

    /** How many models classify each face: 1, or an ensemble's members. */
    public int members() {
        return 1 + others.size();
    }

    public static EmotionClassifier of(Checkpoint checkpoint) {
        return new EmotionClassifier(checkpoint.model(), checkpoint.info(), false);
    }

    /** A model file saved by fer4j ({@code best.fer4j} of a training run, say). */
    public static EmotionClassifier load(Path file) throws IOException {
        return of(ModelFile.load(file));
    }

    /**
     * A model bundled in the models jar: {@code fer2013}, {@code fer2013-fast}, {@code fer2013-4},
     * {@code fer2013-marketing}.
     * Bundled models classify with flip averaging ({@link #withFlipAveraging}), the inference
     * their published accuracies are measured with ({@link Pretrained#FLIP_AVERAGING});
     * {@code withFlipAveraging(false)} gives the single pass.
     */
    public static EmotionClassifier pretrained(String name) throws IOException {
        List<String> members = Pretrained.members(name);
        if (!members.isEmpty()) {
            List<EmotionClassifier> each = new ArrayList<>();
            for (String m : members) {
                each.add(pretrained(m));
            }
            return ensemble(each);
        }
        return of(Pretrained.load(name)).withFlipAveraging(Pretrained.FLIP_AVERAGING);
    }

    /** Whether this classifier averages each face with its mirror image. */
    public boolean flipAveraging() {
        return flipAveraging;
    }

    /**
     * A bundled model's name or a model file's path; several, separated by commas, make an
     * {@link #ensemble} ({@code runs/a/best.fer4j,runs/b/best.fer4j}), flip-averaged if the first is.
     */
    public static EmotionClassifier open(String nameOrPath) throws IOException {
        if (nameOrPath.contains(",") && !Files.exists(Path.of(nameOrPath))) {
            List<EmotionClassifier> members = new ArrayList<>();
            for (String part : nameOrPath.split(",", -1)) {
                if (part.isBlank()) {
                    throw new IllegalArgumentException("'" + nameOrPath + "': an empty name in the list of models; expected "
                            + "model names or files separated by commas");
                }
                members.add(open(part.strip()));
            }
            return ensemble(members);
        }
        Path path = Path.of(nameOrPath);
        if (Files.exists(path) || nameOrPath.endsWith(ModelFile.EXTENSION)) {
            return load(path);
        }
        return pretrained(nameOrPath);
    }

    /**
     * The same model with test-time augmentation: each face is also classified mirrored, and the
     * two probability vectors are averaged (faces are roughly symmetric; this smooths out
     * left/right quirks of the training data).
     */
    public EmotionClassifier withFlipAveraging(boolean on) {
        List<EmotionClassifier> flipped = new ArrayList<>();
        for (EmotionClassifier m : others) {
            flipped.add(m.withFlipAveraging(on));
        }
        return new EmotionClassifier(model, info, on, flipped);
    }

    public List<String> classNames() {
        return info.classNames();
    }

    public ModelInfo info() {
        return info;
    }

    /**
     * The model as loaded. Predictions run an inference copy of it with batch-norm folded into
     * the convolutions ({@link InferenceModel#fold}), made when this classifier is: changing this
     * model's weights afterwards does not change the predictions (make a new classifier).
     */
    public Sequential model() {
        return model;
    }

    /** Input size the images are resampled to: {@code {height, width}}. */
    public int[] inputSize() {
        return new int[] {height, width};
    }

    /** Any size and colour; converted as in training. */
    public Prediction predict(BufferedImage image) {
        return probabilities(Images.toInput(image, height, width, info.normalization())).get(0);
    }

    /**
     * Every face in a whole photo: {@code detector} finds the faces, each is cut out framed as
     * FER2013's faces are ({@link FaceCrop}) and classified as {@link #predict(BufferedImage)}
     * does. Best detection score first; empty when there is no face.
     */
    public List<FacePrediction> predictFaces(BufferedImage image, FaceDetector detector) {
        List<FacePrediction> out = new ArrayList<>();
        for (DetectedFace face : detector.detect(image)) {
            out.add(new FacePrediction(face.box(), face.score(), predict(FaceCrop.crop(image, face.box()))));
        }
        return out;
    }

    /** One face of a photo: where it is, how sure the detector is that it is a face, and its emotion. */
    public record FacePrediction(Box box, float faceScore, Prediction prediction) {
    }

    /**
     * Raw grey pixel values (0..255, row-major) of one face already at the model's input size;
     * the model's normalisation is applied here.
     */
    public Prediction predict(float[] pixels) {
        if (pixels.length != height * width) {
            throw new IllegalArgumentException("expected " + height * width + " pixels (" + height + "x" + width
                    + "), got " + pixels.length);
        }
        float[] x = pixels.clone();
        info.normalization().apply(x);
        return probabilities(new Tensor(x, 1, 1, height, width)).get(0);
    }

    /** A batch of already normalised inputs {@code [N, 1, H, W]}: one prediction per row. */
    public synchronized List<Prediction> probabilities(Tensor x) {
        int n = x.dim(0);
        int k = info.classCount();
        float[] p = ownProbabilities(x, n, k);
        if (!others.isEmpty()) {
            for (EmotionClassifier m : others) {
                float[] q = m.ownProbabilities(x, n, k);
                for (int i = 0; i < p.length; i++) {
                    p[i] += q[i];
                }
            }
            float share = 1f / members();
            for (int i = 0; i < p.length; i++) {
                p[i] *= share;
            }
        }
        for (float v : p) {
            if (!Float.isFinite(v)) {
                // Finite weights can still overflow to infinite logits: no "angry NaN%".
                throw new IllegalStateException("model '" + model.name() + "' gave an output that is not a number ("
                        + v + "): its weights overflow on this input; the model file is unusable");
            }
        }
        List<Prediction> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Prediction(info.classNames(), Arrays.copyOfRange(p, i * k, (i + 1) * k)));
        }
        return out;
    }

    /** This model's probabilities, {@code [N, K]}, averaged with the mirrored faces' when flip averaging is on. */
    private float[] ownProbabilities(Tensor x, int n, int k) {
        synchronized (this) {
            float[] p = softmax(inference.forward(x, Mode.EVAL).data(), n, k);
            if (flipAveraging) {
                float[] q = softmax(inference.forward(flipHorizontally(x), Mode.EVAL).data(), n, k);
                for (int i = 0; i < p.length; i++) {
                    p[i] = 0.5f * (p[i] + q[i]);
                }
            }
            return p;
        }
    }

    /** Row-wise softmax of {@code logits [N, K]}, max subtracted first for stability. */
    static float[] softmax(float[] logits, int n, int k) {
        float[] p = new float[n * k];
        for (int i = 0; i < n; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits[i * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[i * k + j] - max);
            }
            for (int j = 0; j < k; j++) {
                p[i * k + j] = (float) (Math.exp(logits[i * k + j] - max) / sum);
            }
        }
        return p;
    }

    /** {@code [N, C, H, W]} mirrored left to right: x -> W-1-x. */
    public static Tensor flipHorizontally(Tensor x) {
        int[] s = x.shape();
        int w = s[s.length - 1];
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int row = 0; row < in.length / w; row++) {
            int off = row * w;
            for (int c = 0; c < w; c++) {
                out[off + c] = in[off + w - 1 - c];
            }
        }
        return new Tensor(out, s);
    }

    /** The probabilities of one face over the model's classes. */
    public record Prediction(List<String> classNames, float[] probabilities) {
        public int index() {
            int best = 0;
            for (int j = 1; j < probabilities.length; j++) {
                if (probabilities[j] > probabilities[best]) {
                    best = j;
                }
            }
            return best;
        }

        public String label() {
            return classNames.get(index());
        }

        public float confidence() {
            return probabilities[index()];
        }

        public float probability(String className) {
            int i = classNames.indexOf(className);
            if (i < 0) {
                throw new IllegalArgumentException("unknown class '" + className + "'; classes: " + classNames);
            }
            return probabilities[i];
        }

        /** The {@code k} most likely classes, most likely first. */
        public List<Integer> top(int k) {
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < probabilities.length; j++) {
                order.add(j);
            }
            order.sort(Comparator.comparingDouble((Integer j) -> -probabilities[j]).thenComparingInt(j -> j));
            return order.subList(0, Math.min(k, order.size()));
        }
    }
}
