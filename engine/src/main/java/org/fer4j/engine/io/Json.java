package org.fer4j.engine.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) writer and parser: enough for the model file's header and for
 * configurations, with no third-party jar.
 *
 * <p>Java to JSON ({@link #write}, {@link #writePretty}): {@link Map} with {@code String} keys
 * (insertion order kept), {@link Collection}, arrays ({@code int[]}, {@code long[]},
 * {@code float[]}, {@code double[]}, {@code Object[]}), {@link String}, {@link Number},
 * {@link Boolean} and {@code null}. JSON has no NaN or infinity, so those fail, naming where they
 * are (e.g. {@code $.training.history[3]}).
 *
 * <p>JSON to Java ({@link #parse}): objects become {@link LinkedHashMap}, arrays
 * {@link ArrayList}, numbers {@link Long} when they are integers that fit, otherwise
 * {@link Double}. Strict: no comments, no trailing commas, no leading zeros, no duplicate keys, no
 * text after the value. Errors are {@link IllegalArgumentException}s that give line and column:
 * {@code JSON line 3 column 14: expected ',' or '}', found 'x'}.
 *
 * <p>Floats round-trip exactly: a {@code float} is written as the shortest decimal that reads
 * back as the same {@code float} ({@link Float#toString}), and {@code ((Number) parsed).floatValue()}
 * returns it.
 */
public final class Json {
    /**
     * Deeper nesting fails instead of overflowing the stack: no header comes near it, and a
     * cycle (a map that contains itself) is caught by it when writing.
     */
    static final int MAX_DEPTH = 512;

    private Json() {
    }

    /** Compact JSON: no whitespace between tokens. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, false).value(value, "$", 0);
        return sb.toString();
    }

    /**
     * Indented JSON, two spaces per level, one member per line. An array that holds only
     * numbers, strings, booleans or nulls stays on one line ({@code [1, 48, 48]}), which keeps
     * shapes and histories readable.
     */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, true).value(value, "$", 0);
        return sb.toString();
    }

    /** Parses one JSON value that makes up all of {@code text} (surrounding whitespace allowed). */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw p.error("expected end of input after the value");
        }
        return value;
    }

    /**
     * A deep, unmodifiable copy of a value {@link #write} accepts: maps stay ordered, arrays and
     * collections become lists of the same boxed numbers. The records of the model file hold
     * free-form maps this way, so a record is immutable and a map that cannot be written fails
     * when the record is made rather than when the file is saved.
     */
    static Object immutableCopy(Object value, String where) {
        return copy(value, where, 0);
    }

    private static Object copy(Object value, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(path + ": nested deeper than " + MAX_DEPTH + " levels (a cycle?)");
        }
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Number n -> {
                Writer.checkFinite(n, path);
                yield n;
            }
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    String key = Writer.key(e.getKey(), path);
                    out.put(key, copy(e.getValue(), path + "." + key, depth + 1));
                }
                yield Collections.unmodifiableMap(out);
            }
            default -> {
                List<?> items = Writer.items(value, path);
                List<Object> out = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    out.add(copy(items.get(i), path + "[" + i + "]", depth + 1));
                }
                yield Collections.unmodifiableList(out);
            }
        };
    }

    private static final class Writer {
        private final StringBuilder sb;
        private final boolean pretty;

        Writer(StringBuilder sb, boolean pretty) {
            this.sb = sb;
            this.pretty = pretty;
        }

        /** {@code path} is where {@code value} sits, {@code $.model.layers[2]}, for error messages. */
        void value(Object value, String path, int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("JSON: cannot write " + path + ": nested deeper than "
                        + MAX_DEPTH + " levels (a cycle?)");
            }
            switch (value) {
                case null -> sb.append("null");
                case String s -> string(s);
                case Boolean b -> sb.append(b);
                case Number n -> number(n, path);
                case Map<?, ?> m -> object(m, path, depth);
                default -> array(items(value, path), path, depth);
            }
        }

        private void object(Map<?, ?> map, String path, int depth) {
            if (map.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = key(e.getKey(), path);
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(depth + 1);
                string(key);
                sb.append(pretty ? ": " : ":");
                value(e.getValue(), path + "." + key, depth + 1);
            }
            newline(depth);
            sb.append('}');
        }

        private void array(List<?> items, String path, int depth) {
            if (items.isEmpty()) {
                sb.append("[]");
                return;
            }
            boolean inline = !pretty || items.stream().noneMatch(v -> v instanceof Map<?, ?> || isArrayLike(v));
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    sb.append(inline && pretty ? ", " : ",");
                }
                if (!inline) {
                    newline(depth + 1);
                }
                value(items.get(i), path + "[" + i + "]", depth + 1);
            }
            if (!inline) {
                newline(depth);
            }
            sb.append(']');
        }

        private void newline(int depth) {
            if (pretty) {
                sb.append('\n').append("  ".repeat(depth));
            }
        }

        private void number(Number n, String path) {
            checkFinite(n, path);
            switch (n) {
                case Float f -> sb.append(floatText(f));
                case Double d -> sb.append(d.toString());
                case BigDecimal d -> sb.append(d.toString());
                case Byte b -> sb.append(b.longValue());
                case Short s -> sb.append(s.longValue());
                case Integer i -> sb.append(i.longValue());
                case Long l -> sb.append(l.longValue());
                case BigInteger i -> sb.append(i);
                // AtomicLong, DoubleAdder and the like: their double value is what they mean here.
                default -> sb.append(Double.toString(n.doubleValue()));
            }
        }

        /**
         * {@link Float#toString} gives the shortest decimal that reads back as {@code f}. The
         * parser reads it as a double, and rounding decimal to double to float could in principle
         * land on the neighbouring float when the decimal lies almost exactly between two floats;
         * the exact double value of {@code f}, which is never ambiguous, is written then.
         */
        private static String floatText(float f) {
            String shortest = Float.toString(f);
            return (float) Double.parseDouble(shortest) == f ? shortest : Double.toString(f);
        }

        static void checkFinite(Number n, String path) {
            boolean finite = switch (n) {
                case Float f -> Float.isFinite(f);
                case Double d -> Double.isFinite(d);
                case Byte _, Short _, Integer _, Long _, BigInteger _, BigDecimal _ -> true;
                default -> Double.isFinite(n.doubleValue());
            };
            if (!finite) {
                throw new IllegalArgumentException("JSON: cannot write " + n + " at " + path
                        + ": JSON has no NaN or infinity");
            }
        }

        static String key(Object key, String path) {
            if (!(key instanceof String s)) {
                throw new IllegalArgumentException("JSON: object keys must be strings, got "
                        + (key == null ? "null" : key.getClass().getSimpleName() + " " + key) + " in " + path);
            }
            return s;
        }

        private static boolean isArrayLike(Object v) {
            return v instanceof Collection<?> || (v != null && v.getClass().isArray());
        }

        /** The elements of an array or collection; anything else cannot be written. */
        static List<?> items(Object value, String path) {
            return switch (value) {
                case int[] a -> java.util.Arrays.stream(a).boxed().toList();
                case long[] a -> java.util.Arrays.stream(a).boxed().toList();
                case double[] a -> java.util.Arrays.stream(a).boxed().toList();
                case float[] a -> {
                    List<Float> out = new ArrayList<>(a.length);
                    for (float f : a) {
                        out.add(f);
                    }
                    yield out;
                }
                case Object[] a -> java.util.Arrays.asList(a);
                case List<?> l -> l;
                case Collection<?> c -> new ArrayList<>(c);
                default -> throw new IllegalArgumentException("JSON: cannot write a " + value.getClass().getName()
                        + " at " + path + "; expected a map, list, array, string, number, boolean or null");
            };
        }

        private void string(String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        // Control characters must be escaped (RFC 8259 section 7). A lone
                        // surrogate is escaped too: as raw text it would not survive UTF-8.
                        boolean lone = Character.isHighSurrogate(c)
                                ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                                : Character.isLowSurrogate(c)
                                        && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                        if (c < 0x20 || lone) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " levels");
            }
            if (pos >= text.length()) {
                throw error("expected a value");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("expected a value");
                }
            };
        }

        private Map<String, Object> object(int depth) {
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                if (peek() != '"') {
                    throw error(map.isEmpty() ? "expected a string key or '}'" : "expected a string key");
                }
                int keyStart = pos;
                String key = string();
                if (map.containsKey(key)) {
                    pos = keyStart;
                    throw error("duplicate key " + quote(key));
                }
                skipWhitespace();
                expect(':');
                skipWhitespace();
                map.put(key, value(depth + 1));
                skipWhitespace();
                char c = peek();
                if (c == ',') {
                    pos++;
                    skipWhitespace();
                } else if (c == '}') {
                    pos++;
                    return map;
                } else {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> array(int depth) {
            pos++;
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value(depth + 1));
                skipWhitespace();
                char c = peek();
                if (c == ',') {
                    pos++;
                    skipWhitespace();
                } else if (c == ']') {
                    pos++;
                    return list;
                } else {
                    throw error("expected ',' or ']'");
                }
            }
        }

        private String string() {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("expected '\"' to close the string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw error("expected a character of the string (control characters must be escaped)");
                }
                if (c != '\\') {
                    sb.append(c);
                    pos++;
                    continue;
                }
                pos++;
                char e = peek();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        int code = 0;
                        for (int k = 1; k <= 4; k++) {
                            int digit = pos + k < text.length() ? Character.digit(text.charAt(pos + k), 16) : -1;
                            if (digit < 0) {
                                pos += k;
                                throw error("expected 4 hex digits after \\u");
                            }
                            code = code * 16 + digit;
                        }
                        sb.append((char) code);
                        pos += 4;
                    }
                    default -> throw error("expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
                }
                pos++;
            }
        }

        /** RFC 8259: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
        private Object number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
                if (isDigit(peek())) {
                    pos--;
                    throw error("expected a number without a leading zero");
                }
            } else if (isDigit(peek())) {
                digits();
            } else {
                throw error("expected a digit");
            }
            boolean integral = true;
            if (peek() == '.') {
                integral = false;
                pos++;
                if (!isDigit(peek())) {
                    throw error("expected a digit after '.'");
                }
                digits();
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!isDigit(peek())) {
                    throw error("expected a digit in the exponent");
                }
                digits();
            }
            String literal = text.substring(start, pos);
            if (integral) {
                try {
                    return Long.parseLong(literal);
                } catch (NumberFormatException tooLarge) {
                    // Falls through: an integer beyond a long is kept approximately, as a double.
                }
            }
            double d = Double.parseDouble(literal);
            if (Double.isInfinite(d)) {
                pos = start;
                throw error("expected a number within the range of a double");
            }
            return d;
        }

        private void digits() {
            while (isDigit(peek())) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("expected a value");
            }
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        /** The current character, or U+0000 at the end; callers that accept NUL check the position. */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        /** RFC 8259 whitespace: space, tab, line feed, carriage return; nothing else. */
        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        /** An error at the current position: {@code JSON line L column C: <expected>, found <what is there>}. */
        IllegalArgumentException error(String expected) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < pos; i++) {
                char c = text.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            String found = expected.startsWith("duplicate") ? "" : ", found " + describe();
            return new IllegalArgumentException("JSON line " + line + " column " + column + ": " + expected + found);
        }

        private String describe() {
            if (pos >= text.length()) {
                return "end of input";
            }
            int c = text.codePointAt(pos);
            return switch (c) {
                case '\n' -> "a line break";
                case '\r' -> "a carriage return";
                case '\t' -> "a tab";
                case '\'' -> "\"'\"";
                default -> c < 0x20 || c == 0x7f || Character.isISOControl(c) || Character.isWhitespace(c)
                        || Character.getType(c) == Character.FORMAT
                        ? String.format("U+%04X", c)
                        : "'" + Character.toString(c) + "'";
            };
        }

        private static String quote(String s) {
            StringBuilder sb = new StringBuilder();
            new Writer(sb, false).string(s);
            return sb.toString();
        }
    }
}
