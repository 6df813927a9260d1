package org.fer4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A small HTTP client for the tests: real requests to a real server. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Path SAMPLES = Path.of("../models/src/test/resources/org/fer4j/models/faces/samples");

    private Http() {}

    record Reply(int status, Map<String, List<String>> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + text(), e);
            }
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().getFirst())
                    .findFirst().orElse(null);
        }
    }

    static Reply send(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpRequest.Builder request(String base, String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    }

    static Reply get(String base, String path, String... headers) {
        HttpRequest.Builder b = request(base, path).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    static Reply post(String base, String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = request(base, path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    /** A multipart/form-data body with one file field per entry (field name, file name, bytes). */
    static Multipart multipart(Object... fieldFileBytes) {
        String boundary = "fer4jtestboundary" + System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (int i = 0; i < fieldFileBytes.length; i += 3) {
                String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fieldFileBytes[i] + "\""
                        + (fieldFileBytes[i + 1] == null ? "" : "; filename=\"" + fieldFileBytes[i + 1] + "\"")
                        + "\r\nContent-Type: " + (fieldFileBytes[i + 1] == null ? "text/plain" : "image/jpeg") + "\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.UTF_8));
                out.write((byte[]) fieldFileBytes[i + 2]);
                out.write("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Multipart("multipart/form-data; boundary=" + boundary, out.toByteArray());
    }

    record Multipart(String contentType, byte[] body) {}

    /**
     * Reads what a server sends on a raw socket until {@code whole} says the answer is complete,
     * the server closes, or it resets the connection; a socket timeout is a hang and fails.
     */
    static String readRaw(java.net.Socket socket, java.util.function.Predicate<String> whole) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        java.io.InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                answer.write(buffer, 0, n);
                if (answer.size() > 4 << 20) {
                    throw new AssertionError("an answer over 4 MiB");
                }
                if (whole.test(answer.toString(StandardCharsets.ISO_8859_1))) {
                    break;
                }
            }
        } catch (java.net.SocketTimeoutException hang) {
            throw new AssertionError("no complete answer within " + socket.getSoTimeout() + " ms (a hang); got: "
                    + answer.toString(StandardCharsets.ISO_8859_1).replace("\r", ""));
        } catch (IOException reset) {
            // closed with a reset, after (or instead of) the answer
        }
        return answer.toString(StandardCharsets.ISO_8859_1);
    }

    static byte[] resource(String name) {
        try (var in = Http.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] sample(int i) {
        try {
            return Files.readAllBytes(SAMPLES.resolve("sample" + i + ".jpg"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
