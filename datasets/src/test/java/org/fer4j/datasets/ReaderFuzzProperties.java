package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzing of every data reader: mutated valid inputs (see {@link Mutator}) must give a data set or a
 * {@link BadDataException} whose message names the input and holds no control character; never
 * another exception, never more than {@link #MAX_ALLOCATED} bytes allocated, never a hang. Seeded:
 * the same seed gives the same inputs. Each property runs {@code jqwik.tries.default} tries, which
 * datasets/pom.xml sets from {@code fer4j.fuzz.tries} (200; docs/reliability.md runs 10,000).
 */
class ReaderFuzzProperties {
    /** Allocation allowed for reading one small mutated input. */
    static final long MAX_ALLOCATED = 256L << 20;
    static final Duration HANG = Duration.ofSeconds(30);

    private static final LoadOptions STRICT = LoadOptions.DEFAULT.toBuilder().useCache(false).threads(1).build();
    private static final LoadOptions SKIP = STRICT.toBuilder().skipBad(true).build();
    private static final byte[] CSV = Fixtures.csv(Fixtures.rows(3, 16)).getBytes(StandardCharsets.UTF_8);

    interface Read {
        Object read() throws Exception;
    }

    /** Runs {@code read} and returns "read" or "refused"; anything else fails the property. */
    static String outcome(String name, Read read) {
        return outcome(name, BadDataException.class, read);
    }

    /** As above, with the reader's documented error type. */
    static String outcome(String name, Class<? extends Exception> documented, Read read) {
        return assertTimeoutPreemptively(HANG, () -> {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            String result;
            try {
                read.read();
                result = "read";
            } catch (Exception e) {
                if (!documented.isInstance(e)) {
                    throw new AssertionError(name + ": undocumented " + e, e);
                }
                String m = e.getMessage();
                if (m == null || !m.contains(name) || m.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                    throw new AssertionError("a refusal must name " + name + " on one clean line: " + m, e);
                }
                result = "refused";
            } catch (Throwable t) {
                throw new AssertionError(name + ": undocumented " + t, t);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > MAX_ALLOCATED) {
                throw new AssertionError(name + ": allocated " + allocated + " bytes reading a small input");
            }
            return result;
        }, name + " hung");
    }

    private static LoadOptions options(long seed) {
        return (seed & 1) == 0 ? STRICT : SKIP;
    }

    @Property(seed = "16", shrinking = ShrinkingMode.OFF)
    void csvReader(@ForAll long seed) {
        byte[] input = Mutator.mutate(CSV, seed);
        Statistics.label("csv").collect(outcome("fuzz.csv",
                () -> Fer2013Csv.read(new ByteArrayInputStream(input), "fuzz.csv", options(seed >>> 1))));
    }

    @Property(seed = "16", shrinking = ShrinkingMode.OFF)
    void gzipReader(@ForAll long seed) throws IOException {
        // Half mutate the compressed bytes (the gzip layer), half the text inside a valid gzip.
        byte[] input = (seed & 2) == 0 ? Mutator.mutate(Fixtures.gzip(CSV), seed) : Fixtures.gzip(Mutator.mutate(CSV, seed));
        Statistics.label("csv.gz").collect(outcome("fuzz.csv.gz",
                () -> Fer2013Csv.read(new ByteArrayInputStream(input), "fuzz.csv.gz", options(seed >>> 2))));
    }

    @Property(seed = "16", shrinking = ShrinkingMode.OFF)
    void tarReader(@ForAll long seed) throws IOException {
        byte[] tar = Fixtures.tar(List.of("fer2013/README", "fer2013/fer2013.csv"),
                List.of("FER2013\n".getBytes(StandardCharsets.US_ASCII), CSV));
        byte[] input = switch ((int) (seed & 3)) {
            case 0 -> Mutator.mutate(tar, seed);
            case 1 -> Fixtures.gzip(Mutator.mutate(tar, seed));
            default -> Mutator.mutate(Fixtures.gzip(tar), seed);
        };
        Statistics.label("tar").collect(outcome("fuzz.tar.gz",
                () -> Fer2013Csv.read(new ByteArrayInputStream(input), "fuzz.tar.gz", options(seed >>> 2))));
    }

    private static final List<byte[]> IMAGES = images();

    private static List<byte[]> images() {
        try {
            List<byte[]> list = new java.util.ArrayList<>();
            for (String format : new String[] {"png", "jpg", "bmp", "gif"}) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ImageIO.write(Fixtures.grey(16, 16, format.length()), format, out);
                list.add(out.toByteArray());
            }
            return list;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(seed = "16", shrinking = ShrinkingMode.OFF)
    void imageFolderReader(@ForAll long seed) throws IOException {
        Path root = Files.createTempDirectory("fer4j-fuzz");
        try {
            String[] formats = {"png", "jpg", "bmp", "gif"};
            for (int c = 0; c < 2; c++) {
                Path cls = Files.createDirectories(root.resolve(c == 0 ? "happy" : "sad"));
                for (int i = 0; i < 2; i++) {
                    int f = (int) Math.floorMod(seed >>> (4 * (2 * c + i)), 4L);
                    byte[] valid = IMAGES.get(f);
                    // One image in four is mutated: most folders then hold a bad file among good ones.
                    byte[] bytes = ((seed >>> (20 + 2 * c + i)) & 3) == 0 ? Mutator.mutate(valid, seed + 31L * (2 * c + i)) : valid;
                    Files.write(cls.resolve("img" + i + "." + formats[f]), bytes);
                }
            }
            Statistics.label("image folder").collect(outcome(root.toString(),
                    () -> ImageFolder.read(root, options(seed >>> 40))));
        } finally {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Image bytes alone, the decoder behind the folder reader: more inputs per second. */
    @Property(seed = "16", shrinking = ShrinkingMode.OFF)
    void imageDecoder(@ForAll long seed) {
        byte[] input = Mutator.mutate(IMAGES.get((int) Math.floorMod(seed, 4L)), seed >>> 2);
        Statistics.label("image").collect(outcome("fuzz.img", () -> Images.decode(input, "fuzz.img")));
    }
}
