package org.fer4j.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Layer;
import org.fer4j.engine.layers.Layers;
import org.fer4j.engine.layers.Residual;

/**
 * An inference-only copy of a model with every batch-norm that directly follows a
 * {@link Conv2D} or {@link Dense} folded into that layer's weights and bias. In evaluation mode
 * batch-norm is a fixed affine map per channel {@code c}:
 *
 * <pre>
 * s[c] = gamma[c] / sqrt(runningVar[c] + eps)
 * BN(z)[c] = s[c] * (z[c] - runningMean[c]) + beta[c]
 * </pre>
 *
 * and with {@code z = W . x + b} that is again a convolution (or dense layer):
 *
 * <pre>
 * W'[c, ...] = s[c] * W[c, ...]                          (Conv2D kernel [F, C, KH, KW]: row c;
 *                                                          Dense kernel [IN, OUT]: column c)
 * b'[c]      = s[c] * (b[c] - runningMean[c]) + beta[c]  (b = 0 for a layer without bias)
 * </pre>
 *
 * The copy computes what {@code model.forward(x, Mode.EVAL)} computes, up to float rounding
 * (the folded weights are computed in double, then rounded once), with one pass over each
 * activation fewer per batch-norm; and since the folded convolution is now followed directly by
 * its ReLU, the ReLU is fused into its GEMM's epilogue as well ({@link Layers#buildChain}). Batch-
 * norm inside {@link Residual} blocks is folded the same way.
 *
 * <p>Pooling: a convolution followed (after its batch-norm and its ReLU, if any) by a 2x2,
 * stride-2 max-pool does the pooling itself in the copy, and the pool layer is left out ({@link
 * Layers#fusablePool}, {@link Conv2D}): on the vector backend the convolution's full-size output
 * is then never stored. The copy's result is the same, bit for bit, as the unpooled copy's, since
 * the kernels pool exactly the values they would have written. The copy shares no arrays with
 * the original: changing the original's weights later does not change it (fold again).
 *
 * <p>Fixed weights: the copy's convolutions declare their kernels fixed ({@link
 * Conv2D#fixWeights}), so that a backend keeps what it derives from them between calls (the
 * vector backend: the packed kernel and the Winograd transforms), which is a large part of a
 * convolution's time at batch 1. Do not write to the copy's weights; fold the original again.
 *
 * <p>Only for inference: it has no batch-norm to train, and its training-mode forward would not
 * normalise by batch statistics. Its layers take the kernels backend current at the call
 * (see {@code KernelsProvider.using}), as any newly built layer does.
 */
public final class InferenceModel {
    private InferenceModel() {
    }

    /** The folded copy of {@code model}, its pools fused; layers that have nothing to fold are copied as they are. */
    public static Sequential fold(Sequential model) {
        return fold(model, true);
    }

    /**
     * The folded copy of {@code model}, with its 2x2 max-pools done by the convolutions before them
     * or, with {@code fusePools} false, left as layers of their own (to measure what the fusion
     * saves: the two copies compute the same bits).
     */
    public static Sequential fold(Sequential model, boolean fusePools) {
        return fold(model, fusePools, true);
    }

    /**
     * {@link #fold(Sequential, boolean)}, with the copy's convolution kernels declared fixed
     * ({@link Conv2D#fixWeights}) or, with {@code fixWeights} false, not (to measure what keeping
     * their derived forms saves; the results are the same bits).
     */
    public static Sequential fold(Sequential model, boolean fusePools, boolean fixWeights) {
        List<Layer> original = model.layers();
        List<Layer> copy = foldChain(original, fusePools);
        Sequential folded = new Sequential(model.name(), model.inputShape(), copy, model.seed());
        copyWeights(original, folded.layers(), fusePools);
        if (fixWeights) {
            fixConvolutions(folded.layers());
        }
        return folded;
    }

    /** Every convolution of the copy declares its kernel fixed ({@link Conv2D#fixWeights}): its weights are final now. */
    private static void fixConvolutions(List<Layer> layers) {
        for (Layer l : layers) {
            if (l instanceof Conv2D c) {
                c.fixWeights();
            } else if (l instanceof Residual r) {
                fixConvolutions(r.mainPath());
                fixConvolutions(r.shortcutPath());
            }
        }
    }

    /** The model to run predictions on: its {@link #fold}ed copy where that changes anything, else the model itself. */
    public static Sequential of(Sequential model) {
        return hasFoldableBatchNorm(model) || hasFusablePool(model.layers()) ? fold(model) : model;
    }

    /** Whether some batch-norm directly follows a Conv2D or Dense, which {@link #fold} folds. */
    public static boolean hasFoldableBatchNorm(Sequential model) {
        return foldable(model.layers());
    }

