package org.fer4j.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UploadedFile;
import io.javalin.http.staticfiles.Location;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.fer4j.models.faces.ImageDecoder;
import org.fer4j.models.faces.ImageException;

/**
 * The emotion-recognition service: the JSON API under {@code /api/v1}, {@code /health},
 * {@code /metrics} and the webcam page at {@code /}, on Javalin (Jetty 12).
 *
 * <p>Inference runs on a fixed pool of workers, each with its own {@link Analyzer}, fed by a
 * bounded queue: a request that finds the queue full is answered 503 with {@code Retry-After} at
 * once, and one that waits longer than the timeout likewise. Bodies over the limit are refused
 * (413) from their {@code Content-Length} before they are read, and images over the pixel limit
 * from their header before they are decoded. Every error is JSON, {@code {"error": "..."}}, never a
 * stack trace.
 */
public final class FerServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FerServer.class.getName());
    static final String API = "/api/v1";
    private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/jpg", "image/png", "image/webp",
            "image/bmp", "image/gif", "application/octet-stream");
    private static final Set<String> ROUTES = Set.of(API + "/predict", API + "/models", API + "/openapi.json",
            "/health", "/metrics", "/", "/index.html", "/app.js", "/style.css");
    private static final String STARTED = "fer4j.started";
    private static final String COUNTED = "fer4j.counted";
    private static final String ANSWERED = "fer4j.answered";

    private final ServeOptions options;
    private final Analyzer.Factory factory;
    private final ObjectMapper json = new ObjectMapper();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ThreadPoolExecutor pool;
    private final BlockingQueue<Analyzer> analyzers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger busyWorkers = new AtomicInteger();
    private final AtomicReference<String> loadError = new AtomicReference<>();
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final byte[] openApi;
    private final Counter facesFound;
    private final Counter rejected;
    private final Timer inference;
    private final DistributionSummary imagesPerRequest;
    private volatile boolean ready;
    private volatile boolean draining;
    private Javalin app;
    private SlowClientGuard guard;

    public FerServer(ServeOptions options, Analyzer.Factory factory) {
        this.options = options;
        this.factory = factory;
        this.analyzers = new ArrayBlockingQueue<>(options.workers());
        AtomicInteger ids = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(options.workers(), options.workers(), 0, TimeUnit.MILLISECONDS,
                options.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(options.queue()), r -> {
                    Thread t = new Thread(r, "fer4j-worker-" + ids.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        try (InputStream in = FerServer.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json missing from the serve jar");
            }
            this.openApi = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        Gauge.builder("fer4j_queue_depth", pool, p -> p.getQueue().size())
                .description("requests waiting for an inference worker").register(metrics);
        Gauge.builder("fer4j_queue_capacity", options, o -> o.queue())
                .description("requests that may wait before 503").register(metrics);
        Gauge.builder("fer4j_workers_busy", busyWorkers, AtomicInteger::get)
                .description("inference workers running a request").register(metrics);
        Gauge.builder("fer4j_workers", options, o -> o.workers()).description("inference workers").register(metrics);
        Gauge.builder("fer4j_requests_in_flight", inFlight, AtomicInteger::get)
                .description("HTTP requests being handled").register(metrics);
        Gauge.builder("fer4j_ready", this, s -> s.ready ? 1 : 0)
                .description("1 once every worker has loaded its model").register(metrics);
        facesFound = Counter.builder("fer4j_faces_found").description("faces found in predicted images")
                .register(metrics);
        rejected = Counter.builder("fer4j_rejected").description("requests refused with 503 (queue full, timeout, not ready, stopping)")
                .register(metrics);
        inference = Timer.builder("fer4j_inference").description("decode, detection and classification of one request, on a worker")
                .publishPercentileHistogram().register(metrics);
        imagesPerRequest = DistributionSummary.builder("fer4j_images_per_request").register(metrics);
    }

    /** Binds the port and answers at once (503 from /health and predict) while workers load their models. */
    public FerServer start() {
        guard = new SlowClientGuard(options.headerTimeout(), options.minBodyRate());
        FunctionCounter.builder("fer4j_slow_clients_cut", guard, g -> g.headersCut() + g.bodiesCut())
                .description("connections cut for sending their headers or body too slowly (408)").register(metrics);
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = options.maxBodyBytes();
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            long max = options.maxBodyBytes();
            config.jetty.multipartConfig.maxTotalRequestSize(max, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxFileSize(max, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize((int) Math.min(Integer.MAX_VALUE, max), SizeUnit.BYTES);
            // The guard is the outermost handler: Javalin puts its servlet context inside it.
            config.jetty.modifyServer(server -> server.setHandler(guard));
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
            });
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/org/fer4j/serve/web";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "no-cache");
            });
            var routes = config.routes;
            routes.before(this::begin);
            routes.before(API + "/*", this::authorize);
            routes.before("/metrics", this::authorize);
            routes.get("/health", this::health);
            routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            routes.get(API + "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
            routes.get(API + "/models", this::models);
            routes.post(API + "/predict", this::predict);
            for (String path : List.of("/predict", "/models", "/openapi.json")) {
                routes.options(API + path, this::preflight);
            }
            routes.after(this::end);
            routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage(), e.retryAfterSeconds()));
            routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), describe(e, ctx), null));
            routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(Level.WARNING, "internal error on " + ctx.method() + " " + ctx.path(), e);
                error(ctx, 500, "internal error", null);
            });
            routes.error(404, ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                    error(ctx, 404, "no such route: " + ctx.method() + " " + ctx.path(), null);
                }
            });
            routes.error(405, ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                    error(ctx, 405, "method " + ctx.method() + " not allowed on " + ctx.path(), null);
                }
            });
        });
        app.start();
        // Slow clients (slowloris): a connection that sends nothing for longer than a whole request
        // may take (--timeout) plus 5 s is closed; the margin keeps the idle timer from racing the
        // request timeout's 503. One that trickles (and so is never idle) is cut by the guard:
        // headers within --header-timeout, bodies at --min-body-rate. Both are set on the started
        // connector: they apply to every connection accepted from now on.
        long idle = options.timeout().toMillis() + 5000;
        for (var connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof org.eclipse.jetty.server.AbstractConnector c) {
                c.setIdleTimeout(idle);
                c.addEventListener(guard);
            }
        }
        Thread loader = new Thread(this::loadWorkers, "fer4j-model-loader");
        loader.setDaemon(true);
        loader.start();
        return this;
    }

    private void loadWorkers() {
        try {
            for (int i = 0; i < options.workers(); i++) {
                analyzers.add(factory.create());
            }
            ready = true;
        } catch (IOException | RuntimeException e) {
            loadError.set(e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.log(Level.SEVERE, "could not load the model: " + loadError.get(), e);
        } finally {
            loaded.countDown();
        }
    }

    /** Waits until the workers have their models; throws with the reason if loading failed. */
    public FerServer awaitReady(Duration limit) throws IOException, InterruptedException {
        if (!loaded.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("models not loaded after " + limit.toSeconds() + " s");
        }
        if (loadError.get() != null) {
            throw new IOException("could not load model '" + factory.model().name() + "': " + loadError.get());
        }
        return this;
    }

    public boolean ready() {
        return ready;
    }

    /** The bound port (the chosen one when the options said 0). */
    public int port() {
        return app.port();
    }

    public String baseUrl() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        if (host.equals("0.0.0.0") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        return "http://" + host + ":" + port();
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    /**
     * Graceful stop: new requests get 503 at once, those in flight have up to the grace period to
     * finish, then the port closes and the workers end. Idempotent.
     */
    public synchronized void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        draining = true;
        long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (app != null) {
            app.stop();
        }
        pool.shutdownNow();
        if (guard != null) {
            guard.shutdown();
        }
        metrics.close();
        stopped.countDown();
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }

    // ---- handlers ----

    private void begin(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:;"
                + " connect-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
        String origin = ctx.header("Origin");
        String allowed = options.corsOrigin();
        if (allowed != null && origin != null && (allowed.equals("*") || allowed.equals(origin))) {
            ctx.header("Access-Control-Allow-Origin", allowed.equals("*") ? "*" : origin);
            ctx.header("Vary", "Origin");
            ctx.header("Access-Control-Expose-Headers", "Retry-After");
        }
        if (draining) {
            ctx.header("Connection", "close");
            rejected.increment();
            throw new ApiException(503, "the server is shutting down", 5);
        }
        inFlight.incrementAndGet();
        ctx.attribute(COUNTED, Boolean.TRUE);
    }

    private void end(Context ctx) {
        if (ctx.attribute(COUNTED) != null) {
            inFlight.decrementAndGet();
        }
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        int status = ctx.statusCode();
        String path = ctx.path();
        String route = ROUTES.contains(path) ? path : status == 404 ? "unmatched" : "other";
        Timer.builder("fer4j_http_requests").description("HTTP requests by route and status")
                .tags("method", ctx.method().name(), "route", route, "status", Integer.toString(status))
                .publishPercentileHistogram().register(metrics)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        if (status >= 400) {
            Counter.builder("fer4j_http_errors").description("HTTP answers with status 4xx or 5xx")
                    .tags("route", route, "status", Integer.toString(status)).register(metrics).increment();
        }
    }

    private void authorize(Context ctx) {
        if (options.token() == null || ctx.method() == HandlerType.OPTIONS) {
            return;
        }
        String header = ctx.header("Authorization");
        String expected = "Bearer " + options.token();
        if (header == null || !MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"fer4j\"");
            throw new ApiException(401, header == null ? "missing bearer token (Authorization: Bearer <token>)"
                    : "wrong bearer token");
        }
    }

    private void preflight(Context ctx) {
        String allowed = options.corsOrigin();
        String origin = ctx.header("Origin");
        if (allowed == null || origin == null || !(allowed.equals("*") || allowed.equals(origin))) {
            throw new ApiException(403, "cross-origin requests are not allowed from " + (origin == null ? "here" : origin));
        }
        ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
        ctx.header("Access-Control-Max-Age", "600");
        ctx.status(204);
    }

    private void health(Context ctx) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        if (ready) {
            body.put("status", "ok");
        } else if (loadError.get() != null) {
            body.put("status", "failed");
            body.put("error", loadError.get());
        } else {
            body.put("status", "loading");
        }
        body.put("model", factory.model().name());
        body.put("workers", options.workers());
        if (!ready) {
            ctx.header("Retry-After", "5");
        }
        send(ctx, ready ? 200 : 503, body);
    }

    private void models(Context ctx) throws IOException {
        Analyzer.ModelDescription m = factory.model();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", m.name());
        model.put("default", true);
        model.put("classes", m.classes());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("channels", 1);
        input.put("height", m.inputHeight());
        input.put("width", m.inputWidth());
        model.put("input", input);
        model.put("flipAveraging", m.flipAveraging());
        model.put("detector", m.detector());
        model.put("metadata", m.metadata());
        send(ctx, 200, Map.of("models", List.of(model)));
    }

    private record Upload(String name, byte[] bytes) {}

    private void predict(Context ctx) throws IOException {
        long received = System.nanoTime();
        String model = ctx.queryParam("model");
        if (model != null && !model.equals(factory.model().name())) {
            throw new ApiException(404, "unknown model '" + model + "'; this server serves '" + factory.model().name() + "'");
        }
        long length = ctx.req().getContentLengthLong();
        if (length > options.maxBodyBytes()) {
            throw new ApiException(413, "body of " + length + " bytes is over the limit of " + options.maxBodyBytes());
        }
        if (!ready) {
            rejected.increment();
            throw new ApiException(503, loadError.get() != null ? "the model failed to load" : "the model is still loading", 5);
        }
        // The raw header: the servlet's getContentType() parses the charset and throws on a bad one
        // ("image/jpeg; charset=\u00ff"), which is no reason to refuse an image (found by HttpFuzzProperties).
        String type = mediaType(ctx.header("Content-Type"));
        List<Upload> uploads = new ArrayList<>();
        boolean multipart = type.equals("multipart/form-data");
        if (multipart) {
            List<UploadedFile> files;
            try {
                files = ctx.uploadedFiles();
            } catch (Exception e) {  // Javalin is Kotlin: checked exceptions (EOFException) come through undeclared
                throw multipartProblem(e);
            }
            for (UploadedFile f : files) {
                if (f.size() > options.maxBodyBytes()) {
                    throw new ApiException(413, "part '" + f.filename() + "' is over the limit of " + options.maxBodyBytes() + " bytes");
                }
                try (InputStream in = f.content()) {
                    uploads.add(new Upload(f.filename() == null || f.filename().isBlank() ? "image" : f.filename(),
                            readBounded(in, options.maxBodyBytes())));
                }
            }
            if (uploads.isEmpty()) {
                throw new ApiException(400, "no image in the multipart body; send it as a file field, e.g. curl -F image=@face.jpg");
            }
        } else if (IMAGE_TYPES.contains(type)) {
            uploads.add(new Upload("body", readBounded(ctx.req().getInputStream(), options.maxBodyBytes())));
            if (uploads.getFirst().bytes().length == 0) {
                throw new ApiException(400, "empty body; send an image (JPEG or PNG)");
            }
        } else {
            throw new ApiException(415, (type.isEmpty() ? "no Content-Type" : "Content-Type " + type)
                    + " is not accepted; send image/jpeg, image/png or multipart/form-data");
        }
        imagesPerRequest.record(uploads.size());
        Future<List<Map<String, Object>>> job;
        long enqueued = System.nanoTime();
        try {
            job = pool.submit(() -> analyze(uploads, enqueued));
        } catch (RejectedExecutionException e) {
            rejected.increment();
            throw new ApiException(503, "busy: all " + options.workers() + " workers and " + options.queue()
                    + " queue places are taken; retry later", 1);
        }
        List<Map<String, Object>> results;
        try {
            results = job.get(Math.max(1, options.timeout().toNanos() - (System.nanoTime() - received)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            job.cancel(false);
            rejected.increment();
            throw new ApiException(503, "timed out after " + options.timeout().toMillis() + " ms; retry later", 1);
        } catch (CancellationException e) {
            rejected.increment();
            throw new ApiException(503, "the server is shutting down", 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", 1);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException a) {
                throw a;
            }
            throw new IllegalStateException("inference failed", e.getCause());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", factory.model().name());
        double totalMs = (System.nanoTime() - received) / 1e6;
        if (results.size() == 1 && !(multipart && uploads.size() > 1)) {
            body.putAll(results.getFirst());
            @SuppressWarnings("unchecked")
            Map<String, Object> timings = (Map<String, Object>) body.get("timings");
            timings.put("totalMs", round(totalMs));
        } else {
            body.put("results", results);
            body.put("timings", Map.of("totalMs", round(totalMs)));
        }
        send(ctx, 200, body);
    }

    private List<Map<String, Object>> analyze(List<Upload> uploads, long enqueued) throws InterruptedException {
        long start = System.nanoTime();
        busyWorkers.incrementAndGet();
        Analyzer analyzer = analyzers.take();
        try {
            List<Map<String, Object>> results = new ArrayList<>();
            double queueMs = (start - enqueued) / 1e6;
            for (Upload u : uploads) {
                long t0 = System.nanoTime();
                int[] size = ImageProbe.size(u.bytes(), u.name());
                if (size != null && (long) size[0] * size[1] > options.maxPixels()) {
                    throw new ApiException(413, u.name() + ": " + size[0] + "x" + size[1] + " pixels is over the limit of "
                            + options.maxPixels());
                }
                BufferedImage image;
                try {
                    image = ImageDecoder.decode(u.bytes(), u.name(), options.maxPixels());
                } catch (ImageException e) {
                    throw new ApiException(400, oneLine(e.getMessage()));
                }
                long t1 = System.nanoTime();
                List<Analyzer.Face> faces = analyzer.analyze(image);
                long t2 = System.nanoTime();
                facesFound.increment(faces.size());
                List<Map<String, Object>> facesJson = new ArrayList<>();
                for (Analyzer.Face f : faces) {
                    Map<String, Object> face = new LinkedHashMap<>();
                    Map<String, Object> box = new LinkedHashMap<>();
                    box.put("x", f.x());
                    box.put("y", f.y());
                    box.put("width", f.width());
                    box.put("height", f.height());
                    face.put("box", box);
                    face.put("faceScore", f.faceScore());
                    face.put("emotion", f.emotion());
                    face.put("confidence", f.confidence());
                    face.put("probabilities", f.probabilities());
                    facesJson.add(face);
                }
                Map<String, Object> result = new LinkedHashMap<>();
                Map<String, Object> imageJson = new LinkedHashMap<>();
                imageJson.put("name", u.name());
                imageJson.put("width", image.getWidth());
                imageJson.put("height", image.getHeight());
                result.put("image", imageJson);
                result.put("faces", facesJson);
                Map<String, Object> timings = new LinkedHashMap<>();
                timings.put("queueMs", round(queueMs));
                timings.put("decodeMs", round((t1 - t0) / 1e6));
                timings.put("inferenceMs", round((t2 - t1) / 1e6));
                result.put("timings", timings);
                results.add(result);
                queueMs = 0;
            }
            return results;
        } finally {
            analyzers.put(analyzer);
            busyWorkers.decrementAndGet();
            inference.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    // ---- helpers ----

    private ApiException multipartProblem(Exception e) {
        if (tooSlow(e)) {
            return slowBody();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("max") && (m.contains("size") || m.contains("exceed") || m.contains("length"))) {
                return new ApiException(413, "multipart body over the limit of " + options.maxBodyBytes() + " bytes");
            }
        }
        return new ApiException(400, "malformed multipart body");
    }

    private byte[] readBounded(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16384];
        long total = 0;
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > max) {
                    throw new ApiException(413, "body over the limit of " + max + " bytes");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            if (tooSlow(e)) {
                throw slowBody();
            }
            throw e;
        }
        return out.toByteArray();
    }

    /** Whether a failed read is the slow-client guard's cut (Jetty delivers it as an idle timeout). */
    private static boolean tooSlow(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private ApiException slowBody() {
        return new ApiException(408, "request body arrived slower than " + options.minBodyRate()
                + " bytes/s (after the first " + options.headerTimeout().toMillis() + " ms)");
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static String describe(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> "no such route: " + ctx.method() + " " + ctx.path();
            case 405 -> "method " + ctx.method() + " not allowed on " + ctx.path();
            case 413 -> "body over the limit";
            default -> oneLine(e.getMessage());
        };
    }

    private static String oneLine(String s) {
        return s == null ? "error" : s.replace('\n', ' ').replace('\r', ' ');
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    private void error(Context ctx, int status, String message, Integer retryAfter) {
        if (retryAfter != null) {
            ctx.header("Retry-After", Integer.toString(retryAfter));
        }
        if (status == 408) {   // the rest of a body that came too slowly is not worth waiting for
            ctx.header("Connection", "close");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        try {
            send(ctx, status, body);
        } catch (IOException e) {
            ctx.status(status).result("{\"error\":\"error\"}");
        }
    }

    private void send(Context ctx, int status, Object body) throws IOException {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.header("Cache-Control", "no-store");
        ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
    }
}
