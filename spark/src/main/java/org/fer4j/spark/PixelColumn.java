package org.fer4j.spark;

import java.util.List;
import org.apache.spark.sql.Row;
import scala.collection.Seq;

/** A face's grey pixels (0..255) from a row's {@code pixels} column, in any of its accepted forms. */
final class PixelColumn {
    private PixelColumn() {
    }

    /**
     * A string of space-separated values (the FER2013 CSV), an array of numbers, or binary (one
     * unsigned byte per pixel).
     *
     * @throws IllegalArgumentException naming the problem: null, a value that is not a number or
     *                                  lies outside 0..255
     */
    static float[] read(Row row, int column) {
        if (row.isNullAt(column)) {
            throw new IllegalArgumentException("pixels: null");
        }
        Object v = row.get(column);
        float[] out;
        if (v instanceof byte[] bytes) {
            out = new float[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                out[i] = bytes[i] & 0xFF;
            }
            return out;
        }
        if (v instanceof String s) {
            String[] parts = s.strip().split("\\s+");
            out = new float[s.isBlank() ? 0 : parts.length];
            for (int i = 0; i < out.length; i++) {
                try {
                    out[i] = check(i, Float.parseFloat(parts[i]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("pixels: value " + (i + 1) + " is '" + shorten(parts[i])
                            + "', expected a number 0..255");
                }
            }
            return out;
        }
        List<?> values = v instanceof Seq<?> seq ? scala.jdk.javaapi.CollectionConverters.asJava(seq) : (List<?>) v;
        out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(values.get(i) instanceof Number n)) {
                throw new IllegalArgumentException("pixels: value " + (i + 1) + " is null, expected a number 0..255");
            }
            out[i] = check(i, n.floatValue());
        }
        return out;
    }

    private static float check(int i, float value) {
        if (!(value >= 0 && value <= 255)) {
            throw new IllegalArgumentException("pixels: value " + (i + 1) + " is " + value + ", expected 0..255");
        }
        return value;
    }

    private static String shorten(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "..." : s;
    }
}
