package org.fer4j.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.layers.Layer;
import org.fer4j.models.faces.FaceDetector;
import org.fer4j.models.faces.ImageDecoder;
import org.fer4j.models.faces.TinyFaceDetector;

/**
 * The face detector's cost in CPU time of the one thread that runs it, per step and per layer,
 * for one frame (a photo scaled to 640x480) at input size 416. CPU time, unlike wall time, hardly
 * moves when other processes share the machine, so this profile can be taken on a busy machine;
 * run it with one engine thread so that all the work is on the measured thread:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Dfer4j.threads=1 -cp bench/target/benchmarks.jar \
 *     org.fer4j.bench.DetectorCpuProfile PHOTO [ROUNDS]
 * </pre>
 * Medians of the second half of the rounds (the first half warms the JIT up).
 */
public final class DetectorCpuProfile {
    private DetectorCpuProfile() {
    }

    public static void main(String[] args) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        BufferedImage photo = ImageDecoder.read(Path.of(args[0]), ImageDecoder.DEFAULT_MAX_PIXELS);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        BufferedImage frame = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = frame.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(photo, 0, 0, 640, 480, null);
        g.dispose();
        FaceDetector detector = FaceDetector.pretrained();
        Sequential net = TinyFaceDetector.build(416, 1);
        int layers = net.layers().size();
        double[] preprocess = new double[rounds];
        double[] detect = new double[rounds];
        double[][] perLayer = new double[layers][rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = mx.getCurrentThreadCpuTime();
            Tensor x = FaceDetector.preprocess(frame, 416);
            preprocess[r] = (mx.getCurrentThreadCpuTime() - t0) / 1e6;
            for (int i = 0; i < layers; i++) {
                long s = mx.getCurrentThreadCpuTime();
                x = net.layers().get(i).forward(x, Mode.EVAL);
                perLayer[i][r] = (mx.getCurrentThreadCpuTime() - s) / 1e6;
            }
            long t1 = mx.getCurrentThreadCpuTime();
            detector.detect(frame);
            detect[r] = (mx.getCurrentThreadCpuTime() - t1) / 1e6;
        }
        System.out.printf(Locale.ROOT, "CPU time of one 640x480 frame at 416, one thread (median of %d rounds):%n", rounds / 2);
        System.out.printf(Locale.ROOT, "  detect (all of it)   %8.3f ms%n  preprocess           %8.3f ms%n", median(detect), median(preprocess));
        double total = 0;
        for (int i = 0; i < layers; i++) {
            Layer l = net.layers().get(i);
            double m = median(perLayer[i]);
            total += m;
            System.out.printf(Locale.ROOT, "  %-22s %-16s %8.3f ms%n", l.name(), l.type(), m);
        }
        System.out.printf(Locale.ROOT, "  layers               %8.3f ms%n", total);
    }

    private static double median(double[] v) {
        double[] half = Arrays.copyOfRange(v, v.length / 2, v.length);
        Arrays.sort(half);
        return half[half.length / 2];
    }
}
