package org.fer4j.kernels.opencl;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * The OpenCL backend's counters: copies between host and device, kernel launches and their time,
 * overall and per {@link MegaKernel} operation. {@link OpenClKernels} adds to the fields as it
 * works (under its own lock) and reads them out as {@link OpenClKernels.TransferStats} and
 * {@link #millisByOp()}; nothing here changes what runs.
 */
final class OpenClProfile {

    long uploads;
    long uploadBytes;
    long uploadNanos;
    long downloads;
    long downloadBytes;
    long downloadNanos;
    long kernels;
    long kernelNanos;
    long growths;
    long compileNanos;
    long residentDownloads;
    private final long[] opNanos = new long[128];
    private final long[] opCounts = new long[128];

    /** MegaKernel's op codes by value, named as its constants are ("SGEMM" -> "sgemm"). */
    private static final String[] OP_NAMES = opNames();

    /** One kernel launch of operation {@code op} that took {@code nanos}. */
    void kernelRan(int op, long nanos) {
        kernels++;
        kernelNanos += nanos;
        opNanos[op] += nanos;
        opCounts[op]++;
    }

    OpenClKernels.TransferStats snapshot() {
        return new OpenClKernels.TransferStats(uploads, uploadBytes, uploadNanos, downloads, downloadBytes,
                downloadNanos, kernels, kernelNanos, growths, compileNanos, residentDownloads);
    }

    /** Zeroes every counter but the (one-off) compile time. */
    void reset() {
        uploads = uploadBytes = uploadNanos = 0;
        downloads = downloadBytes = downloadNanos = 0;
        kernels = kernelNanos = growths = residentDownloads = 0;
        Arrays.fill(opNanos, 0);
        Arrays.fill(opCounts, 0);
    }

    /** Kernel time by operation in milliseconds, largest first. */
    LinkedHashMap<String, Double> millisByOp() {
        List<Integer> ops = new ArrayList<>();
        for (int op = 0; op < opNanos.length; op++) {
            if (opCounts[op] > 0) {
                ops.add(op);
            }
        }
        ops.sort((a, b) -> Long.compare(opNanos[b], opNanos[a]));
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        for (int op : ops) {
            String name = OP_NAMES[op] != null ? OP_NAMES[op] : "op" + op;
            out.put(name, Math.round(opNanos[op] / 1e4) / 100.0);
        }
        return out;
    }

    private static String[] opNames() {
        String[] names = new String[128];
        for (Field f : MegaKernel.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (f.getType() == int.class && Modifier.isStatic(m) && Modifier.isFinal(m)
                    && f.getName().equals(f.getName().toUpperCase(Locale.ROOT))) {
                try {
                    int v = f.getInt(null);
                    if (v >= 0 && v < names.length && names[v] == null && !f.getName().startsWith("MIN_")
                            && !f.getName().startsWith("MAX_") && f.getName().length() > 2) {
                        names[v] = f.getName().toLowerCase(Locale.ROOT);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }
}
