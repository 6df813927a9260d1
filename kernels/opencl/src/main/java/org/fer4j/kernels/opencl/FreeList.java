package org.fer4j.kernels.opencl;

import java.util.Map;
import java.util.TreeMap;

/**
 * The free space of one device arena ({@link OpenClKernels} keeps one for floats, one for ints):
 * blocks {@code [offset, offset + length)} of elements, first fit, with neighbouring blocks merged
 * again when freed. Pure bookkeeping: it hands out offsets and never touches device memory; the
 * arena grows by {@link #release releasing} the new tail of a larger buffer.
 */
final class FreeList {

    /** Free blocks: offset to length, ordered by offset; no two blocks touch. */
    private final TreeMap<Integer, Integer> free = new TreeMap<>();

    /** The offset of a free block of {@code capacity} elements, now taken; -1 when none is large enough. */
    int allocate(int capacity) {
        for (Map.Entry<Integer, Integer> e : free.entrySet()) {
            // Key and length are read before the removal: TreeMap.remove of a node with two
            // children moves its successor's key and value into that node, so `e` would then
            // describe another free block (which once gave two live arrays the same memory).
            int off = e.getKey();
            int len = e.getValue();
            if (len >= capacity) {
                free.remove(off);
                if (len > capacity) {
                    free.put(off + capacity, len - capacity);
                }
                return off;
            }
        }
        return -1;
    }

    /** Frees {@code [off, off + len)}, merged with the free blocks just before and just after it. */
    void release(int off, int len) {
        Map.Entry<Integer, Integer> before = free.floorEntry(off);
        if (before != null && before.getKey() + before.getValue() == off) {
            off = before.getKey();
            len += before.getValue();
            free.remove(off);
        }
        Integer after = free.get(off + len);
        if (after != null) {
            free.remove(off + len);
            len += after;
        }
        free.put(off, len);
    }

    /** The free blocks as {@code {offset=length, ...}}, for tests and messages. */
    @Override
    public String toString() {
        return free.toString();
    }
}
