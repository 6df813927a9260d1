package org.fer4j.cli;

import org.fer4j.kernels.KernelsProvider;
import org.fer4j.kernels.Parallel;
import picocli.CommandLine.Option;

/**
 * {@code --backend} and {@code --threads}, shared by every command that runs the engine. They must
 * be applied before any layer is built, since layers take their kernels at construction.
 */
final class EngineOptions {

    @Option(names = "--threads", paramLabel = "N", description = "engine threads, 1..256 (default: all cores)")
    Integer threads;

    @Option(names = "--backend", paramLabel = "B", description = "kernels: auto, scalar, vector or opencl (default: auto, the fastest that works)")
    Choices.Backend backend;

    @Option(names = "--device", paramLabel = "N", description = "OpenCL device for --backend opencl, as 'fer4j devices' numbers them, 0..255 (default: a GPU before a CPU)")
    Integer device;

    /** Checks the ranges without applying anything (commands check every flag before they start). */
    void validate() {
        if (threads != null) {
            Flags.intIn("--threads", threads, 1, Flags.MAX_THREADS);
        }
        if (device != null) {
            Flags.intIn("--device", device, 0, 255);
        }
    }

    /** Validates and applies the options; returns the line every run prints first. */
    String apply() {
        validate();
        if (threads != null) {
            Flags.intIn("--threads", threads, 1, Flags.MAX_THREADS);
            Parallel.setThreads(threads);
        }
        if (device != null) {
            Flags.intIn("--device", device, 0, 255);
            // Read by the OpenCL backend when it is created (OpenClDevices.DEVICE_PROPERTY).
            System.setProperty("fer4j.opencl.device", Integer.toString(device));
        }
        if (backend != null) {
            String b = Choices.word(backend);
            try {
                KernelsProvider.configure(b);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("--backend " + b + ": " + e.getMessage(), e);
            }
        }
        return Main.backendLine();
    }
}
