package org.fer4j.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.fer4j.kernels.opencl.OpenClDevices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Lists the OpenCL platforms and devices and the one {@code --backend opencl} would use. A machine
 * without OpenCL is no error here: the command says so and exits 0 (listing nothing is an answer).
 */
@Command(name = "devices",
        description = "List the OpenCL devices that --backend opencl can use, and the one it picks.",
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:",
                "  fer4j devices",
                "  fer4j bench --model fer-ref --backend opencl --device 1",
                "", "Without a GPU driver, POCL runs OpenCL on the CPU: apt-get install pocl-opencl-icd (docs/opencl.md)."})
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<OpenClDevices.DeviceInfo> devices;
        try {
            devices = OpenClDevices.list();
        } catch (IllegalStateException e) {
            out.println("No OpenCL devices: " + e.getMessage() + ".");
            return 0;
        }
        if (devices.isEmpty()) {
            out.println("No OpenCL devices: " + OpenClDevices.NO_PLATFORM + ".");
            return 0;
        }
        int preferred = OpenClDevices.preferredIndex(devices);
        String requested = System.getProperty(OpenClDevices.DEVICE_PROPERTY);
        out.printf(Locale.ROOT, "%-3s %-4s %-44s %-28s %5s %10s %9s%n",
                "#", "type", "device", "platform", "units", "memory", "max group");
        for (OpenClDevices.DeviceInfo d : devices) {
            out.printf(Locale.ROOT, "%-3d %-4s %-44s %-28s %5d %7d MiB %9d%s%n",
                    d.index(), d.type(), shorten(d.name(), 44), shorten(d.platform(), 28), d.computeUnits(),
                    d.globalMemory() >> 20, d.maxWorkGroupSize(), d.index() == preferred ? "   <- default" : "");
        }
        out.println();
        if (requested != null) {
            out.println("-Dfer4j.opencl.device=" + requested + " is set and chooses the device.");
        }
        out.println("fer4j picks device " + preferred + " (a GPU before an accelerator before a CPU); choose"
                + " another with --device N, e.g. fer4j train --backend opencl --device " + preferred + " ...");
        return 0;
    }

    private static String shorten(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 3) + "...";
    }
}
