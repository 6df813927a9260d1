package org.fer4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.fer4j.engine.io.Text;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.models.ModelZoo;
import org.fer4j.models.Pretrained;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "summary",
        description = "Print a model's layers, output shapes and parameter counts (Keras' model.summary()).",
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:",
                "  fer4j summary fer-ref",
                "  fer4j summary --classes 4 fer-ref",
                "  fer4j summary fer2013",
                "  fer4j summary runs/demo/best.fer4j"})
final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "an architecture (${COMPLETION-CANDIDATES}), a bundled model (fer2013, fer2013-fast, fer2013-4, fer2013-marketing, fer2013-robust) or a .fer4j file",
            completionCandidates = ModelNames.class)
    String model;

    @Option(names = "--classes", paramLabel = "N", description = "number of output classes for a named model, 1..10000 (default: its own)")
    Integer classes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path path = Path.of(model);
        boolean file = !ModelZoo.contains(model) && (Files.exists(path) || model.endsWith(ModelFile.EXTENSION));
        boolean bundled = !file && !ModelZoo.contains(model) && Pretrained.isKnown(model);
        if (file || bundled) {
            if (classes != null) {
                throw new IllegalArgumentException("--classes applies to architectures, not to the trained model " + model);
            }
            Checkpoint c = file ? ModelFile.load(path) : Pretrained.load(model);
            out.print(c.model().summary());
            out.println("Classes: " + Text.escape(String.join(", ", c.info().classNames())));
            out.println("Normalization: " + c.info().normalization());
            if (bundled) {
                out.println("Bundled model: " + Pretrained.describe(model)
                        + (Pretrained.FLIP_AVERAGING ? "; classifies with flip averaging (--tta none for one pass)" : ""));
            }
            // How the model was made, as its training run recorded it (data, split, command, metrics, ...).
            var meta = c.info().metadata();
            if (!meta.isEmpty()) {
                out.println("How it was made:");
                // Metadata is free-form text from the file: escaped, and long values shortened.
                meta.forEach((key, value) -> out.println("  " + Text.escape(key, 80) + ": " + Text.escape(String.valueOf(value), 2000)));
            }
            return 0;
        }
        ModelZoo.Entry entry = ModelZoo.entry(model);
        int k = classes == null ? entry.defaultClasses() : Flags.intIn("--classes", classes, 1, 10_000);
        Sequential m = entry.build(k, 0);
        out.print(m.summary());
        return 0;
    }

    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ModelZoo.names().iterator();
        }
    }
}
