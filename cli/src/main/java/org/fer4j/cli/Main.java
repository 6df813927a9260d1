package org.fer4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
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
        subcommands = {SummaryCommand.class, DemoCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  fer4j demo                      train a small CNN on generated images",
                "  fer4j summary fer-ref           print the layers of the reference CNN",
                "  fer4j help summary              help on one command"})
public final class Main implements Runnable {
    /** Exit code for errors in the input (files, data, settings). */
    public static final int EXIT_ERROR = 1;
    /** Exit code for a bad command line (picocli's convention). */
    public static final int EXIT_USAGE = 2;

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
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("fer4j: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            Throwable cause = e;
            if (cause instanceof UncheckedIOException u) {
                cause = u.getCause();
            }
            if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException
                    || cause instanceof IOException) {
                c.getErr().println("fer4j " + c.getCommandName() + ": " + oneLine(cause));
                return EXIT_ERROR;
            }
            throw e;
        });
        return cli.execute(args);
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
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof java.nio.file.NoSuchFileException) {
            message = "no such file: " + message;
        } else if (t instanceof java.nio.file.AccessDeniedException) {
            message = "permission denied: " + message;
        }
        return message.replace('\n', ' ');
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
