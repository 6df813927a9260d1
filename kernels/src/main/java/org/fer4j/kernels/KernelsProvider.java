package org.fer4j.kernels;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Picks the process-wide {@link Kernels} once, from the system property {@code fer4j.kernels}:
 *
 * <ul>
 *   <li>{@code scalar}: {@link ScalarKernels}, the reference;
 *   <li>{@code vector}: the Vector API backend ({@code jdk.incubator.vector});
 *   <li>{@code opencl}: the Aparapi/OpenCL backend, from its optional module;
 *   <li>absent, empty or {@code auto}: the fastest of vector, scalar that works here.
 * </ul>
 *
 * An explicit request for a backend that cannot run fails (it is never quietly replaced, or a
 * benchmark would measure the wrong thing); {@code auto} falls back and logs why, once, at INFO on
 * the logger {@code org.fer4j.kernels}. {@link #selectionReason()} gives the same line for the CLI
 * to print at the start of a run.
 *
 * <p>This build has only the scalar backend. The seam for the others is {@link #create}: each
 * backend either returns its kernels or throws {@link Unavailable} with the reason, and
 * {@code auto} walks {@link #AUTO_ORDER} collecting those reasons.
 */
public final class KernelsProvider {

    /** The system property that chooses the backend. */
    public static final String PROPERTY = "fer4j.kernels";

    private static final System.Logger LOG = System.getLogger("org.fer4j.kernels");

    /** The backends {@code auto} tries, fastest first. OpenCL only ever runs when asked for. */
    private static final List<String> AUTO_ORDER = List.of("vector", "scalar");

    private record Selection(Kernels kernels, String reason) {
    }

    /** Per-thread replacement set by {@link #using}; null nearly always. */
    private static final ThreadLocal<Kernels> OVERRIDE = new ThreadLocal<>();

    /** Set once, under the class lock; volatile so that later reads need no lock. */
    private static volatile Selection selection;

    private KernelsProvider() {
    }

    /**
     * The kernels every layer and optimizer uses, chosen from {@code -Dfer4j.kernels} on the first
     * call and the same object ever after.
     *
     * @throws IllegalArgumentException if the property has an unknown value
     * @throws IllegalStateException if it names a backend that cannot run here
     */
    public static Kernels get() {
        Kernels chosen = OVERRIDE.get();
        return chosen != null ? chosen : selection().kernels();
    }

    /**
     * Runs {@code body} with {@link #get()} answering {@code kernels} on this thread. Layers and
     * optimizers take their kernels when they are constructed, so the ones built inside keep
     * {@code kernels} for life. For tests that run the engine on a chosen backend side by side
     * with another, or on a deliberately broken one to show that a check can fail.
     */
    public static <T> T using(Kernels kernels, Supplier<T> body) {
        Kernels previous = OVERRIDE.get();
        OVERRIDE.set(Objects.requireNonNull(kernels, "kernels"));
        try {
            return body.get();
        } finally {
            if (previous == null) {
                OVERRIDE.remove();
            } else {
                OVERRIDE.set(previous);
            }
        }
    }

    /**
     * One line on what {@link #get()} chose and why, e.g.
     * {@code fer4j kernels: scalar (the Vector API backend is not part of this build)}.
     */
    public static String selectionReason() {
        return selection().reason();
    }

    /**
     * A fresh instance of the named backend ({@code scalar}, {@code vector}, {@code opencl} or
     * {@code auto}), validated as {@link #get()} validates the property, but neither cached nor
     * logged: for tests and benchmarks that compare backends side by side.
     */
    public static Kernels forName(String name) {
        return select(name).kernels();
    }

    private static Selection selection() {
        Selection s = selection;
        if (s == null) {
            synchronized (KernelsProvider.class) {
                s = selection;
                if (s == null) {
                    // A bad value throws here and leaves nothing cached, so every later call
                    // reports the same clear error rather than a NoClassDefFoundError.
                    s = select(System.getProperty(PROPERTY));
                    LOG.log(Level.INFO, s.reason());
                    selection = s;
                }
            }
        }
        return s;
    }

    private static Selection select(String requested) {
        String name = requested == null ? "auto" : requested.strip().toLowerCase(Locale.ROOT);
        if (name.isEmpty() || name.equals("auto")) {
            return selectAuto();
        }
        if (!name.equals("scalar") && !name.equals("vector") && !name.equals("opencl")) {
            throw new IllegalArgumentException("-D" + PROPERTY
                    + " must be one of scalar, vector, opencl, auto; got '" + requested + "'");
        }
        try {
            return new Selection(create(name), "fer4j kernels: " + name
                    + " (chosen with -D" + PROPERTY + "=" + name + ")");
        } catch (Unavailable e) {
            throw new IllegalStateException("fer4j kernels: " + name + " was requested with -D"
                    + PROPERTY + "=" + name + ", but " + e.getMessage()
                    + "; use -D" + PROPERTY + "=scalar, or leave it unset to pick automatically");
        }
    }

    private static Selection selectAuto() {
        List<String> skipped = new ArrayList<>();
        for (String name : AUTO_ORDER) {
            try {
                Kernels kernels = create(name);
                String why = skipped.isEmpty() ? "the fastest available" : String.join("; ", skipped);
                return new Selection(kernels, "fer4j kernels: " + name + " (" + why + ")");
            } catch (Unavailable e) {
                skipped.add(e.getMessage());
            }
        }
        throw new AssertionError("the scalar backend is always available");
    }

    /**
     * Instantiates one backend, or says why it cannot run here.
     *
     * <p>The seam for {@code VectorKernels}: its case will check that {@code jdk.incubator.vector}
     * is readable ({@code ModuleLayer.boot().findModule(...)}; if not, {@link Unavailable} with
     * "pass --add-modules jdk.incubator.vector"), then load the package-private class by name, so
     * that this class never links against the incubator module when it is absent, and mention the
     * vector width in its reason. The OpenCL case will load its class, from the optional
     * {@code kernels/opencl} module, the same way.
     */
    private static Kernels create(String name) throws Unavailable {
        return switch (name) {
            case "scalar" -> new ScalarKernels();
            case "vector" -> throw new Unavailable("the Vector API backend is not part of this build");
            case "opencl" -> throw new Unavailable("the OpenCL backend is not part of this build");
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'");
        };
    }

    /** Why a backend cannot run here; its message completes "fer4j kernels: scalar (...)". */
    private static final class Unavailable extends Exception {
        Unavailable(String reason) {
            super(reason, null, false, false);
        }
    }
}
