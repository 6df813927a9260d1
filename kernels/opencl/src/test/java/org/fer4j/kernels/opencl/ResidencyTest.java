package org.fer4j.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The residency protocol: what is uploaded and downloaded, and when. */
class ResidencyTest {

    private static final int N = 10_000; // above RESIDENT_MIN: kept on the device
    private OpenClKernels ocl;

    @BeforeEach
    void open() {
        ocl = OpenClTestSupport.kernels();
    }

    private static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i % 17 - 8;
        }
        return a;
    }

    @Test
    void anOutputReadByTheNextKernelIsNotCopied() {
        float[] x = ramp(N);
        float[] y = new float[N];
        float[] z = new float[N];
        ocl.resetStats();
        ocl.reluForward(y, x, N);       // uploads x; y is written on the device only
        assertEquals(1, ocl.stats().uploads());
        assertTrue(ocl.deviceLatest(y));
        assertEquals(0f, y[9], "the host copy of y is stale until hostRead");
        ocl.scale(y, 0, N, 2f);         // y stays on the device: nothing moves
        ocl.add(z, y, x, N);            // x is current on the device too
        assertEquals(1, ocl.stats().uploads());
        assertEquals(0, ocl.stats().downloads());
        ocl.hostRead(z);
        assertEquals(1, ocl.stats().downloads());
        assertEquals(2 * Math.max(x[9], 0) + x[9], z[9]);
        ocl.hostRead(z);                // already current: no copy
        assertEquals(1, ocl.stats().downloads());
    }

    /**
     * The regions of collected arrays are reused without ever giving two live arrays the same
     * memory. Every other array of 64 is dropped and treated as collected (its weak key enqueued,
     * as the garbage collector does, without waiting for one), which leaves a free list of 32
     * holes; new arrays of other sizes then go into them. (A slip in the free-list bookkeeping
     * once did exactly that, and corrupted the weights of a training run after its first GC.)
     */
    @Test
    void theRegionsOfCollectedArraysAreReusedWithoutOverlap() {
        int count = 64;
        float[][] live = new float[count][];
        for (int i = 0; i < count; i++) {
            live[i] = new float[2048 + 64 * i];
            ocl.fill(live[i], 0, live[i].length, i);    // written on the device only
        }
        for (int i = 1; i < count; i += 2) {
            ocl.collectedForTest(live[i]);  // all 32 holes at once, before any new allocation
            live[i] = null;
        }
        float[][] fresh = new float[count][];
        for (int i = 0; i < count; i++) {
            fresh[i] = new float[1024 + 96 * i];
            ocl.fill(fresh[i], 0, fresh[i].length, -1 - i);
        }
        ocl.synchronize();
        for (int i = 0; i < count; i += 2) {
            for (float v : live[i]) {
                assertEquals(i, v, "survivor " + i + " was overwritten");
            }
        }
        for (int i = 0; i < count; i++) {
            for (float v : fresh[i]) {
                assertEquals(-1 - i, v, "new array " + i + " was overwritten");
            }
        }
    }

    @Test
    void kernelTimeIsAccountedByOperation() {
        float[] a = ramp(64 * 64);
        float[] c = new float[64 * 64];
        ocl.resetStats();
        ocl.sgemm(false, false, 64, 64, 64, 1f, a, 0, 64, a, 0, 64, 0f, c, 0, 64);
        ocl.reluForward(c, c, c.length);
        var byOp = ocl.kernelMillisByOp();
        assertTrue(byOp.containsKey("sgemm") && byOp.containsKey("relu_forward"), byOp.toString());
        assertFalse(byOp.containsKey("adam"), byOp.toString());
        ocl.resetStats();
        assertTrue(ocl.kernelMillisByOp().isEmpty());
    }

    @Test
    void hostWroteForcesAnUpload() {
        float[] x = ramp(N);
        float[] y = new float[N];
        ocl.reluForward(y, x, N);
        ocl.resetStats();
        x[5] = 100f;
        ocl.reluForward(y, x, N);       // not told: the device copy of x is used
        ocl.hostRead(y);
        assertEquals(0f, y[5]);         // ramp(5) = -3 -> relu 0
        ocl.hostWrote(x);
        ocl.reluForward(y, x, N);
        ocl.hostRead(y);
        assertEquals(100f, y[5]);
        assertEquals(1, ocl.stats().uploads());
    }

    @Test
    void synchronizeBringsEverythingBackAndThenTrustsTheHost() {
        float[] x = ramp(N);
        float[] y = new float[N];
        ocl.reluForward(y, x, N);
        assertTrue(ocl.deviceLatest(y));
        ocl.synchronize();
        assertFalse(ocl.deviceLatest(y));
        float[] expected = new float[N];
        for (int i = 0; i < N; i++) {
            expected[i] = Math.max(x[i], 0);
        }
        assertArrayEquals(expected, y);
        // After synchronize a host write needs no call: the next kernel uploads.
        y[3] = 7f;
        ocl.scale(y, 0, N, 1f);
        ocl.hostRead(y);
        assertEquals(7f, y[3]);
    }

    @Test
    void smallArraysAreAlwaysCurrentOnTheHost() {
        float[] bias = {1, 2, 3};
        float[] y = new float[6];
        ocl.addBias(y, bias, 2, 3, 1);
        assertEquals(3f, y[5]); // no hostRead: small outputs come back at once
        bias[2] = 10f;          // no hostWrote: small inputs go up every time
        ocl.addBias(y, bias, 2, 3, 1);
        assertEquals(13f, y[5]);
    }

    @Test
    void uploadsMoveAtMostTwiceTheData() {
        float[] x = ramp(N + 1); // 10001 floats: staged in the 16384 class
        float[] y = new float[N + 1];
        ocl.resetStats();
        ocl.reluForward(y, x, N + 1);
        long bytes = ocl.stats().uploadBytes();
        assertTrue(bytes >= 4L * (N + 1) && bytes <= 8L * (N + 1), "uploaded " + bytes + " bytes");
    }
}
