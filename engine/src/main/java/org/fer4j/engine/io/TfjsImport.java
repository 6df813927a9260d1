package org.fer4j.engine.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fer4j.engine.Param;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.Layer;

/**
 * Copies TensorFlow.js weights ({@link TfjsWeights}) into a fer4j {@link Sequential} of the same
 * architecture, through a mapping from each fer4j weight name ({@code conv2d_1/kernel}) to a
 * TensorFlow.js tensor name ({@code conv0/filters}).
 *
 * <p>TensorFlow keeps images channels-last (NHWC) and fer4j channels-first (NCHW), so kernels
 * change layout on the way in; the layer that owns the weight says how:
 *
 * <pre>
 * Conv2D kernel            TF [KH, KW, CIN, COUT]  ->  fer4j [COUT, CIN, KH, KW]
 * DepthwiseConv2D kernel   TF [KH, KW, C, 1]       ->  fer4j [C, 1, KH, KW]
 * Dense kernel after a Flatten of a [C, H, W] map:
 *                          TF rows in (h, w, c) order  ->  fer4j rows in (c, h, w) order
 * everything else (biases, other Dense kernels, batch-norm vectors): the same shape, copied as is
 * </pre>
 *
 * The import is all or nothing: every fer4j weight must be mapped to a tensor of the right shape,
 * and every tensor must be used. Otherwise nothing is copied and the {@link IOException} lists
 * each tensor that is missing, extra or misshapen, one per line after a one-line summary.
 */
public final class TfjsImport {
    private TfjsImport() {
    }

    /**
     * Copies {@code weights} into {@code model}.
     *
     * @param mapping fer4j weight name -> TensorFlow.js tensor name; every weight of the model
     *                (trainable or saved state) must appear
     */
    public static void apply(Sequential model, TfjsWeights weights, Map<String, String> mapping) throws IOException {
        Map<String, Layer> owners = new HashMap<>();
        Map<String, int[]> flattenedFrom = new HashMap<>();
        Layer previous = null;
        for (Layer layer : model.layers()) {
            for (Param p : layer.params()) {
                owners.put(p.name(), layer);
            }
            if (layer instanceof Dense && previous instanceof Flatten f && f.inputShape().length == 3) {
                for (Param p : layer.params()) {
                    if (p.value().rank() == 2) {
                        flattenedFrom.put(p.name(), f.inputShape());
                    }
                }
            }
            previous = layer;
        }

        List<String> problems = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        Map<Param, float[]> converted = new LinkedHashMap<>();
        for (Param p : model.state()) {
            String source = mapping.get(p.name());
            if (source == null) {
                problems.add("missing: fer4j weight '" + p.name() + "' " + shape(p.value().shape())
                        + " has no TensorFlow.js tensor mapped to it");
                continue;
            }
            TfjsWeights.Entry e = weights.entries().get(source);
            if (e == null) {
                problems.add("missing: tensor '" + source + "' (for fer4j weight '" + p.name() + "') is not in "
                        + weights.source().getFileName());
                continue;
            }
            used.add(source);
            Layer owner = owners.get(p.name());
            String type = owner == null ? "" : owner.type();
            float[] data = convert(type, e, p.value().shape(), flattenedFrom.get(p.name()));
            if (data == null) {
                problems.add("misshapen: tensor '" + source + "' " + shape(e.shape()) + " does not fit fer4j weight '"
                        + p.name() + "' " + shape(p.value().shape()) + " of " + (type.isEmpty() ? "the model" : type)
                        + expectedNote(type, p.value().shape()));
                continue;
            }
            converted.put(p, data);
        }
        for (String name : weights.entries().keySet()) {
            if (!used.contains(name)) {
                problems.add("extra: tensor '" + name + "' " + shape(weights.entries().get(name).shape())
                        + " is not mapped to any fer4j weight");
            }
        }
        for (String target : mapping.keySet()) {
            if (!owners.containsKey(target)) {
                problems.add("extra: the mapping names fer4j weight '" + target + "', which model '" + model.name()
                        + "' does not have");
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(weights.source() + ": cannot import into '" + model.name() + "': " + problems.size()
                    + " problem" + (problems.size() == 1 ? "" : "s") + "\n  " + String.join("\n  ", problems));
        }
        for (Map.Entry<Param, float[]> c : converted.entrySet()) {
            System.arraycopy(c.getValue(), 0, c.getKey().value().data(), 0, c.getValue().length);
        }
    }

    /** The tensor in fer4j's layout, or null when its shape does not fit {@code target}. */
    static float[] convert(String layerType, TfjsWeights.Entry e, int[] target, int[] flattenedFrom) {
        int[] s = e.shape();
        float[] src = e.data();
        if (target.length == 4 && s.length == 4 && layerType.equals("Conv2D")) {
            // TF [KH, KW, CIN, COUT] -> [COUT, CIN, KH, KW]
            int kh = s[0], kw = s[1], cin = s[2], cout = s[3];
            if (target[0] != cout || target[1] != cin || target[2] != kh || target[3] != kw) {
                return null;
            }
            float[] out = new float[src.length];
            for (int o = 0; o < cout; o++) {
                for (int i = 0; i < cin; i++) {
                    for (int y = 0; y < kh; y++) {
                        for (int x = 0; x < kw; x++) {
                            out[((o * cin + i) * kh + y) * kw + x] = src[((y * kw + x) * cin + i) * cout + o];
                        }
                    }
                }
            }
            return out;
        }
        if (target.length == 4 && s.length == 4 && layerType.equals("DepthwiseConv2D")) {
            // TF [KH, KW, C, 1] -> [C, 1, KH, KW]
            int kh = s[0], kw = s[1], c = s[2];
            if (s[3] != 1 || target[0] != c || target[1] != 1 || target[2] != kh || target[3] != kw) {
                return null;
            }
            float[] out = new float[src.length];
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        out[(ch * kh + y) * kw + x] = src[(y * kw + x) * c + ch];
                    }
                }
            }
            return out;
        }
        if (!java.util.Arrays.equals(s, target)) {
            return null;
        }
        if (flattenedFrom != null && (flattenedFrom[1] * flattenedFrom[2] > 1)) {
            // Dense rows: TF flattens (h, w, c), fer4j flattens (c, h, w).
            int c = flattenedFrom[0], h = flattenedFrom[1], w = flattenedFrom[2], units = target[1];
            float[] out = new float[src.length];
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int tfRow = (y * w + x) * c + ch;
                        int ourRow = (ch * h + y) * w + x;
                        System.arraycopy(src, tfRow * units, out, ourRow * units, units);
                    }
                }
            }
            return out;
        }
        return src.clone();
    }

    private static String expectedNote(String type, int[] target) {
        if (target.length != 4) {
            return "";
        }
        return switch (type) {
            case "Conv2D" -> "; expected TF shape " + shape(new int[] {target[2], target[3], target[1], target[0]});
            case "DepthwiseConv2D" -> "; expected TF shape " + shape(new int[] {target[2], target[3], target[0], 1});
            default -> "";
        };
    }

    private static String shape(int[] s) {
        return java.util.Arrays.toString(s);
    }
}
