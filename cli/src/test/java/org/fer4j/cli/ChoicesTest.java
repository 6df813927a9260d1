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
        refused("fer4j predict: Invalid value for option '--format': expected table, csv or json, got 'xml'",
                "predict", "--format", "xml", "a.jpg");
        refused("fer4j detect: Invalid value for option '--format': expected table, csv or json, got 'yaml'",
                "detect", "--format", "yaml", "a.jpg");
        refused("fer4j predict: Invalid value for option '--detect': expected auto, on or off, got 'yes'",
                "predict", "--detect", "yes", "a.jpg");
        refused("fer4j eval: Invalid value for option '--tta': expected none or flip, got 'mirror'",
                "eval", "--tta", "mirror");
        refused("fer4j export: Invalid value for option '--format': expected onnx, got 'tflite'",
                "export", "--format", "tflite", "x.onnx");
        refused("fer4j import: Invalid value for option '--format': expected onnx or tfjs, got 'keras'",
                "import", "--format", "keras", "m.h5");
        refused("fer4j train: Invalid value for option '--optimizer': expected adam, adamw or sgd, got 'lbfgs'",
                "train", "--optimizer", "lbfgs");
        refused("fer4j train: Invalid value for option '--schedule': expected none, plateau, cosine or step, got 'weekly'",
                "train", "--schedule", "weekly");
        refused("fer4j train: Invalid value for option '--class-weights': expected none or balanced, got 'inverse'",
                "train", "--class-weights", "inverse");
        refused("fer4j train: Invalid value for option '--monitor': expected val_accuracy, val_loss, accuracy or loss, got 'val_acc'",
                "train", "--monitor", "val_acc");
        refused("fer4j bench: Invalid value for option '--backend': expected auto, scalar, vector or opencl, got 'gpu'",
                "bench", "--backend", "gpu");
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
