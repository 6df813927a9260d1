package org.fer4j.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums of the lanes of one vector in a fixed order, for the vector backend's reductions.
 *
 * <p>Why not {@code reduceLanes(ADD)}: for floating point the Vector API leaves the order of that
 * sum to the implementation, and the JIT-compiled intrinsic and the plain-Java fallback that runs
 * before compilation (or after a deoptimization) do add in different orders. A reduction could
 * then round differently on the first training step than on the hundredth, and the same seed
 * would stop giving the same weights. Here the order is a butterfly (lane {@code l} plus lane
 * {@code l ^ h} for {@code h = L/2, ..., 1}) made of lanewise adds and constant shuffles, which
 * give the same bits however they are executed.
 */
final class Lanes {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    private static final VectorShuffle<Float>[] FLOAT_FOLDS = folds(F);
    private static final VectorShuffle<Double>[] DOUBLE_FOLDS = folds(D);

    private Lanes() {
    }

    /** Lane {@code l} of fold {@code i} reads lane {@code l ^ (length >> (i + 1))}. */
    @SuppressWarnings({"unchecked", "rawtypes"})  // generic array creation
    private static <E> VectorShuffle<E>[] folds(VectorSpecies<E> species) {
        int lanes = species.length();
        int stages = Integer.numberOfTrailingZeros(lanes);
        VectorShuffle<E>[] folds = new VectorShuffle[stages];
        for (int i = 0; i < stages; i++) {
            int h = lanes >> (i + 1);
            int[] index = new int[lanes];
            for (int l = 0; l < lanes; l++) {
                index[l] = l ^ h;
            }
            folds[i] = VectorShuffle.fromArray(species, index, 0);
        }
        return folds;
    }

    /** The sum of the lanes of {@code v} (preferred species), always rounded the same way. */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FLOAT_FOLDS) {
            v = v.add(v.rearrange(fold));
        }
        return v.lane(0);
    }

    /** The sum of the lanes of {@code v} (doubles of the preferred width), always rounded the same way. */
    static double sum(DoubleVector v) {
        for (VectorShuffle<Double> fold : DOUBLE_FOLDS) {
            v = v.add(v.rearrange(fold));
        }
        return v.lane(0);
    }
}
