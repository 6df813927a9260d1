package org.fer4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.fer4j.engine.io.Text;
import org.fer4j.kernels.KernelsProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fer4j} command. Thin by design: each subcommand maps its flags onto the engine's
 * configuration records and calls the engine. User errors (bad flags, missing or malformed files,
 * impossible settings) print one line and exit non-zero; only bugs show a stack trace.
 */
@Command(name = "fer4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Facial-expression recognition and a CNN engine in pure Java.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, DetectCommand.class, ImportCommand.class, ExportCommand.class, SummaryCommand.class, DemoCommand.class, BenchCommand.class, InspectCommand.class, DevicesCommand.class, ServeCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  fer4j demo                                   train a small CNN on generated images",
                "  fer4j inspect ../shared/data/fer2013/fer2013.csv.gz",
                "  fer4j train --data fer2013.csv.gz --model fer-vgg --augment standard --out runs/vgg",
                "  fer4j eval --model runs/vgg/best.fer4j --data fer2013.csv.gz --split PublicTest",
                "  fer4j predict --model fer2013 face.png",
                "  fer4j summary fer-ref                        layers, shapes and parameters",
                "  fer4j bench --model fer-ref                  training and inference speed",
                "  fer4j devices                                OpenCL devices for --backend opencl",
                "  fer4j serve                                  HTTP API and live webcam page on 127.0.0.1:8080",
                "  fer4j spark predict --input photos/ --output out.parquet   the same on Apache Spark (docs/spark.md)",
                "  fer4j help train                             help on one command",
                "", "Exit codes: 0 success, 2 bad input (flags, files, data), 1 internal error, 130 interrupted."})
public final class Main implements Runnable {
    /** Exit code for an internal failure (a bug): one line, the stack trace only with --verbose. */
    public static final int EXIT_INTERNAL = 1;
    /** Exit code for bad input: a bad flag or value, a missing or malformed file, an impossible setting. */
    public static final int EXIT_USER = 2;
    /** Exit code after Ctrl-C, once the checkpoint is saved (128 + SIGINT, as shells report it). */
    public static final int EXIT_INTERRUPTED = 130;

    @CommandLine.Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "print stack traces of internal errors and more detail")
    static boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        quietLogging();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * One-line log records, and only warnings from fer4j itself: the choice of kernels that the
     * engine logs at INFO is printed by the commands as their "Backend:" line instead.
     * {@code -Djava.util.logging.config.file} still overrides this.
     */
    private static void quietLogging() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "fer4j %4$s: %5$s%6$s%n");
        java.util.logging.Logger.getLogger("org.fer4j").setLevel(java.util.logging.Level.WARNING);
    }

    /** Runs the command line with the given streams; returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        verbose = false;
        CommandLine cli = parser(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            // One line, like every other user error: the command, the problem, where the help is.
            String command = c.getCommandSpec().qualifiedName();
            c.getErr().println(command + ": " + Text.escape(e.getMessage()) + " (see " + command + " --help)");
            return EXIT_USER;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            Throwable cause = e;
            if (cause instanceof UncheckedIOException u) {
                cause = u.getCause();
            }
            if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException
                    || cause instanceof IOException) {
                c.getErr().println("fer4j " + c.getCommandName() + ": " + oneLine(cause));
                if (verbose) {
                    cause.printStackTrace(c.getErr());
                }
                return EXIT_USER;
            }
            c.getErr().println("fer4j " + c.getCommandName() + ": internal error: " + oneLine(cause)
                    + (verbose ? "" : " (run with --verbose for the stack trace)"));
            if (verbose) {
                cause.printStackTrace(c.getErr());
            }
            return EXIT_INTERNAL;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // No input should get here (the readers check sizes first); if one does, one line, not a trace.
            err.println("fer4j: " + oneLine(e));
            return EXIT_INTERNAL;
        }
    }

    /**
     * A picocli parser for {@code command} with this CLI's conventions: the last of a repeated flag
     * wins, numbers in ASCII digits only, enum-like flags through {@link Choices}. Also used to
     * re-read a run's saved arguments on {@code train --resume}.
     */
    static CommandLine parser(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setOverwrittenOptionsAllowed(true);  // the last of a repeated flag wins, as in most Unix tools
        // Integer.parseInt reads any Unicode digit (U+0663 is 3): numeric flags take ASCII only.
        cli.registerConverter(Integer.class, Main::asciiInt);
        cli.registerConverter(Integer.TYPE, Main::asciiInt);
        cli.registerConverter(Long.class, Main::asciiLong);
        cli.registerConverter(Long.TYPE, Main::asciiLong);
        for (Class<? extends Enum<?>> type : Choices.ALL) {
            registerChoice(cli, type);
        }
        return cli;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void registerChoice(CommandLine cli, Class type) {
        cli.registerConverter(type, Choices.converter(type));
    }

    static Integer asciiInt(String s) {
        long v = asciiLong(s);
        if (v != (int) v) {
            throw new CommandLine.TypeConversionException("'" + s + "' is out of range");
        }
        return (int) v;
    }

    static Long asciiLong(String s) {
        if (!s.matches("[+-]?[0-9]{1,19}")) {
            throw new CommandLine.TypeConversionException("'" + Text.escape(s) + "' is not an integer (ASCII digits)");
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + s + "' is out of range");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The backend line every training or benchmark run prints first; also fails early on a bad -Dfer4j.kernels. */
    static String backendLine() {
        KernelsProvider.get();
        return "Backend: " + KernelsProvider.selectionReason();
    }

    static String oneLine(Throwable t) {
        String message = t.getMessage();
        if (message == null) {
            // Never a Java class name: say what happened.
            message = t instanceof java.io.EOFException ? "unexpected end of file"
                    : t instanceof OutOfMemoryError ? "out of memory (raise -Xmx through FER4J_JAVA_OPTS)"
                    : t instanceof IOException ? "read or write error" : "unexpected failure";
        } else if (t instanceof OutOfMemoryError) {
            message = "out of memory (" + message + "); raise -Xmx through FER4J_JAVA_OPTS";
        } else if (t instanceof java.nio.charset.CharacterCodingException) {
            message = "a file is not valid UTF-8 text (" + message + ")";
        }
        if (t instanceof java.io.FileNotFoundException || t instanceof java.nio.file.FileSystemException) {
            message = message.replace("(No such file or directory)", "no such file");
        }
        if (t instanceof java.nio.file.NoSuchFileException) {
            message = "no such file: " + message;
        } else if (t instanceof java.nio.file.AccessDeniedException) {
            message = "permission denied: " + message;
        }
        return Text.escape(message.replace('\n', ' '));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown"
            }
            return new String[] {"fer4j " + p.getProperty("version", "unknown"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
