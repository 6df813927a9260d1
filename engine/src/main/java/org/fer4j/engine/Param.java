package org.fer4j.engine;

/**
 * A named weight tensor of a layer and, when trainable, its gradient of the same shape.
 * Non-trainable state that must still be saved (batch-norm running mean and variance) is a
 * {@code Param} with no gradient.
 *
 * @param name      unique within a model once the model has named its layers, e.g. {@code conv2d_1/kernel}
 * @param value     the weights
 * @param grad      the gradient, accumulated by backward and zeroed by the optimizer; {@code null} when not trainable
 * @param decay     whether weight decay applies (kernels yes; biases and batch-norm scale/shift no)
 */
public record Param(String name, Tensor value, Tensor grad, boolean decay) {

    public static Param trainable(String name, Tensor value, boolean decay) {
        return new Param(name, value, Tensor.zeros(value.shape()), decay);
    }

    public static Param state(String name, Tensor value) {
        return new Param(name, value, null, false);
    }

    public boolean trainable() {
        return grad != null;
    }

    public Param renamed(String newName) {
        return new Param(newName, value, grad, decay);
    }
}
