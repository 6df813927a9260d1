package org.fer4j.datasets;

import java.nio.file.Path;
import java.util.List;

/**
 * A decoded source, as it was read: every image as 8-bit grey at the configured size, its class and
 * the split the source put it in. Nothing is selected, merged or split yet (see {@link DataConfig}
 * and {@link Datasets#prepare}); this is what the cache stores.
 *
 * <pre>
 * pixels [count, height, width]  uint8 (read with b &amp; 0xFF), row-major
 * labels [count]                 index into classNames
 * splits [count]                 index into splitNames
 * </pre>
 *
 * The arrays are shared, never copied: treat them as read-only.
 */
public final class Dataset {
    private final int height;
    private final int width;
    private final byte[] pixels;
    private final int[] labels;
    private final byte[] splits;
    private final List<String> classNames;
    private final List<String> splitNames;
    private final LoadReport report;
    private final Origin origin;

    /**
     * Where this copy came from on this run.
     *
     * @param fromCache whether it was read from the cache
     * @param cacheFile the cache file read or written; {@code null} when caching is off
     * @param seconds   wall time of this load (cache check, decode or cache read, cache write)
     * @param note      a line for the user, e.g. why the cache was rebuilt or could not be written; may be empty
     */
    public record Origin(boolean fromCache, Path cacheFile, double seconds, String note) {
        static final Origin DECODED = new Origin(false, null, 0, "");
    }

    Dataset(int height, int width, byte[] pixels, int[] labels, byte[] splits, List<String> classNames,
            List<String> splitNames, LoadReport report, Origin origin) {
        int n = labels.length;
        if ((long) n * height * width != pixels.length || splits.length != n) {
            throw new IllegalArgumentException("dataset of " + n + " images of " + width + "x" + height + " needs "
                    + (long) n * height * width + " pixels and " + n + " split marks, got " + pixels.length
                    + " and " + splits.length);
        }
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels;
        this.splits = splits;
        this.classNames = List.copyOf(classNames);
        this.splitNames = List.copyOf(splitNames);
        this.report = report;
        this.origin = origin;
    }

    Dataset withOrigin(Origin o) {
        return new Dataset(height, width, pixels, labels, splits, classNames, splitNames, report, o);
    }

    public int size() {
        return labels.length;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** The class names as the source spells them after {@link ClassNames#normalize}, in {@link ClassNames#ORDER}. */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * The source's own split names, e.g. {@code Training, PublicTest} or {@code train, test};
     * {@code all} when the source has no split of its own.
     */
    public List<String> splitNames() {
        return splitNames;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Index into {@link #splitNames()} of image {@code i}. */
    public int split(int i) {
        return splits[i];
    }

    /** Whether the source splits its images itself (FER2013's Usage column, train/test folders). */
    public boolean hasOwnSplit() {
        return !(splitNames.size() == 1 && splitNames.get(0).equals(ALL));
    }

    /** Whether the classes come from folder names (then every split must have the same folders). */
    boolean fromFolders() {
        return report.format().startsWith(ImageFolder.FORMAT_PREFIX);
    }

    /** The shared pixel array {@code [count, height, width]}; do not modify. */
    byte[] pixels() {
        return pixels;
    }

    int[] labels() {
        return labels;
    }

    byte[] splits() {
        return splits;
    }

    /** Image {@code i} as grey values 0..255. */
    public byte[] image(int i) {
        int size = height * width;
        byte[] out = new byte[size];
        System.arraycopy(pixels, i * size, out, 0, size);
        return out;
    }

    public LoadReport report() {
        return report;
    }

    public Origin origin() {
        return origin;
    }

    /** The split name of a source with no split of its own. */
    static final String ALL = "all";
}
