package org.fer4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.models.ModelZoo;
import org.fer4j.models.Pretrained;
import org.fer4j.models.faces.TinyFaceDetector;
import org.fer4j.onnx.OnnxExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "export",
        description = "Write a trained model in another format: ONNX (opset " + OnnxExport.OPSET + "), for ONNX Runtime, "
                + "PyTorch, TensorRT and the rest of the ONNX ecosystem.",
        mixinStandardHelpOptions = true,
        footer = {"", "The ONNX graph takes 'input' [N, C, H, W] (already normalised, as fer4j's models take it) and",
                "gives 'output': logits, or probabilities with --softmax. Class names and the normalisation are in",
                "the file's metadata_props (fer4j.class_names, fer4j.normalization, fer4j.metadata). See docs/onnx.md.",
                "", "Examples:",
                "  fer4j export --model fer2013 --format onnx fer2013.onnx",
                "  fer4j export --model fer2013-4 --softmax fer2013-4.onnx",
                "  fer4j export --model runs/demo/best.fer4j --format onnx best.onnx",
                "  fer4j export --model tiny-face-detector faces.onnx"})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "a bundled model (fer2013, fer2013-fast, fer2013-4, fer2013-marketing, fer2013-robust), tiny-face-detector, or a .fer4j file")
    String model;

    @Option(names = "--format", paramLabel = "FORMAT", description = "output format: onnx (default: onnx)")
    Choices.ExportFormat format = Choices.ExportFormat.ONNX;

    @Option(names = "--softmax", description = "end the graph with a Softmax, so that it outputs probabilities")
    boolean softmax;

    @Parameters(paramLabel = "OUT", description = "the file to write, e.g. fer2013.onnx")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        Checkpoint c = load();
        if (softmax && c.model().outputShape().length != 1) {
            throw new IllegalArgumentException("--softmax needs a classifier; " + model + " outputs "
                    + org.fer4j.engine.Tensor.shapeString(c.model().outputShape()));
        }
        OnnxExport.write(out, c.model(), c.info(), softmax);
        w.println("Exported " + c.model().name() + " (" + c.model().parameterCount() + " parameters, "
                + c.model().layers().size() + " layers) to ONNX opset " + OnnxExport.OPSET + ": " + out
                + " (" + Files.size(out) + " bytes; output: " + (softmax ? "probabilities" : "logits") + ")");
        return 0;
    }

    private Checkpoint load() throws IOException {
        Path path = Path.of(model);
        if (Files.exists(path) || model.endsWith(ModelFile.EXTENSION)) {
            return ModelFile.load(path);
        }
        if (model.equals(TinyFaceDetector.NAME)) {
            try (InputStream in = TinyFaceDetector.class.getResourceAsStream(
                    "/org/fer4j/models/faces/" + TinyFaceDetector.NAME + ModelFile.EXTENSION)) {
                if (in == null) {
                    throw new IOException("the bundled face detector is missing from this build");
                }
                Path tmp = Files.createTempFile("fer4j-detector-", ModelFile.EXTENSION);
                try {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    return ModelFile.load(tmp);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        if (ModelZoo.contains(model)) {
            throw new IllegalArgumentException("'" + model + "' is an architecture without trained weights; export a "
                    + "bundled model or a .fer4j file (train one with fer4j train)");
        }
        return Pretrained.load(model);
    }
}