    private static boolean foldable(List<Layer> layers) {
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l instanceof Residual r && (foldable(r.mainPath()) || foldable(r.shortcutPath()))) {
                return true;
            }
            if (foldsInto(layers, i)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some convolution of {@code layers} (or of a residual block's paths) can do the max-pool after it. */
    private static boolean hasFusablePool(List<Layer> layers) {
        for (Layer l : layers) {
            if (l instanceof Residual r && (hasFusablePool(r.mainPath()) || hasFusablePool(r.shortcutPath()))) {
                return true;
            }
        }
        return !fusedPools(layers).isEmpty();
    }

    /** The indices of the max-pools of the built chain {@code layers} that the copy's convolutions do themselves. */
    private static Set<Integer> fusedPools(List<Layer> layers) {
        Set<Integer> pools = new HashSet<>();
        for (int i = 0; i < layers.size(); i++) {
            int pool = Layers.fusablePool(layers, i, foldsInto(layers, i));
            if (pool >= 0) {
                pools.add(pool);
            }
        }
        return pools;
    }

    /** Whether the batch-norm right after layer {@code i} of {@code layers}, if any, folds into it. */
    private static boolean foldsInto(List<Layer> layers, int i) {
        Layer layer = layers.get(i);
        Layer next = i + 1 < layers.size() ? layers.get(i + 1) : null;
        // Not into a convolution that pools: a batch-norm after the max does not commute with it.
        return (layer instanceof Conv2D c && !c.poolsItsOutput() || layer instanceof Dense) && next instanceof BatchNorm;
    }

    /**
     * Unbuilt copies of {@code layers}: a Conv2D or Dense followed by batch-norm gets a bias and
     * loses the BN; a Conv2D followed by a 2x2 max-pool it can do ({@link #fusedPools}) does it,
     * and the pool is left out.
     */
    private static List<Layer> foldChain(List<Layer> layers, boolean fusePools) {
        List<Layer> out = new ArrayList<>(layers.size());
        Set<Integer> pools = fusePools ? fusedPools(layers) : Set.of();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            boolean folds = foldsInto(layers, i);
            boolean poolFollows = pools.contains(Layers.fusablePool(layers, i, folds));
            if (pools.contains(i)) {
                continue;  // done by the convolution before it
            } else if (l instanceof Residual r) {
                out.add(new Residual(foldChain(r.mainPath(), fusePools), foldChain(r.shortcutPath(), fusePools)));
            } else if (folds) {
                Map<String, Object> d = Layers.describe(l);
                @SuppressWarnings("unchecked")
                Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) d.get("config"));
                config.put("bias", true);
                d.put("config", config);
                out.add(poolFollows ? Layers.withFusedPool((Conv2D) Layers.fromConfig(d)) : Layers.fromConfig(d));
                i++;  // the batch-norm is now inside this layer
            } else {
                Layer copy = Layers.fromConfig(Layers.describe(l));
                out.add(poolFollows ? Layers.withFusedPool((Conv2D) copy) : copy);
            }
        }
        return out;
    }

    /** Walks the original and the folded chains side by side, filling the copy's weights. */
    private static void copyWeights(List<Layer> from, List<Layer> to, boolean fusePools) {
        Set<Integer> pools = fusePools ? fusedPools(from) : Set.of();
        int j = 0;
        for (int i = 0; i < from.size(); i++, j++) {
            if (pools.contains(i)) {
                j--;  // the copy has no layer for it
                continue;
            }
            Layer src = from.get(i);
            Layer dst = to.get(j);
            if (src instanceof Residual r) {
                Residual d = (Residual) dst;
                copyWeights(r.mainPath(), d.mainPath(), fusePools);
                copyWeights(r.shortcutPath(), d.shortcutPath(), fusePools);
            } else if (foldsInto(from, i)) {
                foldInto(src, (BatchNorm) from.get(i + 1), dst);
                i++;
            } else {
                List<Param> a = src.params();
                List<Param> b = dst.params();
                for (int k = 0; k < a.size(); k++) {
                    float[] v = a.get(k).value().data();
                    System.arraycopy(v, 0, b.get(k).value().data(), 0, v.length);
                }
            }
        }
    }

    /**
     * {@code dst} (built, with a bias) gets {@code src}'s weights scaled per output channel and
     * the bias that absorbs {@code bn}'s mean and shift.
     */
    private static void foldInto(Layer src, BatchNorm bn, Layer dst) {
        // BatchNorm.params(): gamma, beta, running mean, running variance, each [C].
        List<Param> p = bn.params();
        float[] gamma = p.get(0).value().data();
        float[] beta = p.get(1).value().data();
        float[] mean = p.get(2).value().data();
        float[] var = p.get(3).value().data();
        double eps = ((Number) bn.config().get("eps")).doubleValue();
        int channels = gamma.length;
        double[] scale = new double[channels];
        for (int c = 0; c < channels; c++) {
            // The same invStd as BatchNorm's forward computes: 1 / sqrt(var + eps) with var + eps in float.
            scale[c] = gamma[c] * (double) (float) (1.0 / Math.sqrt(var[c] + (float) eps));
        }
        List<Param> s = src.params();   // kernel, then bias when the layer has one
        float[] w = s.get(0).value().data();
        float[] b = s.size() > 1 ? s.get(1).value().data() : null;
        List<Param> d = dst.params();
        float[] w2 = d.get(0).value().data();
        float[] b2 = d.get(1).value().data();
        if (src instanceof Conv2D) {
            // kernel [F, C*KH*KW]: output channel c is row c
            int row = w.length / channels;
            for (int i = 0; i < w.length; i++) {
                w2[i] = (float) (w[i] * scale[i / row]);
            }
        } else {
            // Dense kernel [IN, OUT]: output feature c is column c
            for (int i = 0; i < w.length; i++) {
                w2[i] = (float) (w[i] * scale[i % channels]);
            }
        }
        for (int c = 0; c < channels; c++) {
            double bias = b == null ? 0 : b[c];
            b2[c] = (float) (scale[c] * (bias - mean[c]) + beta[c]);
        }
    }
}
