package org.fer4j.datasets;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fer4j.engine.io.Normalization;

/**
 * The entry points: {@link #load} decodes a source (through the cache), {@link #prepare} turns it
 * into train, val and test batch sources.
 *
 * <pre>
 * try (PreparedData data = Datasets.prepare(DataConfig.DEFAULT.toBuilder()
 *         .source(Path.of("../shared/data/fer2013/fer2013.csv.gz"))
 *         .augmentation(Augmentation.STANDARD).build())) {
 *     trainer.fit(data.train(), data.val());
 *     ModelInfo info = data.modelInfo();       // class names + normalization for the model file
 * }
 * </pre>
 */
public final class Datasets {
    private static final System.Logger LOG = System.getLogger(Datasets.class.getName());

    private Datasets() {
    }

    /**
     * Decodes {@code source}: a folder is read as image folders ({@link ImageFolder}), a file as the
     * FER2013 CSV ({@link Fer2013Csv}). With caching on, a previous decode of the unchanged source
     * is read back instead, and a fresh decode is stored.
     */
    public static Dataset load(Path source, LoadOptions options) throws IOException {
        long start = System.nanoTime();
        if (!Files.exists(source)) {
            throw new NoSuchFileException(source.toString());
        }
        boolean folder = Files.isDirectory(source);
        if (!folder && !Fer2013Csv.accepts(source)) {
            throw new IllegalArgumentException(source + ": expected a FER2013 .csv, .csv.gz or .tar.gz file, or a folder "
                    + "of class folders");
        }
        if (!options.useCache()) {
            Dataset d = decode(source, folder, options);
            return d.withOrigin(new Dataset.Origin(false, null, seconds(start), ""));
        }
        DatasetCache cache = new DatasetCache(options.cacheDir() != null ? options.cacheDir() : DatasetCache.defaultDir());
        Path file = cache.fileFor(source, options);
        String key = DatasetCache.key(source, options);
        String fingerprint = DatasetCache.fingerprint(source);
        String note = "";
        try {
            Dataset cached = cache.read(file, key, fingerprint);
            if (cached != null) {
                return cached.withOrigin(new Dataset.Origin(true, file, seconds(start), ""));
            }
            if (Files.exists(file)) {
                note = "the source changed since it was cached; decoded again";
            }
        } catch (IOException e) {
            note = "the cache file was unreadable (" + e.getMessage() + "); decoded again";
            LOG.log(Level.INFO, "dataset cache " + file + ": " + note);
        }
        Dataset d = decode(source, folder, options);
        try {
            cache.write(file, key, fingerprint, d);
        } catch (IOException e) {
            note = (note.isEmpty() ? "" : note + "; ") + "could not write the cache (" + e.getMessage() + ")";
            LOG.log(Level.WARNING, "dataset cache " + file + ": could not write: " + e.getMessage());
            file = null;
        }
        return d.withOrigin(new Dataset.Origin(false, file, seconds(start), note));
    }

