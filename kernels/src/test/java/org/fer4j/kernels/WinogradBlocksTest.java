package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How VectorWinograd cuts a call's tiles into blocks: within the cache bound, and the same work for every thread. */
class WinogradBlocksTest {

    @Test
    void everyThreadGetsTheSameTilesToWithinLessThanABlockCount() {
        for (int positions : new int[] {16, 36}) {
            for (int[] cf : new int[][] {{32, 64}, {64, 128}, {128, 128}, {256, 256}}) {
                long bound = Math.max(VectorGemm.NR,
                        VectorWinograd.BLOCK_FLOATS / ((long) positions * (cf[0] + cf[1])) / VectorGemm.NR * VectorGemm.NR);
                for (int threads = 1; threads <= 4; threads++) {
                    for (int tiles = 1; tiles <= 3000; tiles += tiles < 200 ? 1 : 37) {
                        int block = VectorWinograd.blockTiles(positions, cf[0], cf[1], tiles, threads);
                        String what = positions + " positions, C " + cf[0] + ", F " + cf[1] + ", " + tiles + " tiles, "
                                + threads + " threads: block " + block;
                        assertTrue(block >= 1 && block <= bound, what);
                        int blocks = (tiles + block - 1) / block;
                        int chunks = Math.min(threads, blocks);
                        int most = 0;
                        int least = Integer.MAX_VALUE;
                        for (int c = 0; c < chunks; c++) {
                            int from = Parallel.start(blocks, chunks, c) * block;
                            int to = Math.min(tiles, Parallel.start(blocks, chunks, c + 1) * block);
                            most = Math.max(most, to - from);
                            least = Math.min(least, to - from);
                        }
                        assertTrue(chunks == 1 || most - least < blocks, what + ": " + most + " against " + least);
                    }
                }
            }
        }
        // fer-ref's 44x44 layer at batch 1 on 2 threads: 484 tiles, once split 320 / 164
        assertEquals(121, VectorWinograd.blockTiles(16, 32, 64, 484, 2));
    }
}
