package org.fer4j.spark;

import java.util.Arrays;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fer4j spark predict|train ...}: the launcher runs this class (with Spark's jars and the
 * JVM flags Spark needs) for the {@code spark} subcommand only, so the rest of the CLI starts as
 * it always has. Exit codes as the CLI's: 0 done, 2 bad input, 1 internal error.
 */
public final class SparkMain {
    static final String USAGE = """
            Usage: fer4j spark COMMAND [options]     (Apache Spark jobs; see docs/spark.md)
              predict   emotions of every face in a folder of images or a FER2013-style table, to Parquet
              train     data-parallel training over Spark executors (parameter averaging)
            Run 'fer4j spark COMMAND --help' for a command's options.
            """;

    private SparkMain() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int code = switch (args[0]) {
            case "predict" -> guarded("predict", () -> SparkPredict.run(rest, System.out));
            case "train" -> guarded("train", () -> SparkTrain.run(rest, System.out));
            default -> {
                System.err.println("fer4j spark: unknown command '" + args[0] + "'; expected predict or train");
                yield 2;
            }
        };
        System.exit(code);
    }

    /** Runs a job: a user error is one line and exit 2, anything else one line and exit 1 (the trace with -Dfer4j.verbose). */
    static int guarded(String command, Callable<Integer> job) {
        try {
            return job.call();
        } catch (IllegalArgumentException | IllegalStateException | java.io.IOException e) {
            System.err.println("fer4j spark " + command + ": " + Predictor.message(e));
            trace(e);
            return 2;
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            boolean analysis = e.getClass().getName().equals("org.apache.spark.sql.AnalysisException");
            System.err.println("fer4j spark " + command + ": " + (analysis ? "" : "internal error: ") + Predictor.message(root));
            trace(e);
            return analysis ? 2 : 1;
        } finally {
            scala.Option<SparkSession> active = SparkSession.getActiveSession();
            if (active.isDefined()) {
                active.get().stop();
            }
        }
    }

    private static void trace(Throwable e) {
        if (Boolean.getBoolean("fer4j.verbose")) {
            e.printStackTrace();
        }
    }

    /**
     * The job's session: {@code --master} when given; else spark-submit's ({@code spark.master} is
     * set); else {@code local[*]}. In local mode each task runs the engine on one thread
     * ({@code -Dfer4j.threads=1} unless set), since Spark already runs one task per core.
     */
    static SparkSession session(String master, String appName) {
        String m = master != null ? master : System.getProperty("spark.master") != null ? null : "local[*]";
        if (m != null && m.startsWith("local") && System.getProperty(org.fer4j.kernels.Parallel.PROPERTY) == null) {
            SparkJobs.localCores(m);  // checks the form before anything starts
            System.setProperty(org.fer4j.kernels.Parallel.PROPERTY, "1");
        }
        return SparkJobs.session(m, appName);
    }
}
