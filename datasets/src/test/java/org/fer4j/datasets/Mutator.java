package org.fer4j.datasets;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Byte-level mutations of a valid input, driven by one seed so that a failing case is reproduced
 * from the seed jqwik reports: flips, random bytes, deletions, duplications, truncation, and
 * insertion of tokens that readers trip on (separators, quotes, line breaks, huge numbers, non-ASCII
 * digits, ESC).
 */
final class Mutator {
    private static final String[] TOKENS = {",", "\"", "\n", "\r\n", "\"\"", " ", "-1", "256", "99999999999999999999",
            "\u0663", "\uFF13", "\u001b[31m", "\0", "NaN", "1e309", "\uFEFF", ",,,,,,,,", "Usage", "usgae", "\\"};

    private Mutator() {
    }

    static byte[] mutate(byte[] base, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = base.clone();
        int count = 1 + r.nextInt(8);
        for (int m = 0; m < count; m++) {
            b = once(b, r);
        }
        return b;
    }

    private static byte[] once(byte[] b, SplittableRandom r) {
        if (b.length == 0) {
            return new byte[] {(byte) r.nextInt(256)};
        }
        int at = r.nextInt(b.length);
        switch (r.nextInt(7)) {
            case 0 -> {   // flip bits
                byte[] c = b.clone();
                c[at] ^= (byte) (1 << r.nextInt(8));
                return c;
            }
            case 1 -> {   // a random byte
                byte[] c = b.clone();
                c[at] = (byte) r.nextInt(256);
                return c;
            }
            case 2 -> {   // delete a range
                int len = Math.min(b.length - at, 1 + r.nextInt(Math.max(1, Math.min(64, b.length / 4 + 1))));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(b, 0, at);
                out.write(b, at + len, b.length - at - len);
                return out.toByteArray();
            }
            case 3 -> {   // duplicate a range
                int len = Math.min(b.length - at, 1 + r.nextInt(256));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(b, 0, at + len);
                out.write(b, at, b.length - at);
                return out.toByteArray();
            }
            case 4 -> {   // truncate
                return java.util.Arrays.copyOf(b, at);
            }
            default -> {  // insert a token
                byte[] t = TOKENS[r.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(b, 0, at);
                out.write(t, 0, t.length);
                out.write(b, at, b.length - at);
                return out.toByteArray();
            }
        }
    }
}
