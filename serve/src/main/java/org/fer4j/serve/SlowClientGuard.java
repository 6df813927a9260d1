package org.fer4j.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Cuts off clients that send a request too slowly (slowloris), which the connector's idle
 * timeout alone cannot do: a client that sends one byte every few seconds is never idle long
 * enough.
 *
 * <p>Each connection is watched through the phases of its current request, from the first byte
 * of the request line (as seen by a check every 100 ms) to the end of its body:
 * <pre>
 *   IDLE --first byte--> HEADERS --headers parsed--> BODY --last body byte read--> HANDLING --answered--> IDLE
 *                           |       (no body: straight to HANDLING)  |
 *                           +-- headers not complete after headerTimeout: raw 408, close
 *                                                                    +-- body slower than minBodyRate after
 *                                                                        the headerTimeout grace: the read fails
 *                                                                        with a TimeoutException (the handler answers 408)
 * </pre>
 * The body rule: {@code t} seconds after the request's first byte, at least
 * {@code minBodyRate * (t - headerTimeout)} bytes must have arrived. A request may therefore take
 * the whole {@code headerTimeout} to start and must then keep up the rate on average, so a normal
 * upload is never cut and a trickle is cut within a bounded time.
 *
 * <p>It is a Jetty handler (the outermost, so it sees every request the moment its headers are
 * parsed and every read of its body) and a connection listener (so it sees connections before a
 * request exists). Cutting a body uses Jetty's own idle-timeout path
 * ({@link Connection#onIdleExpired}), the same the connector runs from its scheduler, so the
 * failure reaches the blocked read as Jetty would deliver any idle timeout.
 */
final class SlowClientGuard extends Handler.Wrapper implements Connection.Listener {
    /** Where a connection's current request is. */
    enum Phase { IDLE, HEADERS, BODY, HANDLING, CUT }

    private static final long CHECK_MILLIS = 100;

    /** The state of one connection; guarded by its own monitor. */
    private static final class Watch {
        final Connection connection;
        Phase phase = Phase.IDLE;
        long quietBytes;   // bytes received when the previous request ended (0 on a new connection)
        long startNanos;   // first byte of the current request, as seen by the check
        long startBytes;   // bytes received before the current request

        Watch(Connection connection) {
            this.connection = connection;
        }
    }

    private final long headerTimeoutNanos;
    private final long minBodyRate;
    private final Map<Connection, Watch> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final AtomicLong headersCut = new AtomicLong();
    private final AtomicLong bodiesCut = new AtomicLong();

    /**
     * @param headerTimeout longest the request line and headers may take from their first byte;
     *                      also the grace before the body rate is checked
     * @param minBodyRate   bytes per second a body must average after the grace
     */
    SlowClientGuard(Duration headerTimeout, long minBodyRate) {
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.minBodyRate = minBodyRate;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fer4j-slow-client-guard");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Connections cut while sending their headers. */
    long headersCut() {
        return headersCut.get();
    }

    /** Requests whose body was cut for arriving too slowly. */
    long bodiesCut() {
        return bodiesCut.get();
    }

    /** Stops the check; connections still open are left to Jetty. */
    void shutdown() {
        timer.shutdownNow();
        watches.clear();
    }

    @Override
    public void onOpened(Connection connection) {
        watches.put(connection, new Watch(connection));
    }

    @Override
    public void onClosed(Connection connection) {
        watches.remove(connection);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Watch w = watches.get(request.getConnectionMetaData().getConnection());
        if (w == null) {
            return super.handle(request, response, callback);
        }
        boolean hasBody = request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        synchronized (w) {
            if (w.phase == Phase.CUT) {
                // The headers completed just as the check cut the connection: it is closing.
                callback.failed(new TimeoutException("request headers arrived too slowly"));
                return true;
            }
            if (w.phase == Phase.IDLE) {   // the whole request arrived between two checks
                w.startNanos = System.nanoTime();
                w.startBytes = w.quietBytes;
            }
            w.phase = hasBody ? Phase.BODY : Phase.HANDLING;
        }
        Request watched = !hasBody ? request : new Request.Wrapper(request) {
            @Override
            public Content.Chunk read() {
                Content.Chunk chunk = super.read();
                if (chunk != null && chunk.isLast()) {
                    received(w);
                }
                return chunk;
            }
        };
        Callback answered = new Callback() {
            @Override
            public void succeeded() {
                ended(w);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                ended(w);
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
        return super.handle(watched, response, answered);
    }

    private static void received(Watch w) {
        synchronized (w) {
            if (w.phase == Phase.BODY) {
                w.phase = Phase.HANDLING;
            }
        }
    }

    private static void ended(Watch w) {
        synchronized (w) {
            if (w.phase != Phase.CUT) {
                w.phase = Phase.IDLE;
                w.quietBytes = w.connection.getBytesIn();
            }
        }
    }

    private void check() {
        long now = System.nanoTime();
        for (Watch w : watches.values()) {
            Phase cut = null;
            synchronized (w) {
                long bytes = w.connection.getBytesIn();
                long elapsed = now - w.startNanos;
                switch (w.phase) {
                    case IDLE -> {
                        if (bytes > w.quietBytes) {
                            w.phase = Phase.HEADERS;
                            w.startNanos = now;
                            w.startBytes = w.quietBytes;
                        }
                    }
                    case HEADERS -> {
                        if (elapsed > headerTimeoutNanos) {
                            cut = Phase.HEADERS;
                        }
                    }
                    case BODY -> {
                        double owed = minBodyRate * ((elapsed - headerTimeoutNanos) / 1e9);
                        if (elapsed > headerTimeoutNanos && bytes - w.startBytes < owed) {
                            cut = Phase.BODY;
                        }
                    }
                    default -> { }
                }
                if (cut != null) {
                    w.phase = Phase.CUT;
                }
            }
            if (cut == Phase.HEADERS) {
                cutHeaders(w.connection);
            } else if (cut == Phase.BODY) {
                cutBody(w.connection);
            }
        }
    }

    /** No request is being handled: answer 408 ourselves, then close (output first, so the 408 is read). */
    private void cutHeaders(Connection connection) {
        headersCut.incrementAndGet();
        EndPoint endPoint = connection.getEndPoint();
        String body = "{\"error\":\"request headers not received within " + headerTimeoutNanos / 1_000_000
                + " ms\",\"status\":408}";
        String answer = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + "Cache-Control: no-store\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        Runnable close = () -> {
            endPoint.shutdownOutput();
            timer.schedule((Runnable) endPoint::close, 1, TimeUnit.SECONDS);
        };
        try {
            endPoint.write(Callback.from(close, x -> endPoint.close()), ByteBuffer.wrap(answer.getBytes(StandardCharsets.US_ASCII)));
        } catch (RuntimeException e) {   // a write already pending: the connection is busy, just close it
            endPoint.close();
        }
    }

    /** A request is being handled and blocked on its body: fail its read through Jetty's idle timeout. */
    private void cutBody(Connection connection) {
        bodiesCut.incrementAndGet();
        TimeoutException why = new TimeoutException("request body arrived slower than " + minBodyRate + " bytes/s");
        if (connection.onIdleExpired(why)) {
            connection.getEndPoint().close(why);
        }
    }
}
