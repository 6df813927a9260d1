package org.fer4j.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.fer4j.engine.data.ArrayDataset;
import org.fer4j.engine.data.SyntheticBars;

/**
 * Small generated data sets in the layouts users bring: the FER2013 CSV and image folders. The
 * faces are bars at several orientations (learnable in a few epochs), one orientation per class.
 */
final class Fixtures {
    private static final String[] FER = {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"};

    private Fixtures() {
    }

    /** A FER2013-format CSV: {@code train} Training rows and {@code test} PublicTest rows over the first {@code classes} emotions. */
    static Path fer2013Csv(Path dir, int train, int test, int classes, long seed) throws IOException {
        Path csv = dir.resolve("fer2013.csv");
        StringBuilder sb = new StringBuilder("emotion,pixels,Usage\n");
        appendRows(sb, SyntheticBars.generate(train, 48, classes, seed), "Training");
        appendRows(sb, SyntheticBars.generate(test, 48, classes, seed + 1), "PublicTest");
        Files.writeString(csv, sb);
        return csv;
    }

    private static void appendRows(StringBuilder sb, ArrayDataset data, String usage) {
        var it = data.batches(data.size(), false, 0);
        var batch = it.next();
        float[] x = batch.x().data();
        for (int i = 0; i < batch.size(); i++) {
            sb.append(batch.y()[i]).append(",\"");
            for (int p = 0; p < 48 * 48; p++) {
                if (p > 0) {
                    sb.append(' ');
                }
                sb.append(Math.round(255 * x[i * 48 * 48 + p]));
            }
            sb.append("\",").append(usage).append('\n');
        }
    }

    /** {@code root/{train,validation,test}/<class>/*.png} with the given class names. */
    static Path imageFolders(Path root, List<String> classNames, int perClassTrain, int perClassOther, long seed)
            throws IOException {
        String[] splits = {"train", "validation", "test"};
        for (int s = 0; s < splits.length; s++) {
            int per = s == 0 ? perClassTrain : perClassOther;
            ArrayDataset data = SyntheticBars.generate(per * classNames.size(), 48, classNames.size(), seed + s);
            var batch = data.batches(data.size(), false, 0).next();
            for (int i = 0; i < batch.size(); i++) {
                Path folder = root.resolve(splits[s]).resolve(classNames.get(batch.y()[i]));
                Files.createDirectories(folder);
                writePng(folder.resolve("img" + i + ".png"), batch.x().data(), i * 48 * 48);
            }
        }
        return root;
    }

    static void writePng(Path file, float[] pixels, int offset) throws IOException {
        BufferedImage image = new BufferedImage(48, 48, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                int v = Math.round(255 * pixels[offset + y * 48 + x]);
                image.getRaster().setSample(x, y, 0, v);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }

    static String ferName(int label) {
        return FER[label];
    }
}
