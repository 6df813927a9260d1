package org.fer4j.engine;

import java.util.List;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.DepthwiseConv2D;
import org.fer4j.engine.layers.Layer;
import org.fer4j.engine.layers.Residual;

/**
 * The floating-point work of a model, counted the usual way: the multiply-adds of its
 * convolutions and dense layers, two operations each. Element-wise layers (batch-norm, ReLU,
 * pooling, the residual sums) are left out: they are a fraction of a percent of these at fer4j's
 * sizes and run at memory speed, not FMA speed, so GFLOP/s from this count compare with the
 * FMA peak.
 */
public final class Flops {
    private Flops() {
    }

    /** Forward operations for one image (a multiply-add counts two). */
    public static long forwardPerImage(Sequential model) {
        return 2 * macs(model.layers());
    }

    /**
     * Operations of one training image: the forward, and backward's two products of the same
     * size per layer (the input gradient and the weight gradient), so three times the forward.
     */
    public static long trainingPerImage(Sequential model) {
        return 3 * forwardPerImage(model);
    }

    private static long macs(List<Layer> layers) {
        long macs = 0;
        for (Layer l : layers) {
            if (l instanceof Conv2D c) {
                macs += c.forwardMacsPerImage();
            } else if (l instanceof DepthwiseConv2D d) {
                macs += d.forwardMacsPerImage();
            } else if (l instanceof Dense) {
                macs += (long) l.inputShape()[0] * l.outputShape()[0];
            } else if (l instanceof Residual r) {
                macs += macs(r.mainPath()) + macs(r.shortcutPath());
            }
        }
        return macs;
    }
}
