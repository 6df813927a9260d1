package org.fer4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Load, timeout, shutdown and security behaviour, against real servers whose analyzers are stubs
 * (held at a gate, so that requests can be kept in flight deliberately).
 */
class ServeBehaviourTest {
    static final byte[] IMAGE = Http.resource("happy-640x480.jpg");

    static ServeOptions options() {
        return ServeOptions.defaults().withPort(0).withWorkers(1).withQueue(1).withTimeout(Duration.ofSeconds(30))
                .withShutdownGrace(Duration.ofSeconds(20));
    }

    static FerServer start(ServeOptions options, Analyzer.Factory factory) throws Exception {
        return new FerServer(options, factory).start().awaitReady(Duration.ofSeconds(30));
    }

    static CompletableFuture<Http.Reply> predictAsync(String base) {
        return CompletableFuture.supplyAsync(() -> Http.post(base, "/api/v1/predict", "image/jpeg", IMAGE));
    }

    static void awaitMetric(FerServer server, String name, double value) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            var gauge = server.metrics().find(name).gauge();
            if (gauge != null && gauge.value() == value) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(name + " never reached " + value);
    }

    @Test
    void fullQueueIs503WithRetryAfterAtOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (FerServer server = start(options(), StubAnalyzers.gated(gate))) {
            String base = server.baseUrl();
            CompletableFuture<Http.Reply> running = predictAsync(base);
            awaitMetric(server, "fer4j_workers_busy", 1);
            CompletableFuture<Http.Reply> queued = predictAsync(base);
            awaitMetric(server, "fer4j_queue_depth", 1);
            long t0 = System.nanoTime();
            Http.Reply refused = Http.post(base, "/api/v1/predict", "image/jpeg", IMAGE);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, refused.status(), refused.text());
            assertEquals("1", refused.header("Retry-After"));
            assertTrue(refused.json().get("error").asText().startsWith("busy"), refused.text());
            assertTrue(ms < 2000, "refused at once, not after waiting: " + ms + " ms");
            gate.countDown();
            assertEquals(200, running.get(30, TimeUnit.SECONDS).status());
            assertEquals(200, queued.get(30, TimeUnit.SECONDS).status());
            String metrics = Http.get(base, "/metrics").text();
            assertTrue(metrics.contains("fer4j_rejected_total 1.0"), metrics);
        }
    }

    /**
     * Slow clients (slowloris): a connection that sends half a request and then nothing is closed
     * once it has been idle for the request timeout plus 5 s, and the server answers others all the
     * while.
     */
    @Test
    void aClientThatStopsSendingIsCutOffAndOthersAreServed() throws Exception {
        ServeOptions options = ServeOptions.defaults().withPort(0).withWorkers(1).withQueue(2)
                .withTimeout(Duration.ofSeconds(1));
        try (FerServer server = start(options, StubAnalyzers.gated(new CountDownLatch(0)));
             java.net.Socket slow = new java.net.Socket("127.0.0.1", server.port())) {
            slow.getOutputStream().write("POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Le".getBytes());
            slow.getOutputStream().flush();
            slow.setSoTimeout(20_000);
            long t0 = System.nanoTime();
            assertEquals(200, Http.get(server.baseUrl(), "/health").status(), "served while the slow client hangs");
            byte[] answer = slow.getInputStream().readAllBytes();   // until the server closes it
            double waited = (System.nanoTime() - t0) / 1e9;
            assertTrue(waited < 12, "the idle connection was closed after " + waited + " s");
            String text = new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(text.isEmpty() || text.startsWith("HTTP/1.1 4") || text.startsWith("HTTP/1.1 5"), text);
            assertEquals(200, Http.get(server.baseUrl(), "/health").status(), "and still up");
        }
    }

    @Test
    void slowRequestsTimeOutWith503() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (FerServer server = start(options().withTimeout(Duration.ofMillis(300)), StubAnalyzers.gated(gate))) {
            Http.Reply r = Http.post(server.baseUrl(), "/api/v1/predict", "image/jpeg", IMAGE);
            assertEquals(503, r.status(), r.text());
            assertNotNull(r.header("Retry-After"));
            assertTrue(r.json().get("error").asText().contains("timed out"), r.text());
            gate.countDown();
        }
    }

    @Test
    void gracefulShutdownFinishesInFlightAndRefusesNew() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FerServer server = start(options().withQueue(4), StubAnalyzers.gated(gate));
        String base = server.baseUrl();
        CompletableFuture<Http.Reply> inFlight = predictAsync(base);
        awaitMetric(server, "fer4j_workers_busy", 1);
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
        for (int i = 0; i < 500 && !stopping.isDone(); i++) {
            Http.Reply r;
            try {
                r = Http.get(base, "/health");
            } catch (UncheckedIOException closed) {
                break;
            }
            if (r.status() == 503) {
                assertEquals("the server is shutting down", r.json().get("error").asText());
                break;
            }
            Thread.sleep(10);
        }
        Http.Reply refused;
        try {
            refused = Http.post(base, "/api/v1/predict", "image/jpeg", IMAGE);
            assertEquals(503, refused.status(), refused.text());
        } catch (UncheckedIOException connectionClosed) {
            // also a refusal
        }
        assertFalse(stopping.isDone(), "stop waits for the request in flight");
        gate.countDown();
        Http.Reply finished = inFlight.get(30, TimeUnit.SECONDS);
        assertEquals(200, finished.status(), finished.text());
        stopping.get(30, TimeUnit.SECONDS);
        server.awaitStop();
    }

    @Test
    void notReadyWhileLoading() throws Exception {
        CountDownLatch loaded = new CountDownLatch(1);
        Analyzer.Factory slow = new Analyzer.Factory() {
            @Override
            public Analyzer.ModelDescription model() {
                return StubAnalyzers.MODEL;
            }

            @Override
            public Analyzer create() throws IOException {
                try {
                    loaded.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return StubAnalyzers::face;
            }
        };
        try (FerServer server = new FerServer(options(), slow).start()) {
            Http.Reply health = Http.get(server.baseUrl(), "/health");
            assertEquals(503, health.status());
            assertEquals("loading", health.json().get("status").asText());
            Http.Reply predict = Http.post(server.baseUrl(), "/api/v1/predict", "image/jpeg", IMAGE);
            assertEquals(503, predict.status());
            assertNotNull(predict.header("Retry-After"));
            loaded.countDown();
            server.awaitReady(Duration.ofSeconds(30));
            assertEquals(200, Http.get(server.baseUrl(), "/health").status());
        }
    }

    @Test
    void failedLoadIsReported() {
        Analyzer.Factory broken = new Analyzer.Factory() {
            @Override
            public Analyzer.ModelDescription model() {
                return StubAnalyzers.MODEL;
            }

            @Override
            public Analyzer create() throws IOException {
                throw new IOException("no such model file");
            }
        };
        try (FerServer server = new FerServer(options(), broken).start()) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> server.awaitReady(Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("no such model file"), e.getMessage());
            assertEquals("failed", Http.get(server.baseUrl(), "/health").json().get("status").asText());
        }
    }

    @Test
    void internalErrorsAreJsonWithoutStackTraces() throws Exception {
        Analyzer broken = image -> {
            throw new IllegalStateException("secret internal detail");
        };
        try (FerServer server = start(options(), StubAnalyzers.factory(broken))) {
            Http.Reply r = Http.post(server.baseUrl(), "/api/v1/predict", "image/jpeg", IMAGE);
            assertEquals(500, r.status());
            assertEquals("internal error", r.json().get("error").asText());
            assertFalse(r.text().contains("secret") || r.text().contains("Exception"), r.text());
        }
    }

    @Test
    void bearerTokenGuardsTheApiAndMetrics() throws Exception {
        try (FerServer server = start(options().withToken("s3cret"), StubAnalyzers.instant())) {
            String base = server.baseUrl();
            for (String path : List.of("/api/v1/models", "/api/v1/openapi.json", "/metrics")) {
                Http.Reply none = Http.get(base, path);
                assertEquals(401, none.status(), path);
                assertTrue(none.header("WWW-Authenticate").startsWith("Bearer"));
                assertTrue(none.json().get("error").isTextual());
                assertEquals(401, Http.get(base, path, "Authorization", "Bearer wrong").status(), path);
                assertEquals(200, Http.get(base, path, "Authorization", "Bearer s3cret").status(), path);
            }
            assertEquals(401, Http.post(base, "/api/v1/predict", "image/jpeg", IMAGE).status());
            Http.Reply ok = Http.post(base, "/api/v1/predict", "image/jpeg", IMAGE, "Authorization", "Bearer s3cret");
            assertEquals(200, ok.status(), ok.text());
            // The page and the health check stay open: the page asks for the token itself.
            assertEquals(200, Http.get(base, "/health").status());
            assertEquals(200, Http.get(base, "/").status());
        }
    }

    @Test
    void noCorsUnlessAnOriginIsNamed() throws Exception {
        try (FerServer server = start(options(), StubAnalyzers.instant())) {
            Http.Reply r = Http.get(server.baseUrl(), "/api/v1/models", "Origin", "http://elsewhere.example");
            assertEquals(200, r.status());
            assertNull(r.header("Access-Control-Allow-Origin"));
        }
        try (FerServer server = start(options().withCorsOrigin("http://app.example"), StubAnalyzers.instant())) {
            String base = server.baseUrl();
            Http.Reply allowed = Http.get(base, "/api/v1/models", "Origin", "http://app.example");
            assertEquals("http://app.example", allowed.header("Access-Control-Allow-Origin"));
            Http.Reply other = Http.get(base, "/api/v1/models", "Origin", "http://elsewhere.example");
            assertNull(other.header("Access-Control-Allow-Origin"));
            Http.Reply preflight = Http.send(Http.request(base, "/api/v1/predict")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://app.example")
                    .header("Access-Control-Request-Method", "POST").build());
            assertEquals(204, preflight.status());
            assertEquals("http://app.example", preflight.header("Access-Control-Allow-Origin"));
            assertTrue(preflight.header("Access-Control-Allow-Headers").contains("Authorization"));
        }
    }

    @Test
    void optionsAreChecked() {
        List<Runnable> bad = new ArrayList<>();
        bad.add(() -> ServeOptions.defaults().withWorkers(0));
        bad.add(() -> ServeOptions.defaults().withQueue(-1));
        bad.add(() -> ServeOptions.defaults().withPort(70000));
        bad.add(() -> ServeOptions.defaults().withMaxBodyBytes(10));
        bad.add(() -> ServeOptions.defaults().withTimeout(Duration.ZERO));
        for (Runnable r : bad) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, r::run);
        }
    }
}
