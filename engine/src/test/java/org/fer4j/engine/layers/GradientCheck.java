package org.fer4j.engine.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.fer4j.engine.Mode;
import org.fer4j.engine.Param;
import org.fer4j.engine.Tensor;

/**
 * Compares analytic gradients with central finite differences (the DL4J GradientCheckUtil recipe,
 * adapted to a float32 engine).
 *
 * <p>The checked function is the layer followed by a fixed random projection,
 * {@code L = sum_i out_i * r_i}, so {@code dL/dout = r} and the only curvature is the layer's own.
 * The engine computes in float; the check keeps its own sums in double and compares with the
 * central quotient of step {@code EPS/2 = 5e-3} (after the smoothness tests below, which also use
 * {@code EPS = 1e-2}), where float rounding (about 1e-7 relative per value) contributes well under
 * 1e-3 to a difference quotient. A gradient passes when its relative error
 * {@code |a - n| / (|a| + |n|)} is below {@code MAX_RELATIVE} or its absolute error below
 * {@code MIN_ABSOLUTE}. The planted-bug tests show these tolerances catch a dropped term or a
 * shifted index.
 *
 * <p>Points where the function is not smooth (a ReLU or max-pool decision flipping within
 * {@code EPS}) are detected from the forward pass alone, by comparing the difference quotients for
 * {@code EPS} and {@code EPS/2}, and skipped; since that test never looks at the backward pass, it
 * cannot hide a wrong gradient. A check fails when more points are skipped than checked.
 */
final class GradientCheck {
    static final double EPS = 1e-2;
    static final double MAX_RELATIVE = 1e-2;
    static final double MIN_ABSOLUTE = 1e-3;
    /**
     * Tolerances for whole networks, whose float forward passes round more between the layers and
     * put hidden units near ReLU kinks that the two-step test does not always see. Measured on the
     * 'tiny' network of LayerGradientProperties (600 draws, both backends, step 2e-3):
     * |analytic - numeric| has median 1e-4, 99th percentile 4e-3 and maximum 6.6e-3; with the
     * layer tolerances (1e-3 absolute or 1% relative) about one draw in a hundred failed, the worst
     * at 1.6% relative on a gradient of 0.42 with a fifth of the points near kinks. A wrong
     * composition (a branch dropped, a sign, a missing scale) is off by a third or more in the
     * relative measure |a - n| / (|a| + |n|), so these looser bounds still catch it.
     */
    static final Tolerance NETWORK_MATCH = new Tolerance(1e-2, 5e-2);
    /** Which points of a network are smooth enough to check: the layer bounds, doubled for rounding. */
    static final Tolerance NETWORK_SMOOTH = new Tolerance(2e-3, MAX_RELATIVE);
    /** Elements checked per tensor at most (chosen at random beyond that), to keep runs short. */
    static final int MAX_PER_TENSOR = 40;

    private GradientCheck() {
    }

