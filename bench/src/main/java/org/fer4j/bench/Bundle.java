package org.fer4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fer4j.engine.io.Checkpoint;
import org.fer4j.engine.io.ModelFile;
import org.fer4j.engine.io.ModelInfo;

/**
 * Makes a trained model file fit to ship in the models jar: the weights and classes as they are,
 * the optimizer state dropped, and the recorded training command rewritten so that it names no
 * folder of the machine it was trained on ({@code --out /home/me/runs/wide2} becomes
 * {@code --out runs/wide2}: the part from the last {@code runs/} on, or else the file name).
 * {@code key=value} arguments add or replace metadata entries, such as how a run was resumed.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.fer4j.bench.Bundle runs/wide2/best.fer4j \
 *     models/src/main/resources/org/fer4j/models/pretrained/fer2013.fer4j "resumed=fer4j train --resume runs/wide2 --epochs 36"
 * </pre>
 *
 * A tool for whoever bundles a model, not part of the library; {@code PretrainedTest} checks that
 * no bundled file records an absolute path.
 */
public final class Bundle {
    private Bundle() {
    }

    /** {@code command} with each absolute path argument cut to its {@code runs/...} part or its file name. */
    static String portable(String command) {
        List<String> out = new ArrayList<>();
        for (String word : command.split(" ")) {
            out.add(portablePath(word));
        }
        return String.join(" ", out);
    }

    static String portablePath(String word) {
        if (!word.startsWith("/")) {
            return word;
        }
        String w = word.endsWith("/") ? word.substring(0, word.length() - 1) : word;
        int runs = w.lastIndexOf("/runs/");
        if (runs >= 0) {
            return w.substring(runs + 1);
        }
        String name = w.substring(w.lastIndexOf('/') + 1);
        return name.isEmpty() ? "." : name;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Bundle TRAINED.fer4j BUNDLED.fer4j [key=value ...]");
            System.exit(2);
        }
        Checkpoint trained = ModelFile.load(Path.of(args[0]));
        ModelInfo info = trained.info();
        for (Map.Entry<String, Object> e : info.metadata().entrySet()) {
            if (e.getValue() instanceof String s) {
                info = info.withMetadata(e.getKey(), portable(s));
            }
        }
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("argument " + (i + 1) + " '" + args[i] + "': expected key=value");
                System.exit(2);
            }
            info = info.withMetadata(args[i].substring(0, eq), portable(args[i].substring(eq + 1)));
        }
        ModelFile.save(Path.of(args[1]), Checkpoint.of(trained.model(), info));
        System.out.println(args[1] + ": " + info.metadata());
    }
}
