package org.fer4j.datasets;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that turns a source into the trainer's batches. Immutable; adjust a preset through
 * its builder:
 *
 * <pre>
 * DataConfig c = DataConfig.DEFAULT.toBuilder()
 *         .source(Path.of("fer2013.csv.gz"))
 *         .classes("happy,surprise,disgust,neutral")
 *         .split(SplitSpec.parse("72/14/14"))
 *         .augmentation(Augmentation.STANDARD)
 *         .build();
 * </pre>
 *
 * @param source          a FER2013 .csv / .csv.gz / .tar.gz, or an image-folder root
 * @param load            decoding and caching
 * @param classes         classes to keep, in output order; empty keeps all
 * @param merges          source class to the class it becomes, applied before {@code classes}
 * @param split           how images are divided into train, val and test
 * @param seed            seeds the split, the shuffles, oversampling and augmentation
 * @param dedup           keep one image of each group of identical images (see {@link Duplicates})
 * @param normalization   how pixels become input, recorded in the model file
 * @param augmentation    applied to the training split only
 * @param oversample      0: off; else every training class is raised to at least this fraction of
 *                        the largest per epoch by repeating its images, in (0, 1]
 * @param prefetchThreads background threads that build batches ahead; 0 builds them on demand
 */
public record DataConfig(Path source, LoadOptions load, List<String> classes, Map<String, String> merges,
                         SplitSpec split, long seed, boolean dedup, NormalizationSpec normalization,
                         Augmentation augmentation, double oversample, int prefetchThreads) {

    /** No source yet; all classes, the source's own split (or 72/14/14), unit scaling, no augmentation, 2 prefetch threads. */
    public static final DataConfig DEFAULT = new DataConfig(null, LoadOptions.DEFAULT, List.of(), Map.of(),
            SplitSpec.AUTO, 42, false, NormalizationSpec.UNIT, Augmentation.NONE, 0, 2);

    public DataConfig {
        classes = List.copyOf(classes);
        merges = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(merges));
        if (load == null || split == null || normalization == null || augmentation == null) {
            throw new IllegalArgumentException("data config: load, split, normalization and augmentation must be set");
        }
        if (!(oversample >= 0 && oversample <= 1)) {
            throw new IllegalArgumentException("--oversample must be in [0, 1] (1: every class as large as the largest), got "
                    + oversample);
        }
        if (prefetchThreads < 0 || prefetchThreads > 64) {
            throw new IllegalArgumentException("--prefetch must be in 0..64, got " + prefetchThreads);
        }
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static final class Builder {
        private Path source;
        private LoadOptions load;
        private List<String> classes;
        private Map<String, String> merges;
        private SplitSpec split;
        private long seed;
        private boolean dedup;
        private NormalizationSpec normalization;
        private Augmentation augmentation;
        private double oversample;
        private int prefetchThreads;

        private Builder(DataConfig c) {
            source = c.source;
            load = c.load;
            classes = c.classes;
            merges = c.merges;
            split = c.split;
            seed = c.seed;
            dedup = c.dedup;
            normalization = c.normalization;
            augmentation = c.augmentation;
            oversample = c.oversample;
            prefetchThreads = c.prefetchThreads;
        }

        public Builder source(Path p) {
            source = p;
            return this;
        }

        public Builder load(LoadOptions o) {
            load = o;
            return this;
        }

        public Builder classes(List<String> list) {
            classes = list;
            return this;
        }

        /** {@code happy,surprise,disgust,neutral}; blank or {@code all} keeps all. */
        public Builder classes(String spec) {
            return classes(ClassMap.parseClasses(spec));
        }

        public Builder merges(Map<String, String> m) {
            merges = m;
            return this;
        }

        /** {@code contempt->disgust,anger->angry}. */
        public Builder merges(String spec) {
            return merges(ClassMap.parseMerges(spec, "--merge"));
        }

        public Builder split(SplitSpec s) {
            split = s;
            return this;
        }

        public Builder split(String spec) {
            return split(SplitSpec.parse(spec));
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public Builder dedup(boolean d) {
            dedup = d;
            return this;
        }

        public Builder normalization(NormalizationSpec n) {
            normalization = n;
            return this;
        }

        public Builder augmentation(Augmentation a) {
            augmentation = a;
            return this;
        }

        public Builder oversample(double fraction) {
            oversample = fraction;
            return this;
        }

        public Builder prefetchThreads(int n) {
            prefetchThreads = n;
            return this;
        }

        public DataConfig build() {
            return new DataConfig(source, load, classes, merges, split, seed, dedup, normalization, augmentation,
                    oversample, prefetchThreads);
        }
    }
}
