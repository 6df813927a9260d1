package org.fer4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API against a real server on an ephemeral port, with the bundled fer2013 model. */
class ServeApiTest {
    static FerServer server;
    static String base;
    static byte[] happy;

    @BeforeAll
    static void start() throws Exception {
        ServeOptions options = ServeOptions.defaults().withPort(0).withWorkers(2).withQueue(64)
                .withMaxBodyBytes(4L << 20).withTimeout(Duration.ofSeconds(60));
        server = new FerServer(options, ModelAnalyzer.factory("fer2013")).start().awaitReady(Duration.ofMinutes(2));
        base = server.baseUrl();
        happy = Http.resource("happy-640x480.jpg");
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static void assertJsonError(Http.Reply r, int status) {
        assertEquals(status, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
        JsonNode j = r.json();
        assertTrue(j.get("error").isTextual(), r.text());
        assertEquals(status, j.get("status").asInt());
        assertFalse(r.text().contains("Exception") || r.text().contains("\tat "), "no stack trace: " + r.text());
    }

    @Test
    void defaultsBindToLoopbackOnly() {
        assertEquals("127.0.0.1", ServeOptions.defaults().host());
        assertEquals(null, ServeOptions.defaults().token());
        assertEquals(null, ServeOptions.defaults().corsOrigin());
        assertTrue(base.startsWith("http://127.0.0.1:"));
    }

    @Test
    void healthIsOkOnceLoaded() {
        Http.Reply r = Http.get(base, "/health");
        assertEquals(200, r.status());
        assertEquals("ok", r.json().get("status").asText());
        assertEquals("fer2013", r.json().get("model").asText());
    }

    @Test
    void modelsListsTheClasses() {
        JsonNode m = Http.get(base, "/api/v1/models").json().get("models").get(0);
        assertEquals("fer2013", m.get("name").asText());
        List<String> classes = new ArrayList<>();
        m.get("classes").forEach(c -> classes.add(c.asText()));
        assertTrue(classes.contains("happy"), classes.toString());
        assertEquals(48, m.get("input").get("height").asInt());
    }

    @Test
    void openApiDescribesEveryRoute() {
        Http.Reply r = Http.get(base, "/api/v1/openapi.json");
        assertEquals(200, r.status());
        JsonNode paths = r.json().get("paths");
        for (String p : List.of("/api/v1/predict", "/api/v1/models", "/api/v1/openapi.json", "/health", "/metrics")) {
            assertNotNull(paths.get(p), p);
        }
        assertTrue(r.json().get("openapi").asText().startsWith("3."));
    }

    @Test
    void predictRawJpegFindsAHappyFace() {
        Http.Reply r = Http.post(base, "/api/v1/predict", "image/jpeg", happy);
        assertEquals(200, r.status(), r.text());
        JsonNode j = r.json();
        assertEquals("fer2013", j.get("model").asText());
        assertEquals(640, j.get("image").get("width").asInt());
        JsonNode faces = j.get("faces");
        assertTrue(faces.size() >= 1, r.text());
        JsonNode face = faces.get(0);
        assertEquals("happy", face.get("emotion").asText(), r.text());
        assertTrue(face.get("box").get("width").asDouble() > 50);
        assertTrue(face.get("probabilities").has("happy"));
        double sum = 0;
        for (JsonNode p : face.get("probabilities")) {
            sum += p.asDouble();
        }
        assertEquals(1.0, sum, 1e-3);
        assertTrue(j.get("timings").get("totalMs").asDouble() > 0);
        assertTrue(j.get("timings").has("inferenceMs"));
    }

    @Test
    void predictPngAndOctetStream() throws IOException {
        BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(happy));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        Http.Reply r = Http.post(base, "/api/v1/predict", "image/png", png.toByteArray());
        assertEquals(200, r.status(), r.text());
        assertEquals("happy", r.json().get("faces").get(0).get("emotion").asText());
        Http.Reply o = Http.post(base, "/api/v1/predict", "application/octet-stream", happy);
        assertEquals(200, o.status(), o.text());
    }

    @Test
    void predictMultipartOneAndSeveral() {
        Http.Multipart one = Http.multipart("image", "face.jpg", happy);
        Http.Reply r = Http.post(base, "/api/v1/predict", one.contentType(), one.body());
        assertEquals(200, r.status(), r.text());
        assertEquals("face.jpg", r.json().get("image").get("name").asText());
        assertEquals("happy", r.json().get("faces").get(0).get("emotion").asText());

        Http.Multipart two = Http.multipart("image", "a.jpg", happy, "image", "b.jpg", Http.sample(1));
        Http.Reply t = Http.post(base, "/api/v1/predict", two.contentType(), two.body());
        assertEquals(200, t.status(), t.text());
        JsonNode results = t.json().get("results");
        assertEquals(2, results.size());
        assertEquals("a.jpg", results.get(0).get("image").get("name").asText());
        assertEquals("b.jpg", results.get(1).get("image").get("name").asText());
        assertTrue(results.get(1).get("faces").size() >= 1);
    }

    @Test
    void wrongContentTypeIs415() {
        assertJsonError(Http.post(base, "/api/v1/predict", "text/plain", "hello".getBytes()), 415);
        assertJsonError(Http.post(base, "/api/v1/predict", null, happy), 415);
    }

    @Test
    void malformedImagesAre400() {
        assertJsonError(Http.post(base, "/api/v1/predict", "image/jpeg", "definitely not a jpeg".getBytes()), 400);
        byte[] truncated = java.util.Arrays.copyOf(happy, 200);
        assertJsonError(Http.post(base, "/api/v1/predict", "image/jpeg", truncated), 400);
        assertJsonError(Http.post(base, "/api/v1/predict", "image/jpeg", new byte[0]), 400);
        Http.Multipart noFile = Http.multipart("note", null, "just text".getBytes());
        assertJsonError(Http.post(base, "/api/v1/predict", noFile.contentType(), noFile.body()), 400);
        assertJsonError(Http.post(base, "/api/v1/predict", "multipart/form-data; boundary=x", "garbage".getBytes()), 400);
    }

    @Test
    void oversizedBodiesAre413BeforeReading() {
        // The client asks first (Expect: 100-continue), as a client of large uploads should: the
        // server answers 413 from the Content-Length alone, and the body is never sent. Without
        // it the server's early answer and close can reach a client that is still sending as a
        // reset, which it reports as no response at all (seen once, on a loaded machine).
        byte[] big = new byte[(4 << 20) + 1];
        assertJsonError(postAskingFirst("image/jpeg", big), 413);
        Http.Multipart m = Http.multipart("image", "big.jpg", big);
        assertJsonError(postAskingFirst(m.contentType(), m.body()), 413);
    }

    private Http.Reply postAskingFirst(String contentType, byte[] body) {
        return Http.send(Http.request(base, "/api/v1/predict").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", contentType).build());
    }

    @Test
    void oversizedBodiesWithoutContentLengthAre413() {
        byte[] big = new byte[(4 << 20) + 1];
        HttpRequest chunked = Http.request(base, "/api/v1/predict")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                .header("Content-Type", "image/jpeg").build();
        assertJsonError(Http.send(chunked), 413);
    }

    @Test
    void tooManyPixelsIs413BeforeDecoding() throws Exception {
        // A tiny PNG file whose header claims 20000 x 20000 pixels: refused from the header alone.
        BufferedImage small = new BufferedImage(20000, 1, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(small, "png", png);
        byte[] bytes = png.toByteArray();
        // IHDR height at offset 20..23 (big-endian): claim 20000 rows.
        bytes[20] = 0;
        bytes[21] = 0;
        bytes[22] = (byte) (20000 >> 8);
        bytes[23] = (byte) (20000 & 0xFF);
        Http.Reply r = Http.post(base, "/api/v1/predict", "image/png", bytes);
        assertJsonError(r, 413);
        assertTrue(r.json().get("error").asText().contains("20000x20000"), r.text());
    }

    @Test
    void unknownRoutesMethodsAndModelsAreJson4xx() {
        assertJsonError(Http.get(base, "/nope"), 404);
        assertJsonError(Http.get(base, "/api/v1/nope"), 404);
        assertJsonError(Http.get(base, "/api/v1/predict"), 405);
        assertJsonError(Http.post(base, "/api/v1/predict?model=nope", "image/jpeg", happy), 404);
        // Without --cors-origin a preflight is refused.
        assertJsonError(Http.send(Http.request(base, "/api/v1/predict").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://evil.example").build()), 403);
    }

    @Test
    void metricsInPrometheusFormat() {
        Http.post(base, "/api/v1/predict", "image/jpeg", happy);
        Http.get(base, "/nope");
        Http.Reply r = Http.get(base, "/metrics");
        assertEquals(200, r.status());
        assertTrue(r.header("Content-Type").startsWith("text/plain"));
        String text = r.text();
        for (String name : List.of("fer4j_http_requests_seconds_bucket", "fer4j_http_requests_seconds_count",
                "fer4j_http_errors_total", "fer4j_queue_depth", "fer4j_faces_found_total", "fer4j_inference_seconds_bucket",
                "fer4j_workers_busy", "jvm_memory_used_bytes")) {
            assertTrue(text.contains(name), name + " in\n" + text);
        }
        assertTrue(text.contains("route=\"/api/v1/predict\""));
    }

    @Test
    void pageIsServedFromTheJarWithoutExternalUrls() {
        Http.Reply page = Http.get(base, "/");
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Type").startsWith("text/html"));
        String html = page.text();
        assertTrue(html.contains("app.js") && html.contains("style.css"), html);
        for (String asset : List.of("/", "/app.js", "/style.css")) {
            Http.Reply a = Http.get(base, asset);
            assertEquals(200, a.status(), asset);
            assertFalse(a.text().matches("(?s).*(src|href)=\"https?://.*"), asset + " loads nothing from elsewhere");
            assertNotNull(a.header("Content-Security-Policy"));
        }
    }

    @Test
    void concurrentAnswersEqualSequentialOnes() throws Exception {
        List<byte[]> images = List.of(happy, Http.sample(1), Http.sample(3), Http.sample(5));
        List<JsonNode> sequential = new ArrayList<>();
        for (byte[] image : images) {
            sequential.add(withoutTimings(Http.post(base, "/api/v1/predict", "image/jpeg", image)));
        }
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (byte[] image : images) {
                    futures.add(clients.submit(() -> withoutTimings(Http.post(base, "/api/v1/predict", "image/jpeg", image))));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(sequential.get(i % images.size()), futures.get(i).get(), "request " + i);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static JsonNode withoutTimings(Http.Reply r) {
        assertEquals(200, r.status(), r.text());
        ObjectNode j = (ObjectNode) r.json();
        j.remove("timings");
        return j;
    }
}
