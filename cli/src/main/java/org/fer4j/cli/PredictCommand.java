package org.fer4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.awt.image.BufferedImage;
import org.fer4j.engine.io.Text;
import org.fer4j.engine.io.Json;
import org.fer4j.models.EmotionClassifier;
import org.fer4j.models.faces.Box;
import org.fer4j.models.faces.FaceDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fer4j predict}: the emotion on every face of each image, with every class's probability.
 * Photos go through the face detector first; face-sized crops (auto) are classified as they are.
 */
@Command(name = "predict",
        description = "Classify the emotion on every face in images (JPEG, PNG, BMP, GIF; any size or colour): photos go "
                + "through the face detector, and each face is cut out as FER2013 frames faces and classified exactly "
                + "as in training.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        footer = {"", "--detect auto (the default) detects faces in images larger than " + PredictCommand.AUTO_CROP_SIDE
                + " pixels on their longer side and takes smaller images as one face crop; the output says which.",
                "Exit codes: 0 done, 3 an image had no face, 2 bad input (a bad image stops the run unless --skip-bad).",
                "", "Examples:",
                "  fer4j predict --model fer2013 face.png",
                "  fer4j predict --model fer2013 --annotate out/ group-photo.jpg",
                "  fer4j predict --model runs/vgg/best.fer4j --format csv photos/ > predictions.csv",
                "  fer4j predict --model fer2013-4 --top 2 --format json a.jpg b.jpg"})
