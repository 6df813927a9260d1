package org.fer4j.kernels.opencl;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLPlatform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The OpenCL platforms and devices this machine offers, as Aparapi sees them, and the one fer4j
 * runs on: the device numbered by {@code -Dfer4j.opencl.device=N} (the CLI's {@code --device N}),
 * or else the first GPU, then the first accelerator, then the first CPU device. Devices are
 * numbered from 0 across all platforms, in the order the OpenCL ICD loader reports them.
 */
public final class OpenClDevices {

    /** The system property that picks a device by its index in {@link #list()}. */
    public static final String DEVICE_PROPERTY = "fer4j.opencl.device";

    /** The message when the OpenCL runtime itself is missing or lists nothing. */
    public static final String NO_PLATFORM = "no OpenCL platform found (libOpenCL.so.1 / an ICD such as"
            + " pocl-opencl-icd is not installed)";

    /** One device, with what {@code fer4j devices} prints. */
    public record DeviceInfo(int index, String platform, String platformVendor, String name, String vendor,
                             String type, int computeUnits, long globalMemory, int maxWorkGroupSize,
                             long localMemory, OpenCLDevice device) {

        /** E.g. {@code pthread-skylake-avx512-AMD EPYC ..., Portable Computing Language, CPU}. */
        public String describe() {
            return name + ", " + platform + ", " + type;
        }
    }

    private OpenClDevices() {
    }

    static {
        // Aparapi logs through java.util.logging, at WARNING, things that are no error here
        // ("untested OpenCL platform version", class-file attributes it does not know). Only its
        // SEVERE messages reach the console; OpenClKernels records the rest to explain failures.
        Logger.getLogger("com.aparapi").setLevel(Level.SEVERE);
    }

    /**
     * Every OpenCL device of every platform.
     *
     * @throws IllegalStateException with {@link #NO_PLATFORM} when the OpenCL library is missing,
     *     Aparapi's native part cannot load, or no platform is installed
     */
    public static List<DeviceInfo> list() {
        List<OpenCLPlatform> platforms;
        try {
            platforms = OpenCLPlatform.getUncachedOpenCLPlatforms();
        } catch (LinkageError | RuntimeException e) {
            // UnsatisfiedLinkError: libOpenCL.so.1 (or Aparapi's JNI library) cannot be loaded.
            throw new IllegalStateException(NO_PLATFORM + ": " + oneLine(e));
        }
        List<DeviceInfo> out = new ArrayList<>();
        if (platforms == null) {
            return out;
        }
        for (OpenCLPlatform p : platforms) {
            for (OpenCLDevice d : p.getOpenCLDevices()) {
                out.add(new DeviceInfo(out.size(), p.getName(), p.getVendor(), d.getName().strip(),
                        p.getVendor(), typeName(d.getType()), d.getMaxComputeUnits(), d.getGlobalMemSize(),
                        d.getMaxWorkGroupSize(), d.getLocalMemSize(), d));
            }
        }
        return out;
    }

    /** The index fer4j picks without {@code --device}: a GPU, else an accelerator, else a CPU; -1 if none. */
    public static int preferredIndex(List<DeviceInfo> devices) {
        for (String type : List.of("GPU", "ACC", "CPU")) {
            for (DeviceInfo d : devices) {
                if (d.type().equals(type)) {
                    return d.index();
                }
            }
        }
        return devices.isEmpty() ? -1 : 0;
    }

    /**
     * The device to run on: the one {@code -Dfer4j.opencl.device} names, else {@link #preferredIndex}.
     *
     * @throws IllegalStateException with a one-line reason when there is none, or the index is bad
     */
    public static DeviceInfo choose() {
        List<DeviceInfo> devices = list();
        if (devices.isEmpty()) {
            throw new IllegalStateException(NO_PLATFORM);
        }
        String requested = System.getProperty(DEVICE_PROPERTY);
        if (requested == null || requested.isBlank()) {
            return devices.get(preferredIndex(devices));
        }
        int index;
        try {
            index = Integer.parseInt(requested.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("OpenCL device '" + requested + "' is not a number: pass the index"
                    + " that 'fer4j devices' lists");
        }
        if (index < 0 || index >= devices.size()) {
            throw new IllegalStateException("there is no OpenCL device " + index + " (this machine has "
                    + devices.size() + ", numbered from 0; see 'fer4j devices')");
        }
        return devices.get(index);
    }

    static String typeName(Device.TYPE type) {
        if (type == null) {
            return "UNKNOWN";
        }
        return switch (type) {
            case GPU -> "GPU";
            case CPU -> "CPU";
            case ACC -> "ACC";
            default -> type.name().toUpperCase(Locale.ROOT);
        };
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }
}
