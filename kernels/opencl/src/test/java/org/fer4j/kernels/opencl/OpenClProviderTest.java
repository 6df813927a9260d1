package org.fer4j.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fer4j.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/** Loading the backend by name through the provider, with the module on the class path. */
class OpenClProviderTest {

    @Test
    void aBadDeviceFailsWithOneLineThatSaysWhatToDo() {
        String saved = System.getProperty(OpenClDevices.DEVICE_PROPERTY);
        System.setProperty(OpenClDevices.DEVICE_PROPERTY, "99");
        try {
            var e = assertThrows(IllegalStateException.class, () -> KernelsProvider.forName("opencl"));
            String m = e.getMessage();
            assertFalse(m.contains("\n"), m);
            assertTrue(m.contains("-Dfer4j.kernels=scalar"), m);
            // With OpenCL: no device 99; without: no platform at all. Either way, said in one line.
            assertTrue(m.contains("there is no OpenCL device 99") || m.contains(OpenClDevices.NO_PLATFORM), m);
        } finally {
            if (saved == null) {
                System.clearProperty(OpenClDevices.DEVICE_PROPERTY);
            } else {
                System.setProperty(OpenClDevices.DEVICE_PROPERTY, saved);
            }
        }
    }

    @Test
    void byNameWhereOpenClIsInstalled() {
        OpenClTestSupport.kernels(); // skips without OpenCL
        assertEquals("opencl", KernelsProvider.forName("opencl").name());
    }

    @Test
    void autoNeverPicksOpenCl() {
        assertFalse(KernelsProvider.forName("auto").name().equals("opencl"));
    }
}