    /** The worst disagreement found, for the failure message. */
    record Mismatch(String layer, String tensor, int index, double analytic, double numeric) {
        double relative() {
            return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), 1e-30);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: gradient of %s[%d] is %.6g analytically but %.6g by finite "
                    + "differences (relative error %.3g)", layer, tensor, index, analytic, numeric, relative());
        }
    }

    /** What one check saw: the worst mismatch (null when all agree) and how many points were checked. */
    record Report(Mismatch worst, int checked, int skipped, double largestDifference) {
        boolean passed() {
            return worst == null;
        }

        /** At least as many points checked as skipped near kinks. */
        boolean mostlySmooth() {
            return checked > 0 && skipped <= checked;
        }

        String describe() {
            return (worst == null ? "ok" : worst.toString()) + String.format(Locale.ROOT,
                    " [%d points checked, %d skipped as non-smooth, largest |a - n| = %.3g]",
                    checked, skipped, largestDifference);
        }
    }

    /** The function under test: a forward from the current input and weights, and its backward. */
    interface Function {
        Tensor forward();

        /** Back-propagates {@code dout}; returns the input gradient (or null when there is no input to check). */
        Tensor backward(Tensor dout);
    }

    /** Checks a built layer at input {@code x} in {@code mode}: the input gradient and every trainable parameter. */
    static Report check(Layer layer, Tensor x, Mode mode, long seed) {
        return check(layer, x, mode, seed, EPS);
    }

    static Report check(Layer layer, Tensor x, Mode mode, long seed, double eps) {
        return check(label(layer), function(layer, x, mode), x, layer.params(), seed, eps);
    }

    /**
     * A layer that is itself a small network (a block where batch-norm feeds a ReLU), checked with
     * {@link #NETWORK_SMOOTH} and {@link #NETWORK_MATCH}, and still failing when too few points
     * were smooth enough to check.
     */
    static Report checkNetwork(Layer layer, Tensor x, Mode mode, long seed, double eps) {
        return requireSmooth(label(layer), checkAnywhere(label(layer), function(layer, x, mode), x, layer.params(),
                seed, eps, NETWORK_SMOOTH, NETWORK_MATCH));
    }

    private static String label(Layer layer) {
        return layer.name() + " (" + layer.type() + ")";
    }

    private static Function function(Layer layer, Tensor x, Mode mode) {
        return new Function() {
            @Override
            public Tensor forward() {
                return layer.forward(x, mode);
            }

            @Override
            public Tensor backward(Tensor dout) {
                return layer.backward(dout);
            }
        };
    }

    static Report check(String label, Function f, Tensor x, List<Param> params, long seed) {
        return check(label, f, x, params, seed, EPS);
    }

    /**
     * With step {@code eps}: networks where batch-norm feeds a ReLU put many values near the kink,
     * and a step of 1e-2 then crosses so many of them that the quotient measures an average slope;
     * they use a smaller step, still far above float rounding of the loss.
     */
    static Report check(String label, Function f, Tensor x, List<Param> params, long seed, double eps) {
        return check(label, f, x, params, seed, eps, MIN_ABSOLUTE);
    }

    static Report check(String label, Function f, Tensor x, List<Param> params, long seed, double eps,
                        double minAbsolute) {
        Tolerance tolerance = new Tolerance(minAbsolute, MAX_RELATIVE);
        return requireSmooth(label, checkAnywhere(label, f, x, params, seed, eps, tolerance, tolerance));
    }

    /**
     * Skipping never depends on the backward pass, so it cannot hide a wrong gradient; the only
     * risk is checking too little, hence a floor on the share of points checked.
     */
    static Report requireSmooth(String label, Report report) {
        if (report.passed() && !report.mostlySmooth()) {
            throw new AssertionError(label + ": too few smooth points to check (" + report.checked()
                    + " checked, " + report.skipped() + " skipped); choose inputs away from ReLU and max-pool ties");
        }
        return report;
    }

    /** A difference passes when it is below {@code absolute} or its relative error below {@code relative}. */
    record Tolerance(double absolute, double relative) {
        double at(double numeric) {
            return absolute + relative * Math.abs(numeric);
        }
    }

    /**
     * The check without the floor on checked points, for callers that discard kink-heavy draws
     * themselves ({@link Report#mostlySmooth()}) instead of failing on them. {@code smooth} decides
     * which points are far enough from kinks to check; {@code match} how close the gradients must be.
     */
    static Report checkAnywhere(String label, Function f, Tensor x, List<Param> params, long seed, double eps,
                                Tolerance smooth, Tolerance match) {
        // split(): a stream unrelated to the one the test drew its input from with the same seed
        // (a projection equal to the input makes some true gradients vanish).
        SplittableRandom random = new SplittableRandom(seed).split();
        Tensor out = f.forward();
        float[] r = new float[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) (random.nextDouble() * 2 - 1);
        }
        DoubleSupplier loss = () -> {
            float[] o = f.forward().data();
            double sum = 0;
            for (int i = 0; i < o.length; i++) {
                sum += (double) o[i] * r[i];
            }
            return sum;
        };

        for (Param p : params) {
            if (p.trainable()) {
                java.util.Arrays.fill(p.grad().data(), 0f);
            }
        }
        f.forward();
        Tensor dx = f.backward(new Tensor(r.clone(), out.shape()));
        List<Object[]> targets = new ArrayList<>();  // {name, values, analytic gradient}
        if (x != null && dx != null) {
            targets.add(new Object[] {"input", x.data(), dx.data().clone()});
        }
        for (Param p : params) {
            if (p.trainable()) {
                targets.add(new Object[] {p.name(), p.value().data(), p.grad().data().clone()});
            }
        }

        double base = loss.getAsDouble();
        Mismatch worst = null;
        int checked = 0;
        int skipped = 0;
        double largest = 0;
        for (Object[] t : targets) {
            String name = (String) t[0];
            float[] values = (float[]) t[1];
            float[] analytic = (float[]) t[2];
            for (int index : pick(values.length, random)) {
                // Near a kink at distance d < h, the quotient's error grows about linearly in h, so
                // the eps/2 quotient carries about half the eps quotient's error: when the two
                // agree to half the tolerance, the eps/2 quotient is within it.
                // A kink exactly at the point fools that comparison (both quotients average the two
                // slopes). There the gap between the forward and backward quotients is the jump in
                // slope whatever the step, while on a smooth function it is f'' * step and halves
                // with the step: so the gap at eps/2 must be half the gap at eps.
                double[] q = quotients(values, index, eps, loss, base);
                double coarse = q[0];
                double numeric = q[1];
                double tolerance = 0.5 * smooth.at(numeric);
                if (Math.abs(coarse - numeric) > tolerance || Math.abs(q[3] - q[2] / 2) > tolerance) {
                    skipped++;
                    continue;
                }
                checked++;
                double a = analytic[index];
                double diff = Math.abs(a - numeric);
                largest = Math.max(largest, diff);
                Mismatch m = new Mismatch(label, name, index, a, numeric);
                if (diff > match.absolute() && m.relative() > match.relative()
                        && (worst == null || diff > Math.abs(worst.analytic() - worst.numeric()))) {
                    worst = m;
                }
            }
        }
        return new Report(worst, checked, skipped, largest);
    }

    /**
     * Difference quotients at element {@code index} ({@code base} is the loss at the unperturbed
     * point): the central quotients with steps {@code h} and {@code h/2}, then the gaps between the
     * forward and backward quotients for the same two steps. Divides by the steps actually taken
     * in float; restores the value.
     */
    private static double[] quotients(float[] values, int index, double h, DoubleSupplier loss, double base) {
        float saved = values[index];
        float[] points = {(float) (saved + h), (float) (saved - h), (float) (saved + h / 2), (float) (saved - h / 2)};
        double[] l = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            values[index] = points[i];
            l[i] = loss.getAsDouble();
        }
        values[index] = saved;
        return new double[] {
            (l[0] - l[1]) / ((double) points[0] - points[1]),
            (l[2] - l[3]) / ((double) points[2] - points[3]),
            (l[0] - base) / ((double) points[0] - saved) - (base - l[1]) / ((double) saved - points[1]),
            (l[2] - base) / ((double) points[2] - saved) - (base - l[3]) / ((double) saved - points[3]),
        };
    }

    private static int[] pick(int size, SplittableRandom random) {
        if (size <= MAX_PER_TENSOR) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) {
                all[i] = i;
            }
            return all;
        }
        return random.ints(0, size).distinct().limit(MAX_PER_TENSOR).toArray();
    }

    /** Values in {@code [-1, 1]} pushed at least {@code margin} away from 0, for inputs of ReLUs. */
    static Tensor randomTensor(SplittableRandom random, double margin, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            double u = random.nextDouble() * 2 - 1;
            d[i] = (float) (Math.signum(u) * margin + u);
        }
        return t;
    }

    /** Distinct values, a shuffled ramp with gaps of {@code 4 * EPS}: no two can swap order under a perturbation. */
    static Tensor distinctTensor(SplittableRandom random, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((i - d.length / 2.0) * 4 * EPS);
        }
        for (int i = d.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float tmp = d[i];
            d[i] = d[j];
            d[j] = tmp;
        }
        return t;
    }

    /** Builds a stand-alone layer on a per-sample shape, as {@code Sequential} would. */
    static <L extends Layer> L built(L layer, long seed, int... sampleShape) {
        layer.setName(Layers.snake(layer.type()) + "_1");
        layer.build(sampleShape, new Layer.BuildContext(new SplittableRandom(seed), false));
        return layer;
    }
}
