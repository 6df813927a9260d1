package org.fer4j.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonTest {

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void writesCompactJsonInInsertionOrder() {
        Map<String, Object> value = ordered("z", 1, "a", List.of(1.5, true), "m", ordered("k", null), "e", List.of());
        assertEquals("{\"z\":1,\"a\":[1.5,true],\"m\":{\"k\":null},\"e\":[]}", Json.write(value));
    }

    @Test
    void writesPrettyJsonWithTwoSpacesAndScalarArraysOnOneLine() {
        Map<String, Object> value = ordered("name", "m", "shape", new int[] {1, 48, 48},
                "layers", List.of(ordered("type", "ReLU", "config", Map.of())), "empty", List.of());
        String expected = """
                {
                  "name": "m",
                  "shape": [1, 48, 48],
                  "layers": [
                    {
                      "type": "ReLU",
                      "config": {}
                    }
                  ],
                  "empty": []
                }""";
        assertEquals(expected, Json.writePretty(value));
    }

    @Test
    void writesEveryArrayType() {
        assertEquals("[1,-2]", Json.write(new int[] {1, -2}));
        assertEquals("[9007199254740993]", Json.write(new long[] {9007199254740993L}));
        assertEquals("[0.1,1.0E-8]", Json.write(new float[] {0.1f, 1e-8f}));
        assertEquals("[0.1,-0.0]", Json.write(new double[] {0.1, -0.0}));
        assertEquals("[\"a\",null,[1]]", Json.write(new Object[] {"a", null, new int[] {1}}));
    }

    @Test
    void escapesWhatJsonRequiresAndKeepsOtherUnicode() {
        String s = "q\" b\\ / \b\f\n\r\t \u0001\u001f é \u2028 😀";
        assertEquals("\"q\\\" b\\\\ / \\b\\f\\n\\r\\t \\u0001\\u001f é \u2028 😀\"", Json.write(s));
        assertEquals(s, Json.parse(Json.write(s)));
    }

    @Test
    void escapesLoneSurrogatesSoTheyRoundTrip() {
        String s = "a\uD800b\uDC00";
        assertEquals("\"a\\ud800b\\udc00\"", Json.write(s));
        assertEquals(s, Json.parse(Json.write(s)));
    }

    @Test
    void writesFloatsAsTheirShortestDecimal() {
        assertEquals("0.003921569", Json.write(1f / 255));
        assertEquals(1f / 255, ((Number) Json.parse(Json.write(1f / 255))).floatValue());
        assertEquals("0.99", Json.write(0.99f));
    }

    @Test
    void rejectsNaNAndInfinityNamingWhereTheyAre() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Json.write(ordered("training", ordered("history", new float[] {0.5f, Float.NaN}))));
        assertEquals("JSON: cannot write NaN at $.training.history[1]: JSON has no NaN or infinity", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Double.NEGATIVE_INFINITY)));
        assertTrue(e.getMessage().contains("-Infinity at $[0]"), e.getMessage());
    }

    @Test
    void rejectsValuesJsonCannotHold() {
        var e = assertThrows(IllegalArgumentException.class, () -> Json.write(ordered("when", new Object())));
        assertEquals("JSON: cannot write a java.lang.Object at $.when; expected a map, list, array, string, "
                + "number, boolean or null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, "one")));
        assertTrue(e.getMessage().contains("keys must be strings, got Integer 1"), e.getMessage());
    }

    @Test
    void aCycleFailsInsteadOfOverflowingTheStack() {
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        var e = assertThrows(IllegalArgumentException.class, () -> Json.write(cycle));
        assertTrue(e.getMessage().contains("nested deeper than 512 levels (a cycle?)"), e.getMessage());
    }

    @Test
    void parsesIntoOrderedMapsListsLongsAndDoubles() {
        Object parsed = Json.parse(" {\"b\": 1, \"a\": [1.5, -2e3, true, false, null, \"x\"], \"big\": 12345678901234567890,"
                + " \"neg0\": -0, \"min\": -9223372036854775808}\n");
        Map<?, ?> map = assertInstanceOf(LinkedHashMap.class, parsed);
        assertEquals(List.of("b", "a", "big", "neg0", "min"), List.copyOf(map.keySet()));
        assertEquals(1L, map.get("b"));
        List<?> list = assertInstanceOf(ArrayList.class, map.get("a"));
        assertEquals(List.of(1.5, -2000.0, true, false), list.subList(0, 4));
        assertEquals(null, list.get(4));
        assertEquals("x", list.get(5));
        assertEquals(1.2345678901234567e19, map.get("big"));
        assertEquals(0L, map.get("neg0"));
        assertEquals(Long.MIN_VALUE, map.get("min"));
    }

    @Test
    void parsesEscapesAndSurrogatePairs() {
        assertEquals("\"\\/\b\f\n\r\t é 😀", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00\""));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("{\n  \"a\": 1,\n  \"b\": 2 x\n}", "JSON line 3 column 10: expected ',' or '}', found 'x'"),
                Arguments.of("[1] 2", "JSON line 1 column 5: expected end of input after the value, found '2'"),
                Arguments.of("{\"a\": 1,\n \"a\": 2}", "JSON line 2 column 2: duplicate key \"a\""),
                Arguments.of("", "JSON line 1 column 1: expected a value, found end of input"),
                Arguments.of("[1,]", "JSON line 1 column 4: expected a value, found ']'"),
                Arguments.of("{\"a\": 1,}", "JSON line 1 column 9: expected a string key, found '}'"),
                Arguments.of("{'a': 1}", "JSON line 1 column 2: expected a string key or '}', found \"'\""),
                Arguments.of("{\"a\" 1}", "JSON line 1 column 6: expected ':', found '1'"),
                Arguments.of("[1 2]", "JSON line 1 column 4: expected ',' or ']', found '2'"),
                Arguments.of("[01]", "JSON line 1 column 2: expected a number without a leading zero, found '0'"),
                Arguments.of("[1.]", "JSON line 1 column 4: expected a digit after '.', found ']'"),
                Arguments.of("[.5]", "JSON line 1 column 2: expected a value, found '.'"),
                Arguments.of("1e", "JSON line 1 column 3: expected a digit in the exponent, found end of input"),
                Arguments.of("-", "JSON line 1 column 2: expected a digit, found end of input"),
                Arguments.of("+1", "JSON line 1 column 1: expected a value, found '+'"),
                Arguments.of("1e999", "JSON line 1 column 1: expected a number within the range of a double, found '1'"),
                Arguments.of("NaN", "JSON line 1 column 1: expected a value, found 'N'"),
                Arguments.of("tru", "JSON line 1 column 1: expected a value, found 't'"),
                Arguments.of("\"abc", "JSON line 1 column 5: expected '\"' to close the string, found end of input"),
                Arguments.of("\"a\nb\"", "JSON line 1 column 3: expected a character of the string "
                        + "(control characters must be escaped), found a line break"),
                Arguments.of("\"\\x\"", "JSON line 1 column 3: expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t "
                        + "\\uXXXX), found 'x'"),
                Arguments.of("\"\\u12G4\"", "JSON line 1 column 6: expected 4 hex digits after \\u, found 'G'"),
                Arguments.of("// comment\n1", "JSON line 1 column 1: expected a value, found '/'"),
                Arguments.of("\r\n\r\n  }", "JSON line 3 column 3: expected a value, found '}'"),
                Arguments.of("\uFEFF{}", "JSON line 1 column 1: expected a value, found U+FEFF"),
                Arguments.of("[".repeat(600), "JSON line 1 column 514: nested deeper than 512 levels, found '['"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void rejectsMalformedTextNamingLineAndColumn(String text, String message) {
        var e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void immutableCopyIsDeepAndValidated() {
        List<Object> inner = new ArrayList<>(List.of(1, 2));
        Map<String, Object> source = ordered("list", inner, "floats", new float[] {0.5f});
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) Json.immutableCopy(source, "metadata");
        inner.add(3);
        source.put("late", true);
        assertEquals("{\"list\":[1,2],\"floats\":[0.5]}", Json.write(copy));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) copy.get("list")).clear());
        assertThrows(UnsupportedOperationException.class, () -> copy.put("x", 1));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Json.immutableCopy(ordered("loss", Double.NaN), "training"));
        assertTrue(e.getMessage().contains("NaN at training.loss"), e.getMessage());
    }
}
