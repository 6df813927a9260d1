package org.fer4j.kernels.opencl;

import static org.fer4j.kernels.opencl.OpenClTestSupport.close;
import static org.fer4j.kernels.opencl.OpenClTestSupport.random;
import static org.fer4j.kernels.opencl.OpenClTestSupport.tol;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.fer4j.kernels.CheckedKernels;
import org.fer4j.kernels.ConvGeometry;
import org.fer4j.kernels.ScalarKernels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every OpenCL kernel against the scalar reference, over awkward sizes (1, 3, 7, 13, 31, 207 ...:
 * ragged SGEMM tiles, partial work-groups) and, for SGEMM, all four transpose cases with offsets
 * and padded leading dimensions. Results of resident arrays are read after {@code hostRead}, as
 * the engine would.
 */
class OpenClKernelsTest {

    private final ScalarKernels ref = new ScalarKernels();
    private OpenClKernels ocl;

    @BeforeEach
    void open() {
        ocl = OpenClTestSupport.kernels();
    }

    private float[] read(float[] a) {
        ocl.hostRead(a);
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 13, 31, 64, 207})
    void sgemmAllTransposeCases(int size) {
        SplittableRandom r = new SplittableRandom(size);
        int[][] shapes = {{size, size, size}, {size, 17, 5}, {3, size, 40}, {size + 2, 1, size}, {1, size, 1}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                int lda = (ta ? m : k) + 2;
                int ldb = (tb ? k : n) + 1;
                int ldc = n + 3;
                float[] a = random(r, 5 + (ta ? k : m) * lda);
                float[] b = random(r, 2 + (tb ? n : k) * ldb);
                float[] c0 = random(r, 1 + m * ldc);
                for (float beta : new float[] {0f, 1f, 0.5f}) {
                    float[] expected = c0.clone();
                    float[] actual = c0.clone();
                    ref.sgemm(ta, tb, m, n, k, 1.5f, a, 5, lda, b, 2, ldb, beta, expected, 1, ldc);
                    ocl.sgemm(ta, tb, m, n, k, 1.5f, a, 5, lda, b, 2, ldb, beta, actual, 1, ldc);
                    close("sgemm ta=" + ta + " tb=" + tb + " m=" + m + " n=" + n + " k=" + k + " beta=" + beta,
                            expected, read(actual), tol(k));
                }
            }
        }
    }

    @Test
    void sgemmBetaZeroDoesNotReadC() {
        float[] a = {1, 2};
        float[] b = {3, 4};
        float[] c = {Float.NaN};
        ocl.sgemm(false, false, 1, 1, 2, 1f, a, 0, 2, b, 0, 1, 0f, c, 0, 1);
        assertEquals(11f, read(c)[0]);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 13, 207, 4099, 10007})
    void elementwise(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] x = random(r, n + 3);
        float[] y = random(r, n + 5);
        float[] e = y.clone();
        float[] a = y.clone();
        ref.axpy(e, 5, x, 3, n, 0.75f);
        ocl.axpy(a, 5, x, 3, n, 0.75f);
        close("axpy", e, read(a), 1e-6);
        ref.scale(e, 2, n, -1.25f);
        ocl.scale(a, 2, n, -1.25f);
        close("scale", e, read(a), 1e-6);
        ref.fill(e, 1, n, 0.5f);
        ocl.fill(a, 1, n, 0.5f);
        close("fill", e, read(a), 1e-6);
        float[] p = random(r, n);
        float[] q = random(r, n);
        float[] sum = new float[n];
        float[] sumRef = new float[n];
        ref.add(sumRef, p, q, n);
        ocl.add(sum, p, q, n);
        close("add", sumRef, read(sum), 0);
        ref.mul(sumRef, sumRef, q, n);
        ocl.mul(sum, sum, q, n); // y aliases a
        close("mul", sumRef, read(sum), 1e-7);
        assertEquals(ref.sumOfSquares(x, 3, n), ocl.sumOfSquares(x, 3, n), tol(n) * (1 + ref.sumOfSquares(x, 3, n)));
        float[] rx = random(r, n);
        float[] ry = new float[n];
        float[] ryRef = new float[n];
        ref.reluForward(ryRef, rx, n);
        ocl.reluForward(ry, rx, n);
        close("reluForward", ryRef, read(ry), 0);
        float[] dy = random(r, n);
        float[] dx = new float[n];
        float[] dxRef = new float[n];
        ref.reluBackward(dxRef, dy, ryRef, n);
        ocl.reluBackward(dx, dy, ry, n);
        close("reluBackward", dxRef, read(dx), 0);
        // In place over a span that starts inside the array: the elements before it are kept.
        float[] ix = random(r, n + 2);
        float[] ixRef = ix.clone();
        ref.reluInPlace(ixRef, 2, n);
        ocl.reluInPlace(ix, 2, n);
        close("reluInPlace", ixRef, read(ix), 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 8, 13})
    void convForwardWithBiasAndRelu(int size) {
        SplittableRandom r = new SplittableRandom(size);
        int channels = 2;
        int filters = 5;
        int images = 3;
        int outH = size - 2;
        int outW = size - 2;
        int positions = outH * outW;
        float[] img = random(r, 1 + images * channels * size * size);
        float[] kernel = random(r, filters * channels * 9);
        float[] bias = random(r, filters);
        for (int variant = 0; variant < 4; variant++) {
            float[] b = variant % 2 == 0 ? null : bias;
            boolean relu = variant >= 2;
            float[] y = random(r, 2 + images * filters * positions);
            float[] yRef = y.clone();
            ConvGeometry g = new ConvGeometry(channels, size, size, filters, 3, 3, 1, 1, 0, 0, outH, outW);
            ref.convForward(yRef, 2, img, 1, images, kernel, b, new float[g.colSize()], g, relu, 0f);
            ocl.convForward(y, 2, img, 1, images, kernel, b, new float[g.colSize()], g, relu, 0f);
            close("convForward bias=" + (b != null) + " relu=" + relu, yRef, read(y), tol(channels * 9));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 14, 20})
    void convForwardPooledAsTheConvolutionThenThePool(int size) {
        // The interface's default on this backend: the convolution on the device, the pool on the
        // host (its output read back first), at an offset; y is on the device before (a kernel
        // wrote it) and a kernel reads it after, so both hand-overs are exercised (y has at least
        // RESIDENT_MIN elements: it stays resident).
        SplittableRandom r = new SplittableRandom(size * 3L);
        int channels = 2;
        int filters = 16;
        int images = 3;
        ConvGeometry g = ConvGeometry.of(channels, size, size + 1, filters, 3, 3, 1, 1, 1, 1, 1, 1);
        int pooled = images * filters * (g.outH() / 2) * (g.outW() / 2);
        float[] img = random(r, 1 + images * g.imageSize());
        float[] kernel = random(r, g.kernelSize());
        float[] bias = random(r, filters);
        float[] y = random(r, 2 + pooled);
        ocl.reluInPlace(y, 2, pooled);  // now the device holds y's latest values
        float[] yRef = y.clone();
        ref.convForwardPooled(yRef, 2, img, 1, images, kernel, bias, new float[g.colSize()], g, true, 0f,
                new float[images * g.outputSize()]);
        ocl.fixKernel(kernel);  // keeps nothing here
        ocl.convForwardPooled(y, 2, img, 1, images, kernel, bias, new float[g.colSize()], g, true, 0f,
                new float[images * g.outputSize()]);
        ocl.reluInPlace(y, 2, pooled);  // a device kernel must see the host's pooled values
        close("convForwardPooled", yRef, read(y), tol(channels * 9));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 13, 31})
    void biasAndPools(int size) {
        SplittableRandom r = new SplittableRandom(size * 7L);
        int n = 3;
        int c = size;
        int s = 13;
        float[] y = random(r, n * c * s);
        float[] bias = random(r, c);
        float[] e = y.clone();
        ref.addBias(e, bias, n, c, s);
        ocl.addBias(y, bias, n, c, s);
        close("addBias", e, read(y), 1e-7);
        // fillBias over images 1..n-1 of a larger array: image 0 must keep its values.
        float[] filled = random(r, n * c * s);
        float[] filledRef = filled.clone();
        ref.fillBias(filledRef, c * s, bias, n - 1, c, s);
        ocl.fillBias(filled, c * s, bias, n - 1, c, s);
        close("fillBias", filledRef, read(filled), 0);
        float[] db = random(r, c);
        float[] dbRef = db.clone();
        ref.biasBackward(dbRef, e, n, c, s);
        ocl.biasBackward(db, y, n, c, s);
        close("biasBackward", dbRef, read(db), tol(n * s));
        float[] avg = new float[n * c];
        float[] avgRef = new float[n * c];
        ref.avgPoolGlobalForward(avgRef, e, n * c, s);
        ocl.avgPoolGlobalForward(avg, y, n * c, s);
        close("avgPoolGlobalForward", avgRef, read(avg), tol(s));
        float[] din = new float[n * c * s];
        float[] dinRef = new float[n * c * s];
        ref.avgPoolGlobalBackward(dinRef, avgRef, n * c, s);
        ocl.avgPoolGlobalBackward(din, avg, n * c, s);
        close("avgPoolGlobalBackward", dinRef, read(din), tol(s));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 7, 13, 48})
    void maxPool(int size) {
        SplittableRandom r = new SplittableRandom(size);
        int[][] geometries = {{2, 2, 2, 2}, {3, 3, 1, 1}, {3, 2, 2, 1}, {1, 1, 1, 1}};
        for (int[] g : geometries) {
            int kh = Math.min(g[0], size);
            int kw = Math.min(g[1], size);
            int sh = g[2];
            int sw = g[3];
            int planes = 5;
            int outH = (size - kh) / sh + 1;
            int outW = (size - kw) / sw + 1;
            float[] in = random(r, planes * size * size);
            for (int i = 0; i < in.length; i += 5) {
                in[i] = 0.25f; // ties
            }
            float[] out = new float[planes * outH * outW];
            float[] outRef = new float[out.length];
            int[] am = new int[out.length];
            int[] amRef = new int[out.length];
            ref.maxPoolForward(outRef, amRef, in, planes, size, size, kh, kw, sh, sw, outH, outW);
            ocl.maxPoolForward(out, am, in, planes, size, size, kh, kw, sh, sw, outH, outW);
            close("maxPoolForward", outRef, read(out), 0);
            ocl.hostRead(am);
            assertArrayEquals(amRef, am, "argmax");
            float[] dout = random(r, out.length);
            float[] din = random(r, in.length); // overwritten
            float[] dinRef = new float[in.length];
            ref.maxPoolBackward(dinRef, dout, amRef, in.length, out.length);
            ocl.maxPoolBackward(din, dout, am, in.length, out.length);
            close("maxPoolBackward " + kh + "x" + kw + "/" + sh + "x" + sw, dinRef, read(din), 0);
            // An argmax written by the host: the geometry is unknown, so the scatter path runs.
            int[] hostArgmax = amRef.clone();
            float[] din2 = new float[in.length];
            ocl.maxPoolBackward(din2, dout, hostArgmax, in.length, out.length);
            close("maxPoolBackward (host argmax)", dinRef, read(din2), 0);
        }
    }

    @Test
    void maxPoolBackwardRejectsAnArgmaxOutsideDin() {
        int[] argmax = {0, 5};
        var e = assertThrows(IllegalArgumentException.class,
                () -> ocl.maxPoolBackward(new float[4], new float[2], argmax, 4, 2));
        assertTrue(e.getMessage().contains("argmax[1] = 5"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 8, 13})
    void im2colAndCol2im(int size) {
        SplittableRandom r = new SplittableRandom(size);
        int[][] geometries = {{3, 3, 1, 1, 1, 1}, {3, 3, 2, 2, 1, 0}, {1, 1, 1, 1, 0, 0}, {5, 3, 2, 1, 2, 1}};
        for (int[] g : geometries) {
            int kh = g[0];
            int kw = g[1];
            int sh = g[2];
            int sw = g[3];
            int pt = g[4];
            int pl = g[5];
            int channels = 3;
            int outH = (size + 2 * pt - kh) / sh + 1;
            int outW = (size + 2 * pl - kw) / sw + 1;
            if (outH <= 0 || outW <= 0) {
                continue;
            }
            float[] img = random(r, 4 + channels * size * size);
            int colSize = channels * kh * kw * outH * outW;
            float[] col = random(r, colSize + 2);
            float[] colRef = col.clone();
            ConvGeometry geometry = new ConvGeometry(channels, size, size, 1, kh, kw, sh, sw, pt, pl, outH, outW);
            ref.im2col(colRef, 2, img, 4, geometry);
            ocl.im2col(col, 2, img, 4, geometry);
            close("im2col", colRef, read(col), 0);
            float[] back = random(r, 4 + channels * size * size);
            float[] backRef = back.clone();
            ref.col2im(backRef, 4, colRef, 2, geometry);
            ocl.col2im(back, 4, col, 2, geometry);
            close("col2im", backRef, read(back), 1e-6);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 31})
    void batchNorm(int channels) {
        SplittableRandom r = new SplittableRandom(channels);
        for (int[] ns : new int[][] {{2, 1}, {4, 49}, {3, 207}}) {
            int n = ns[0];
            int s = ns[1];
            int size = n * channels * s;
            float[] x = random(r, size);
            for (int i = 0; i < size; i++) {
                x[i] = x[i] * 3 + 2; // a mean away from zero
            }
            float[] mean = new float[channels];
            float[] var = new float[channels];
            float[] meanRef = new float[channels];
            float[] varRef = new float[channels];
            ref.batchNormStats(meanRef, varRef, x, n, channels, s);
            ocl.batchNormStats(mean, var, x, n, channels, s);
            close("batchNormStats mean", meanRef, read(mean), tol(n * s));
            close("batchNormStats var", varRef, read(var), tol(n * s));
            float[] invStd = new float[channels];
            for (int c = 0; c < channels; c++) {
                invStd[c] = (float) (1 / Math.sqrt(varRef[c] + 1e-5));
            }
            float[] gamma = random(r, channels);
            float[] beta = random(r, channels);
            float[] y = new float[size];
            float[] xhat = new float[size];
            float[] yRef = new float[size];
            float[] xhatRef = new float[size];
            ref.batchNormForward(yRef, xhatRef, x, meanRef, invStd, gamma, beta, n, channels, s);
            ocl.batchNormForward(y, xhat, x, meanRef, invStd, gamma, beta, n, channels, s);
            close("batchNormForward y", yRef, read(y), 1e-5);
            close("batchNormForward xhat", xhatRef, read(xhat), 1e-5);
            float[] yInference = new float[size];
            ocl.batchNormForward(yInference, null, x, meanRef, invStd, gamma, beta, n, channels, s);
            close("batchNormForward without xhat", yRef, read(yInference), 1e-5);
            float[] dy = random(r, size);
            float[] dx = new float[size];
            float[] dxRef = new float[size];
            float[] dgamma = random(r, channels);
            float[] dbeta = random(r, channels);
            float[] dgammaRef = dgamma.clone();
            float[] dbetaRef = dbeta.clone();
            ref.batchNormBackward(dxRef, dgammaRef, dbetaRef, dy, xhatRef, invStd, gamma, n, channels, s);
            ocl.batchNormBackward(dx, dgamma, dbeta, dy, xhat, invStd, gamma, n, channels, s);
            close("batchNormBackward dx", dxRef, read(dx), tol(n * s) * 4);
            close("batchNormBackward dgamma", dgammaRef, read(dgamma), tol(n * s));
            close("batchNormBackward dbeta", dbetaRef, read(dbeta), tol(n * s));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 64, 207})
    void softmaxCrossEntropy(int n) {
        SplittableRandom r = new SplittableRandom(n);
        for (int k : new int[] {1, 2, 7, 13}) {
            float[] logits = random(r, n * k);
            for (int i = 0; i < logits.length; i++) {
                logits[i] *= 8;
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = r.nextInt(k);
            }
            float[] weights = random(r, k);
            for (float[] w : new float[][] {null, weights}) {
                for (float smoothing : new float[] {0f, 0.1f}) {
                    float[] probs = new float[n * k];
                    float[] probsRef = new float[n * k];
                    double lossRef = ref.softmaxCrossEntropyForward(probsRef, logits, labels, n, k, smoothing, w);
                    double loss = ocl.softmaxCrossEntropyForward(probs, logits, labels, n, k, smoothing, w);
                    assertEquals(lossRef, loss, 1e-5 * (1 + Math.abs(lossRef)), "loss n=" + n + " k=" + k);
                    close("probs", probsRef, read(probs), 1e-5);
                    float[] d = new float[n * k];
                    float[] dRef = new float[n * k];
                    ref.softmaxCrossEntropyBackward(dRef, probsRef, labels, n, k, smoothing, w);
                    ocl.softmaxCrossEntropyBackward(d, probs, labels, n, k, smoothing, w);
                    close("dlogits", dRef, read(d), 1e-5);
                }
            }
        }
        int[] bad = new int[n];
        bad[n - 1] = 9;
        var e = assertThrows(IllegalArgumentException.class, () -> CheckedKernels.of(ocl)
                .softmaxCrossEntropyForward(new float[n * 3], new float[n * 3], bad, n, 3, 0f, null));
        assertTrue(e.getMessage().contains("row " + (n - 1) + " has label 9"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 207, 5000})
    void optimizerUpdates(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] g = random(r, n);
        for (boolean decoupled : new boolean[] {false, true}) {
            float[] w = random(r, n);
            float[] m = new float[n];
            float[] v = new float[n];
            float[] wRef = w.clone();
            float[] mRef = m.clone();
            float[] vRef = v.clone();
            for (long t = 1; t <= 3; t++) {
                ref.adamUpdate(wRef, g, mRef, vRef, n, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, t);
                ocl.adamUpdate(w, g, m, v, n, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, t);
            }
            close("adam w", wRef, read(w), 1e-5);
            close("adam m", mRef, read(m), 1e-5);
            close("adam v", vRef, read(v), 1e-5);
        }
        for (float momentum : new float[] {0f, 0.9f}) {
            for (boolean nesterov : new boolean[] {false, true}) {
                float[] w = random(r, n);
                float[] vel = momentum == 0f ? null : new float[n];
                float[] wRef = w.clone();
                float[] velRef = vel == null ? null : vel.clone();
                for (int t = 0; t < 3; t++) {
                    ref.sgdUpdate(wRef, g, velRef, n, 0.1f, momentum, 1e-4f, nesterov);
                    ocl.sgdUpdate(w, g, vel, n, 0.1f, momentum, 1e-4f, nesterov);
                }
                close("sgd w momentum=" + momentum + " nesterov=" + nesterov, wRef, read(w), 1e-6);
            }
        }
    }

    @Test
    void dropoutMaskIsTheReference() {
        float[] mask = new float[5000];
        float[] maskRef = new float[5000];
        ref.dropoutMask(maskRef, 4999, 0.3f, 42L);
        ocl.dropoutMask(mask, 4999, 0.3f, 42L);
        close("dropoutMask", maskRef, read(mask), 0);
    }

    @Test
    void theFacadeChecksInFrontOfThisBackendNameTheKernelAndArgument() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> CheckedKernels.of(ocl).reluForward(new float[3], new float[2], 3));
        assertEquals("reluForward: x needs 3 elements from offset 0, but its length is 2", e.getMessage());
    }

    @Test
    void describeNamesTheDevice() {
        String d = ocl.describe();
        assertTrue(d.startsWith("opencl (") && d.contains(ocl.device().name()), d);
    }
}
