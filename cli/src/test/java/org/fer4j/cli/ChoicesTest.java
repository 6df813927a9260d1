package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fer4j.cli.MainTest.Result;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Enum-like flags: picocli converts them; a wrong word is one line naming the flag and the right words, exit 2. */
class ChoicesTest {
    private static void refused(String expected, String... args) {
        Result r = MainTest.run(args);
        assertEquals(Main.EXIT_USER, r.code(), r.err() + r.out());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().strip().startsWith(expected), "expected '" + expected + "', got: " + r.err());
        assertTrue(r.err().strip().endsWith("(see fer4j " + args[0] + " --help)"), r.err());
    }

    @Test
    void everyEnumFlagRefusesAWrongWordNamingTheFlagAndTheWords() {
        String[][] cases = {   // command, flag, wrong word, the words it takes, a positional argument or ""
            {"predict", "--format", "xml", "table, csv or json", "a.jpg"},
            {"detect", "--format", "yaml", "table, csv or json", "a.jpg"},
            {"predict", "--detect", "yes", "auto, on or off", "a.jpg"},
            {"eval", "--tta", "mirror", "none or flip", ""},
            {"export", "--format", "tflite", "onnx", "x.onnx"},
            {"import", "--format", "keras", "onnx or tfjs", "m.h5"},
            {"train", "--optimizer", "lbfgs", "adam, adamw or sgd", ""},
            {"train", "--schedule", "weekly", "none, plateau, cosine or step", ""},
            {"train", "--class-weights", "inverse", "none or balanced", ""},
            {"train", "--monitor", "val_acc", "val_accuracy, val_loss, accuracy or loss", ""},
            {"bench", "--backend", "gpu", "auto, scalar, vector or opencl", ""},
        };
        for (String[] c : cases) {
            String[] args = c[4].isEmpty() ? new String[] {c[0], c[1], c[2]} : new String[] {c[0], c[1], c[2], c[4]};
            refused("fer4j " + c[0] + ": Invalid value for option '" + c[1] + "': expected " + c[3] + ", got '" + c[2] + "'",
                    args);
        }
    }

    @Test
    void aWordIsReadInAnyCaseAndASpaceAroundItIsIgnored() throws Exception {
        CommandLine.ITypeConverter<Choices.Monitor> monitor = Choices.converter(Choices.Monitor.class);
        assertEquals(Choices.Monitor.VAL_LOSS, monitor.convert("val_loss"));
        assertEquals(Choices.Monitor.VAL_LOSS, monitor.convert("VAL_Loss "));
        assertEquals("val_loss", Choices.word(Choices.Monitor.VAL_LOSS));
        var e = assertThrows(CommandLine.TypeConversionException.class, () -> monitor.convert("val-loss"));
        assertEquals("expected val_accuracy, val_loss, accuracy or loss, got 'val-loss'", e.getMessage());
        assertEquals("onnx", Choices.words(Choices.ExportFormat.class));
    }

    @Test
    void everyOptimizerWordNamesAnEngineOptimizer() {
        for (Choices.Optimizer o : Choices.Optimizer.values()) {
            assertEquals(Choices.word(o), org.fer4j.engine.optim.OptimizerConfig.Type.valueOf(o.name()).key());
        }
    }
}
