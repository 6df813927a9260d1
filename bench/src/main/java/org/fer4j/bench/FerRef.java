package org.fer4j.bench;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The layer shapes of fer-ref ({@code ModelZoo.ferRef}) that the benchmarks exercise, written out
 * so that each can be named in a JMH {@code @Param}. {@code FerRefShapesTest} checks them against
 * the model itself, so they cannot drift from it silently.
 *
 * <pre>
 * input  1 x 48 x 48
 * conv1  3x3 valid,  32 filters:   1 x 48 x 48 ->  32 x 46 x 46
 * conv2  3x3 valid,  64 filters:  32 x 46 x 46 ->  64 x 44 x 44   pool1 -> 64 x 22 x 22
 * conv3  3x3 valid, 128 filters:  64 x 22 x 22 -> 128 x 20 x 20   pool2 -> 128 x 10 x 10
 * conv4  3x3 valid, 128 filters: 128 x 10 x 10 -> 128 x  8 x  8   pool3 -> 128 x 4 x 4
 * </pre>
 */
final class FerRef {
    private FerRef() {
    }

    /** One 3x3 "valid" convolution: input {@code [C, H, W]}, {@code F} filters. */
    record Conv(String name, int channels, int height, int width, int filters) {
        static final int K = 3;

        int outH() {
            return height - K + 1;
        }

        int outW() {
            return width - K + 1;
        }

        /** Columns of the im2col matrix: output positions {@code OH*OW}. */
        int positions() {
            return outH() * outW();
        }

        /** Rows of the im2col matrix: {@code C*KH*KW}. */
        int rows() {
            return channels * K * K;
        }
    }

    /** One 2x2, stride-2 max-pool over {@code [C, H, W]}. */
    record Pool(String name, int channels, int height, int width) {
    }

    static final List<Conv> CONVS = List.of(
            new Conv("conv1", 1, 48, 48, 32),
            new Conv("conv2", 32, 46, 46, 64),
            new Conv("conv3", 64, 22, 22, 128),
            new Conv("conv4", 128, 10, 10, 128));

    static final List<Pool> POOLS = List.of(
            new Pool("pool1", 64, 44, 44),
            new Pool("pool2", 128, 20, 20),
            new Pool("pool3", 128, 8, 8));

    private static final Map<String, Conv> CONV_BY_NAME =
            CONVS.stream().collect(Collectors.toMap(Conv::name, Function.identity()));
    private static final Map<String, Pool> POOL_BY_NAME =
            POOLS.stream().collect(Collectors.toMap(Pool::name, Function.identity()));

    static Conv conv(String name) {
        Conv c = CONV_BY_NAME.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown conv layer '" + name + "'; fer-ref has " + CONV_BY_NAME.keySet());
        }
        return c;
    }

    static Pool pool(String name) {
        Pool p = POOL_BY_NAME.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown pool layer '" + name + "'; fer-ref has " + POOL_BY_NAME.keySet());
        }
        return p;
    }

    /**
     * One {@code sgemm} call as {@code Conv2D} makes it, per image:
     * {@code C[m, n] = op(A)[m, k] . op(B)[k, n] (+ C when beta = 1)}.
     */
    record Gemm(String name, boolean transA, boolean transB, int m, int n, int k, float beta) {
        long flop() {
            return 2L * m * n * k;
        }

        int lda() {
            return transA ? m : k;
        }

        int ldb() {
            return transB ? k : n;
        }
    }

    /**
     * The GEMM named {@code <conv>.<pass>} ({@code conv2.fwd}, {@code conv2.dW}, {@code conv2.dX}),
     * or a plain non-transposed {@code MxNxK} such as {@code 207x1021x131}. With {@code F} filters,
     * {@code P} output positions and {@code R = C*3*3} im2col rows:
     * <ul>
     *   <li>{@code fwd}: {@code y [F, P] = kernel [F, R] . col [R, P]};
     *   <li>{@code dW}:  {@code dkernel [F, R] += dy [F, P] . col^T [P, R]};
     *   <li>{@code dX}:  {@code dcol [R, P] = kernel^T [R, F] . dy [F, P]}, before col2im.
     * </ul>
     */
    static Gemm gemm(String shape) {
        int dot = shape.indexOf('.');
        if (dot < 0) {
            String[] mnk = shape.split("x");
            if (mnk.length != 3) {
                throw new IllegalArgumentException("GEMM shape must be <conv>.<fwd|dW|dX> or MxNxK, got '" + shape + "'");
            }
            return new Gemm(shape, false, false,
                    Integer.parseInt(mnk[0]), Integer.parseInt(mnk[1]), Integer.parseInt(mnk[2]), 0f);
        }
        Conv c = conv(shape.substring(0, dot));
        String pass = shape.substring(dot + 1);
        return switch (pass) {
            case "fwd" -> new Gemm(shape, false, false, c.filters(), c.positions(), c.rows(), 0f);
            case "dW" -> new Gemm(shape, false, true, c.filters(), c.rows(), c.positions(), 1f);
            case "dX" -> new Gemm(shape, true, false, c.rows(), c.positions(), c.filters(), 0f);
            default -> throw new IllegalArgumentException("GEMM pass must be fwd, dW or dX, got '" + pass + "'");
        };
    }
}
