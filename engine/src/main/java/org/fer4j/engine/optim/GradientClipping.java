package org.fer4j.engine.optim;

import java.util.List;
import org.fer4j.engine.Param;
import org.fer4j.kernels.Kernels;
import org.fer4j.kernels.KernelsProvider;

/**
 * Clipping of gradients by their global L2 norm (Pascanu, Mikolov and Bengio, 2013, "On the
 * difficulty of training recurrent neural networks",
 * <a href="https://arxiv.org/abs/1211.5063">arXiv:1211.5063</a>): all gradients are treated as one
 * vector, so clipping shrinks its length and keeps its direction, unlike clipping each value.
 * Call it after backward and before {@link Optimizer#step()}. Parameters without a gradient are
 * skipped.
 */
public final class GradientClipping {

    private GradientClipping() {
    }

    /** {@code sqrt(sum over params and elements of grad^2)}, accumulated in double. */
    public static double globalNorm(List<Param> params) {
        Kernels kernels = KernelsProvider.get();
        double sumOfSquares = 0;
        for (Param p : params) {
            if (p.trainable()) {
                sumOfSquares += kernels.sumOfSquares(p.grad().data(), 0, p.grad().size());
            }
        }
        return Math.sqrt(sumOfSquares);
    }

    /**
     * Scales every gradient by {@code maxNorm / norm} when the global norm exceeds
     * {@code maxNorm}, and returns the norm measured before clipping (for logs). A non-finite
     * norm is returned with the gradients left alone: scaling cannot repair an infinity or NaN
     * (it would turn them all into NaN or 0), and the caller decides whether to skip the step.
     */
    public static double clipByGlobalNorm(List<Param> params, float maxNorm) {
        Hyper.positive("maxNorm", maxNorm);
        double norm = globalNorm(params);
        if (norm > maxNorm && Double.isFinite(norm)) {
            Kernels kernels = KernelsProvider.get();
            float scale = (float) (maxNorm / norm);
            for (Param p : params) {
                if (p.trainable()) {
                    kernels.scale(p.grad().data(), 0, p.grad().size(), scale);
                }
            }
        }
        return norm;
    }
}