final class PredictCommand implements Callable<Integer> {
    /** {@code --detect auto}: images up to this size on their longer side are taken as one face crop. */
    static final int AUTO_CROP_SIDE = 128;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "NAME|FILE", description = "a bundled model (fer2013, ...) or a .fer4j file; several separated by commas are an ensemble (their probabilities averaged)")
    String model;

    @Parameters(paramLabel = "IMAGE|FOLDER", arity = "1..*", description = "image files, or folders searched recursively")
    List<Path> inputs;

    @Option(names = "--detect", paramLabel = "MODE", description = "auto, on or off: find faces first (default: auto)")
    Choices.Detect detect = Choices.Detect.AUTO;

    @Option(names = "--format", description = "table, csv or json (default: table)")
    Choices.Format format = Choices.Format.TABLE;

    @Option(names = "--top", paramLabel = "K", description = "in the table, list the K most likely classes, 1..1000 (default: all)")
    Integer top;

    @Option(names = "--tta", paramLabel = "KIND", description = "test-time augmentation: none, or flip (average with the mirrored face) (default: the model's own: flip for bundled models, none for files)")
    Choices.Tta tta;

    @Mixin
    FaceOptions faces = new FaceOptions();

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Override
    public Integer call() throws Exception {
        if (top != null) {
            Flags.intIn("--top", top, 1, 1000);
        }
        FaceDetector.Options options = faces.options();
        List<Path> files = ImageFiles.expand(inputs);
        engine.apply();
        EmotionClassifier classifier = EmotionClassifier.open(model);
        if (tta != null) {
            classifier = classifier.withFlipAveraging(tta == Choices.Tta.FLIP);
        }
        FaceDetector detector = null;
        List<String> classes = classifier.classNames();
        int k = top == null ? classes.size() : Math.min(top, classes.size());
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Object> json = new ArrayList<>();
        if (format == Choices.Format.CSV) {
            o.println("file,detection,face,x,y,width,height,face_score,emotion,confidence," + String.join(",", classes));
        }
        FaceOptions.Tally tally = faces.tally("predict", err);
        for (Path file : files) {
            BufferedImage image = tally.read(file);
            if (image == null) {
                continue;
            }
            boolean detecting = detect == Choices.Detect.ON
                    || (detect == Choices.Detect.AUTO && Math.max(image.getWidth(), image.getHeight()) > AUTO_CROP_SIDE);
            List<EmotionClassifier.FacePrediction> found;
            if (detecting) {
                if (detector == null) {
                    detector = FaceDetector.pretrained().withOptions(options);
                }
                found = classifier.predictFaces(image, detector);
                tally.faces(found.size());
            } else {
                found = List.of(new EmotionClassifier.FacePrediction(
                        new Box(0, 0, image.getWidth(), image.getHeight()), 1f, classifier.predict(image)));
            }
            String how = detecting ? "faces detected"
                    : "detection off" + (detect == Choices.Detect.AUTO ? ": a " + image.getWidth() + "x" + image.getHeight()
                    + " image is taken as one face crop" : "");
            switch (format) {
                case CSV -> {
                    for (int i = 0; i < found.size(); i++) {
                        EmotionClassifier.FacePrediction f = found.get(i);
                        Box b = f.box();
                        EmotionClassifier.Prediction p = f.prediction();
                        StringBuilder sb = new StringBuilder(ImageFiles.csv(file.toString()))
                                .append(detecting ? ",on," : ",off,").append(i)
                                .append(String.format(Locale.ROOT, ",%.1f,%.1f,%.1f,%.1f,%.4f,", b.x(), b.y(), b.width(), b.height(), f.faceScore()))
                                .append(p.label()).append(String.format(Locale.ROOT, ",%.4f", p.confidence()));
                        for (float v : p.probabilities()) {
                            sb.append(String.format(Locale.ROOT, ",%.4f", v));
                        }
                        o.println(sb);
                    }
                }
                case JSON -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", file.toString());
                    m.put("width", image.getWidth());
                    m.put("height", image.getHeight());
                    m.put("detection", detecting ? "on" : "off");
                    List<Object> list = new ArrayList<>();
                    for (EmotionClassifier.FacePrediction f : found) {
                        Map<String, Object> face = new LinkedHashMap<>();
                        face.put("box", DetectCommand.boxJson(f.box(), f.faceScore()));
                        face.put("emotion", f.prediction().label());
                        face.put("confidence", f.prediction().confidence());
                        Map<String, Object> probs = new LinkedHashMap<>();
                        for (int j : f.prediction().top(k)) {
                            probs.put(classes.get(j), f.prediction().probabilities()[j]);
                        }
                        face.put("probabilities", probs);
                        list.add(face);
                    }
                    m.put("faces", list);
                    if (!detecting) {
                        // The one face, also at the top level, as predict wrote it before faces were detected.
                        Map<?, ?> only = (Map<?, ?>) list.get(0);
                        m.put("emotion", only.get("emotion"));
                        m.put("confidence", only.get("confidence"));
                        m.put("probabilities", only.get("probabilities"));
                    }
                    json.add(m);
                }
                default -> {
                    if (!detecting) {
                        o.println(line(String.format(Locale.ROOT, "%-40s", Text.escape(file.toString())), found.get(0).prediction(), classes, k)
                                + "   (" + how + ")");
                    } else {
                        o.println(Text.escape(file.toString()) + " (" + image.getWidth() + "x" + image.getHeight() + ", " + how + "): "
                                + (found.isEmpty() ? "no face found" : found.size() + (found.size() == 1 ? " face" : " faces")));
                        for (int i = 0; i < found.size(); i++) {
                            Box b = found.get(i).box();
                            EmotionClassifier.Prediction p = found.get(i).prediction();
                            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  face %d at %.0f,%.0f %.0fx%.0f:",
                                    i + 1, b.x(), b.y(), b.width(), b.height()));
                            for (int j : p.top(k)) {
                                sb.append(String.format(Locale.ROOT, "  %s %.1f%%", classes.get(j), 100 * p.probabilities()[j]));
                            }
                            o.println(sb);
                        }
                    }
                }
            }
            if (faces.annotate != null) {
                List<Annotator.Mark> marks = new ArrayList<>();
                for (EmotionClassifier.FacePrediction f : found) {
                    marks.add(new Annotator.Mark(f.box(), String.format(Locale.ROOT, "%s %.0f%%",
                            f.prediction().label(), 100 * f.prediction().confidence())));
                }
                Path written = Annotator.write(Annotator.draw(image, marks), faces.annotate, file);
                if (format == Choices.Format.TABLE) {
                    o.println("  annotated: " + Text.escape(written.toString()));
                }
            }
        }
        if (format == Choices.Format.JSON) {
            o.println(Json.writePretty(json));
        }
        o.flush();
        return tally.exitCode(files.size());
    }

    private static String line(String head, EmotionClassifier.Prediction p, List<String> classes, int k) {
        StringBuilder sb = new StringBuilder(head).append(String.format(Locale.ROOT, "  %-9s", p.label()));
        for (int j : p.top(k)) {
            sb.append(String.format(Locale.ROOT, "  %s %5.1f%%", classes.get(j), 100 * p.probabilities()[j]));
        }
        return sb.toString();
    }
}
