package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitSpecTest {
    /** 3 classes of 500, 120 and 17 images, interleaved. */
    private static int[] labels() {
        int[] counts = {500, 120, 17};
        int[] labels = new int[637];
        int at = 0;
        int[] left = counts.clone();
        while (at < labels.length) {
            for (int c = 0; c < 3; c++) {
                if (left[c]-- > 0) {
                    labels[at++] = c;
                }
            }
        }
        return labels;
    }

    private static int[][] table(int[] labels, int[] role) {
        int[][] t = new int[3][3];
        for (int i = 0; i < labels.length; i++) {
            t[role[i]][labels[i]]++;
        }
        return t;
    }

    @Test
    void parsesTheForms() {
        assertEquals(SplitSpec.OWN, SplitSpec.parse("own"));
        assertEquals(SplitSpec.AUTO, SplitSpec.parse(" Auto "));
        assertEquals(0.1, SplitSpec.parse("own,val=0.1").valFraction(), 1e-12);
        assertEquals(0.1, SplitSpec.parse("own,val=10%").valFraction(), 1e-12);
        // A bare number >= 1 is 2% or a typo for 0.2: refused, not guessed.
        assertThrows(IllegalArgumentException.class, () -> SplitSpec.parse("own,val=2"));
        assertThrows(IllegalArgumentException.class, () -> SplitSpec.parse("own,val=-0.1"));
        assertEquals(List.of(0.72, 0.14, 0.14), SplitSpec.parse("72/14/14").ratios());
        assertEquals(SplitSpec.parse("80/20").ratios(), SplitSpec.parse("0.8/0.2").ratios());
        assertEquals("72/14/14", SplitSpec.parse("72/14/14").describe());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SplitSpec.parse("80-20"));
        assertTrue(e.getMessage().startsWith("--split 80-20: expected own, auto"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SplitSpec.parse("80/0"));
        assertThrows(IllegalArgumentException.class, () -> SplitSpec.parse("50/20/20/10"));
        assertThrows(IllegalArgumentException.class, () -> SplitSpec.parse("80/20,val=0.1"));
    }

    @Test
    void ratiosAreStratifiedPerClass() {
        int[] labels = labels();
        int[] role = SplitSpec.parse("72/14/14").assign(labels, null, 3, 7);
        int[][] t = table(labels, role);
        int[] sizes = {500, 120, 17};
        double[] ratios = {0.72, 0.14, 0.14};
        for (int c = 0; c < 3; c++) {
            int sum = 0;
            for (int s = 0; s < 3; s++) {
                assertTrue(Math.abs(t[s][c] - sizes[c] * ratios[s]) < 1, "class " + c + " split " + s + ": " + t[s][c]);
                sum += t[s][c];
            }
            assertEquals(sizes[c], sum);
        }
        int[][] two = table(labels, SplitSpec.parse("80/20").assign(labels, null, 3, 7));
        assertArrayEquals(new int[] {400, 96, 14}, two[0]);
        assertArrayEquals(new int[] {100, 24, 3}, two[1]);
        assertArrayEquals(new int[] {0, 0, 0}, two[2]);
    }

    @Test
    void theSeedDecidesTheSplit() {
        int[] labels = labels();
        SplitSpec s = SplitSpec.parse("72/14/14");
        assertArrayEquals(s.assign(labels, null, 3, 42), s.assign(labels, null, 3, 42));
        assertFalse(Arrays.equals(s.assign(labels, null, 3, 42), s.assign(labels, null, 3, 43)));
    }

    @Test
    void droppedImagesStayDropped() {
        int[] labels = labels();
        labels[0] = -1;
        labels[5] = -1;
        int[] role = SplitSpec.parse("80/20").assign(labels, null, 3, 1);
        assertEquals(-1, role[0]);
        assertEquals(-1, role[5]);
        assertTrue(Arrays.stream(role).filter(r -> r >= 0).count() == labels.length - 2);
    }

    @Test
    void ownSplitFollowsTheSourceAndCanCarveVal() {
        int[] labels = labels();
        Split[] source = new Split[labels.length];
        for (int i = 0; i < labels.length; i++) {
            source[i] = i % 10 == 0 ? Split.TEST : Split.TRAIN;
        }
        int[] own = SplitSpec.OWN.assign(labels, source, 3, 1);
        for (int i = 0; i < labels.length; i++) {
            assertEquals(source[i].ordinal(), own[i]);
        }
        int[] carved = SplitSpec.parse("own,val=0.25").assign(labels, source, 3, 1);
        int[][] t = table(labels, carved);
        int[][] before = table(labels, own);
        assertArrayEquals(before[2], t[2], "test untouched");
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(t[1][c] - before[0][c] * 0.25) < 1, "val of class " + c + ": " + t[1][c]);
            assertEquals(before[0][c], t[0][c] + t[1][c]);
        }
        // auto: own for a source with a split, 72/14/14 for one without.
        assertArrayEquals(own, SplitSpec.AUTO.assign(labels, source, 3, 1));
        assertArrayEquals(SplitSpec.parse("72/14/14").assign(labels, null, 3, 1), SplitSpec.AUTO.assign(labels, null, 3, 1));
    }

    @Test
    void largestRemainderAddsUp() {
        assertArrayEquals(new int[] {2, 1, 0}, SplitSpec.largestRemainder(3, List.of(0.72, 0.14, 0.14)));
        assertArrayEquals(new int[] {1, 0}, SplitSpec.largestRemainder(1, List.of(0.8, 0.2)));
        assertArrayEquals(new int[] {0, 0, 0}, SplitSpec.largestRemainder(0, List.of(0.72, 0.14, 0.14)));
    }
}
