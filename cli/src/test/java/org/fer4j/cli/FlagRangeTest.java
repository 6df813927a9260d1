package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.fer4j.cli.MainTest.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every numeric flag has a range; a value outside it is one line naming the flag, exit 2, before
 * anything is allocated or read (the data file here does not even exist).
 */
class FlagRangeTest {
    @TempDir
    Path dir;

    private Result train(String... extra) {
        String[] base = {"train", "--data", dir.resolve("none.csv").toString(), "--model", "bars-cnn", "--out",
                dir.resolve("run").toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return MainTest.run(all);
    }

    private static void refused(Result r, String... fragments) {
        assertEquals(Main.EXIT_USER, r.code(), r.err() + r.out());
        String first = r.err().strip().lines().findFirst().orElse("");
        for (String f : fragments) {
            assertTrue(first.contains(f), "'" + f + "' not in: " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(r.err().contains("Exception"), "no Java class names: " + r.err());
    }

    @Test
    void threads() {
        refused(train("--threads", "0"), "--threads must be in 1..256, got 0");
        refused(train("--threads", "1000"), "--threads must be in 1..256, got 1000");
        refused(train("--threads", "2147483647"), "--threads", "2147483647");
        refused(train("--threads", "99999999999"), "--threads", "out of range");
        refused(MainTest.run("bench", "--threads", "100000", "--seconds", "1"), "--threads must be in 1..256");
    }

    @Test
    void trainNumbers() {
        refused(train("--batch", "0"), "--batch must be in 1..65536, got 0");
        refused(train("--batch", "1000000"), "--batch must be in 1..65536");
        refused(train("--epochs", "1000000"), "--epochs must be in 1..100000");
        refused(train("--lr", "1e30"), "--lr must be in (0, 10]");
        refused(train("--lr", "NaN"), "--lr", "NaN");
        refused(train("--lr", "Infinity"), "--lr", "Infinity");
        refused(train("--factor", "1.5"), "--factor must be in (0, 1)");
        refused(train("--label-smoothing", "1"), "--label-smoothing must be in [0, 1)");
        refused(train("--clip-norm", "-1"), "--clip-norm");
        refused(train("--prefetch", "500"), "--prefetch must be in 1..64");
        refused(train("--warmup", "5", "--epochs", "2"), "--warmup must be in 0..1");
        refused(train("--warmup", "2", "--epochs", "2"), "--warmup must be in 0..1");  // was accepted, then the cosine refused it unnamed
        refused(train("--weight-decay", "-0.1"), "--weight-decay");
        refused(train("--oversample", "2"), "--oversample");
        refused(train("--min-lr", "0.1", "--lr", "0.01"), "--min-lr");
    }

    @Test
    void momentumIsSgdOnly() {
        refused(train("--momentum", "2"), "--momentum applies to --optimizer sgd only");
        refused(train("--optimizer", "adamw", "--nesterov"), "--nesterov applies to --optimizer sgd only");
        refused(train("--optimizer", "sgd", "--momentum", "2"), "--momentum must be in [0, 1), got 2");
    }

    @Test
    void wordsThatMeanNothing() {
        refused(train("--classes", ""), "--classes", "empty");
        refused(train("--classes", "happy,,sad"), "--classes", "empty");
        refused(train("--split", "own,val=2"), "--split", "val=");
        refused(train("--augment", "flip@-1"), "--augment", "probability");
        refused(train("--epochs", "\u0663"), "--epochs", "ASCII");
    }

    @Test
    void otherCommands() {
        refused(MainTest.run("bench", "--seconds", "1e-300"), "--seconds must be in [0.05, 86400]");
        refused(MainTest.run("bench", "--seconds", "NaN"), "--seconds");
        refused(MainTest.run("bench", "--batch", "0"), "--batch must be in 1..65536");
        refused(MainTest.run("demo", "--train", "2000000000"), "--train must be in 1..1000000");
        refused(MainTest.run("demo", "--lr", "-1"), "--lr must be in (0, 10]");
        refused(MainTest.run("eval", "--model", "fer2013", "--batch", "0"), "--batch must be in 1..65536");
        refused(MainTest.run("predict", "--model", "fer2013", "--top", "0", "x.png"), "--top must be in 1..1000");
        refused(MainTest.run("predict", "--model", "fer2013", "--min-score", "2", "x.png"), "--min-score");
        refused(MainTest.run("predict", "--model", "fer2013", "--input-size", "100", "x.png"), "--input-size");
        refused(MainTest.run("summary", "fer-ref", "--classes", "0"), "--classes must be in 1..10000");
        refused(MainTest.run("inspect", dir.toString(), "--size", "100000"), "--size must be in 1..4096");
    }
}
