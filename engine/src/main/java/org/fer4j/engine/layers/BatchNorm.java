package org.fer4j.engine.layers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;

/**
 * Batch normalisation (Ioffe and Szegedy 2015, arXiv:1502.03167) of conv feature maps
 * {@code [N, C, H, W]} per channel, or of dense features {@code [N, F]} per feature (then
 * {@code C = F} and {@code S = 1}). With {@code M = N*S} values per channel:
 *
 * <pre>
 * TRAIN  mean = 1/M sum x,  var = 1/M sum (x - mean)^2         (biased: the batch's own variance)
 *        running = momentum * running + (1 - momentum) * batch  (running var gets the unbiased M/(M-1) var)
 * EVAL   mean, var = the running statistics
 * both   invStd = 1/sqrt(var + eps),  xhat = (x - mean) * invStd,  y = gamma * xhat + beta
 * </pre>
 *
 * Backward in TRAIN mode differentiates through the batch statistics too (see
 * {@code Kernels.batchNormBackward}); after an EVAL forward the statistics are constants and
 * {@code dx = gamma * invStd * dy}. {@code momentum} follows Keras (0.99 keeps 99% of the old
 * running value), {@code eps} defaults to Keras' 1e-3.
 */
public final class BatchNorm extends Layer {
    private final float momentum;
    private final float eps;

    private int channels;
    private int spatial;
    private Param gamma;        // [C], trainable scale, starts at 1
    private Param beta;         // [C], trainable shift, starts at 0
    private Param runningMean;  // [C], saved state
    private Param runningVar;   // [C], saved state, starts at 1

    // Cache of the last forward.
    private Mode mode;
    private final float[][] stats = new float[3][];  // mean, var, invStd, each [C]
    private Tensor xhat;    // same shape as x
    private Tensor output;
    private Tensor dinput;
    private float[] zeros;  // [C], the "mean" and "beta" of the EVAL backward trick below
    private float[] product;  // dy * xhat, EVAL backward only

    public BatchNorm() {
        this(0.99f, 1e-3f);
    }

    public BatchNorm(float momentum, float eps) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("BatchNorm momentum must be in [0, 1), got " + momentum);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("BatchNorm eps must be > 0, got " + eps);
        }
        this.momentum = momentum;
        this.eps = eps;
    }

    static BatchNorm fromConfig(Map<String, ?> c) {
        return new BatchNorm((float) Config.getDouble("BatchNorm", c, "momentum", 0.99),
                (float) Config.getDouble("BatchNorm", c, "eps", 1e-3));
    }

    @Override
    public String type() {
        return "BatchNorm";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("momentum", momentum);
        c.put("eps", eps);
        return c;
    }

    @Override
    public boolean isScalePreserving() {
        return true;
    }

    @Override
    protected int[] doBuild(int[] in, BuildContext context) {
        if (in.length == 1) {
            channels = in[0];
            spatial = 1;
        } else if (in.length == 3) {
            channels = in[0];
            spatial = in[1] * in[2];
        } else {
            throw new IllegalArgumentException("needs a (features) or (channels, height, width) input");
        }
        gamma = Param.trainable(name() + "/gamma", Tensor.zeros(channels), false);
        beta = Param.trainable(name() + "/beta", Tensor.zeros(channels), false);
        runningMean = Param.state(name() + "/running_mean", Tensor.zeros(channels));
        runningVar = Param.state(name() + "/running_var", Tensor.zeros(channels));
        kernels.fill(gamma.value().data(), 0, channels, 1f);
        kernels.fill(runningVar.value().data(), 0, channels, 1f);
        for (int i = 0; i < stats.length; i++) {
            stats[i] = new float[channels];
        }
        zeros = new float[channels];
        return in;
    }

    @Override
    public List<Param> params() {
        return gamma == null ? List.of() : List.of(gamma, beta, runningMean, runningVar);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int n = batchOf(x);
        this.mode = mode;
        float[] mean = stats[0];
        float[] var = stats[1];
        float[] invStd = stats[2];
        if (mode == Mode.TRAIN) {
            int m = n * spatial;
            if (m < 2) {
                throw new IllegalArgumentException("layer " + name() + " (BatchNorm) needs at least 2 values per "
                        + "channel in training, got a batch of " + n + " with " + spatial + " per channel");
            }
            kernels.batchNormStats(mean, var, x.data(), n, channels, spatial);
            float unbiased = (float) m / (m - 1);
            float[] rm = runningMean.value().data();
            float[] rv = runningVar.value().data();
            for (int c = 0; c < channels; c++) {
                rm[c] = momentum * rm[c] + (1 - momentum) * mean[c];
                rv[c] = momentum * rv[c] + (1 - momentum) * var[c] * unbiased;
            }
        } else {
            System.arraycopy(runningMean.value().data(), 0, mean, 0, channels);
            System.arraycopy(runningVar.value().data(), 0, var, 0, channels);
        }
        for (int c = 0; c < channels; c++) {
            invStd[c] = (float) (1.0 / Math.sqrt(var[c] + eps));
        }
        output = reuse(output, x.shape());
        xhat = reuse(xhat, x.shape());
        kernels.batchNormForward(output.data(), xhat.data(), x.data(), mean, invStd,
                gamma.value().data(), beta.value().data(), n, channels, spatial);
        return output;
    }

    @Override
    public Tensor backward(Tensor dout) {
        int n = dout.dim(0);
        dinput = reuse(dinput, dout.shape());
        float[] invStd = stats[2];
        if (mode == Mode.TRAIN) {
            kernels.batchNormBackward(dinput.data(), gamma.grad().data(), beta.grad().data(), dout.data(),
                    xhat.data(), invStd, gamma.value().data(), n, channels, spatial);
        } else {
            // Constant statistics: dx = gamma * invStd * dy, which is the forward normalisation
            // applied to dy with mean 0 and shift 0.
            kernels.batchNormForward(dinput.data(), null, dout.data(), zeros, invStd,
                    gamma.value().data(), zeros, n, channels, spatial);
            kernels.biasBackward(beta.grad().data(), dout.data(), n, channels, spatial);
            if (product == null || product.length != dout.size()) {
                product = new float[dout.size()];
            }
            kernels.mul(product, dout.data(), xhat.data(), product.length);
            kernels.biasBackward(gamma.grad().data(), product, n, channels, spatial);
        }
        return dinput;
    }
}
