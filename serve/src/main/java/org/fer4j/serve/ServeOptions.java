package org.fer4j.serve;

import java.time.Duration;

/**
 * How the service runs. The defaults are the safe ones: loopback only, no token, no CORS, workers
 * as many as cores, a short queue, 8 MiB bodies, 16 megapixels per image.
 *
 * @param host          address to bind; 127.0.0.1 unless the operator says otherwise
 * @param port          0 picks a free port (tests)
 * @param token         bearer token required on /api and /metrics, or null for none
 * @param corsOrigin    the one origin allowed cross-origin calls ("*" for any), or null for none
 * @param workers       inference threads, each with its own detector and classifier
 * @param queue         requests that may wait for a worker; beyond it: 503 with Retry-After
 * @param maxBodyBytes  largest request body; larger: 413 before it is read
 * @param maxPixels     largest image (width x height, read from its header); larger: 413 before decoding
 * @param timeout       longest a request waits for its answer; then 503 with Retry-After
 * @param shutdownGrace how long in-flight requests may take to finish on shutdown
 * @param headerTimeout longest the request line and headers may take from their first byte (then
 *                      408 and the connection is closed); also the grace before the body rate counts
 * @param minBodyRate   bytes per second a request body must average after that grace (then 408)
 */
public record ServeOptions(String host, int port, String token, String corsOrigin, int workers, int queue,
        long maxBodyBytes, long maxPixels, Duration timeout, Duration shutdownGrace, Duration headerTimeout,
        long minBodyRate) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;
    public static final long DEFAULT_MAX_PIXELS = 16_777_216L;
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_MIN_BODY_RATE = 8192;

    public ServeOptions {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--host must name an address, e.g. 127.0.0.1");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
        if (corsOrigin != null && corsOrigin.isBlank()) {
            corsOrigin = null;
        }
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
        }
        if (queue < 0) {
            throw new IllegalArgumentException("--queue must be 0 or more, got " + queue);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("--max-body must be at least 1024 bytes, got " + maxBodyBytes);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("--max-pixels must be positive, got " + maxPixels);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--timeout must be positive");
        }
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("the shutdown grace period must be 0 or more");
        }
        if (headerTimeout == null || headerTimeout.toMillis() < 100 || headerTimeout.toSeconds() > 3600) {
            throw new IllegalArgumentException("--header-timeout must be in [0.1, 3600] seconds, got "
                    + (headerTimeout == null ? "none" : headerTimeout.toMillis() / 1000.0));
        }
        if (minBodyRate < 1 || minBodyRate > (1L << 30)) {
            throw new IllegalArgumentException("--min-body-rate must be in [1, 1g] bytes per second, got " + minBodyRate);
        }
    }

    public static ServeOptions defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ServeOptions(DEFAULT_HOST, DEFAULT_PORT, null, null, cores, 4 * cores, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_PIXELS, Duration.ofSeconds(10), Duration.ofSeconds(10), DEFAULT_HEADER_TIMEOUT, DEFAULT_MIN_BODY_RATE);
    }

    public ServeOptions withHost(String h) {
        return new ServeOptions(h, port, token, corsOrigin, workers, queue, maxBodyBytes, maxPixels, timeout, shutdownGrace, headerTimeout, minBodyRate);
    }

    public ServeOptions withPort(int p) {
        return new ServeOptions(host, p, token, corsOrigin, workers, queue, maxBodyBytes, maxPixels, timeout, shutdownGrace, headerTimeout, minBodyRate);
    }

    public ServeOptions withToken(String t) {
        return new ServeOptions(host, port, t, corsOrigin, workers, queue, maxBodyBytes, maxPixels, timeout, shutdownGrace, headerTimeout, minBodyRate);
    }

    public ServeOptions withCorsOrigin(String o) {
        return new ServeOptions(host, port, token, o, workers, queue, maxBodyBytes, maxPixels, timeout, shutdownGrace, headerTimeout, minBodyRate);
    }

    public ServeOptions withWorkers(int w) {
        return new ServeOptions(host, port, token, corsOrigin, w, queue, maxBodyBytes, maxPixels, timeout, shutdownGrace, headerTimeout, minBodyRate);
    }

    public ServeOptions withQueue(int q) {
        return new ServeOptions(host, port, token, corsOrigin, workers, q, maxBodyBytes, maxPixels, timeout, shutdownGrace, headerTimeout, minBodyRate);
    }

    public ServeOptions withMaxBodyBytes(long b) {
        return new ServeOptions(host, port, token, corsOrigin, workers, queue, b, maxPixels, timeout, shutdownGrace, headerTimeout, minBodyRate);
    }

    public ServeOptions withMaxPixels(long p) {
        return new ServeOptions(host, port, token, corsOrigin, workers, queue, maxBodyBytes, p, timeout, shutdownGrace, headerTimeout, minBodyRate);
    }

    public ServeOptions withTimeout(Duration t) {
        return new ServeOptions(host, port, token, corsOrigin, workers, queue, maxBodyBytes, maxPixels, t, shutdownGrace, headerTimeout, minBodyRate);
    }

    public ServeOptions withShutdownGrace(Duration g) {
        return new ServeOptions(host, port, token, corsOrigin, workers, queue, maxBodyBytes, maxPixels, timeout, g, headerTimeout, minBodyRate);
    }

    public ServeOptions withHeaderTimeout(Duration h) {
        return new ServeOptions(host, port, token, corsOrigin, workers, queue, maxBodyBytes, maxPixels, timeout, shutdownGrace, h, minBodyRate);
    }

    public ServeOptions withMinBodyRate(long r) {
        return new ServeOptions(host, port, token, corsOrigin, workers, queue, maxBodyBytes, maxPixels, timeout, shutdownGrace, headerTimeout, r);
    }
}
