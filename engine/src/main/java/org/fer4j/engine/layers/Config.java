package org.fer4j.engine.layers;

import java.util.List;
import java.util.Map;

/**
 * Reads layer configurations back from the maps that {@link Layer#config()} writes. The maps may
 * come from a JSON parser, so numbers arrive as any {@link Number} and arrays as lists; every
 * error names the layer type and the key.
 */
final class Config {
    private Config() {
    }

    static Object require(String type, Map<String, ?> c, String key) {
        Object v = c.get(key);
        if (v == null) {
            throw new IllegalArgumentException(type + " config: missing '" + key + "'");
        }
        return v;
    }

    static int getInt(String type, Map<String, ?> c, String key) {
        Object v = require(type, c, key);
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException(type + " config: '" + key + "' must be an integer, got " + v);
        }
        return n.intValue();
    }

    static int getInt(String type, Map<String, ?> c, String key, int fallback) {
        return c.containsKey(key) ? getInt(type, c, key) : fallback;
    }

    static double getDouble(String type, Map<String, ?> c, String key, double fallback) {
        if (!c.containsKey(key)) {
            return fallback;
        }
        Object v = c.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(type + " config: '" + key + "' must be a number, got " + v);
        }
        return n.doubleValue();
    }

    static boolean getBoolean(String type, Map<String, ?> c, String key, boolean fallback) {
        if (!c.containsKey(key)) {
            return fallback;
        }
        Object v = c.get(key);
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException(type + " config: '" + key + "' must be true or false, got " + v);
        }
        return b;
    }

    static String getString(String type, Map<String, ?> c, String key, String fallback) {
        if (!c.containsKey(key)) {
            return fallback;
        }
        return String.valueOf(c.get(key));
    }

    /** An int array written as {@code int[]} or read back as a list of numbers. */
    static int[] getInts(String type, Map<String, ?> c, String key) {
        Object v = require(type, c, key);
        if (v instanceof int[] a) {
            return a.clone();
        }
        if (v instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw new IllegalArgumentException(type + " config: '" + key + "' must be a list of integers, got " + v);
                }
                out[i] = n.intValue();
            }
            return out;
        }
        throw new IllegalArgumentException(type + " config: '" + key + "' must be a list of integers, got " + v);
    }

    /** Either one integer (used for both dimensions) or a pair. */
    static int[] getPair(String type, Map<String, ?> c, String key) {
        Object v = require(type, c, key);
        if (v instanceof Number) {
            int x = getInt(type, c, key);
            return new int[] {x, x};
        }
        int[] p = getInts(type, c, key);
        if (p.length != 2) {
            throw new IllegalArgumentException(type + " config: '" + key + "' must be one integer or two, got " + v);
        }
        return p;
    }

    static float[] getFloatsOrNull(String type, Map<String, ?> c, String key) {
        Object v = c.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof float[] a) {
            return a.clone();
        }
        if (v instanceof List<?> list) {
            float[] out = new float[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw new IllegalArgumentException(type + " config: '" + key + "' must be a list of numbers, got " + v);
                }
                out[i] = n.floatValue();
            }
            return out;
        }
        throw new IllegalArgumentException(type + " config: '" + key + "' must be a list of numbers, got " + v);
    }

    static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + value);
        }
    }
}
