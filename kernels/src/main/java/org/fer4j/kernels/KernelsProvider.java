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
 * to print at the start of a run, with the vector width and the thread count in use. The CLI's
 * {@code --backend} sets the same choice through {@link #configure}.
 *
 * <p>The vector backend runs when the module {@code jdk.incubator.vector} is readable (the
 * launcher, surefire and JMH pass {@code --add-modules jdk.incubator.vector}) and its preferred
 * vector is at least 128 bits wide. Its class is loaded by name only after that check (Lucene's
 * pattern), so that nothing links against the incubator module when it is absent. The OpenCL
 * backend lives in its own optional module, {@code fer4j-kernels-opencl}, and is loaded the same
 * way; {@code -Dfer4j.opencl.device=N} picks its device.
 *
 * <p>Whatever it chose, the provider hands it out behind {@link CheckedKernels}, the argument
 * checks every caller relies on; {@link CheckedKernels#backendOf} reaches the backend itself.
 */
public final class KernelsProvider {

    /** The system property that chooses the backend. */
    public static final String PROPERTY = "fer4j.kernels";

    private static final System.Logger LOG = System.getLogger("org.fer4j.kernels");

    /** The backends {@code auto} tries, fastest first. OpenCL only ever runs when asked for. */
    private static final List<String> AUTO_ORDER = List.of("vector", "scalar");

    /** The vector backend's class, loaded by name (see {@link #createVector}). */
    private static final String VECTOR_CLASS = "org.fer4j.kernels.VectorKernels";
    /** The OpenCL backend's class, in the optional module fer4j-kernels-opencl (see {@link #createOpenCl}). */
    private static final String OPENCL_CLASS = "org.fer4j.kernels.opencl.OpenClKernels";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** Narrower vectors do not pay for the Vector API's overhead (Lucene draws the line here too). */
    private static final int MIN_VECTOR_BITS = 128;

    /** What was chosen, and why: "the fastest available", "chosen with -Dfer4j.kernels=vector", ... */
    private record Selection(Kernels kernels, String why) {
        String reason() {
            return "fer4j kernels: " + kernels.describe() + ", " + why;
        }
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
     * One line on what {@link #get()} chose and why, with the vector width and the thread count
     * in use now, e.g. {@code fer4j kernels: vector (512-bit FloatVector, FMA, 2 threads), the
     * fastest available}, or {@code fer4j kernels: scalar (plain Java loops, the reference; 2
     * threads), because vector is unavailable: pass --add-modules jdk.incubator.vector}.
     */
    public static String selectionReason() {
        return selection().reason();
    }

    /**
     * Sets the process-wide backend as {@code -Dfer4j.kernels} would (for the CLI's
     * {@code --backend}): {@code scalar}, {@code vector}, {@code opencl} or {@code auto}. Call it
     * before any layer or optimizer is built; they take their kernels when constructed.
     * {@code auto} (or null or empty) imposes nothing: it leaves an earlier choice, or the
     * property, in charge. Asking again for the backend already in use is a no-op.
     *
     * @throws IllegalArgumentException if {@code backend} is not one of those names
     * @throws IllegalStateException if it names a backend that cannot run here, or if a different
     *     backend was already chosen in this process
     */
    public static void configure(String backend) {
        String name = normalize(backend, "--backend");
        if (name.equals("auto")) {
            selection();
            return;
        }
        synchronized (KernelsProvider.class) {
            Selection s = selection;
            if (s != null) {
                if (!s.kernels().name().equals(name)) {
                    throw new IllegalStateException("fer4j kernels: " + s.kernels().name()
                            + " is already in use in this process (" + s.why() + "); cannot switch to "
                            + name + ": choose the backend before building a model");
                }
                return;
            }
            s = selectNamed(name, "--backend " + name);
            LOG.log(Level.INFO, s.reason());
            selection = s;
        }
    }

    /**
     * A fresh instance of the named backend ({@code scalar}, {@code vector}, {@code opencl} or
     * {@code auto}), validated as {@link #get()} validates the property, but neither cached nor
     * logged: for tests and benchmarks that compare backends side by side. Checked, as {@link #get()} is.
     */
    public static Kernels forName(String name) {
        return select(name).kernels();
    }

    /**
     * Why the vector backend cannot run in this process, or null when it can: for tests and
     * benchmarks that skip the vector side visibly instead of failing.
     */
    public static String vectorUnavailableReason() {
        try {
            createVector();
            return null;
        } catch (Unavailable e) {
            return e.getMessage();
        }
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
        String name = normalize(requested, "-D" + PROPERTY);
        if (name.equals("auto")) {
            return selectAuto();
        }
        return selectNamed(name, "-D" + PROPERTY + "=" + name);
    }

    /** {@code scalar}, {@code vector}, {@code opencl} or {@code auto} (also for null and empty). */
    private static String normalize(String requested, String flag) {
        String name = requested == null ? "auto" : requested.strip().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
            return "auto";
        }
        if (!name.equals("auto") && !name.equals("scalar") && !name.equals("vector") && !name.equals("opencl")) {
            throw new IllegalArgumentException(flag
                    + " must be one of scalar, vector, opencl, auto; got '" + requested + "'");
        }
        return name;
    }

    private static Selection selectNamed(String name, String how) {
        try {
            return new Selection(create(name), "chosen with " + how);
        } catch (Unavailable e) {
            throw new IllegalStateException("fer4j kernels: " + name + " was requested with " + how
                    + ", but " + e.getMessage()
                    + "; use -D" + PROPERTY + "=scalar, or leave it unset to pick automatically");
        }
    }

    private static Selection selectAuto() {
        List<String> skipped = new ArrayList<>();
        for (String name : AUTO_ORDER) {
            try {
                Kernels kernels = create(name);
                String why = skipped.isEmpty() ? "the fastest available"
                        : "because " + String.join("; ", skipped);
                return new Selection(kernels, why);
            } catch (Unavailable e) {
                skipped.add(name + " is unavailable: " + e.getMessage());
            }
        }
        throw new AssertionError("the scalar backend is always available");
    }

    /**
     * Instantiates one backend, or says why it cannot run here. The OpenCL case loads its class,
     * from the optional {@code kernels/opencl} module, by name, as {@link #createVector} does.
     */
    private static Kernels create(String name) throws Unavailable {
        Kernels backend = switch (name) {
            case "scalar" -> new ScalarKernels();
            case "vector" -> createVector();
            case "opencl" -> createOpenCl();
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'");
        };
        // Every backend behind the one set of argument checks: the backends themselves are pure maths.
        return CheckedKernels.of(backend);
    }

    /**
     * {@code VectorKernels}, when {@code jdk.incubator.vector} is readable and its preferred
     * vector is at least {@value #MIN_VECTOR_BITS} bits. The class is loaded by name, after the
     * module check, so that this class never links against the incubator module.
     */
    private static Kernels createVector() throws Unavailable {
        Module vector = ModuleLayer.boot().findModule(VECTOR_MODULE).orElse(null);
        if (vector == null || !KernelsProvider.class.getModule().canRead(vector)) {
            throw new Unavailable("pass --add-modules " + VECTOR_MODULE + " to the java command");
        }
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) {
            throw new Unavailable("the JVM runs interpreted (-Xint), where the Vector API is slower than plain loops");
        }
        Kernels kernels;
        try {
            kernels = Class.forName(VECTOR_CLASS).asSubclass(Kernels.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new Unavailable("its class failed to load (" + e + ")");
        }
        if (kernels.vectorBits() < MIN_VECTOR_BITS) {
            throw new Unavailable("the preferred vector on this CPU is " + kernels.vectorBits()
                    + " bits wide, below " + MIN_VECTOR_BITS);
        }
        return kernels;
    }

    /**
     * {@code org.fer4j.kernels.opencl.OpenClKernels.create()}, loaded by name so that this module
     * never depends on the optional OpenCL module (nor on Aparapi). Its one-line reasons (no
     * OpenCL platform, no such device, the kernel does not compile) become this backend's.
     */
    private static Kernels createOpenCl() throws Unavailable {
        Class<?> type;
        try {
            type = Class.forName(OPENCL_CLASS);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new Unavailable("the OpenCL backend is not part of this build: add fer4j-kernels-opencl"
                    + " to the class path");
        }
        try {
            return (Kernels) type.getMethod("create").invoke(null);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            throw new Unavailable(why.replaceAll("\\s+", " ").strip());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new Unavailable("its class failed to load (" + e + ")");
        }
    }

    /** Why a backend cannot run here; its message completes "fer4j kernels: scalar (...)". */
    private static final class Unavailable extends Exception {
        Unavailable(String reason) {
            super(reason, null, false, false);
        }
    }
}
