package org.fer4j.kernels;

import java.util.function.Supplier;

/**
 * What the vector backend derives from a convolution kernel that its caller declared fixed
 * ({@link Kernels#fixKernel}), made on first use and kept: the kernel packed for the GEMM's A
 * panels (the direct path) and its Winograd transforms U, one per tile size (F(2x2) and F(4x4)
 * may both be taken for one layer, at different batch sizes). Each form is made once, under this
 * object's lock, and read without it afterwards: the arrays are never written again, and the
 * volatile fields publish them whole to the threads that read them.
 */
final class FixedKernel {
    private volatile float[] packed;
    private volatile float[] winograd2;
    private volatile float[] winograd4;

    /** The packed kernel, made by {@code pack} on the first call. */
    float[] packed(Supplier<float[]> pack) {
        float[] p = packed;
        if (p == null) {
            synchronized (this) {
                if (packed == null) {
                    packed = pack.get();
                }
                p = packed;
            }
        }
        return p;
    }

    /** U for tiles of {@code tile} outputs a side (2 or 4), made by {@code transform} on the first call. */
    float[] winograd(int tile, Supplier<float[]> transform) {
        float[] u = tile == 2 ? winograd2 : winograd4;
        if (u == null) {
            synchronized (this) {
                u = tile == 2 ? winograd2 : winograd4;
                if (u == null) {
                    u = transform.get();
                    if (tile == 2) {
                        winograd2 = u;
                    } else {
                        winograd4 = u;
                    }
                }
            }
        }
        return u;
    }
}
