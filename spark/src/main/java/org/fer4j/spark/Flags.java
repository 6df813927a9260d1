package org.fer4j.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} flags of a job's command line, parsed by hand: a spark-submit main
 * class should need no jar beyond fer4j's own. Every error names the flag.
 */
final class Flags {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> switches = new ArrayList<>();

    /**
     * @param valued   flags that take a value
     * @param booleans flags that take none
     */
    Flags(String[] args, Set<String> valued, Set<String> booleans) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (booleans.contains(a) && value == null) {
                switches.add(a);
            } else if (valued.contains(a)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    value = args[++i];
                }
                values.put(a, value);
            } else {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'; see --help");
            }
        }
    }

    boolean has(String flag) {
        return switches.contains(flag) || values.containsKey(flag);
    }

    /** The flags given, switches and valued, in no particular order. */
    Set<String> given() {
        Set<String> all = new java.util.LinkedHashSet<>(switches);
        all.addAll(values.keySet());
        return all;
    }

        String get(String flag, String otherwise) {
        return values.getOrDefault(flag, otherwise);
    }

    String required(String flag, String what) {
        String v = values.get(flag);
        if (v == null) {
            throw new IllegalArgumentException(flag + " is required: " + what);
        }
        return v;
    }

    int intIn(String flag, int otherwise, int min, int max) {
        return (int) longIn(flag, otherwise, min, max);
    }

    long longIn(String flag, long otherwise, long min, long max) {
        String v = values.get(flag);
        if (v == null) {
            return otherwise;
        }
        long n = number(flag, v);
        if (n < min || n > max) {
            throw new IllegalArgumentException(flag + " must be in " + min + ".." + max + ", got " + v);
        }
        return n;
    }

    float floatOr(String flag, float otherwise) {
        String v = values.get(flag);
        if (v == null) {
            return otherwise;
        }
        try {
            return Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, got '" + v + "'");
        }
    }

    private static long number(String flag, String v) {
        if (!v.matches("[+-]?[0-9]{1,18}")) {
            throw new IllegalArgumentException(flag + " must be an integer, got '" + v + "'");
        }
        return Long.parseLong(v);
    }
}
