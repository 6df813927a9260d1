package org.fer4j.engine.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.fer4j.engine.Tensor;

/**
 * Samples held in memory: {@code x [size, ...sampleShape]} flattened, {@code y [size]}.
 * Batches are copied out into fresh arrays, so a batch stays valid while the next is built.
 */
public final class ArrayDataset implements BatchSource {
    private final float[] x;
    private final int[] y;
    private final int[] sampleShape;
    private final int sampleSize;
    private final int classes;

    public ArrayDataset(float[] x, int[] y, int[] sampleShape, int classes) {
        this.sampleSize = (int) Tensor.checkedSize(sampleShape);
        if ((long) y.length * sampleSize != x.length) {
            throw new IllegalArgumentException(y.length + " labels need " + (long) y.length * sampleSize
                    + " input values of shape " + Tensor.shapeString(sampleShape) + ", got " + x.length);
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || y[i] >= classes) {
                throw new IllegalArgumentException("sample " + i + " has label " + y[i] + ", expected 0.."
                        + (classes - 1));
            }
        }
        this.x = x;
        this.y = y;
        this.sampleShape = sampleShape.clone();
        this.classes = classes;
    }

    @Override
    public int size() {
        return y.length;
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public int classes() {
        return classes;
    }

    public int label(int i) {
        return y[i];
    }

    /** A copy of samples {@code [from, to)}. */
    public ArrayDataset slice(int from, int to) {
        float[] xs = new float[(to - from) * sampleSize];
        System.arraycopy(x, from * sampleSize, xs, 0, xs.length);
        int[] ys = new int[to - from];
        System.arraycopy(y, from, ys, 0, ys.length);
        return new ArrayDataset(xs, ys, sampleShape, classes);
    }

    @Override
    public Iterator<Batch> batches(int batchSize, boolean shuffle, long seed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        int[] order = new int[y.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = order.length - 1; i > 0; i--) {   // Fisher-Yates
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int n = Math.min(batchSize, order.length - next);
                float[] bx = new float[n * sampleSize];
                int[] by = new int[n];
                for (int i = 0; i < n; i++) {
                    int s = order[next + i];
                    System.arraycopy(x, s * sampleSize, bx, i * sampleSize, sampleSize);
                    by[i] = y[s];
                }
                next += n;
                int[] shape = new int[sampleShape.length + 1];
                shape[0] = n;
                System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
                return new Batch(new Tensor(bx, shape), by);
            }
        };
    }
}