    private static Dataset decode(Path source, boolean folder, LoadOptions options) throws IOException {
        return folder ? ImageFolder.read(source, options) : Fer2013Csv.read(source, options);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Loads {@code config.source()} and prepares it. */
    public static PreparedData prepare(DataConfig config) throws IOException {
        if (config.source() == null) {
            throw new IllegalArgumentException("no data source given");
        }
        return prepare(load(config.source(), config.load()), config);
    }

    /**
     * Selects and merges classes, splits, finds (and with {@code dedup} removes) duplicates,
     * resolves the normalization on the training split, and builds the batch sources.
     */
    public static PreparedData prepare(Dataset d, DataConfig config) {
        String name = d.report().source();
        ClassMap map = ClassMap.of(d.classNames(), config.classes(), config.merges(), name);
        int k = map.classNames().size();
        int n = d.size();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = map.target(d.label(i));
        }
        Split[] sourceRole = null;
        if (d.hasOwnSplit()) {
            Split[] bySplit = new Split[d.splitNames().size()];
            for (int s = 0; s < bySplit.length; s++) {
                bySplit[s] = Split.fromSourceName(d.splitNames().get(s));
            }
            sourceRole = new Split[n];
            for (int i = 0; i < n; i++) {
                sourceRole[i] = bySplit[d.split(i)];
            }
        }
        SplitSpec spec = config.split();
        boolean own = spec.kind() == SplitSpec.Kind.OWN || (spec.kind() == SplitSpec.Kind.AUTO && d.hasOwnSplit());
        if (own && d.hasOwnSplit() && d.fromFolders()) {
            checkSameClasses(d, labels, map.classNames(), name);
        }
        int[] role = spec.assign(labels, sourceRole, k, config.seed());
        Duplicates dup = Duplicates.find(d.pixels(), d.height() * d.width(), labels, role, config.dedup());

        int[][] members = new int[3][];
        int[][] memberLabels = new int[3][];
        for (Split s : Split.values()) {
            int count = 0;
            for (int r : role) {
                if (r == s.ordinal()) {
                    count++;
                }
            }
            members[s.ordinal()] = new int[count];
            memberLabels[s.ordinal()] = new int[count];
            int at = 0;
            for (int i = 0; i < n; i++) {
                if (role[i] == s.ordinal()) {
                    members[s.ordinal()][at] = i;
                    memberLabels[s.ordinal()][at++] = labels[i];
                }
            }
        }
        ImageBatchSource[] sources = new ImageBatchSource[3];
        int train = Split.TRAIN.ordinal();
        ImageBatchSource rawTrain = new ImageBatchSource(d.pixels(), members[train], memberLabels[train], d.height(),
                d.width(), k, Normalization.NONE, Augmentation.NONE, config.seed(), 0, 0);
        double[] stats = config.normalization().kind() == NormalizationSpec.Kind.DATASET ? rawTrain.pixelStats()
                : new double[] {0, 1};
        if (config.normalization().kind() == NormalizationSpec.Kind.DATASET && members[train].length == 0) {
            throw new IllegalArgumentException("--normalize dataset needs training images, and the split leaves none");
        }
        Normalization norm = config.normalization().resolve(stats[0], stats[1]);
        for (Split s : Split.values()) {
            boolean isTrain = s == Split.TRAIN;
            sources[s.ordinal()] = new ImageBatchSource(d.pixels(), members[s.ordinal()], memberLabels[s.ordinal()],
                    d.height(), d.width(), k, norm, isTrain ? config.augmentation() : Augmentation.NONE,
                    config.seed(), isTrain ? config.oversample() : 0, config.prefetchThreads());
        }
        return new PreparedData(d, config, map.classNames(), norm, sources, dup, describe(spec, d, own, config.seed()));
    }

    /**
     * With the source's own split of class folders, every class must be in every split (after subset
     * and merges): a test/ without disgust/ is a layout mistake. (A CSV split that happens to lack a
     * class is just a count of 0.)
     */
    private static void checkSameClasses(Dataset d, int[] labels, List<String> classes, String name) {
        int splits = d.splitNames().size();
        boolean[][] seen = new boolean[splits][classes.size()];
        for (int i = 0; i < d.size(); i++) {
            if (labels[i] >= 0) {
                seen[d.split(i)][labels[i]] = true;
            }
        }
        for (int s = 0; s < splits; s++) {
            List<String> missing = new ArrayList<>();
            for (int c = 0; c < classes.size(); c++) {
                if (!seen[s][c]) {
                    missing.add(classes.get(c));
                }
            }
            if (!missing.isEmpty()) {
                List<String> others = new ArrayList<>(d.splitNames());
                others.remove(s);
                throw new IllegalArgumentException(name + ": classes differ between splits: " + d.splitNames().get(s)
                        + " has no " + String.join(", ", missing) + " (" + String.join(", ", others)
                        + " " + (others.size() == 1 ? "has" : "have") + " it); pick common classes with --classes"
                        + " or pool the splits with --split 80/20");
            }
        }
    }

    private static String describe(SplitSpec spec, Dataset d, boolean own, long seed) {
        if (own) {
            List<String> parts = new ArrayList<>();
            for (String s : d.splitNames()) {
                Split role = Split.fromSourceName(s);
                parts.add(s + " -> " + (role == null ? Split.TRAIN : role).label());
            }
            String base = "own (" + String.join(", ", parts) + ")";
            return spec.valFraction() > 0 ? base + ", val = " + Math.round(spec.valFraction() * 100)
                    + "% of train, stratified, seed " + seed : base;
        }
        String ratios = spec.kind() == SplitSpec.Kind.AUTO ? "72/14/14" : spec.describe();
        return ratios + " of all images, stratified by class, seed " + seed;
    }
}
