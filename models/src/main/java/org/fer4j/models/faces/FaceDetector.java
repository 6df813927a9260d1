package org.fer4j.models.faces;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;

/**
 * Finds faces in a whole image with the {@link TinyFaceDetector} network.
 *
 * <p>The steps, each matching the face-api library the weights come from so that both find the
 * same boxes with the same scores:
 * <ol>
 *   <li>pad the image to a square with black at the bottom or right, and resize that square to
 *       {@code S x S} bilinearly, sampling source position {@code i * side / S} (no half-pixel
 *       offset, as TensorFlow's {@code resizeBilinear} without {@code halfPixelCenters});</li>
 *   <li>subtract the mean RGB and divide by 255; run the network: {@code [1, 25, S/32, S/32]};</li>
 *   <li>decode every anchor of every cell: {@code score = sigmoid(t_o)}; kept when above the
 *       score threshold; centre {@code ((col + sigmoid(tx)) / cells, (row + sigmoid(ty)) / cells)},
 *       size {@code (exp(tw) * anchorW / cells, exp(th) * anchorH / cells)}, as fractions of the
 *       square's side;</li>
 *   <li>non-maximum suppression: take the best-scoring box, drop every other whose IoU with it
 *       is above the IoU threshold, repeat;</li>
 *   <li>boxes from fractions of the square to pixels of the original image.</li>
 * </ol>
 *
 * <p>Thread safety: one instance may be shared by threads; {@link #detect} runs one image at a
 * time (a network holds its activations between forward calls). For parallel detection give each
 * thread its own instance ({@link #copy()} shares nothing mutable and costs one model's weights).
 */
public final class FaceDetector {
    /** Where the bundled weights lie in the models jar. */
    static final String RESOURCE = "/org/fer4j/models/faces/" + TinyFaceDetector.NAME + ModelFile.EXTENSION;

    /** Detection settings; {@link #DEFAULT} is face-api's default (416, 0.5, 0.4). */
    public record Options(int inputSize, float scoreThreshold, float iouThreshold) {
        public static final Options DEFAULT = new Options(416, 0.5f, 0.4f);

        public Options {
            if (inputSize < 32 || inputSize % 32 != 0 || inputSize > 2048) {
                throw new IllegalArgumentException("--input-size must be a multiple of 32 in 32..2048, got " + inputSize);
            }
            if (!(scoreThreshold > 0 && scoreThreshold < 1)) {
                throw new IllegalArgumentException("--min-score must be in (0, 1), got " + scoreThreshold);
            }
            if (!(iouThreshold > 0 && iouThreshold <= 1)) {
                throw new IllegalArgumentException("--iou must be in (0, 1], got " + iouThreshold);
            }
        }

        public Options withInputSize(int size) {
            return new Options(size, scoreThreshold, iouThreshold);
        }

        public Options withScoreThreshold(float t) {
            return new Options(inputSize, t, iouThreshold);
        }
    }

    private final Checkpoint checkpoint;
    private final Options defaults;
    /** One network per input size, all with the checkpoint's weights. */
    private final Map<Integer, Sequential> networks = new HashMap<>();
    /** One input buffer per input size, refilled for every image (detect is synchronized). */
    private final Map<Integer, float[]> inputs = new HashMap<>();

    private FaceDetector(Checkpoint checkpoint, Options defaults) {
        this.checkpoint = checkpoint;
        this.defaults = defaults;
        int s = checkpoint.model().inputShape()[1];
        networks.put(s, checkpoint.model());
    }

