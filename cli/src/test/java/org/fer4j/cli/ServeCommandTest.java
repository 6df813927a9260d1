package org.fer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServeCommandTest {
    @Test
    void badFlagsAreUserErrors() {
        assertEquals(Main.EXIT_USER, MainTest.run("serve", "--workers", "0", "--port", "0").code());
        assertEquals(Main.EXIT_USER, MainTest.run("serve", "--max-body", "lots", "--port", "0").code());
        assertEquals(Main.EXIT_USER, MainTest.run("serve", "--timeout", "0", "--port", "0").code());
        MainTest.Result slow = MainTest.run("serve", "--header-timeout", "0.01", "--port", "0");
        assertEquals(Main.EXIT_USER, slow.code(), slow.err());
        assertTrue(slow.err().contains("--header-timeout must be in [0.1, 3600] seconds, got 0.01"), slow.err());
        slow = MainTest.run("serve", "--min-body-rate", "fast", "--port", "0");
        assertEquals(Main.EXIT_USER, slow.code(), slow.err());
        assertTrue(slow.err().contains("--min-body-rate must be a size like 8m, 512k or 1000000, got 'fast'"), slow.err());
        MainTest.Result r = MainTest.run("serve", "--model", "no-such-model", "--port", "0");
        assertEquals(Main.EXIT_USER, r.code(), r.err());
        assertTrue(r.err().startsWith("fer4j serve: "), r.err());
    }

    /** A separate JVM, stopped the way service managers stop it: SIGTERM (Process.destroy on Linux). */
    @Test
    void sigtermStopsTheServerGracefully(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(!System.getProperty("os.name").startsWith("Windows"), "SIGTERM is POSIX");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String javaExe = ProcessHandle.current().info().command().orElse("java");
        Path log = tmp.resolve("serve.log");
        Process process = new ProcessBuilder(javaExe, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "org.fer4j.cli.Main", "serve", "--port", Integer.toString(port),
                "--workers", "1").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            int status = 0;
            for (int i = 0; i < 1200 && status != 200 && process.isAlive(); i++) {
                Thread.sleep(100);
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
            }
            assertEquals(200, status, Files.readString(log));
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stopped within the grace period");
            String out = Files.readString(log);
            assertTrue(process.exitValue() == 143 || process.exitValue() == 0, process.exitValue() + ": " + out);
            assertTrue(!out.contains("Exception") && !out.contains("SEVERE"), out);
            try {
                http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                org.junit.jupiter.api.Assertions.fail("the port is closed after SIGTERM");
            } catch (java.io.IOException closed) {
                // expected
            }
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void sizes() {
        assertEquals(8L << 20, ServeCommand.parseSize("--max-body", "8m"));
        assertEquals(512L << 10, ServeCommand.parseSize("--max-body", "512K"));
        assertEquals(1000, ServeCommand.parseSize("--max-body", "1000"));
    }

    @Test
    void servesUntilStopped() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> Main.run(
                new String[] {"serve", "--port", Integer.toString(port), "--workers", "1", "--token", "t0ken"},
                new PrintWriter(out, true), new PrintWriter(err, true)));
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> health = null;
        for (int i = 0; i < 600 && (health == null || health.statusCode() != 200); i++) {
            Thread.sleep(100);
            try {
                health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException notYet) {
                assertTrue(!code.isDone(), "serve ended early: " + err);
            }
        }
        assertNotNull(health);
        assertEquals(200, health.statusCode(), health.body());
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/models"))
                .header("Authorization", "Bearer t0ken").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, models.statusCode());
        assertTrue(models.body().contains("\"fer2013\""), models.body());
        ServeCommand.running.stop();
        assertEquals(0, code.get(60, TimeUnit.SECONDS), err.toString());
        assertTrue(out.toString().contains("fer4j serve: http://127.0.0.1:" + port + "/"), out.toString());
        assertTrue(!out.toString().contains("t0ken"), "the token is never printed");
    }
}
