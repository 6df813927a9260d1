package org.fer4j.serve;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load benchmark (not a test): POSTs one image to {@code /api/v1/predict} from 1, 4 and 16
 * concurrent clients, then overloads a server with a short queue, and prints throughput, latency
 * percentiles, the answers by status and the heap before and after. Bounded in time and requests,
 * and against this machine only: an in-process server on 127.0.0.1, or {@code --url} naming a
 * loopback address. Run it with {@code serve/load-bench.sh}.
 *
 * <pre>
 * --image FILE        the image sent (default: the 640x480 test face)
 * --seconds S         measured seconds per stage (default 10), after 2 s of warm-up
 * --max-requests N    at most N measured requests per stage (default 5000)
 * --clients LIST      concurrent clients per stage (default 1,4,16)
 * --workers N         in-process server's workers (default: cores)
 * --overload N        clients of the overload stage (default 32); 0 skips it
 * --overload-queue N  queue of the overload server (default 2)
 * --model NAME        model of the in-process server (default fer2013)
 * --threads N         engine threads (default: all cores), as fer4j serve --threads
 * --url URL           an already running server instead (loopback only)
 * </pre>
 */
public final class LoadBenchmark {
    private LoadBenchmark() {}

    record Stage(String name, int clients, int requests, int ok, int busy, int other, double seconds, double[] latenciesMs) {
        double throughput() {
            return ok / seconds;
        }

