package org.fer4j.datasets;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.fer4j.engine.io.Text;

/**
 * Faces sorted into folders, one folder per class, in one of these layouts:
 *
 * <pre>
 * root/&lt;class&gt;/*                               no split of its own (CK+48: anger, contempt, ...)
 * root/{train,val|validation,test}/&lt;class&gt;/*     the source's own split (Kaggle FER2013 images:
 *                                               train/, test/; the 4-class sets: train/, validation/, test/)
 * </pre>
 *
 * Split folders may also be spelt {@code training}, {@code valid}, {@code testing}. Class folder
 * names go through {@link ClassNames#normalize} ({@code anger} is {@code angry}). Images are found
 * anywhere below a class folder, by their ending (PNG, JPEG, BMP, GIF; see {@link Images}); other
 * files are counted as ignored, hidden files (a leading dot) skipped. If the root holds nothing but
 * one folder, that folder is the root (an unpacked {@code archive/CK+48/...}). Files are read in
 * sorted order, so the same folder always gives the same data set; they are decoded in parallel.
 */
public final class ImageFolder {
    /** How {@link LoadReport#format()} of a folder source starts. */
    static final String FORMAT_PREFIX = "image folders";

    private ImageFolder() {
    }

    /**
     * The layout found under a root: split name ({@code all}, or train/val/test) to class name
     * (normalized) to image files, all sorted; non-image files counted in {@code ignored}.
     */
    record Layout(Map<String, Map<String, List<Path>>> files, int ignored, String format) {
    }