    /** The bundled detector (face-api's TinyFaceDetector weights, MIT licence), with {@link Options#DEFAULT}. */
    public static FaceDetector pretrained() throws IOException {
        try (InputStream in = FaceDetector.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("the bundled face detector (" + RESOURCE + ") is missing from this build;"
                        + " run tools/face-api/convert.sh");
            }
            Path tmp = Files.createTempFile("fer4j-face-detector-", ModelFile.EXTENSION);
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return new FaceDetector(ModelFile.load(tmp), Options.DEFAULT);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** A detector from a {@code .fer4j} file holding a {@link TinyFaceDetector} network. */
    public static FaceDetector load(Path file) throws IOException {
        return new FaceDetector(ModelFile.load(file), Options.DEFAULT);
    }

    /** The same weights with other default options. */
    public FaceDetector withOptions(Options options) {
        return new FaceDetector(checkpoint, options);
    }

    /** An independent detector with the same weights and options, for another thread. */
    public FaceDetector copy() {
        return new FaceDetector(Checkpoint.of(rebuild(checkpoint.model().inputShape()[1]), checkpoint.info()), defaults);
    }

    public Options options() {
        return defaults;
    }

    /** Every face in {@code image}, best score first, with the default options. */
    public List<DetectedFace> detect(BufferedImage image) {
        return detect(image, defaults);
    }

    /** Every face in {@code image}, best score first. */
    public synchronized List<DetectedFace> detect(BufferedImage image, Options options) {
        int s = options.inputSize();
        Sequential net = networks.computeIfAbsent(s, this::rebuild);
        Tensor x = preprocess(image, s, inputs.computeIfAbsent(s, k -> new float[3 * k * k]));
        float[] out = net.forward(x, Mode.EVAL).data();
        int cells = net.outputShape()[1];
        List<Candidate> candidates = decode(out, cells, options.scoreThreshold());
        List<Candidate> kept = nonMaxSuppression(candidates, options.iouThreshold());
        // Fractions of the square to pixels as face-api does it: through the image's size at the
        // network's scale, rounded (within 0.2% of simply multiplying by the square's side).
        int w = image.getWidth();
        int h = image.getHeight();
        double scale = (double) s / Math.max(w, h);
        double sx = (double) s / Math.round(w * scale) * w;
        double sy = (double) s / Math.round(h * scale) * h;
        List<DetectedFace> faces = new ArrayList<>(kept.size());
        for (Candidate c : kept) {
            faces.add(new DetectedFace(new Box((float) (c.x0 * sx), (float) (c.y0 * sy),
                    (float) ((c.x1 - c.x0) * sx), (float) ((c.y1 - c.y0) * sy)), (float) c.score));
        }
        return faces;
    }

    /** The checkpoint's architecture at another input size, with its weights. */
    private Sequential rebuild(int inputSize) {
        Sequential net = TinyFaceDetector.build(inputSize, 0);
        List<Param> from = checkpoint.model().state();
        List<Param> to = net.state();
        for (int i = 0; i < to.size(); i++) {
            float[] src = from.get(i).value().data();
            System.arraycopy(src, 0, to.get(i).value().data(), 0, src.length);
        }
        return net;
    }

    /**
     * {@code [1, 3, S, S]}: the image padded to a square (black at the bottom or right), resized
     * bilinearly to {@code S x S}, minus the mean RGB, over 255.
     *
     * <p>Source position of output pixel {@code i} is {@code i * side / S}; its value interpolates
     * the pixels at the floor and ceiling of that position, pixels of the padding being 0.
     * Only the {@code S x S} samples are computed: the padded square is never built.
     */
    public static Tensor preprocess(BufferedImage image, int size) {
        return preprocess(image, size, new float[3 * size * size]);
    }

    /** {@link #preprocess(BufferedImage, int)} into {@code x} ({@code 3 * size * size} floats, all overwritten). */
    private static Tensor preprocess(BufferedImage image, int size, float[] x) {
        int w = image.getWidth();
        int h = image.getHeight();
        int side = Math.max(w, h);
        int[] rgb = pixels(image);
        double scale = (double) side / size;
        int[] x0 = new int[size];
        int[] x1 = new int[size];
        double[] fx = new double[size];
        for (int i = 0; i < size; i++) {
            double src = scale * i;
            x0[i] = (int) Math.floor(src);
            x1[i] = Math.min(side - 1, (int) Math.ceil(src));
            fx[i] = src - x0[i];
        }
        int plane = size * size;
        float meanR = TinyFaceDetector.MEAN_RGB[0];
        float meanG = TinyFaceDetector.MEAN_RGB[1];
        float meanB = TinyFaceDetector.MEAN_RGB[2];
        for (int r = 0; r < size; r++) {
            // Rows past the image are the padding: black (-1 marks them).
            int top = x0[r] < h ? x0[r] * w : -1;
            int bottom = x1[r] < h ? x1[r] * w : -1;
            double fy = fx[r];
            int o = r * size;
            for (int c = 0; c < size; c++) {
                int a = x0[c];
                int b = x1[c];
                double f = fx[c];
                int tl = top >= 0 && a < w ? rgb[top + a] : 0;
                int tr = top >= 0 && b < w ? rgb[top + b] : 0;
                int bl = bottom >= 0 && a < w ? rgb[bottom + a] : 0;
                int br = bottom >= 0 && b < w ? rgb[bottom + b] : 0;
                x[o + c] = (lerp2(tl >>> 16, tr >>> 16, bl >>> 16, br >>> 16, f, fy) - meanR) / 255f;
                x[plane + o + c] = (lerp2(tl >>> 8, tr >>> 8, bl >>> 8, br >>> 8, f, fy) - meanG) / 255f;
                x[2 * plane + o + c] = (lerp2(tl, tr, bl, br, f, fy) - meanB) / 255f;
            }
        }
        return new Tensor(x, 1, 3, size, size);
    }

    /**
     * Bilinear interpolation of one 8-bit channel (the low byte of each argument): along the
     * row first ({@code f}), then between the rows ({@code fy}), in double, rounded to float once.
     */
    private static float lerp2(int tl, int tr, int bl, int br, double f, double fy) {
        int a = tl & 0xFF;
        int b = tr & 0xFF;
        int c = bl & 0xFF;
        int d = br & 0xFF;
        double top = a + (b - a) * f;
        double bottom = c + (d - c) * f;
        return (float) (top + (bottom - top) * fy);
    }

    /** The image's pixels as 0xRRGGBB, row-major: its own array when it is plain INT_RGB (no copy). */
    private static int[] pixels(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (image.getType() == BufferedImage.TYPE_INT_RGB
                && image.getRaster().getDataBuffer() instanceof DataBufferInt buffer
                && buffer.getNumBanks() == 1 && buffer.getOffset() == 0
                && image.getRaster().getSampleModelTranslateX() == 0 && image.getRaster().getSampleModelTranslateY() == 0
                && image.getRaster().getSampleModel() instanceof SinglePixelPackedSampleModel sm
                && sm.getScanlineStride() == w && buffer.getData().length >= w * h) {
            return buffer.getData();
        }
        return image.getRGB(0, 0, w, h, null, 0, w);
    }

    /** A box as fractions of the padded square's side, with its score and its order of discovery. */
    record Candidate(double x0, double y0, double x1, double y1, double score, int index) {
        double area() {
            return (x1 - x0) * (y1 - y0);
        }

        double iou(Candidate o) {
            double w = Math.max(0, Math.min(x1, o.x1) - Math.max(x0, o.x0));
            double h = Math.max(0, Math.min(y1, o.y1) - Math.max(y0, o.y0));
            double inter = w * h;
            return inter / (area() + o.area() - inter);
        }
    }

    /** Every anchor of every cell whose score is above {@code threshold}, from {@code out [25, cells, cells]}. */
    static List<Candidate> decode(float[] out, int cells, float threshold) {
        int plane = cells * cells;
        List<Candidate> found = new ArrayList<>();
        for (int row = 0; row < cells; row++) {
            for (int col = 0; col < cells; col++) {
                for (int a = 0; a < TinyFaceDetector.ANCHORS.length; a++) {
                    int base = a * TinyFaceDetector.BOX_ENCODING * plane + row * cells + col;
                    double score = sigmoid(out[base + 4 * plane]);
                    if (!(score > threshold)) {
                        continue;
                    }
                    double cx = (col + sigmoid(out[base])) / cells;
                    double cy = (row + sigmoid(out[base + plane])) / cells;
                    double bw = Math.exp(out[base + 2 * plane]) * TinyFaceDetector.ANCHORS[a][0] / cells;
                    double bh = Math.exp(out[base + 3 * plane]) * TinyFaceDetector.ANCHORS[a][1] / cells;
                    double left = cx - bw / 2;
                    double topY = cy - bh / 2;
                    found.add(new Candidate(left, topY, left + bw, topY + bh, score, found.size()));
                }
            }
        }
        return found;
    }

    /**
     * Greedy non-maximum suppression: repeatedly keeps the best remaining box and drops the boxes
     * that overlap it by more than {@code iouThreshold}. Equal scores: the later-found box first,
     * as face-api orders them.
     */
    static List<Candidate> nonMaxSuppression(List<Candidate> candidates, float iouThreshold) {
        List<Candidate> order = new ArrayList<>(candidates);
        order.sort(Comparator.comparingDouble(Candidate::score).thenComparingInt(Candidate::index).reversed());
        List<Candidate> kept = new ArrayList<>();
        boolean[] dropped = new boolean[order.size()];
        for (int i = 0; i < order.size(); i++) {
            if (dropped[i]) {
                continue;
            }
            Candidate best = order.get(i);
            kept.add(best);
            for (int j = i + 1; j < order.size(); j++) {
                if (!dropped[j] && best.iou(order.get(j)) > iouThreshold) {
                    dropped[j] = true;
                }
            }
        }
        return kept;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
