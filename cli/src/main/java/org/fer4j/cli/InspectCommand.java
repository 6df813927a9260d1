package org.fer4j.cli;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.fer4j.engine.io.Text;
import org.fer4j.datasets.Augmentation;
import org.fer4j.datasets.ClassMap;
import org.fer4j.datasets.DataConfig;
import org.fer4j.datasets.Dataset;
import org.fer4j.datasets.Datasets;
import org.fer4j.datasets.Duplicates;
import org.fer4j.datasets.ImageBatchSource;
import org.fer4j.datasets.Images;
import org.fer4j.datasets.LoadOptions;
import org.fer4j.datasets.LoadReport;
import org.fer4j.datasets.NormalizationSpec;
import org.fer4j.datasets.PreparedData;
import org.fer4j.datasets.Split;
import org.fer4j.datasets.SplitSpec;
import org.fer4j.engine.io.Normalization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Loads a data set the way training would and reports what it found: images per split and class,
 * image size, duplicates, bad rows, load time. The same flags as training's data options.
 */
@Command(name = "inspect",
        description = "Read a FER2013 CSV (.csv, .csv.gz, .tar.gz) or an image-folder data set and print its images "
                + "per split and class, image size, duplicates, bad rows and load time.",
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:",
                "  fer4j inspect ../shared/data/fer2013/fer2013.csv.gz",
                "  fer4j inspect faces/ --classes happy,surprise,disgust,neutral",
                "  fer4j inspect CK+48 --merge contempt->disgust --split 72/14/14 --dedup",
                "  fer4j inspect fer2013.csv --skip-bad --no-cache",
                "  fer4j inspect fer2013.csv.gz --augment standard --preview aug.png"})
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH", description = "a FER2013 .csv, .csv.gz or .tar.gz, or a folder of class folders "
            + "(<root>/<class>/*, <root>/{train,val,test}/<class>/*)")
    Path path;

    @Option(names = "--classes", paramLabel = "LIST", description = "classes to keep, in output order, e.g. "
            + "happy,surprise,disgust,neutral (default: all)")
    String classes;

    @Option(names = "--merge", paramLabel = "FROM->TO", split = ",", description = "merge classes before --classes, "
            + "e.g. contempt->disgust (repeatable or comma-separated)")
    List<String> merges = new ArrayList<>();

    @Option(names = "--merge-file", paramLabel = "FILE", description = "a file of FROM->TO lines (# comments)")
    Path mergeFile;

    @Option(names = "--split", paramLabel = "SPEC", defaultValue = "own", description = "own (the source's split), "
            + "own,val=0.1, auto, 80/20 or 72/14/14 (stratified, seeded) (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "seed for splits and augmentation (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--dedup", description = "keep one image of each group of identical images (train first)")
    boolean dedup;

    @Option(names = "--skip-bad", description = "skip bad rows and files and count them, instead of stopping at the first")
    boolean skipBad;

    @Option(names = "--max-pixels", paramLabel = "N", description = "refuse images with more pixels, from their "
            + "header before decoding, 1..2147483647 (default: 16777216, 4096x4096)")
    long maxPixels = Images.DEFAULT_MAX_PIXELS;

    @Option(names = "--size", paramLabel = "N|HxW", defaultValue = "48", description = "image size the model takes, "
            + "sides 1..4096 (default: ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "where decoded data is cached (default: "
            + "$FER4J_CACHE_DIR or ~/.cache/fer4j/datasets)")
    Path cacheDir;

    @Option(names = "--no-cache", description = "neither read nor write the cache")
    boolean noCache;

    @Option(names = "--normalize", paramLabel = "SPEC", defaultValue = "unit", description = "unit, dataset, none, or "
            + "mean=M,std=S (default: ${DEFAULT-VALUE})")
    String normalize;

    @Option(names = "--oversample", paramLabel = "FRACTION", arity = "0..1", fallbackValue = "1", description =
            "raise each training class to this fraction of the largest per epoch (alone: 1)")
    Double oversample;

    @Option(names = "--augment", paramLabel = "SPEC", defaultValue = "none", description = "e.g. standard, strong, robust, or "
            + "flip,rotation=10,shift=0.1,zoom=0.1,brightness=0.2,contrast=0.2,erasing,crop=4 (default: ${DEFAULT-VALUE})")
    String augment;

    @Option(names = "--preview", paramLabel = "FILE.png", description = "write a PNG grid: 8 training images (rows), "
            + "as stored, then augmented in 7 epochs")
    Path preview;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int[] hw = parseSize(size);
        if (oversample != null) {
            Flags.closed("--oversample", oversample, 0, 1);
        }
        Flags.longIn("--max-pixels", maxPixels, 1, Integer.MAX_VALUE);
        LoadOptions load = LoadOptions.DEFAULT.toBuilder().size(hw[0], hw[1]).skipBad(skipBad).useCache(!noCache)
                .maxPixels(maxPixels)
                .cacheDir(cacheDir).build();
        Map<String, String> merge = new LinkedHashMap<>();
        if (mergeFile != null) {
            merge.putAll(ClassMap.readMerges(mergeFile));
        }
        for (String m : merges) {
            merge.putAll(ClassMap.parseMerges(m, "--merge"));
        }
        DataConfig config = DataConfig.DEFAULT.toBuilder()
                .source(path).load(load).classes(classes).merges(merge).split(SplitSpec.parse(split)).seed(seed)
                .dedup(dedup).normalization(NormalizationSpec.parse(normalize)).augmentation(Augmentation.parse(augment))
                .oversample(oversample == null ? 0 : oversample).prefetchThreads(0).build();
        Dataset dataset = Datasets.load(path, load);
        try (PreparedData data = Datasets.prepare(dataset, config)) {
            print(out, data);
            if (preview != null) {
                writePreview(data.train(), preview);
                out.println("Preview: " + preview);
            }
        }
        return 0;
    }

    private void print(PrintWriter out, PreparedData data) {
        Dataset d = data.dataset();
        LoadReport r = d.report();
        Dataset.Origin o = d.origin();
        out.println("Source: " + Text.escape(path.toString()));
        out.printf(Locale.ROOT, "Format: %s; %,d images of %dx%d grey%n", r.format(), d.size(), d.width(), d.height());
        if (o.fromCache()) {
            out.printf(Locale.ROOT, "Loaded in %.2f s from the cache %s (decoding took %.2f s)%n", o.seconds(),
                    o.cacheFile(), r.decodeSeconds());
        } else {
            out.printf(Locale.ROOT, "Loaded in %.2f s: decoded%s%n", o.seconds(),
                    o.cacheFile() == null ? " (not cached)" : ", cached in " + o.cacheFile());
        }
        if (!o.note().isEmpty()) {
            out.println("Cache: " + o.note());
        }
        out.println("Split: " + data.splitDescription());
        out.println();
        table(out, data);
        out.println();

        Duplicates dup = data.duplicates();
        if (dup.groups() == 0) {
            out.println("Duplicates: none (no two images are identical)");
        } else {
            out.printf(Locale.ROOT, "Duplicates: %,d groups of identical images (%,d images); %,d groups span splits, "
                    + "%,d have conflicting labels%n", dup.groups(), dup.images(), dup.crossSplit(), dup.conflicting());
            int[] removed = dup.removed();
            if (dedup) {
                out.printf(Locale.ROOT, "  --dedup removed %,d images: %,d from train, %,d from val, %,d from test%n",
                        dup.removedTotal(), removed[0], removed[1], removed[2]);
            } else {
                out.printf(Locale.ROOT, "  --dedup would remove %,d images (one of each group is kept)%n",
                        dup.images() - dup.groups());
            }
        }
        if (r.badCount() == 0) {
            out.println("Bad rows: none");
        } else {
            out.printf(Locale.ROOT, "Bad rows: %,d skipped%s%n", r.badCount(),
                    r.badCount() > r.badMessages().size() ? " (the first " + r.badMessages().size() + " below)" : "");
            for (String m : r.badMessages()) {
                out.println("  " + m);
            }
        }
        if (r.ignoredFiles() > 0) {
            out.printf(Locale.ROOT, "Ignored: %,d files that are not images%n", r.ignoredFiles());
        }
        Normalization n = data.normalization();
        out.printf(Locale.ROOT, "Normalization: %s: (x * %s - %s) / %s%n", data.config().normalization().describe(),
                n.scale(), n.mean(), n.std());
        ImageBatchSource train = data.train();
        if (train.imageCount() > 0) {
            if (train.size() != train.imageCount()) {
                out.printf(Locale.ROOT, "Oversampling: %,d training samples per epoch (%,d images)%n", train.size(),
                        train.imageCount());
            }
            if (java.util.Arrays.stream(train.classCounts()).allMatch(c -> c > 0)) {
                float[] w = data.balancedClassWeights();
                List<String> parts = new ArrayList<>();
                for (int c = 0; c < w.length; c++) {
                    parts.add(String.format(Locale.ROOT, "%s %.3f", data.classNames().get(c), w[c]));
                }
                out.println("Class weights (balanced): " + String.join(", ", parts));
            }
        }
        if (!train.augmentation().isIdentity()) {
            out.println("Augmentation (train): " + train.augmentation().describe());
        }
    }

    private static void table(PrintWriter out, PreparedData data) {
        List<String> names = data.classNames().stream().map(Text::escape).toList();
        List<Split> shown = new ArrayList<>();
        for (Split s : Split.values()) {
            if (s == Split.TRAIN || data.split(s).imageCount() > 0) {
                shown.add(s);
            }
        }
        int nameWidth = Math.max(8, names.stream().mapToInt(String::length).max().orElse(5) + 2);
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + nameWidth + "s", "class"));
        for (Split s : shown) {
            head.append(String.format(Locale.ROOT, "%9s", s.label()));
        }
        head.append(String.format(Locale.ROOT, "%9s", "total"));
        out.println(head);
        long[] totals = new long[shown.size() + 1];
        for (int c = 0; c < names.size(); c++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + nameWidth + "s", names.get(c)));
            int sum = 0;
            for (int k = 0; k < shown.size(); k++) {
                int v = data.split(shown.get(k)).classCounts()[c];
                row.append(String.format(Locale.ROOT, "%9d", v));
                totals[k] += v;
                sum += v;
            }
            totals[shown.size()] += sum;
            row.append(String.format(Locale.ROOT, "%9d", sum));
            out.println(row);
        }
        StringBuilder total = new StringBuilder(String.format(Locale.ROOT, "%-" + nameWidth + "s", "total"));
        for (long t : totals) {
            total.append(String.format(Locale.ROOT, "%9d", t));
        }
        out.println(total);
    }

    /** 8 rows (the first 8 training images) x 8 columns (as stored, then 7 epochs of augmentation). */
    private static void writePreview(ImageBatchSource train, Path file) throws java.io.IOException {
        int rows = Math.min(8, train.imageCount());
        if (rows == 0) {
            throw new IllegalArgumentException("--preview: the training split is empty");
        }
        int h = train.sampleShape()[1];
        int w = train.sampleShape()[2];
        int pad = 2;
        BufferedImage grid = new BufferedImage(8 * (w + pad), rows * (h + pad), BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < 8; col++) {
                float[] img;
                if (col == 0) {
                    byte[] b = train.image(r);
                    img = new float[b.length];
                    for (int i = 0; i < b.length; i++) {
                        img[i] = b[i] & 0xFF;
                    }
                } else {
                    img = train.augmentedImage(r, col);
                }
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int v = Math.max(0, Math.min(255, Math.round(img[y * w + x])));
                        grid.getRaster().setSample(col * (w + pad) + x, r * (h + pad) + y, 0, v);
                    }
                }
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(grid, "png", file.toFile())) {
            throw new java.io.IOException(file + ": no PNG writer");
        }
    }

    /** The largest side --size takes. */
    static final int MAX_SIDE = 4096;

    static int[] parseSize(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        try {
            int x = t.indexOf('x');
            if (x < 0) {
                int n = Flags.intIn("--size", Integer.parseInt(t), 1, MAX_SIDE);
                return new int[] {n, n};
            }
            return new int[] {Flags.intIn("--size", Integer.parseInt(t.substring(0, x)), 1, MAX_SIDE),
                    Flags.intIn("--size", Integer.parseInt(t.substring(x + 1)), 1, MAX_SIDE)};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size must be N or HxW, e.g. 48 or 48x48, got '" + s + "'");
        }
    }
}
