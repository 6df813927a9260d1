package org.fer4j.engine;

import java.util.Arrays;

/**
 * A shape plus one contiguous {@code float[]}, row-major. Images are NCHW: element
 * {@code (n, c, y, x)} of a {@code [N, C, H, W]} tensor lives at {@code ((n*C + c)*H + y)*W + x}.
 * The first dimension is the batch wherever a tensor flows through a model.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    /** Wraps {@code data} (no copy); its length must be the product of {@code shape}. */
    public Tensor(float[] data, int... shape) {
        long size = checkedSize(shape);
        if (data.length != size) {
            throw new IllegalArgumentException("tensor of shape " + shapeString(shape) + " needs "
                    + size + " values, got " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[(int) checkedSize(shape)], shape);
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int size() {
        return data.length;
    }

    /** The backing array, shared: writes show through. */
    public float[] data() {
        return data;
    }

    /** A view with another shape of the same size over the same data. */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    public boolean hasShape(int... s) {
        return Arrays.equals(shape, s);
    }

    public float get(int... index) {
        return data[flatIndex(index)];
    }

    public void set(float value, int... index) {
        data[flatIndex(index)] = value;
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for a tensor of shape "
                    + shapeString(shape));
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape "
                        + shapeString(shape));
            }
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }

    /** Product of the dimensions, rejecting negative sizes and overflow of an array's length. */
    public static long checkedSize(int... shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + shapeString(shape));
            }
            size *= d;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + shapeString(shape) + " is too large for one array");
            }
        }
        return size;
    }

    /** {@code (32, 46, 46)}: the form the summary table and error messages use. */
    public static String shapeString(int... shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(')').toString();
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString(shape);
    }
}
