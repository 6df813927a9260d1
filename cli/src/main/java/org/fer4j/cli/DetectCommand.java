package org.fer4j.cli;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fer4j.engine.io.Text;
import org.fer4j.engine.io.Json;
import org.fer4j.models.faces.Box;
import org.fer4j.models.faces.DetectedFace;
import org.fer4j.models.faces.FaceDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fer4j detect}: the faces in photos, as boxes in the original image's pixels with scores. */
@Command(name = "detect",
        description = "Find the faces in photos (JPEG, PNG, BMP, GIF; EXIF orientation applied) with the bundled "
                + "face detector: boxes in original image pixels, and scores.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        footer = {"", "Exit codes: 0 faces found in every image, 3 an image had no face, 2 bad input "
                + "(a bad image stops the run unless --skip-bad).",
                "", "Examples:",
                "  fer4j detect group.jpg",
                "  fer4j detect --format json --annotate out/ photos/",
                "  fer4j detect --min-score 0.3 --input-size 608 --format csv photos/ > faces.csv"})
final class DetectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE|FOLDER", arity = "1..*", description = "image files, or folders searched recursively")
    List<Path> inputs;

    @Option(names = "--format", description = "table, csv or json (default: table)")
    Choices.Format format = Choices.Format.TABLE;

    @Mixin
    FaceOptions faces = new FaceOptions();

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Override
    public Integer call() throws Exception {
        FaceDetector.Options options = faces.options();
        List<Path> files = ImageFiles.expand(inputs);
        engine.apply();
        FaceDetector detector = FaceDetector.pretrained().withOptions(options);
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Object> json = new ArrayList<>();
        if (format == Choices.Format.CSV) {
            o.println("file,face,x,y,width,height,score");
        }
        FaceOptions.Tally tally = faces.tally("detect", err);
        for (Path file : files) {
            BufferedImage image = tally.read(file);
            if (image == null) {
                continue;
            }
            List<DetectedFace> found = detector.detect(image);
            tally.faces(found.size());
            switch (format) {
                case CSV -> {
                    for (int i = 0; i < found.size(); i++) {
                        Box b = found.get(i).box();
                        o.println(String.format(Locale.ROOT, "%s,%d,%.1f,%.1f,%.1f,%.1f,%.4f", ImageFiles.csv(file.toString()),
                                i, b.x(), b.y(), b.width(), b.height(), found.get(i).score()));
                    }
                }
                case JSON -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", file.toString());
                    m.put("width", image.getWidth());
                    m.put("height", image.getHeight());
                    List<Object> list = new ArrayList<>();
                    for (DetectedFace f : found) {
                        list.add(boxJson(f.box(), f.score()));
                    }
                    m.put("faces", list);
                    json.add(m);
                }
                default -> {
                    o.println(Text.escape(file.toString()) + " (" + image.getWidth() + "x" + image.getHeight() + "): "
                            + (found.isEmpty() ? "no face found" : found.size() + (found.size() == 1 ? " face" : " faces")));
                    for (int i = 0; i < found.size(); i++) {
                        Box b = found.get(i).box();
                        o.println(String.format(Locale.ROOT, "  face %d  x %6.1f  y %6.1f  w %6.1f  h %6.1f  score %.3f",
                                i + 1, b.x(), b.y(), b.width(), b.height(), found.get(i).score()));
                    }
                }
            }
            if (faces.annotate != null) {
                List<Annotator.Mark> marks = new ArrayList<>();
                for (DetectedFace f : found) {
                    marks.add(new Annotator.Mark(f.box(), String.format(Locale.ROOT, "face %.2f", f.score())));
                }
                Annotator.write(Annotator.draw(image, marks), faces.annotate, file);
            }
        }
        if (format == Choices.Format.JSON) {
            o.println(Json.writePretty(json));
        }
        o.flush();
        return tally.exitCode(files.size());
    }

    static Map<String, Object> boxJson(Box b, float score) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("x", round1(b.x()));
        m.put("y", round1(b.y()));
        m.put("width", round1(b.width()));
        m.put("height", round1(b.height()));
        m.put("score", score);
        return m;
    }

    private static double round1(float v) {
        return Math.round(v * 10.0) / 10.0;
    }
}
