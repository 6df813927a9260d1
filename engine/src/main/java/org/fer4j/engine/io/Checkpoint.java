package org.fer4j.engine.io;

import java.util.Map;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;

/**
 * Everything one model file holds: the model (architecture and weights), what its outputs mean,
 * and, in a training checkpoint, the optimizer and the trainer's own progress.
 *
 * @param model     the model; its weights are saved as they are at {@link ModelFile#save} time
 * @param info      class names, normalization, metadata; one class per model output
 * @param optimizer the optimizer snapshot, or {@code null} for a model saved for inference
 * @param training  free-form, JSON-writable progress of the trainer (epoch, best metric, history,
 *                  schedule state), or {@code null}. Held as a deep, unmodifiable copy.
 */
public record Checkpoint(Sequential model, ModelInfo info, OptimizerState optimizer, Map<String, Object> training) {

    public Checkpoint {
        if (model == null || info == null) {
            throw new IllegalArgumentException("checkpoint: " + (model == null ? "model" : "info") + " must not be null");
        }
        // A classifier (output [K]) names each output; a dense predictor (output [C, H, W], e.g. a
        // detector's grid) names its classes, and its channels encode them per position.
        int[] out = model.outputShape();
        if (out.length == 1 && info.classCount() != out[0]) {
            throw new IllegalArgumentException("checkpoint: model '" + model.name() + "' has " + out[0]
                    + " outputs but " + info.classCount() + " class names " + info.classNames()
                    + "; they must match one to one");
        }
        if (out.length != 1 && out.length != 3) {
            throw new IllegalArgumentException("checkpoint: model '" + model.name() + "' has output "
                    + Tensor.shapeString(out) + "; expected [classes] (a classifier) or [channels, height, width]");
        }
        if (training != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> frozen = (Map<String, Object>) Json.immutableCopy(training, "training");
            training = frozen;
        }
    }

    /** A model saved for inference: no optimizer, no training state. */
    public static Checkpoint of(Sequential model, ModelInfo info) {
        return new Checkpoint(model, info, null, null);
    }
}
