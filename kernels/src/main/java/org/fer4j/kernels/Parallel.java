package org.fer4j.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread pool of the engine: {@code threads() - 1} worker threads plus the calling thread.
 *
 * <p>Work is split into contiguous static chunks: {@code [0, n)} becomes
 * {@code chunks = min(threads, ceil(n / grain))} ranges, chunk {@code c} being
 * {@code [n*c/chunks, n*(c+1)/chunks)}. The split depends only on {@code n}, the grain and the
 * thread count, never on timing or on which thread runs which chunk, so a body that writes
 * disjoint outputs per chunk, and reductions that combine per-chunk partials in chunk order, give
 * the same bits on every run with the same thread count. That is how the same seed and thread
 * count give identical weights.
 *
 * <p>Nesting: a {@code forRange} issued while the pool is busy (from inside a body, or from a
 * second application thread) runs its chunks one after another on the calling thread, with the
 * same split. So a kernel may always call {@code forRange}: inside a layer that already splits the
 * batch over threads it simply runs serially, and at batch 1 it gets the whole pool.
 *
 * <p>Which thread runs a chunk is not fixed: the caller runs chunk 0, and chunks are then claimed
 * from a counter by whichever thread is free, the caller included. So on a machine busy with other
 * work, a region never waits for a worker that the OS has not scheduled yet: the caller simply runs
 * the unclaimed chunks itself. Results cannot depend on this, since a chunk's range and any state
 * indexed by chunk are fixed; per-thread scratch (GEMM packing buffers) holds no results.
 *
 * <p>Idle workers spin briefly (so the many short parallel regions of a training step do not pay
 * a wake-up each) and then park. The threads are daemons.
 */
public final class Parallel {

    /** The system property with the default thread count ({@code -Dfer4j.threads=N}). */
    public static final String PROPERTY = "fer4j.threads";

    /** How long an idle worker spins before it parks; a typical gap between two regions of a step. */
    private static final long SPIN_NANOS = 100_000;

    /** Body of a parallel loop over a range. */
    @FunctionalInterface
    public interface Range {
        /** Runs the iterations {@code [from, to)}. */
        void run(int from, int to);
    }

    /** Body of a parallel loop that also needs its chunk index, e.g. to pick a per-chunk workspace. */
    @FunctionalInterface
    public interface Chunk {
        /** Runs chunk {@code chunk}, the iterations {@code [from, to)}. */
        void run(int chunk, int from, int to);
    }

    private static final Object LOCK = new Object();
    private static volatile Pool pool;

    private Parallel() {
    }

    /**
     * Threads used by {@link #forRange}, the caller included: {@link #setThreads}, else
     * {@code -Dfer4j.threads}, else {@link Runtime#availableProcessors()}.
     */
    public static int threads() {
        return pool().size;
    }

    /**
     * Sets the thread count, before a run or between runs (not while another thread is inside
     * {@link #forRange}: that call finishes on the old pool first).
     *
     * @throws IllegalArgumentException if {@code n < 1}: "--threads must be >= 1, got 0"
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + n);
        }
        synchronized (LOCK) {
            Pool old = pool;
            if (old != null && old.size == n) {
                return;
            }
            pool = new Pool(n);
            if (old != null) {
                old.shutdown();
            }
        }
    }

    /** Splits {@code [0, n)} into one chunk per thread (fewer when n is smaller), runs them, and waits. */
    public static void forRange(int n, Range body) {
        forChunks(n, 1, (chunk, from, to) -> body.run(from, to));
    }

    /** As {@link #forRange(int, Range)}, with chunks of at least {@code grain} iterations. */
    public static void forRange(int n, int grain, Range body) {
        forChunks(n, grain, (chunk, from, to) -> body.run(from, to));
    }

    /**
     * Runs {@code body} over the {@link #chunks(int, int)} chunks of {@code [0, n)} and waits for
     * all. Chunk 0 runs on the calling thread; the others on whichever thread claims them first.
     * If a body throws, the exception of the lowest chunk that failed is rethrown once all chunks
     * are done.
     */
    public static void forChunks(int n, int grain, Chunk body) {
        Pool p = pool();
        int chunks = chunks(n, grain, p.size);
        if (chunks <= 1) {
            if (n > 0) {
                body.run(0, 0, n);
            }
            return;
        }
        if (!p.busy.compareAndSet(false, true)) {
            // Nested or concurrent: the same chunks, one after another, on this thread.
            for (int c = 0; c < chunks; c++) {
                body.run(c, start(n, chunks, c), start(n, chunks, c + 1));
            }
            return;
        }
        try {
            p.run(n, chunks, body);
        } finally {
            p.busy.set(false);
        }
    }

