package org.fer4j.cli;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.fer4j.models.faces.ImageException;
import org.fer4j.models.faces.FaceDetector;
import org.fer4j.models.faces.ImageDecoder;
import picocli.CommandLine.Option;

/** Flags of the commands that find faces in photos ({@code detect}, {@code predict}). */
final class FaceOptions {
    /** Exit code when some image had no face. */
    static final int EXIT_NO_FACE = 3;
    /** The most --max-pixels may raise the limit to: 2^31 - 1 ints of ARGB, 8 GB. */
    static final long MAX_MAX_PIXELS = Integer.MAX_VALUE;

    @Option(names = "--min-score", paramLabel = "S", description = "lowest face score kept, in (0, 1) (default: 0.5)")
    float minScore = FaceDetector.Options.DEFAULT.scoreThreshold();

    @Option(names = "--input-size", paramLabel = "N", description = "detector input size, a multiple of 32 in 32..4096; larger finds smaller faces, slower (default: 416)")
    int inputSize = FaceDetector.Options.DEFAULT.inputSize();

    @Option(names = "--annotate", paramLabel = "DIR", description = "write a copy of each image with the boxes and labels drawn into DIR")
    Path annotate;

    @Option(names = "--skip-bad", description = "report images that cannot be read and go on, instead of stopping")
    boolean skipBad;

    @Option(names = "--max-pixels", paramLabel = "N", description = "refuse images with more pixels, before decoding them, 1..2147483647 (default: 50000000)")
    long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;

    /** The images of one run: reads each (skipping and counting bad ones with --skip-bad) and counts those without a face. */
    final class Tally {
        private final String command;
        private final PrintWriter err;
        private int bad;
        private int faceless;

        Tally(String command, PrintWriter err) {
            this.command = command;
            this.err = err;
        }

        /** The image, or null when it is bad and --skip-bad is on (reported on one line); else the error. */
        BufferedImage read(Path file) throws ImageException {
            try {
                return ImageDecoder.read(file, maxPixels);
            } catch (ImageException e) {
                if (!skipBad) {
                    throw e;
                }
                err.println("fer4j " + command + ": skipped " + Main.oneLine(e));
                bad++;
                return null;
            }
        }

        /** Counts the faces found in one image (only 0 matters). */
        void faces(int found) {
            if (found == 0) {
                faceless++;
            }
        }

        /** Reports the skipped and faceless images; 3 when an image had no face, else 0. */
        int exitCode(int files) {
            if (bad > 0) {
                err.println("fer4j " + command + ": " + bad + " of " + files + " images skipped (--skip-bad)");
            }
            if (faceless > 0) {
                err.println("fer4j " + command + ": no face found in " + faceless + " of " + (files - bad) + " images");
                return EXIT_NO_FACE;
            }
            return 0;
        }
    }

    /** A tally of one run's images, reading them with these options. */
    Tally tally(String command, PrintWriter err) {
        return new Tally(command, err);
    }

    FaceDetector.Options options() {
        Flags.longIn("--max-pixels", maxPixels, 1, MAX_MAX_PIXELS);
        Flags.open("--min-score", minScore, 0, 1);
        Flags.intIn("--input-size", inputSize, 32, 4096);
        if (inputSize % 32 != 0) {
            throw new IllegalArgumentException("--input-size must be a multiple of 32, got " + inputSize);
        }
        return new FaceDetector.Options(inputSize, minScore, FaceDetector.Options.DEFAULT.iouThreshold());
    }
}
