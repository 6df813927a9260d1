package org.fer4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fer4j.engine.io.Text;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.io.Json;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;
import org.fer4j.engine.io.Normalization;
import org.fer4j.engine.io.TfjsImport;
import org.fer4j.engine.io.TfjsWeights;
import org.fer4j.models.ModelZoo;
import org.fer4j.models.faces.TinyFaceDetector;
import org.fer4j.onnx.OnnxImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import",
        description = "Convert a model from another framework into a .fer4j model file: ONNX (a CNN of Conv, Gemm, "
                + "BatchNormalization, Relu, MaxPool, ... with residual Adds; see docs/onnx.md), or TensorFlow.js weights "
                + "(a weights_manifest.json or model.json with its .bin shards; float32, uint8/uint16-quantized, float16).",
        mixinStandardHelpOptions = true,
        footer = {"", "ONNX: the architecture comes from the graph; class names and normalisation from its metadata",
                "(a file fer4j exported) or from --class-names (default: class_0, class_1, ...).",
                "", "TensorFlow.js: the architecture is fer4j's (--arch); --map names, for each fer4j weight, the TensorFlow.js",
                "tensor that fills it (a JSON object {\"conv2d_1/kernel\": \"conv0/filters\", ...}). Every shape is",
                "checked, and every tensor that is missing, extra or misshapen is listed.",
                "", "Examples:",
                "  fer4j import --format onnx --out model.fer4j model.onnx",
                "  fer4j import --format onnx --class-names cat,dog --out pets.fer4j pets.onnx",
                "  fer4j import --arch tiny-face-detector --out face.fer4j model/tiny_face_detector_model-weights_manifest.json",
                "  fer4j import --arch fer-ref --map map.json --class-names angry,happy,sad --out mine.fer4j model.json"})
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SOURCE", description = "an .onnx file, or a TensorFlow.js weights_manifest.json or model.json")
    Path source;

    @Option(names = "--format", description = "source format: onnx or tfjs (default: onnx for a .onnx file, else tfjs)")
    Choices.ImportFormat format;

    @Option(names = "--arch", paramLabel = "NAME",
            description = "tfjs: the fer4j architecture: tiny-face-detector, or a named model (fer-ref, fer-vgg, ...)")
    String arch;

    @Option(names = "--map", paramLabel = "FILE", description = "JSON object: fer4j weight name -> source tensor name "
            + "(built in for tiny-face-detector)")
    Path map;

    @Option(names = "--class-names", paramLabel = "LIST", split = ",",
            description = "class names of a classifier, in output order (named models)")
    List<String> classNames;

    @Option(names = "--input-size", paramLabel = "S", description = "tiny-face-detector: input size, a multiple of 32 in 32..4096 (default: 416)")
    int inputSize = 416;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the .fer4j file to write")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        if (format == null) {
            format = source.getFileName().toString().endsWith(".onnx") ? Choices.ImportFormat.ONNX : Choices.ImportFormat.TFJS;
        }
        if (!out.getFileName().toString().endsWith(ModelFile.EXTENSION)) {
            throw new IllegalArgumentException("--out must end in " + ModelFile.EXTENSION + ", got " + out);
        }
        if (format == Choices.ImportFormat.ONNX) {
            return importOnnx(w);
        }
        if (arch == null) {
            throw new IllegalArgumentException("--arch is required for --format tfjs: the fer4j architecture the weights fill");
        }
        TfjsWeights weights = TfjsWeights.read(source);
        Sequential model;
        Map<String, String> mapping;
        ModelInfo info;
        if (arch.equals(TinyFaceDetector.NAME)) {
            if (classNames != null) {
                throw new IllegalArgumentException("--class-names does not apply to " + TinyFaceDetector.NAME + " (its one class is 'face')");
            }
            Flags.intIn("--input-size", inputSize, 32, 4096);
            if (inputSize % 32 != 0) {
                throw new IllegalArgumentException("--input-size must be a multiple of 32, got " + inputSize);
            }
            model = TinyFaceDetector.build(inputSize, 0);
            mapping = map == null ? TinyFaceDetector.tfjsMapping(model) : readMap(map);
            info = ModelInfo.of(List.of("face"), Normalization.NONE)
                    .withMetadata("task", "face detection")
                    .withMetadata("preprocessing", "RGB, padded to a square at the bottom/right, bilinear resize, "
                            + "(x - meanRgb) / 255")
                    .withMetadata("meanRgb", List.of(TinyFaceDetector.MEAN_RGB[0], TinyFaceDetector.MEAN_RGB[1], TinyFaceDetector.MEAN_RGB[2]))
                    .withMetadata("anchors", Arrays.stream(TinyFaceDetector.ANCHORS).map(a -> List.of(a[0], a[1])).toList());
        } else {
            ModelZoo.Entry entry = ModelZoo.entry(arch);
            if (classNames == null || classNames.isEmpty()) {
                throw new IllegalArgumentException("--class-names is required for " + arch + " (the classifier's classes in output order)");
            }
            if (map == null) {
                throw new IllegalArgumentException("--map is required for " + arch + ": which source tensor fills each fer4j weight");
            }
            model = entry.build(classNames.size(), 0);
            mapping = readMap(map);
            info = ModelInfo.of(classNames, Normalization.UNIT);
        }
        TfjsImport.apply(model, weights, mapping);
        info = info.withMetadata("importedFrom", source.getFileName().toString())
                .withMetadata("importFormat", "tensorflow.js")
                .withMetadata("command", "fer4j import --arch " + arch + (map == null ? "" : " --map " + map.getFileName())
                        + " " + source.getFileName());
        ModelFile.save(out, model, info);
        long quantized = weights.entries().values().stream().filter(e -> !e.storedAs().equals("float32")).count();
        w.println("Imported " + weights.entries().size() + " tensors (" + quantized + " de-quantized) from " + source
                + " into " + arch + " (" + model.parameterCount() + " parameters): " + out);
        return 0;
    }

    private int importOnnx(PrintWriter w) throws java.io.IOException {
        if (arch != null || map != null) {
            throw new IllegalArgumentException("--arch and --map apply to tfjs; an ONNX file carries its own architecture");
        }
        OnnxImport.Result r = OnnxImport.read(source);
        Sequential model = r.model();
        if (classNames != null && !classNames.isEmpty() && model.outputShape().length == 1
                && classNames.size() != model.outputShape()[0]) {
            throw new IllegalArgumentException("--class-names gives " + classNames.size() + " names, the model has "
                    + model.outputShape()[0] + " outputs");
        }
        ModelInfo info = r.info(classNames)
                .withMetadata("importedFrom", source.getFileName().toString())
                .withMetadata("importFormat", "onnx" + (r.producer().isBlank() ? "" : " (" + r.producer().strip() + ")"));
        if (r.softmax()) {
            info = info.withMetadata("onnxSoftmax", "the ONNX graph ended in a Softmax; fer4j outputs logits and applies it");
        }
        ModelFile.save(out, model, info);
        w.println("Imported " + model.name() + " from " + source + " (" + model.layers().size() + " layers, "
                + model.parameterCount() + " parameters, input " + org.fer4j.engine.Tensor.shapeString(model.inputShape())
                + ", classes " + String.join(",", info.classNames()) + "): " + out);
        return 0;
    }

    private static Map<String, String> readMap(Path file) throws java.io.IOException {
        Object parsed;
        try {
            parsed = Json.parse(Text.readUtf8(file, 16 << 20));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(file + ": expected a JSON object of fer4j weight name -> source tensor name");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new IllegalArgumentException(file + ": the value of '" + e.getKey() + "' must be a tensor name (a string)");
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }
}
