package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelsProviderTest {

    @Test
    void scalarByName() {
        Kernels kernels = KernelsProvider.forName("scalar");
        assertInstanceOf(ScalarKernels.class, kernels);
        assertEquals("scalar", kernels.name());
        assertEquals("scalar", KernelsProvider.forName(" Scalar ").name());
    }

    @Test
    void autoAndAbsentPickScalarInThisBuild() {
        assertEquals("scalar", KernelsProvider.forName("auto").name());
        assertEquals("scalar", KernelsProvider.forName(null).name());
        assertEquals("scalar", KernelsProvider.forName("").name());
    }

    @Test
    void forNameDoesNotCache() {
        assertNotSame(KernelsProvider.forName("scalar"), KernelsProvider.forName("scalar"));
    }

    @Test
    void missingBackendsFailWithOneLineThatSaysWhatToDo() {
        for (String name : new String[] {"vector", "opencl"}) {
            var e = assertThrows(IllegalStateException.class, () -> KernelsProvider.forName(name));
            String message = e.getMessage();
            assertTrue(message.contains("not part of this build"), message);
            assertTrue(message.contains("-Dfer4j.kernels=scalar"), message);
            assertFalse(message.contains("\n"), message);
        }
    }

    @Test
    void unknownValueNamesTheProperty() {
        var e = assertThrows(IllegalArgumentException.class, () -> KernelsProvider.forName("bogus"));
        assertEquals("-Dfer4j.kernels must be one of scalar, vector, opencl, auto; got 'bogus'", e.getMessage());
    }

    @Test
    void getChoosesOnceAndSaysWhy() {
        // The suite runs without -Dfer4j.kernels or with a backend that exists, so get() succeeds.
        Kernels kernels = KernelsProvider.get();
        assertSame(kernels, KernelsProvider.get());
        String reason = KernelsProvider.selectionReason();
        assertTrue(reason.startsWith("fer4j kernels: " + kernels.name() + " ("), reason);
        assertFalse(reason.contains("\n"), reason);
    }

    @Test
    void autoExplainsTheFallback() {
        // forName does not expose the reason, so check it through the process-wide choice when
        // the suite runs with the default (auto) selection.
        if (System.getProperty(KernelsProvider.PROPERTY) == null) {
            assertEquals("fer4j kernels: scalar (the Vector API backend is not part of this build)",
                    KernelsProvider.selectionReason());
        }
    }

    @Test
    void usingReplacesTheKernelsOnThisThreadOnly() throws Exception {
        Kernels process = KernelsProvider.get();
        Kernels other = new ScalarKernels();
        Kernels seen = KernelsProvider.using(other, () -> {
            Kernels[] elsewhere = new Kernels[1];
            Thread t = new Thread(() -> elsewhere[0] = KernelsProvider.get());
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertSame(process, elsewhere[0]);
            return KernelsProvider.get();
        });
        assertSame(other, seen);
        assertSame(process, KernelsProvider.get());
    }
}
