package org.fer4j.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.fer4j.serve.FerServer;
import org.fer4j.serve.ModelAnalyzer;
import org.fer4j.serve.ServeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fer4j serve}: the HTTP service and the live webcam page, until Ctrl-C or SIGTERM. */
@Command(name = "serve",
        description = "Serve emotion recognition over HTTP: a JSON API under /api/v1, /health, /metrics, and the live "
                + "webcam page at /. Stops gracefully on Ctrl-C or SIGTERM.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        footer = {"", "Examples:",
                "  fer4j serve                                  http://127.0.0.1:8080/ (open it, allow the camera)",
                "  curl -F image=@face.jpg localhost:8080/api/v1/predict",
                "  FER4J_TOKEN=s3cret fer4j serve --host 0.0.0.0 --port 9000",
                "  fer4j serve --workers 4 --queue 32 --cors-origin https://app.example.com"})
final class ServeCommand implements Callable<Integer> {
    /** Environment variable read for the bearer token when --token is not given. */
    static final String TOKEN_ENV = "FER4J_TOKEN";

    /** The running server, for the tests that start the command and stop it. */
    static volatile FerServer running;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME|FILE", description = "a bundled model or a .fer4j file (default: ${DEFAULT-VALUE})")
    String model = "fer2013";

    @Option(names = "--port", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port = ServeOptions.DEFAULT_PORT;

    @Option(names = "--host", description = "address to listen on; only this machine by default (default: ${DEFAULT-VALUE})")
    String host = ServeOptions.DEFAULT_HOST;

    @Option(names = "--token", description = "require 'Authorization: Bearer TOKEN' on /api and /metrics (default: $" + TOKEN_ENV
            + ", else none)")
    String token;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN", description = "allow cross-origin calls from this origin, e.g. "
            + "https://app.example.com, or * for any (default: none)")
    String corsOrigin;

    @Option(names = "--workers", paramLabel = "N", description = "inference workers, each with its own model copy (default: cores)")
    Integer workers;

    @Option(names = "--queue", paramLabel = "N", description = "requests that may wait for a worker; beyond that 503 (default: 4 x workers)")
    Integer queue;

    @Option(names = "--max-body", paramLabel = "SIZE", description = "largest request body, e.g. 8m, 512k (default: 8m)")
    String maxBody = "8m";

    @Option(names = "--max-pixels", paramLabel = "N", description = "largest image, width x height (default: ${DEFAULT-VALUE})")
    long maxPixels = ServeOptions.DEFAULT_MAX_PIXELS;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "longest a request may wait for its answer (default: ${DEFAULT-VALUE})")
    double timeout = 10;

    @Option(names = "--header-timeout", paramLabel = "SECONDS", description = "longest a request's line and headers may "
            + "take to arrive, then 408 (slow clients); also the grace before --min-body-rate counts (default: ${DEFAULT-VALUE})")
    double headerTimeout = ServeOptions.DEFAULT_HEADER_TIMEOUT.toMillis() / 1000.0;

    @Option(names = "--min-body-rate", paramLabel = "SIZE", description = "bytes per second a request body must average "
            + "after the header timeout, e.g. 8k, then 408 (default: 8k)")
    String minBodyRate = "8k";

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!(timeout > 0) || timeout > 3600) {
            throw new IllegalArgumentException("--timeout must be in (0, 3600] seconds, got " + timeout);
        }
        if (!(headerTimeout >= 0.1) || headerTimeout > 3600) {
            throw new IllegalArgumentException("--header-timeout must be in [0.1, 3600] seconds, got " + headerTimeout);
        }
        if (token == null) {
            token = System.getenv(TOKEN_ENV);
        }
        ServeOptions defaults = ServeOptions.defaults();
        int w = workers == null ? defaults.workers() : workers;
        ServeOptions options = defaults.withHost(host).withPort(port).withToken(token).withCorsOrigin(corsOrigin)
                .withWorkers(w).withQueue(queue == null ? 4 * w : queue).withMaxBodyBytes(parseSize("--max-body", maxBody))
                .withMaxPixels(maxPixels).withTimeout(Duration.ofMillis(Math.round(timeout * 1000)))
                .withHeaderTimeout(Duration.ofMillis(Math.round(headerTimeout * 1000)))
                .withMinBodyRate(parseSize("--min-body-rate", minBodyRate));
        out.println(engine.apply());
        FerServer server = new FerServer(options, ModelAnalyzer.factory(model));
        try {
            server.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + " (" + Main.oneLine(e)
                    + "); is the port in use? pick another with --port", e);
        }
        Thread hook = new Thread(server::stop, "fer4j-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        running = server;
        try {
            server.awaitReady(Duration.ofMinutes(5));
            out.println("fer4j serve: " + server.baseUrl() + "/  model " + model + ", " + options.workers() + " workers, queue "
                    + options.queue() + (options.token() == null ? "" : ", bearer token required on /api and /metrics")
                    + (options.corsOrigin() == null ? "" : ", CORS for " + options.corsOrigin()));
            out.println("  try: curl -F image=@face.jpg " + server.baseUrl() + "/api/v1/predict    (Ctrl-C stops)");
            if (!isLoopback(host) && options.token() == null) {
                err.println("fer4j serve: warning: listening on " + host + " without a token; anyone who can reach this "
                        + "machine can use it (set --token or " + TOKEN_ENV + ")");
            }
            out.flush();
            server.awaitStop();
        } finally {
            server.stop();
            running = null;
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped the server
            }
        }
        return 0;
    }

    static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }

    /** "8m", "512k", "1g" or plain bytes. */
    static long parseSize(String flag, String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(flag + " must be a size like 8m, 512k or 1000000, got '" + s + "'");
        }
    }
}
