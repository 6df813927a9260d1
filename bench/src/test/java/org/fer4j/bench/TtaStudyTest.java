package org.fer4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TtaStudyTest {
    private static byte[] randomFace(long seed) {
        byte[] face = new byte[48 * 48];
        new SplittableRandom(seed).nextBytes(face);
        return face;
    }

    private static float[] unsigned(byte[] face) {
        float[] f = new float[face.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = face[i] & 0xff;
        }
        return f;
    }

    @Test
    void theFaceItselfIsTheIdentityView() {
        byte[] face = randomFace(1);
        assertArrayEquals(unsigned(face), TtaStudy.view(face, new TtaStudy.View(0, 0, false, 0)));
    }

    @Test
    void aShiftReadsThePixelsTwoColumnsOnAndRepeatsTheBorder() {
        byte[] face = randomFace(2);
        float[] v = TtaStudy.view(face, new TtaStudy.View(2, 0, false, 0));
        assertEquals(face[5 * 48 + 12] & 0xff, v[5 * 48 + 10]);
        assertEquals(face[5 * 48 + 47] & 0xff, v[5 * 48 + 46], "past the right edge: the last column");
    }

    @Test
    void theMirrorReversesEachRow() {
        byte[] face = randomFace(3);
        float[] v = TtaStudy.view(face, new TtaStudy.View(0, 0, true, 0));
        assertEquals(face[7 * 48 + 47] & 0xff, v[7 * 48]);
        assertEquals(face[7 * 48] & 0xff, v[7 * 48 + 47]);
    }

    @Test
    void aCropOfAConstantFaceIsConstantAndACropOfARampStaysInsideItsSquare() {
        byte[] grey = new byte[48 * 48];
        java.util.Arrays.fill(grey, (byte) 77);
        for (float p : TtaStudy.view(grey, new TtaStudy.View(4, 4, false, 4))) {
            assertEquals(77f, p, 1e-4f);
        }
        byte[] ramp = new byte[48 * 48];
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                ramp[y * 48 + x] = (byte) (x * 5);
            }
        }
        float[] v = TtaStudy.view(ramp, new TtaStudy.View(4, 0, false, 4));  // columns 4..47 scaled to 48
        for (int x = 0; x < 48; x++) {
            float source = 4 + (x + 0.5f) * 44 / 48f - 0.5f;
            assertEquals(Math.clamp(source, 0, 47) * 5, v[x], 1e-3f, "column " + x);
        }
    }

    @Test
    void accuracyAveragesTheChosenViewsOfEveryModel() {
        // Two faces, class 0 and 1; the single view gets face 1 wrong, its mirror gets it right more strongly.
        int views = 20;
        float[][][] p = new float[views][2][];
        for (int v = 0; v < views; v++) {
            p[v][0] = new float[] {0.9f, 0.1f};
            p[v][1] = new float[] {0.5f, 0.5f};
        }
        p[0][1] = new float[] {0.6f, 0.4f};
        p[10][1] = new float[] {0.1f, 0.9f};   // the mirrored face itself (views 10..19 are mirrored)
        int[] labels = {0, 1};
        TtaStudy.Scheme single = new TtaStudy.Scheme("single", v -> v.crop() == 0 && v.dx() == 0 && v.dy() == 0 && !v.mirror());
        TtaStudy.Scheme flip = new TtaStudy.Scheme("flip", v -> v.crop() == 0 && v.dx() == 0 && v.dy() == 0);
        assertEquals(50.0, TtaStudy.accuracy(java.util.Collections.singletonList(p), single, labels), 1e-9);
        assertEquals(100.0, TtaStudy.accuracy(java.util.Collections.singletonList(p), flip, labels), 1e-9);
    }
}
