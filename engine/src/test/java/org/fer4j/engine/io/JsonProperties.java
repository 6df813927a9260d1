package org.fer4j.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Whatever {@link Json#write} accepts, {@link Json#parse} gives back: nested maps and lists,
 * strings over all of UTF-16 (escapes, control characters, emoji, lone surrogates), every long,
 * and every finite double and float bit pattern.
 */
class JsonProperties {

    @Property(tries = 400)
    void writtenValuesParseBackEqual(@ForAll("values") Object value, @ForAll boolean pretty) {
        String text = pretty ? Json.writePretty(value) : Json.write(value);
        assertEquals(value, Json.parse(text), text);
    }

    @Property(tries = 2000)
    void everyFiniteFloatRoundTripsBitForBit(@ForAll int bits) {
        float f = Float.intBitsToFloat(bits);
        Assume.that(Float.isFinite(f));
        Object parsed = Json.parse(Json.write(new float[] {f}));
        float back = ((Number) ((List<?>) parsed).get(0)).floatValue();
        assertEquals(bits, Float.floatToRawIntBits(back), () -> f + " came back as " + back);
    }

    @Property(tries = 2000)
    void everyFiniteDoubleRoundTripsBitForBit(@ForAll long bits) {
        double d = Double.longBitsToDouble(bits);
        Assume.that(Double.isFinite(d));
        Object parsed = Json.parse(Json.write(d));
        assertEquals(bits, Double.doubleToRawLongBits((Double) parsed));
    }

    @Property(tries = 500)
    void everyLongRoundTripsAsALong(@ForAll long n) {
        assertEquals(n, Json.parse(Json.write(n)));
    }

    @Provide
    Arbitrary<Object> values() {
        return value(4);
    }

    /** A JSON value nested at most {@code depth} levels, mostly scalars so that trees stay small. */
    private Arbitrary<Object> value(int depth) {
        Arbitrary<Object> scalar = Arbitraries.oneOf(
                strings().map(s -> s),
                Arbitraries.longs().map(n -> n),
                Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite).map(d -> d),
                Arbitraries.doubles().between(-1e6, 1e6).map(d -> d),
                Arbitraries.of(true, false).map(b -> b),
                Arbitraries.just(null));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<Object> list = Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(4).map(l -> l);
        Arbitrary<Object> map = Arbitraries.maps(strings(), Arbitraries.lazy(() -> value(depth - 1)))
                .ofMaxSize(4).map(m -> (Map<String, Object>) m);
        return Arbitraries.frequencyOf(Tuple.of(4, scalar), Tuple.of(1, list), Tuple.of(1, map));
    }

    private Arbitrary<String> strings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(12),
                Arbitraries.strings().withChars("\"\\/\b\f\n\r\t\u0000\u001f\u007f\u2028é😀 {}[],:").ofMaxLength(12),
                Arbitraries.strings().alpha().ofMaxLength(6));
    }
}
