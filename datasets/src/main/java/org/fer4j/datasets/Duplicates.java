package org.fer4j.datasets;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Groups of pixel-identical images (FER2013 has about 1,500, some shared between Training and the
 * test sets: a model that memorises them scores better than it generalises). Found by a 64-bit hash
 * of each image, sorted, with every candidate pair confirmed byte for byte.
 *
 * @param groups      groups of two or more identical images
 * @param images      images in those groups
 * @param crossSplit  groups with members in more than one of train, val and test
 * @param conflicting groups whose members carry different classes
 * @param removed     images removed per {@link Split} by de-duplication; all 0 when it was not asked for
 */
public record Duplicates(int groups, int images, int crossSplit, int conflicting, int[] removed) {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    public Duplicates {
        removed = removed.clone();
    }

    @Override
    public int[] removed() {
        return removed.clone();
    }

    public int removedTotal() {
        return Arrays.stream(removed).sum();
    }

    /**
     * Finds the groups among the images with {@code role[i] >= 0} and, when {@code dedup}, keeps one
     * image of each group, in the earliest role (train before val before test, then the first in
     * source order), marking the others {@code role = -1}.
     */
    static Duplicates find(byte[] pixels, int imageSize, int[] labels, int[] role, boolean dedup) {
        return find(pixels, imageSize, labels, role, dedup, Duplicates::hash);
    }

    /** A hash of {@code len} bytes at {@code off}; equal bytes must give equal hashes. */
    @FunctionalInterface
    interface ImageHash {
        long of(byte[] b, int off, int len);
    }

    /**
     * {@link #find(byte[], int, int[], int[], boolean)} with a given hash, so that a test can make
     * hashes collide and show that only byte-for-byte equal images are grouped.
     */
    static Duplicates find(byte[] pixels, int imageSize, int[] labels, int[] role, boolean dedup, ImageHash hash) {
        int n = role.length;
        long[] hashes = new long[n];
        Integer[] order = new Integer[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (role[i] >= 0) {
                hashes[i] = hash.of(pixels, i * imageSize, imageSize);
                order[m++] = i;
            }
        }
        Integer[] kept = Arrays.copyOf(order, m);
        Arrays.sort(kept, (a, b) -> {
            int c = Long.compare(hashes[a], hashes[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int groups = 0;
        int images = 0;
        int cross = 0;
        int conflicting = 0;
        int[] removed = new int[Split.values().length];
        for (int start = 0; start < m; ) {
            int end = start + 1;
            while (end < m && hashes[kept[end]] == hashes[kept[start]]) {
                end++;
            }
            if (end - start > 1) {
                // Equal hashes: split the run into groups of truly equal bytes.
                List<List<Integer>> exact = new ArrayList<>();
                for (int k = start; k < end; k++) {
                    int i = kept[k];
                    List<Integer> home = null;
                    for (List<Integer> g : exact) {
                        int j = g.get(0);
                        if (Arrays.equals(pixels, i * imageSize, (i + 1) * imageSize, pixels, j * imageSize, (j + 1) * imageSize)) {
                            home = g;
                            break;
                        }
                    }
                    if (home == null) {
                        home = new ArrayList<>();
                        exact.add(home);
                    }
                    home.add(i);
                }
                for (List<Integer> g : exact) {
                    if (g.size() < 2) {
                        continue;
                    }
                    groups++;
                    images += g.size();
                    int roles = 0;
                    boolean mixed = false;
                    int keep = g.get(0);
                    for (int i : g) {
                        roles |= 1 << role[i];
                        mixed |= labels[i] != labels[g.get(0)];
                        if (role[i] < role[keep] || (role[i] == role[keep] && i < keep)) {
                            keep = i;
                        }
                    }
                    if (Integer.bitCount(roles) > 1) {
                        cross++;
                    }
                    if (mixed) {
                        conflicting++;
                    }
                    if (dedup) {
                        for (int i : g) {
                            if (i != keep) {
                                removed[role[i]]++;
                                role[i] = -1;
                            }
                        }
                    }
                }
            }
            start = end;
        }
        return new Duplicates(groups, images, cross, conflicting, removed);
    }

    /** A 64-bit hash of {@code len} bytes at {@code off}: eight bytes at a time, then the tail. */
    static long hash(byte[] b, int off, int len) {
        long h = 0x2545F4914F6CDD1DL ^ len;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long v = (long) LONGS.get(b, off + i);
            h = Long.rotateLeft(h ^ (v * 0x9E3779B97F4A7C15L), 29) * 0xBF58476D1CE4E5B9L;
        }
        for (; i < len; i++) {
            h = (h ^ (b[off + i] & 0xFF)) * 0x100000001B3L;
        }
        return Seeds.mix(h, 0);
    }
}
