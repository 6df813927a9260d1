package org.fer4j.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The processor a figure was measured on: every benchmark and study prints it beside its numbers. */
public final class Cpu {
    private Cpu() {
    }

    /** The CPU's model name from /proc/cpuinfo (Linux), else the OS architecture. */
    public static String model() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    /** The processors this JVM may use (hardware threads; a container's limit where one is set). */
    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }
}
