package org.fer4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/**
 * The JVM flags Spark needs are written out twice (the surefire argLine in spark/pom.xml and the
 * launcher's FER4J_SPARK_OPENS): both must hold the list of the Spark version we build against.
 */
class JvmFlagsTest {
    /**
     * Spark's flags we leave out: the Vector API module, which fer4j adds in its own spelling, and
     * the opening of {@code sun.security.action}, a package Java 25 no longer has (the JVM warns
     * about it on every start).
     */
    private static final Set<String> LEFT_OUT = Set.of("--add-modules=jdk.incubator.vector",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED");

    private static List<String> sparkFlags() {
        List<String> out = new ArrayList<>();
        for (String f : JavaModuleOptions.defaultModuleOptionArray()) {
            if (!LEFT_OUT.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    @Test
    void theTestsRunWithEveryFlagSparkSubmitWouldAdd() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String f : sparkFlags()) {
            assertTrue(args.contains(f), "surefire's argLine (spark/pom.xml) lacks " + f);
        }
        assertTrue(args.contains("--add-modules=jdk.incubator.vector") || args.contains("jdk.incubator.vector"),
                "the Vector API module: " + args);
    }

    @Test
    void theLauncherPassesEveryFlagSparkSubmitWouldAdd() throws Exception {
        String launcher = Files.readString(Path.of("..", "fer4j"));
        int start = launcher.indexOf("FER4J_SPARK_OPENS=\"");
        assertTrue(start > 0, "the launcher defines FER4J_SPARK_OPENS");
        String list = launcher.substring(start, launcher.indexOf('"', start + 19)).replace("\\\n", " ");
        List<String> flags = List.of(list.substring(19).trim().split("\\s+"));
        assertEquals(sparkFlags(), flags);
    }

    @Test
    void localMastersGiveTheirCores() {
        assertEquals(1, SparkJobs.localCores("local"));
        assertEquals(2, SparkJobs.localCores("local[2]"));
        assertEquals(3, SparkJobs.localCores("local[3,2]"));
        assertEquals(Runtime.getRuntime().availableProcessors(), SparkJobs.localCores("local[*]"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkJobs.localCores("local[two]"));
        assertTrue(e.getMessage().startsWith("--master local[two]: expected"), e.getMessage());
    }

    @Test
    void badFlagsAreNamed() {
        assertEquals("--batch must be in 1..4096, got 0",
                assertThrows(IllegalArgumentException.class, () -> SparkPredict.run(new String[] {"--input", "x", "--output", "y",
                        "--batch", "0"}, System.out)).getMessage());
        assertEquals("--output is required: the folder for the Parquet output",
                assertThrows(IllegalArgumentException.class, () -> SparkPredict.run(new String[] {"--input", "x"}, System.out))
                        .getMessage());
        assertEquals("unknown option '--bogus'; see --help",
                assertThrows(IllegalArgumentException.class, () -> SparkTrain.run(new String[] {"--bogus"}, System.out)).getMessage());
        assertEquals("--detect must be auto, on or off, got 'maybe'",
                assertThrows(IllegalArgumentException.class, () -> PredictOptions.Detect.parse("maybe")).getMessage());
    }
}
