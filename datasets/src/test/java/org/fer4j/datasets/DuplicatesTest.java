package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class DuplicatesTest {
    /** Images of 4 bytes: {@code ids[i]} picks the content, so equal ids are identical images. */
    private static byte[] pixels(int... ids) {
        byte[] p = new byte[ids.length * 4];
        for (int i = 0; i < ids.length; i++) {
            for (int k = 0; k < 4; k++) {
                p[i * 4 + k] = (byte) (ids[i] * 31 + k);
            }
        }
        return p;
    }

    @Test
    void findsGroupsAcrossSplitsAndConflictingLabels() {
        //                 image:  0  1  2  3  4  5  6  7
        byte[] px = pixels(        1, 2, 1, 3, 2, 1, 4, 5);
        int[] labels = {           0, 1, 0, 2, 1, 3, 0, 0};
        int[] role = {             0, 0, 1, 0, 2, 2, 0, -1};
        Duplicates d = Duplicates.find(px, 4, labels, role, false);
        assertEquals(2, d.groups());             // {0, 2, 5} and {1, 4}
        assertEquals(5, d.images());
        assertEquals(2, d.crossSplit());
        assertEquals(1, d.conflicting());        // image 5 says 3, its copies 0
        assertArrayEquals(new int[] {0, 0, 0}, d.removed());
        assertArrayEquals(new int[] {0, 0, 1, 0, 2, 2, 0, -1}, role, "untouched without dedup");
    }

    @Test
    void dedupKeepsTheTrainingCopy() {
        byte[] px = pixels(1, 2, 1, 3, 2, 1, 6, 6, 7, 7);
        int[] labels = new int[10];
        int[] role = {1, 0, 0, 0, 2, 2, 1, 2, 0, 0};
        Duplicates d = Duplicates.find(px, 4, labels, role, true);
        assertEquals(4, d.groups());
        // {0v,2t,5s}: keep 2 (train). {1t,4s}: keep 1. {6v,7s}: keep 6 (val before test). {8t,9t}: keep 8.
        assertArrayEquals(new int[] {-1, 0, 0, 0, -1, -1, 1, -1, 0, -1}, role);
        assertArrayEquals(new int[] {1, 1, 3}, d.removed());
        assertEquals(5, d.removedTotal());
    }

    @Test
    void hashCollisionsAreConfirmedByteForByte() {
        // A hash that collides for every image: only byte-for-byte equal images may be grouped.
        byte[] px = pixels(1, 2, 1, 3, 2, 1, 6, 6, 7);
        int[] labels = new int[9];
        int[] role = {1, 0, 0, 0, 2, 2, 1, 2, 0};
        int[] roleWithCollisions = role.clone();
        Duplicates real = Duplicates.find(px, 4, labels, role, true);
        Duplicates collided = Duplicates.find(px, 4, labels, roleWithCollisions, true, (b, off, len) -> 42L);
        assertEquals(3, collided.groups());      // {0, 2, 5}, {1, 4}, {6, 7}; not one group of 9
        assertEquals(7, collided.images());
        assertArrayEquals(real.removed(), collided.removed());
        assertArrayEquals(role, roleWithCollisions, "the same images kept as with the real hash");
    }

    @Test
    void theHashSeesEveryByteIncludingTheTail() {
        byte[] a = new byte[37];
        byte[] b = a.clone();
        b[36] = 1;
        assertEquals(Duplicates.hash(a, 0, 37), Duplicates.hash(a.clone(), 0, 37));
        assertNotEquals(Duplicates.hash(a, 0, 37), Duplicates.hash(b, 0, 37));
    }
}