    /** "1 thread" or "N threads", for the lines that say what runs. */
    static String threadsText() {
        int n = threads();
        return n == 1 ? "1 thread" : n + " threads";
    }

    /** How many chunks {@link #forChunks} makes of {@code n} iterations with this grain. */
    public static int chunks(int n, int grain) {
        return chunks(n, grain, threads());
    }

    /** First iteration of chunk {@code c} of {@code chunks} over {@code [0, n)}. */
    public static int start(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    private static int chunks(int n, int grain, int threads) {
        if (grain < 1) {
            throw new IllegalArgumentException("Parallel: grain must be >= 1, got " + grain);
        }
        if (n <= 0) {
            return 0;
        }
        long byGrain = ((long) n + grain - 1) / grain;
        return (int) Math.min(threads, byGrain);
    }

    private static Pool pool() {
        Pool p = pool;
        if (p == null) {
            synchronized (LOCK) {
                p = pool;
                if (p == null) {
                    p = new Pool(defaultThreads());
                    pool = p;
                }
            }
        }
        return p;
    }

    private static int defaultThreads() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be a whole number >= 1, got '" + value + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be >= 1, got " + n);
        }
        return n;
    }

    /** One parallel region: what the workers read. Immutable apart from its counters. */
    private static final class Job {
        final Chunk body;
        final int n;
        final int chunks;
        final Thread caller;
        /** The next chunk to claim; the caller has chunk 0 from the start. */
        final AtomicInteger next = new AtomicInteger(1);
        final AtomicInteger done = new AtomicInteger();
        final Throwable[] failures;

        Job(Chunk body, int n, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.caller = caller;
            this.failures = new Throwable[chunks];
        }

        /** Runs chunks while any is unclaimed; returns after the last one this thread could claim. */
        void runClaimed(int first) {
            for (int c = first; c < chunks; c = next.getAndIncrement()) {
                try {
                    body.run(c, start(n, chunks, c), start(n, chunks, c + 1));
                } catch (Throwable t) {
                    failures[c] = t;  // each chunk writes its own slot; read after all are done
                }
                if (done.incrementAndGet() == chunks && Thread.currentThread() != caller) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    /** {@code size - 1} workers that claim the chunks of each job alongside the caller. */
    private static final class Pool {
        final int size;
        final AtomicBoolean busy = new AtomicBoolean();
        final Worker[] workers;
        volatile Job job;
        volatile boolean shutdown;

        Pool(int size) {
            this.size = size;
            this.workers = new Worker[size - 1];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = new Worker(this, w + 1);
                workers[w].start();
            }
        }

        /** Called with {@link #busy} held, so one job at a time. */
        void run(int n, int chunks, Chunk body) {
            Job j = new Job(body, n, chunks, Thread.currentThread());
            job = j;  // the volatile write that publishes the job
            for (int w = 0; w < chunks - 1; w++) {
                if (workers[w].parked) {
                    LockSupport.unpark(workers[w]);
                }
            }
            j.runClaimed(0);
            // Every chunk is claimed now; wait for the ones other threads are still running.
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            while (j.done.get() < chunks) {
                if ((++spins & 63) != 0 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 100_000);  // the last chunk to finish unparks us sooner
                }
            }
            for (Throwable t : j.failures) {
                if (t != null) {
                    if (t instanceof RuntimeException e) {
                        throw e;
                    }
                    if (t instanceof Error e) {
                        throw e;
                    }
                    throw new IllegalStateException(t);
                }
            }
        }

        void shutdown() {
            // Wait until no job is in flight, then keep the pool busy for good: nothing new starts.
            while (!busy.compareAndSet(false, true)) {
                Thread.onSpinWait();
            }
            shutdown = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    private static final class Worker extends Thread {
        private final Pool owner;
        volatile boolean parked;

        Worker(Pool owner, int index) {
            super("fer4j-worker-" + index);
            this.owner = owner;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (true) {
                Job j = owner.job;
                if (j != seen) {
                    seen = j;
                    j.runClaimed(j.next.getAndIncrement());
                    continue;
                }
                if (owner.shutdown) {
                    return;
                }
                idle(seen);
            }
        }

        /** Spins for a while, then parks until a new job or shutdown. */
        private void idle(Job seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            while (owner.job == seen && !owner.shutdown) {
                if ((++spins & 63) != 0 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // Re-check after announcing: a job published before `parked` was visible would
                    // otherwise go unnoticed; one published after it comes with an unpark.
                    if (owner.job == seen && !owner.shutdown) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }
    }
}