    public static Dataset read(Path root, LoadOptions options) throws IOException {
        long start = System.nanoTime();
        BadInput bad = new BadInput(options.skipBad());
        Layout layout = scan(root, bad);
        long maxPixels = options.maxPixels();
        List<Path> files = new ArrayList<>();
        TreeSet<String> allClasses = new TreeSet<>(ClassNames.ORDER);
        layout.files().values().forEach(m -> allClasses.addAll(m.keySet()));
        List<String> classNames = new ArrayList<>(allClasses);
        List<String> splitNames = new ArrayList<>(layout.files().keySet());
        List<Integer> labelList = new ArrayList<>();
        List<Integer> splitList = new ArrayList<>();
        for (int s = 0; s < splitNames.size(); s++) {
            for (Map.Entry<String, List<Path>> e : layout.files().get(splitNames.get(s)).entrySet()) {
                int label = classNames.indexOf(e.getKey());
                for (Path f : e.getValue()) {
                    files.add(f);
                    labelList.add(label);
                    splitList.add(s);
                }
            }
        }
        int h = options.height();
        int w = options.width();
        int imageSize = h * w;
        byte[] pixels = new byte[files.size() * imageSize];
        String[] errors = decodeAll(files, pixels, h, w, options.decodeThreads(), maxPixels);

        // Compact away the files that failed, reporting them in file order.
        int count = 0;
        int[] labels = new int[files.size()];
        byte[] splits = new byte[files.size()];
        for (int i = 0; i < files.size(); i++) {
            if (errors[i] != null) {
                bad.report(errors[i]);
                continue;
            }
            if (count != i) {
                System.arraycopy(pixels, i * imageSize, pixels, count * imageSize, imageSize);
            }
            labels[count] = labelList.get(i);
            splits[count] = (byte) (int) splitList.get(i);
            count++;
        }
        if (count == 0) {
            throw new BadDataException(root + ": no readable images" + (bad.count() > 0 ? " (" + bad.count()
                    + " bad files)" : ""));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Dataset(h, w, Arrays.copyOf(pixels, count * imageSize), Arrays.copyOf(labels, count),
                Arrays.copyOf(splits, count), classNames, splitNames,
                new LoadReport(root.toString(), layout.format(), bad.count(), bad.messages(), layout.ignored(), seconds),
                Dataset.Origin.DECODED);
    }

    /** Finds the layout, reporting empty class folders to {@code bad}. */
    static Layout scan(Path root, BadInput bad) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new BadDataException(root + ": not a folder");
        }
        return scan(root, root.toRealPath(), bad);
    }

    /** {@code top}: the real path of the folder the user named; nothing is read from outside it. */
    private static Layout scan(Path root, Path top, BadInput bad) throws IOException {
        List<Path> dirs = subfolders(root);
        if (dirs.size() == 1 && !hasFiles(root) && !isSplitName(dirs.get(0)) && !subfolders(dirs.get(0)).isEmpty()) {
            return scan(dirs.get(0), top, bad);
        }
        if (dirs.isEmpty()) {
            throw new BadDataException(root + ": no class folders found, expected <root>/<class>/* or "
                    + "<root>/{train,val,test}/<class>/* with .png/.jpg/.bmp/.gif images");
        }
        long splitDirs = dirs.stream().filter(ImageFolder::isSplitName).count();
        Map<String, Map<String, List<Path>>> files = new LinkedHashMap<>();
        int[] ignored = {0};
        String format;
        if (splitDirs > 0) {
            for (Path d : dirs) {
                if (!isSplitName(d)) {
                    throw new BadDataException(root + ": folder '" + d.getFileName() + "' is not a split: next to "
                            + "train/val/test folders expected only train, val (or validation) and test");
                }
            }
            dirs.sort(Comparator.comparing(d -> Split.fromSourceName(d.getFileName().toString())));
            for (Path d : dirs) {
                String name = Split.fromSourceName(d.getFileName().toString()).label();
                if (files.containsKey(name)) {
                    throw new BadDataException(root + ": two folders for the " + name + " split ("
                            + d.getFileName() + " and another); keep one");
                }
                List<Path> classDirs = subfolders(d);
                if (classDirs.isEmpty()) {
                    throw new BadDataException(d + ": no class folders found, expected " + d + "/<class>/*");
                }
                files.put(name, classes(classDirs, top, bad, ignored));
            }
            format = FORMAT_PREFIX + " <root>/{" + String.join(",", dirs.stream().map(p -> p.getFileName().toString()).toList())
                    + "}/<class>/*";
        } else {
            files.put(Dataset.ALL, classes(dirs, top, bad, ignored));
            format = FORMAT_PREFIX + " <root>/<class>/*";
        }
        return new Layout(files, ignored[0], format);
    }

    /**
     * Class name to its sorted image files; an empty class folder is bad input, and so is an
     * image-named entry that is not a regular file inside {@code top} (a pipe, a device, a link
     * leading out of the data folder).
     */
    private static Map<String, List<Path>> classes(List<Path> classDirs, Path top, BadInput bad, int[] ignored)
            throws IOException {
        Map<String, List<Path>> byClass = new TreeMap<>(ClassNames.ORDER);
        for (Path dir : classDirs) {
            if (!dir.toRealPath().startsWith(top)) {
                bad.report(dir + ": a link to " + dir.toRealPath() + ", outside the data folder " + top + "; refused");
                continue;
            }
            List<Path> images = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    return d != dir && isHidden(d) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (isHidden(f)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (!Images.isImageFile(f)) {
                        ignored[0]++;
                    } else if (attrs.isRegularFile()) {
                        images.add(f);
                    } else if (attrs.isSymbolicLink()) {
                        Path target;
                        try {
                            target = f.toRealPath();
                        } catch (IOException e) {
                            refused.add(f + ": a broken link; refused");
                            return FileVisitResult.CONTINUE;
                        }
                        if (!target.startsWith(top)) {
                            refused.add(f + ": a link to " + target + ", outside the data folder " + top + "; refused");
                        } else if (!Files.isRegularFile(target)) {
                            refused.add(f + ": a link to " + target + ", not a regular file; refused");
                        } else {
                            images.add(f);
                        }
                    } else {
                        refused.add(f + ": not a regular file (a pipe, socket or device); refused");
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            refused.sort(null);
            for (String r : refused) {
                bad.report(r);
            }
            if (images.isEmpty()) {
                bad.report(dir + ": empty class folder, expected .png, .jpg, .jpeg, .bmp or .gif images");
                continue;
            }
            images.sort(Comparator.comparing(Path::toString));
            // Two folders that name the same class (Anger/ and angry/) are one class.
            // A folder name may hold control characters: the class name shows them escaped, everywhere.
            byClass.computeIfAbsent(ClassNames.normalize(Text.escape(dir.getFileName().toString())), k -> new ArrayList<>())
                    .addAll(images);
        }
        for (List<Path> list : byClass.values()) {
            list.sort(Comparator.comparing(Path::toString));
        }
        return byClass;
    }

    /**
     * Decodes {@code files[i]} into {@code pixels[i]} as grey {@code h x w} on {@code threads} threads;
     * returns, per file, its error message or {@code null}.
     */
    private static String[] decodeAll(List<Path> files, byte[] pixels, int h, int w, int threads, long maxPixels)
            throws IOException {
        String[] errors = new String[files.size()];
        int imageSize = h * w;
        int chunk = 256;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "fer4j-decode");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int from = 0; from < files.size(); from += chunk) {
                int lo = from;
                int hi = Math.min(files.size(), from + chunk);
                futures.add(pool.submit(() -> {
                    for (int i = lo; i < hi; i++) {
                        try {
                            byte[] grey = Images.toGray(Images.read(files.get(i), maxPixels), h, w);
                            System.arraycopy(grey, 0, pixels, i * imageSize, imageSize);
                        } catch (BadDataException e) {
                            errors[i] = e.getMessage();
                        } catch (IOException e) {
                            errors[i] = files.get(i) + ": cannot read (" + e.getMessage() + ")";
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return errors;
    }

    private static List<Path> subfolders(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(Files::isDirectory).filter(p -> !isHidden(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList());
        }
    }

    private static boolean hasFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> Files.isRegularFile(p) && !isHidden(p));
        }
    }

    private static boolean isSplitName(Path dir) {
        return Split.fromSourceName(dir.getFileName().toString()) != null;
    }

    private static boolean isHidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }
}
