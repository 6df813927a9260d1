package org.fer4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.models.ModelZoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "summary",
        description = "Print a model's layers, output shapes and parameter counts (Keras' model.summary()).",
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:",
                "  fer4j summary fer-ref",
                "  fer4j summary --classes 4 fer-ref",
                "  fer4j summary runs/demo/best.fer4j"})
final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "a model name (${COMPLETION-CANDIDATES}) or a .fer4j file",
            completionCandidates = ModelNames.class)
    String model;

    @Option(names = "--classes", paramLabel = "N", description = "number of output classes for a named model (default: its own)")
    Integer classes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path path = Path.of(model);
        if (!ModelZoo.contains(model) && (Files.exists(path) || model.endsWith(ModelFile.EXTENSION))) {
            if (classes != null) {
                throw new IllegalArgumentException("--classes applies to named models, not to the file " + model);
            }
            Checkpoint c = ModelFile.load(path);
            out.print(c.model().summary());
            out.println("Classes: " + String.join(", ", c.info().classNames()));
            out.println("Normalization: " + c.info().normalization());
            return 0;
        }
        ModelZoo.Entry entry = ModelZoo.entry(model);
        int k = classes == null ? entry.defaultClasses() : classes;
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
