package org.fer4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;

/** Test helpers: ONNX Runtime as the reference, random inputs and weights, softmax. */
final class OrtSupport {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private OrtSupport() {
    }

    /** Runs ONNX {@code model} on {@code x} [N, ...] with ONNX Runtime; returns the output's values. */
    static float[] run(byte[] model, Tensor x) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            try (OrtSession session = ENV.createSession(model, options)) {
                long[] shape = new long[x.rank()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = x.dim(i);
                }
                try (OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x.data()), shape);
                     OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, in))) {
                    FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    float[] values = new float[out.remaining()];
                    out.get(values);
                    return values;
                }
            }
        }
    }

    /** {@code n} images of the model's input shape, uniform in [-1, 1). */
    static Tensor randomInput(Sequential model, int n, long seed) {
        int[] in = model.inputShape();
        int[] shape = new int[in.length + 1];
        shape[0] = n;
        System.arraycopy(in, 0, shape, 1, in.length);
        Tensor x = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /**
     * Gives batch-norm layers non-trivial statistics and affine terms (a fresh model has mean 0,
     * variance 1, gamma 1, beta 0, which would hide a swapped tensor), and biases small random values.
     */
    static void perturbState(Sequential model, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Param p : model.state()) {
            String n = p.name();
            float[] d = p.value().data();
            for (int i = 0; i < d.length; i++) {
                if (n.endsWith("/gamma") || n.endsWith("/running_var")) {
                    d[i] = (float) (0.5 + r.nextDouble());
                } else if (n.endsWith("/beta") || n.endsWith("/running_mean") || n.endsWith("/bias")) {
                    d[i] = (float) (r.nextDouble() * 0.2 - 0.1);
                }
            }
        }
    }

    static float[] softmaxRows(float[] logits, int rows) {
        int k = logits.length / rows;
        float[] p = new float[logits.length];
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
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

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** The bundled face detector, read from the models jar. */
    static Checkpoint bundledDetector() throws IOException {
        try (InputStream in = OrtSupport.class.getResourceAsStream("/org/fer4j/models/faces/tiny-face-detector.fer4j")) {
            if (in == null) {
                throw new IOException("the bundled face detector is missing from the models jar");
            }
            Path tmp = Files.createTempFile("fer4j-detector-", ModelFile.EXTENSION);
            try {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return ModelFile.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