        double percentile(double p) {
            if (latenciesMs.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100 * latenciesMs.length) - 1;
            return latenciesMs[Math.max(0, Math.min(latenciesMs.length - 1, i))];
        }
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of("serve/src/test/resources/org/fer4j/serve/happy-640x480.jpg");
        double seconds = 10;
        int maxRequests = 5000;
        int[] clients = {1, 4, 16};
        int workers = Runtime.getRuntime().availableProcessors();
        int overload = 32;
        int overloadQueue = 2;
        String model = "fer2013";
        String url = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--image" -> image = Path.of(v);
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--max-requests" -> maxRequests = Integer.parseInt(v);
                case "--clients" -> clients = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--workers" -> workers = Integer.parseInt(v);
                case "--overload" -> overload = Integer.parseInt(v);
                case "--overload-queue" -> overloadQueue = Integer.parseInt(v);
                case "--model" -> model = v;
                case "--threads" -> org.fer4j.kernels.Parallel.setThreads(Integer.parseInt(v));
                case "--url" -> url = v;
                default -> {
                    System.err.println("load-bench: unknown option " + a + " (see the LoadBenchmark javadoc)");
                    System.exit(2);
                }
            }
            i++;
        }
        if (!(seconds > 0 && seconds <= 120) || maxRequests < 1 || maxRequests > 100_000) {
            System.err.println("load-bench: --seconds must be in (0, 120] and --max-requests in 1..100000");
            System.exit(2);
        }
        byte[] body = Files.readAllBytes(image);
        System.out.println("CPU: " + org.fer4j.kernels.Cpu.model() + ", " + org.fer4j.kernels.Cpu.cores() + " cores; Java "
                + Runtime.version() + "; engine threads " + org.fer4j.kernels.Parallel.threads() + "; image "
                + image.getFileName() + " (" + body.length + " bytes); load average before: " + loadAverage());

        FerServer server = null;
        String base = url;
        if (base == null) {
            ServeOptions options = ServeOptions.defaults().withPort(0).withWorkers(workers).withQueue(64)
                    .withTimeout(Duration.ofSeconds(30));
            server = new FerServer(options, ModelAnalyzer.factory(model)).start().awaitReady(Duration.ofMinutes(5));
            base = server.baseUrl();
            System.out.println("server: in-process, " + workers + " workers, queue 64, model " + model);
        } else {
            String host = URI.create(base).getHost();
            if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"))) {
                System.err.println("load-bench: --url must be on this machine (localhost, 127.x, ::1), got " + host);
                System.exit(2);
            }
            System.out.println("server: " + base);
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String predict = base + "/api/v1/predict";
        List<Stage> stages = new ArrayList<>();
        try {
            for (int c : clients) {
                run(http, predict, body, c, 2, 1_000_000, "warm-up");
                stages.add(run(http, predict, body, c, seconds, maxRequests, c + " client" + (c == 1 ? "" : "s")));
            }
        } finally {
            if (server != null) {
                server.stop();
            }
        }
        long heapBefore = 0;
        long heapAfter = 0;
        if (overload > 0) {
            FerServer small = null;
            String target = predict;
            if (url == null) {
                ServeOptions options = ServeOptions.defaults().withPort(0).withWorkers(workers).withQueue(overloadQueue)
                        .withTimeout(Duration.ofSeconds(30));
                small = new FerServer(options, ModelAnalyzer.factory(model)).start().awaitReady(Duration.ofMinutes(5));
                target = small.baseUrl() + "/api/v1/predict";
                System.out.println("overload server: in-process, " + workers + " workers, queue " + overloadQueue);
            }
            try {
                run(http, target, body, overload, 2, 1_000_000, "warm-up");
                heapBefore = heapAfterGc();
                stages.add(run(http, target, body, overload, seconds, maxRequests * 4, "overload, " + overload + " clients"));
                run(http, target, body, overload, seconds, maxRequests * 4, "overload again");
                heapAfter = heapAfterGc();
            } finally {
                if (small != null) {
                    small.stop();
                }
            }
        }
        System.out.println();
        System.out.println("| stage | requests | 200 | 503 | other | answers/s (200) | p50 ms | p95 ms | p99 ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Stage s : stages) {
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f |%n", s.name(), s.requests(), s.ok(),
                    s.busy(), s.other(), s.throughput(), s.percentile(50), s.percentile(95), s.percentile(99));
        }
        if (overload > 0 && url == null) {
            System.out.printf(Locale.ROOT, "%nheap after GC: %.1f MiB before the overload stages, %.1f MiB after two of them%n",
                    heapBefore / 1048576.0, heapAfter / 1048576.0);
        }
        System.out.println("load average after: " + loadAverage());
        boolean bad = stages.stream().anyMatch(s -> s.other() > 0);
        if (bad) {
            System.out.println("answers other than 200 and 503 were seen");
        }
        System.exit(bad ? 1 : 0);
    }

    /** {@code clients} threads POSTing back to back until {@code seconds} pass or {@code maxRequests} are sent. */
    static Stage run(HttpClient http, String url, byte[] body, int clients, double seconds, int maxRequests, String name)
            throws Exception {
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<List<Double>>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                List<Double> latencies = new ArrayList<>();
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                while (System.nanoTime() < end && sent.incrementAndGet() <= maxRequests) {
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = http.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                    } catch (IOException e) {
                        status = -1;
                    }
                    double ms = (System.nanoTime() - t0) / 1e6;
                    if (status == 200) {
                        ok.incrementAndGet();
                        latencies.add(ms);
                    } else if (status == 503) {
                        busy.incrementAndGet();
                    } else {
                        other.incrementAndGet();
                    }
                }
                return latencies;
            }));
        }
        List<Double> all = new ArrayList<>();
        for (Future<List<Double>> f : futures) {
            all.addAll(f.get());
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        double[] sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int requests = ok.get() + busy.get() + other.get();
        Stage s = new Stage(name, clients, requests, ok.get(), busy.get(), other.get(), elapsed, sorted);
        if (!name.equals("warm-up")) {
            System.out.printf(Locale.ROOT, "%s: %d requests in %.1f s, %.1f answers/s, p50 %.1f ms, p99 %.1f ms, 503: %d, other: %d%n",
                    name, requests, elapsed, s.throughput(), s.percentile(50), s.percentile(99), busy.get(), other.get());
        }
        return s;
    }

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

}
