package org.fer4j.datasets;

import java.util.List;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;

/**
 * A source made ready for training: the model's classes, the normalization to record in the model
 * file, and the three splits as batch sources (train augmented and oversampled as configured; val
 * and test plain). A split the configuration leaves empty is a source of size 0.
 */
public final class PreparedData implements AutoCloseable {
    private final Dataset dataset;
    private final DataConfig config;
    private final List<String> classNames;
    private final Normalization normalization;
    private final ImageBatchSource[] splits;
    private final Duplicates duplicates;
    private final String splitDescription;

    PreparedData(Dataset dataset, DataConfig config, List<String> classNames, Normalization normalization,
                 ImageBatchSource[] splits, Duplicates duplicates, String splitDescription) {
        this.dataset = dataset;
        this.config = config;
        this.classNames = List.copyOf(classNames);
        this.normalization = normalization;
        this.splits = splits.clone();
        this.duplicates = duplicates;
        this.splitDescription = splitDescription;
    }

    /** The model's classes, in output order. */
    public List<String> classNames() {
        return classNames;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** Class names and normalization, for the model file. */
    public ModelInfo modelInfo() {
        return ModelInfo.of(classNames, normalization);
    }

    public ImageBatchSource train() {
        return splits[Split.TRAIN.ordinal()];
    }

    public ImageBatchSource val() {
        return splits[Split.VAL.ordinal()];
    }

    public ImageBatchSource test() {
        return splits[Split.TEST.ordinal()];
    }

    public ImageBatchSource split(Split s) {
        return splits[s.ordinal()];
    }

    /** {@code balanced} weights over the training split ({@link ClassWeights#balanced}). */
    public float[] balancedClassWeights() {
        return ClassWeights.balanced(train().classCounts(), classNames);
    }

    public Duplicates duplicates() {
        return duplicates;
    }

    /** The decoded source, with its load report and where it came from (cache or not). */
    public Dataset dataset() {
        return dataset;
    }

    public DataConfig config() {
        return config;
    }

    /** E.g. {@code own (Training -> train, PublicTest -> val)} or {@code 72/14/14 stratified, seed 42}. */
    public String splitDescription() {
        return splitDescription;
    }

    public int height() {
        return dataset.height();
    }

    public int width() {
        return dataset.width();
    }

    @Override
    public void close() {
        for (ImageBatchSource s : splits) {
            s.close();
        }
    }
}
