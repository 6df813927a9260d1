package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's thread pool: the static split, nesting, errors, and what determinism rests on. */
class ParallelTest {

    private int saved;

    @BeforeEach
    void remember() {
        saved = Parallel.threads();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void threadCountIsValidatedWithTheFlagName() {
        var e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertEquals("--threads must be >= 1, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(-3));
        Parallel.setThreads(3);
        assertEquals(3, Parallel.threads());
        Parallel.setThreads(1);
        assertEquals(1, Parallel.threads());
    }

    @Test
    void splitIsContiguousStaticAndCoversEveryIndexOnce() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 2, 3, 7, 13, 1021}) {
                List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
                int[] hits = new int[n];
                Parallel.forChunks(n, 1, (chunk, from, to) -> {
                    ranges.add(new int[] {chunk, from, to});
                    for (int i = from; i < to; i++) {
                        hits[i]++;  // distinct indices per chunk: no race
                    }
                });
                int chunks = Math.min(threads, n);
                assertEquals(chunks, Parallel.chunks(n, 1));
                assertEquals(chunks, ranges.size(), "n=" + n + ", threads=" + threads);
                for (int[] r : ranges) {
                    assertEquals(Parallel.start(n, chunks, r[0]), r[1]);
                    assertEquals(Parallel.start(n, chunks, r[0] + 1), r[2]);
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits[i], "index " + i);
                }
            }
        }
    }

    @Test
    void grainLimitsTheNumberOfChunks() {
        Parallel.setThreads(4);
        assertEquals(1, Parallel.chunks(100, 100));
        assertEquals(2, Parallel.chunks(101, 100));
        assertEquals(4, Parallel.chunks(10_000, 100));
        var e = assertThrows(IllegalArgumentException.class, () -> Parallel.chunks(10, 0));
        assertTrue(e.getMessage().contains("grain must be >= 1"), e.getMessage());
    }

    @Test
    void chunksRunOnPoolThreadsAndTheCallerRunsChunkZero() throws InterruptedException {
        Parallel.setThreads(3);
        Set<String> names = ConcurrentHashMap.newKeySet();
        Thread[] first = new Thread[1];
        // Chunk 0 holds the caller until the other two have started, so they must be workers'.
        CountDownLatch others = new CountDownLatch(2);
        boolean[] met = new boolean[1];
        Parallel.forChunks(3, 1, (chunk, from, to) -> {
            names.add(Thread.currentThread().getName());
            if (chunk == 0) {
                first[0] = Thread.currentThread();
                try {
                    met[0] = others.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                others.countDown();
            }
        });
        assertSame(Thread.currentThread(), first[0]);
        assertTrue(met[0], "the workers never ran chunks 1 and 2");
        // Chunks 1 and 2 ran on workers (one worker may have claimed both).
        names.remove(Thread.currentThread().getName());
        assertTrue(!names.isEmpty() && names.stream().allMatch(n -> n.startsWith("fer4j-worker-")), names.toString());
    }

    @Test
    void aCallerWithNoFreeWorkerRunsEveryChunkItself() {
        // Chunk 1 is claimed by whichever thread gets to it first; here the workers are made busy
        // by an outer region on every thread, so nested regions run inline on each caller.
        Parallel.setThreads(2);
        String[] ranBy = new String[4];
        Parallel.forChunks(2, 1, (outer, f, t) -> {
            if (outer == 0) {
                Parallel.forChunks(2, 1, (chunk, from, to) -> ranBy[chunk] = Thread.currentThread().getName());
            }
        });
        assertEquals(Thread.currentThread().getName(), ranBy[0]);
        assertEquals(Thread.currentThread().getName(), ranBy[1]);
    }

    @Test
    void nestedCallsRunInlineWithTheSameSplit() {
        Parallel.setThreads(2);
        int n = 10;
        int[][] inner = new int[2][n];
        Parallel.forChunks(2, 1, (outer, from, to) -> Parallel.forChunks(n, 1, (chunk, f, t) -> {
            for (int i = f; i < t; i++) {
                inner[outer][i] = chunk + 1;  // which chunk computed index i
            }
        }));
        int[] expected = {1, 1, 1, 1, 1, 2, 2, 2, 2, 2};
        assertArrayEquals(expected, inner[0]);
        assertArrayEquals(expected, inner[1]);
    }

    @Test
    void theLowestFailingChunkIsRethrownAfterAllFinish() {
        Parallel.setThreads(3);
        boolean[] ran = new boolean[3];
        var e = assertThrows(IllegalStateException.class, () -> Parallel.forChunks(3, 1, (chunk, from, to) -> {
            ran[chunk] = true;
            if (chunk >= 1) {
                throw new IllegalStateException("chunk " + chunk);
            }
        }));
        assertEquals("chunk 1", e.getMessage());
        assertTrue(ran[0] && ran[1] && ran[2]);
        // The pool is usable afterwards.
        int[] sum = new int[1];
        Parallel.forRange(1, (from, to) -> sum[0] += to - from);
        assertEquals(1, sum[0]);
    }

    /**
     * A float sum over chunks, each chunk writing its own partial and the partials added in chunk
     * order: the pattern Conv2D uses for dkernel. Same thread count, same bits, run after run;
     * another thread count, a different rounding but the same value within tolerance.
     */
    @Test
    void orderedPartialsGiveTheSameBitsForTheSameThreadCount() {
        float[] x = new float[100_003];
        Random random = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        Parallel.setThreads(2);
        float two = chunkedSum(x);
        for (int run = 0; run < 20; run++) {
            assertEquals(Float.floatToIntBits(two), Float.floatToIntBits(chunkedSum(x)), "run " + run);
        }
        Parallel.setThreads(1);
        float one = chunkedSum(x);
        double exact = 0;
        for (float v : x) {
            exact += v;
        }
        double tolerance = x.length * 0x1.0p-24 * x.length;  // |x| <= 1: a generous float-sum bound
        assertEquals(exact, one, tolerance);
        assertEquals(exact, two, tolerance);
    }

    private static float chunkedSum(float[] x) {
        int chunks = Parallel.chunks(x.length, 1);
        float[] partial = new float[chunks];
        Parallel.forChunks(x.length, 1, (chunk, from, to) -> {
            float s = 0;
            for (int i = from; i < to; i++) {
                s += x[i];
            }
            partial[chunk] = s;
        });
        float total = 0;
        for (float p : partial) {
            total += p;
        }
        return total;
    }

    @Test
    void manyShortRegionsInARow() {
        // Thousands of tiny regions, as a batch-1 forward pass issues: none is lost or run twice.
        Parallel.setThreads(2);
        long[] counts = new long[2];
        for (int r = 0; r < 5_000; r++) {
            Parallel.forChunks(2, 1, (chunk, from, to) -> counts[chunk]++);
        }
        assertEquals(5_000, counts[0]);
        assertEquals(5_000, counts[1]);
    }
}
