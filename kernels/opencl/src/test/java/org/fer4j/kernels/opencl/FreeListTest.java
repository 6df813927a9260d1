package org.fer4j.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The device arena's free list, on its own: no OpenCL needed. */
class FreeListTest {

    @Test
    void firstFitSplitsABlockAndFreedNeighboursMergeAgain() {
        FreeList free = new FreeList();
        free.release(0, 100);
        assertEquals(0, free.allocate(30));
        assertEquals(30, free.allocate(30));
        assertEquals(60, free.allocate(40));
        assertEquals(-1, free.allocate(1), "full");
        free.release(0, 30);
        free.release(60, 40);
        assertEquals("{0=30, 60=40}", free.toString());
        assertEquals(60, free.allocate(35), "the first block that fits, not the first block");
        free.release(60, 35);
        free.release(30, 30);
        assertEquals("{0=100}", free.toString(), "merged with both neighbours");
    }

    /**
     * Random allocations and releases never hand out overlapping blocks, and freeing everything
     * gives back one block. (TreeMap.remove moves a successor's entry into the removed node, so
     * reading an entry after removing it once gave two live arrays the same memory.)
     */
    @Test
    void liveBlocksNeverOverlap() {
        SplittableRandom r = new SplittableRandom(18);
        FreeList free = new FreeList();
        free.release(0, 10_000);
        List<int[]> live = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            if (!live.isEmpty() && r.nextInt(3) == 0) {
                int[] b = live.remove(r.nextInt(live.size()));
                free.release(b[0], b[1]);
                continue;
            }
            int len = 1 + r.nextInt(200);
            int off = free.allocate(len);
            if (off < 0) {
                continue;
            }
            for (int[] b : live) {
                assertTrue(off + len <= b[0] || b[0] + b[1] <= off,
                        "[" + off + ", " + (off + len) + ") overlaps [" + b[0] + ", " + (b[0] + b[1]) + ")");
            }
            assertTrue(off >= 0 && off + len <= 10_000);
            live.add(new int[] {off, len});
        }
        for (int[] b : live) {
            free.release(b[0], b[1]);
        }
        assertEquals("{0=10000}", free.toString());
    }
}
