package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    private static final LoadOptions OPTIONS = LoadOptions.DEFAULT.toBuilder().useCache(false).threads(2).build();
    private static final LoadOptions SKIP = OPTIONS.toBuilder().skipBad(true).build();

    @TempDir
    Path dir;

    private static int count(Dataset d, String split, String cls) {
        int s = d.splitNames().indexOf(split);
        int c = d.classNames().indexOf(cls);
        int n = 0;
        for (int i = 0; i < d.size(); i++) {
            if (d.split(i) == s && d.label(i) == c) {
                n++;
            }
        }
        return n;
    }

    @Test
    void classFoldersWithoutASplit() throws IOException {
        // The CK+48 layout: CK+48/<class>/*.png, CK+ spellings normalized.
        Path root = dir.resolve("CK+48");
        Fixtures.classFolder(root, null, "anger", 3, 0);
        Fixtures.classFolder(root, null, "contempt", 2, 10);
        Fixtures.classFolder(root, null, "sadness", 1, 20);
        Fixtures.classFolder(root, null, "happy", 2, 30);
        Dataset d = ImageFolder.read(root, OPTIONS);
        assertEquals(List.of("angry", "happy", "sad", "contempt"), d.classNames());
        assertEquals(List.of(Dataset.ALL), d.splitNames());
        assertEquals(8, d.size());
        assertEquals(3, count(d, "all", "angry"));
        assertEquals(2, count(d, "all", "contempt"));
        // Files are read in sorted order: the first image is anger/img0.png.
        assertArrayEquals(Images.toGray(Fixtures.grey(48, 48, 0), 48, 48), d.image(0));
    }

    @Test
    void trainValidationTestFolders() throws IOException {
        Path root = dir.resolve("fer4");
        for (String split : List.of("train", "validation", "test")) {
            for (String cls : List.of("Happy", "Sad", "Surprise", "Neutral")) {
                Fixtures.classFolder(root, split, cls, split.equals("train") ? 3 : 1, cls.length());
            }
        }
        Dataset d = ImageFolder.read(root, OPTIONS);
        assertEquals(List.of("train", "val", "test"), d.splitNames());
        assertEquals(List.of("happy", "sad", "surprise", "neutral"), d.classNames());
        assertEquals(3, count(d, "train", "sad"));
        assertEquals(1, count(d, "val", "neutral"));
        assertEquals(1, count(d, "test", "happy"));
        assertTrue(d.report().format().contains("{train,validation,test}"), d.report().format());
    }

    @Test
    void anArchiveFolderHoldingOneDatasetFolderIsDescended() throws IOException {
        Path root = dir.resolve("download");
        Fixtures.classFolder(root.resolve("CK+48"), null, "fear", 2, 0);
        Fixtures.classFolder(root.resolve("CK+48"), null, "disgust", 2, 5);
        Dataset d = ImageFolder.read(root, OPTIONS);
        assertEquals(List.of("disgust", "fear"), d.classNames());
        assertEquals(4, d.size());
    }

    @Test
    void decodesPngJpegBmpAndGifInColourOrGrey() throws IOException {
        Path root = dir.resolve("formats");
        BufferedImage rgb = new BufferedImage(60, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 60; x++) {
                rgb.setRGB(x, y, (x * 4) << 16 | (y * 6) << 8 | ((x + y) & 0xFF));
            }
        }
        Fixtures.writeImage(rgb, root.resolve("happy/a.png"), "png");
        Fixtures.writeImage(rgb, root.resolve("happy/b.bmp"), "bmp");
        Fixtures.writeImage(Fixtures.grey(48, 48, 3), root.resolve("happy/c.gif"), "gif");
        Fixtures.writeImage(Fixtures.grey(48, 48, 4), root.resolve("happy/d.jpg"), "jpg");
        Fixtures.writeImage(Fixtures.grey(96, 96, 5), root.resolve("sad/e.JPEG"), "jpeg");
        Files.writeString(root.resolve("happy/notes.txt"), "not an image");
        Files.writeString(root.resolve("happy/.DS_Store"), "hidden");
        Dataset d = ImageFolder.read(root, OPTIONS);
        assertEquals(5, d.size());
        assertEquals(1, d.report().ignoredFiles());
        // PNG and BMP are lossless: the same colour image gives the same grey bytes.
        assertArrayEquals(d.image(0), d.image(1));
        assertArrayEquals(Images.toGray(rgb, 48, 48), d.image(0));
        // GIF holds a palette; a grey ramp survives it within a grey level.
        byte[] gif = d.image(2);
        byte[] expected = Images.toGray(Fixtures.grey(48, 48, 3), 48, 48);
        for (int i = 0; i < gif.length; i++) {
            assertEquals(expected[i] & 0xFF, gif[i] & 0xFF, 2, "gif pixel " + i);
        }
        // JPEG is lossy, but close.
        byte[] jpg = d.image(3);
        byte[] ref = Images.toGray(Fixtures.grey(48, 48, 4), 48, 48);
        double err = 0;
        for (int i = 0; i < jpg.length; i++) {
            err += Math.abs((jpg[i] & 0xFF) - (ref[i] & 0xFF));
        }
        assertTrue(err / jpg.length < 6, "mean JPEG error " + err / jpg.length);
    }

    @Test
    void corruptImageIsNamedOrSkipped() throws IOException {
        Path root = dir.resolve("bad");
        Fixtures.classFolder(root, null, "happy", 2, 0);
        Fixtures.classFolder(root, null, "sad", 2, 5);
        Path broken = root.resolve("sad/broken.png");
        byte[] png = Files.readAllBytes(root.resolve("sad/img0.png"));
        Files.write(broken, java.util.Arrays.copyOf(png, 60));
        Path empty = root.resolve("sad/zero.jpg");
        Files.write(empty, new byte[0]);
        BadDataException e = assertThrows(BadDataException.class, () -> ImageFolder.read(root, OPTIONS));
        assertTrue(e.getMessage().startsWith(broken + ": cannot decode"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        Dataset d = ImageFolder.read(root, SKIP);
        assertEquals(4, d.size());
        assertEquals(2, d.report().badCount());
        assertTrue(d.report().badMessages().get(1).startsWith(empty + ": cannot decode: the file is empty"),
                d.report().badMessages().toString());
    }

    @Test
    void textWithAnImageEndingIsNotAnImage() throws IOException {
        Path root = dir.resolve("fake");
        Fixtures.classFolder(root, null, "happy", 1, 0);
        Files.writeString(root.resolve("happy/fake.png"), "hello, I am not a PNG");
        BadDataException e = assertThrows(BadDataException.class, () -> ImageFolder.read(root, OPTIONS));
        assertTrue(e.getMessage().contains("fake.png: cannot decode: not a PNG, JPEG, BMP or GIF image"), e.getMessage());
    }

    @Test
    void emptyClassFolderIsNamed() throws IOException {
        Path root = dir.resolve("empty");
        Fixtures.classFolder(root, null, "happy", 2, 0);
        Files.createDirectories(root.resolve("disgust"));
        Files.writeString(root.resolve("disgust/readme.txt"), "no faces yet");
        BadDataException e = assertThrows(BadDataException.class, () -> ImageFolder.read(root, OPTIONS));
        assertTrue(e.getMessage().startsWith(root.resolve("disgust") + ": empty class folder"), e.getMessage());
        Dataset d = ImageFolder.read(root, SKIP);
        assertEquals(List.of("happy"), d.classNames());
        assertEquals(1, d.report().badCount());
    }

    @Test
    void folderWithNoClassesIsNamed() throws IOException {
        Path root = dir.resolve("flat");
        Fixtures.writeImage(Fixtures.grey(48, 48, 0), root.resolve("a.png"), "png");
        BadDataException e = assertThrows(BadDataException.class, () -> ImageFolder.read(root, OPTIONS));
        assertTrue(e.getMessage().startsWith(root + ": no class folders found"), e.getMessage());
        Path none = Files.createDirectories(dir.resolve("nothing"));
        e = assertThrows(BadDataException.class, () -> ImageFolder.read(none, OPTIONS));
        assertTrue(e.getMessage().contains("no class folders found"), e.getMessage());
    }

    @Test
    void aStrayFolderNextToSplitFoldersIsNamed() throws IOException {
        Path root = dir.resolve("mixed");
        Fixtures.classFolder(root, "train", "happy", 1, 0);
        Fixtures.classFolder(root, null, "sad", 1, 0);
        BadDataException e = assertThrows(BadDataException.class, () -> ImageFolder.read(root, OPTIONS));
        assertTrue(e.getMessage().contains("folder 'sad' is not a split"), e.getMessage());
    }

    @Test
    void classesThatDifferBetweenTrainAndTestAreNamedWhenPrepared() throws IOException {
        Path root = dir.resolve("differ");
        Fixtures.classFolder(root, "train", "happy", 2, 0);
        Fixtures.classFolder(root, "train", "disgust", 2, 3);
        Fixtures.classFolder(root, "test", "happy", 1, 6);
        Dataset d = ImageFolder.read(root, OPTIONS);
        DataConfig own = DataConfig.DEFAULT.toBuilder().split(SplitSpec.OWN).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.prepare(d, own));
        assertTrue(e.getMessage().contains("classes differ between splits: test has no disgust (train has it)"),
                e.getMessage());
        // Keeping only the common classes, or pooling the splits, is fine.
        PreparedData happy = Datasets.prepare(d, own.toBuilder().classes("happy").build());
        assertEquals(2, happy.train().imageCount());
        assertEquals(1, happy.test().imageCount());
        PreparedData pooled = Datasets.prepare(d, own.toBuilder().split("80/20").build());
        assertEquals(5, pooled.train().imageCount() + pooled.val().imageCount());
    }
}
