package org.fer4j.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The choice of backend. The suite runs with {@code --add-modules jdk.incubator.vector} (surefire's
 * argLine), so the vector backend is available here; what happens without the module is checked in
 * a child JVM started without it.
 */
class KernelsProviderTest {

    @Test
    void scalarByName() {
        Kernels kernels = KernelsProvider.forName("scalar");
        assertInstanceOf(ScalarKernels.class, CheckedKernels.backendOf(kernels));
        assertEquals("scalar", kernels.name());
        assertEquals(0, kernels.vectorBits());
        assertEquals("scalar", KernelsProvider.forName(" Scalar ").name());
    }

    @Test
    void vectorByNameSaysItsWidthAndThreads() {
        assertNull(KernelsProvider.vectorUnavailableReason());
        Kernels kernels = KernelsProvider.forName("vector");
        assertEquals("vector", kernels.name());
        assertTrue(kernels.vectorBits() >= 128, "vector bits " + kernels.vectorBits());
        String fma = VectorKernels.fmaText(VectorKernels.useFmaOption());
        assertEquals("vector (" + kernels.vectorBits() + "-bit FloatVector, " + fma + Parallel.threadsText()
                + ")", kernels.describe());
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            assertTrue(kernels.describe().endsWith(fma + "1 thread)"), kernels.describe());
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void autoAndAbsentPickVectorWhenTheModuleIsReadable() {
        assertEquals("vector", KernelsProvider.forName("auto").name());
        assertEquals("vector", KernelsProvider.forName(null).name());
        assertEquals("vector", KernelsProvider.forName("").name());
    }

    @Test
    void forNameDoesNotCache() {
        assertNotSame(KernelsProvider.forName("scalar"), KernelsProvider.forName("scalar"));
        assertNotSame(KernelsProvider.forName("vector"), KernelsProvider.forName("vector"));
    }

    @Test
    void missingBackendFailsWithOneLineThatSaysWhatToDo() {
        var e = assertThrows(IllegalStateException.class, () -> KernelsProvider.forName("opencl"));
        String message = e.getMessage();
        // The kernels module alone: the optional fer4j-kernels-opencl is not on this class path.
        assertTrue(message.contains("the OpenCL backend is not part of this build: add fer4j-kernels-opencl"),
                message);
        assertTrue(message.contains("-Dfer4j.kernels=scalar"), message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void unknownValueNamesTheProperty() {
        var e = assertThrows(IllegalArgumentException.class, () -> KernelsProvider.forName("bogus"));
        assertEquals("-Dfer4j.kernels must be one of scalar, vector, opencl, auto; got 'bogus'", e.getMessage());
    }

    @Test
    void getChoosesOnceAndSaysWhyWithWidthAndThreads() {
        // The suite runs without -Dfer4j.kernels or with a backend that exists, so get() succeeds.
        Kernels kernels = KernelsProvider.get();
        assertSame(kernels, KernelsProvider.get());
        String reason = KernelsProvider.selectionReason();
        assertTrue(reason.startsWith("fer4j kernels: " + kernels.name() + " ("), reason);
        assertTrue(reason.contains(Parallel.threadsText()), reason);
        if (kernels.vectorBits() > 0) {
            assertTrue(reason.contains(kernels.vectorBits() + "-bit"), reason);
        }
        assertFalse(reason.contains("\n"), reason);
        String property = System.getProperty(KernelsProvider.PROPERTY);
        if (property == null) {
            assertEquals("fer4j kernels: " + kernels.describe() + ", the fastest available", reason);
        } else {
            assertTrue(reason.endsWith("chosen with -Dfer4j.kernels=" + property.strip()), reason);
        }
    }

    @Test
    void configureAgreesWithTheChoiceOrRefusesToSwitch() {
        Kernels kernels = KernelsProvider.get();
        assertDoesNotThrow(() -> KernelsProvider.configure(kernels.name()));
        assertDoesNotThrow(() -> KernelsProvider.configure("auto"));
        assertSame(kernels, KernelsProvider.get());
        String other = kernels.name().equals("scalar") ? "vector" : "scalar";
        var e = assertThrows(IllegalStateException.class, () -> KernelsProvider.configure(other));
        assertTrue(e.getMessage().contains(kernels.name() + " is already in use"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot switch to " + other), e.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> KernelsProvider.configure("simd"));
        assertEquals("--backend must be one of scalar, vector, opencl, auto; got 'simd'", bad.getMessage());
    }

    @Test
    void withoutTheVectorModuleAutoFallsBackAndSaysWhatToPass() throws Exception {
        String line = child(false, "auto");
        assertTrue(line.startsWith("fer4j kernels: scalar ("), line);
        assertTrue(line.endsWith("because vector is unavailable: pass --add-modules jdk.incubator.vector "
                + "to the java command"), line);
        String forced = child(false, "vector");
        assertTrue(forced.startsWith("IllegalStateException: fer4j kernels: vector was requested with "
                + "--backend vector, but pass --add-modules jdk.incubator.vector"), forced);
    }

    @Test
    void configureBeforeFirstUseChoosesTheBackend() throws Exception {
        assertEquals("fer4j kernels: scalar (plain Java loops, the reference; layers on 3 threads), "
                + "chosen with --backend scalar", child(true, "scalar"));
    }

    /**
     * Runs {@link Child} in a fresh JVM (with or without the vector module) and returns the one
     * line it prints: the selection reason after {@code configure(backend)}, or the exception.
     */
    private static String child(boolean vectorModule, String backend) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (vectorModule) {
            command.add("--add-modules");
            command.add("jdk.incubator.vector");
        }
        command.add("-Dfer4j.threads=3");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Child.class.getName());
        command.add(backend);
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        process.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        return out;
    }

    /** The child JVM's program: configure, then print the selection reason (or the error). */
    static final class Child {
        public static void main(String[] args) {
            try {
                KernelsProvider.configure(args[0]);
                System.out.println(KernelsProvider.selectionReason());
            } catch (RuntimeException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
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
