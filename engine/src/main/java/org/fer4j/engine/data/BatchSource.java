package org.fer4j.engine.data;

import java.util.Iterator;

/**
 * Where the trainer gets its batches: a finite, re-iterable set of labelled samples. The
 * datasets module implements it over FER2013 and image folders, with augmentation and prefetch.
 */
public interface BatchSource {

    /** Number of samples in one pass. */
    int size();

    /** Per-sample input shape, e.g. {@code (1, 48, 48)}. */
    int[] sampleShape();

    /** Number of classes the labels range over. */
    int classes();

    /**
     * One pass over the data in batches of {@code batchSize} (the last may be smaller). With
     * {@code shuffle}, the order is a permutation drawn from {@code seed}: the same seed gives the
     * same batches.
     */
    Iterator<Batch> batches(int batchSize, boolean shuffle, long seed);

    /** Number of batches of one pass. */
    default int batchCount(int batchSize) {
        return (size() + batchSize - 1) / batchSize;
    }
}
