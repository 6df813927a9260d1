package org.fer4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Slow clients (slowloris) over real HTTP on localhost, with raw sockets: a client that trickles
 * its headers or its body a few bytes at a time (and so is never idle) is answered 408 or cut
 * within the configured limits, while normal clients are served alongside, and the server still
 * answers afterwards. The limits are small here (1 s for the headers, 2,000 bytes/s for bodies)
 * and the idle timeout long (request timeout 10 s, idle 15 s), so only the guard can cut.
 */
class SlowClientTest {
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(1);
    private static final long MIN_RATE = 2000;
    /** The bound on a cut: the header timeout, the 100 ms check and a generous margin for a busy machine. */
    private static final double CUT_WITHIN_S = 6;

    private static ServeOptions options() {
        return ServeOptions.defaults().withPort(0).withWorkers(1).withQueue(8).withTimeout(Duration.ofSeconds(10))
                .withHeaderTimeout(HEADER_TIMEOUT).withMinBodyRate(MIN_RATE);
    }

    /** What a trickling client saw: the bytes the server sent before it closed, and when it was cut. */
    private record Cut(String answer, double seconds) {}

    /**
     * Sends {@code head} at once, then {@code trickle} one byte every {@code pauseMs} (each byte
     * resets any idle timer), until the server answers or closes; reads the answer in parallel.
     */
    private static Cut trickle(int port, String head, String trickle, long pauseMs) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            long t0 = System.nanoTime();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    for (int i = 0; i < trickle.length(); i++) {
                        Thread.sleep(pauseMs);
                        out.write(trickle.charAt(i));
                        out.flush();
                    }
                } catch (IOException | InterruptedException cutOff) {
                    // the server closed the connection: what we wait for
                }
            });
            String answer = Http.readRaw(s, whole -> false);   // until the server closes
            double seconds = (System.nanoTime() - t0) / 1e9;
            s.close();
            assertTrue(writer.join(Duration.ofSeconds(30)), "the writer stopped");
            return new Cut(answer, seconds);
        }
    }

    /** Runs a client on its own virtual thread (the common pool may have a single thread on 2 cores). */
    private static <T> CompletableFuture<T> inThread(java.util.concurrent.Callable<T> client) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(client.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** 200 characters of header that never end (no blank line): with a pause of 100 ms, 20 s of trickle. */
    private static final String ENDLESS_HEADER = "X-Slow: " + "a".repeat(200);

    @Test
    void headersTrickledAByteAtATimeGet408WithinTheHeaderTimeout() throws Exception {
        try (FerServer server = ServeBehaviourTest.start(options(), StubAnalyzers.instant())) {
            Cut cut = trickle(server.port(), "GET /health HTTP/1.1\r\nHost: x\r\n", ENDLESS_HEADER, 100);
            assertTrue(cut.answer().startsWith("HTTP/1.1 408 "), cut.answer());
            assertTrue(cut.answer().contains("\"status\":408"), cut.answer());
            assertTrue(cut.seconds() >= HEADER_TIMEOUT.toMillis() / 1000.0 * 0.9, "cut too early: " + cut.seconds() + " s");
            assertTrue(cut.seconds() < CUT_WITHIN_S, "cut after " + cut.seconds() + " s");
            assertEquals(200, Http.get(server.baseUrl(), "/health").status(), "the server still answers");
        }
    }

    @Test
    void aBodyTrickledAByteAtATimeGets408AndOthersAreServedMeanwhile() throws Exception {
        try (FerServer server = ServeBehaviourTest.start(options(), StubAnalyzers.instant())) {
            String head = "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 5000\r\n\r\n";
            CompletableFuture<Cut> slow = inThread(() -> trickle(server.port(), head, "x".repeat(5000), 50));
            // A normal client is served while the slow one trickles.
            Http.Reply normal = Http.post(server.baseUrl(), "/api/v1/predict", "image/jpeg", ServeBehaviourTest.IMAGE);
            assertEquals(200, normal.status(), normal.text());
            Cut cut = slow.get(40, TimeUnit.SECONDS);
            assertTrue(cut.answer().startsWith("HTTP/1.1 408 "), cut.answer());
            assertTrue(cut.answer().contains("request body arrived slower than 2000 bytes/s"), cut.answer());
            assertTrue(!cut.answer().contains("Exception") && !cut.answer().contains("\tat "), cut.answer());
            assertTrue(cut.seconds() < CUT_WITHIN_S, "cut after " + cut.seconds() + " s");
            assertEquals(200, Http.get(server.baseUrl(), "/health").status(), "the server still answers");
            String metrics = Http.get(server.baseUrl(), "/metrics").text();
            assertTrue(metrics.contains("fer4j_slow_clients_cut_total 1.0"), metrics);
        }
    }

    @Test
    void aSlowButSteadyUploadAboveTheRateIsServed() throws Exception {
        try (FerServer server = ServeBehaviourTest.start(options(), StubAnalyzers.instant());
             Socket s = new Socket("127.0.0.1", server.port())) {
            byte[] image = ServeBehaviourTest.IMAGE;
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nConnection: close\r\n"
                    + "Content-Length: " + image.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            // Nothing for most of the grace, then 2,000 bytes every 50 ms (20 times the minimum rate,
            // so that the 64 KB face takes under 2 s), with pauses the idle timeout alone would allow.
            Thread.sleep(800);
            int chunk = (int) MIN_RATE;
            for (int off = 0; off < image.length; off += chunk) {
                out.write(image, off, Math.min(chunk, image.length - off));
                out.flush();
                Thread.sleep(50);
            }
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        }
    }

    @Test
    void fiftyTricklingClientsAtOnceAreAllCutAndTheServerLivesOn() throws Exception {
        try (FerServer server = ServeBehaviourTest.start(options().withHeaderTimeout(Duration.ofSeconds(3)),
                StubAnalyzers.instant())) {
            List<CompletableFuture<Cut>> clients = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                boolean body = i % 2 == 0;
                String head = body
                        ? "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 9000\r\n\r\n"
                        : "GET /api/v1/models HTTP/1.1\r\nHost: x\r\n";
                String rest = body ? "y".repeat(9000) : ENDLESS_HEADER;
                clients.add(inThread(() -> trickle(server.port(), head, rest, 100)));
            }
            Thread.sleep(300);
            for (int i = 0; i < 5; i++) {
                assertEquals(200, Http.get(server.baseUrl(), "/api/v1/models").status(), "served among the slow clients");
            }
            assertTrue(clients.stream().noneMatch(CompletableFuture::isDone), "answered while all 50 were trickling");
            for (CompletableFuture<Cut> c : clients) {
                Cut cut = c.get(60, TimeUnit.SECONDS);
                assertTrue(cut.answer().isEmpty() || cut.answer().startsWith("HTTP/1.1 408 "), cut.answer());
                assertTrue(cut.seconds() < 2 + 3 * CUT_WITHIN_S, "cut after " + cut.seconds() + " s");
            }
            assertEquals(200, Http.get(server.baseUrl(), "/health").status(), "the server still answers");
            Http.Reply ok = Http.post(server.baseUrl(), "/api/v1/predict", "image/jpeg", ServeBehaviourTest.IMAGE);
            assertEquals(200, ok.status(), ok.text());
        }
    }

    @Test
    void theLimitsAreValidatedAsFlags() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ServeOptions.defaults().withHeaderTimeout(Duration.ofMillis(5)));
        assertTrue(e.getMessage().startsWith("--header-timeout must be in [0.1, 3600] seconds"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ServeOptions.defaults().withMinBodyRate(0));
        assertTrue(e.getMessage().startsWith("--min-body-rate must be in [1, 1g] bytes per second, got 0"), e.getMessage());
    }
}

