package org.fer4j.engine.io;

/**
 * Text from files made safe to print. Class names, file names, CSV fields and metadata come from
 * files someone else wrote; printed raw, an ESC byte drives the terminal (colours, cursor moves,
 * window titles) and a newline forges a line of output. {@link #escape} writes every control
 * character, and the Unicode line separators and bidirectional overrides, as a visible escape
 * ({@code \e}, {@code \n}, {@code \x7f}, {@code \u202e}); everything else is kept.
 */
public final class Text {
    private Text() {
    }

    /** True when {@code c} must not reach a terminal or a report as is. */
    public static boolean isUnsafe(int c) {
        return Character.isISOControl(c)
                || c == 0x2028 || c == 0x2029                  // line and paragraph separators
                || (c >= 0x202A && c <= 0x202E)                // bidi embeddings and overrides
                || (c >= 0x2066 && c <= 0x2069)                // bidi isolates
                || c == 0xFEFF;                                // zero-width no-break space (BOM)
    }

    /**
     * A small text file read as strict UTF-8: it must be a regular file (a pipe would block, a
     * device never end) of at most {@code maxBytes}. Every error is an IOException whose message
     * names the file.
     */
    public static String readUtf8(java.nio.file.Path file, long maxBytes) throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new java.io.IOException(file + ": " + (java.nio.file.Files.exists(file)
                    ? "not a regular file (a folder, pipe or device)" : "no such file"));
        }
        long size = java.nio.file.Files.size(file);
        if (size > maxBytes) {
            throw new java.io.IOException(file + ": " + size + " bytes, more than the " + maxBytes + " expected of it");
        }
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(file))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new java.io.IOException(file + ": not valid UTF-8 text", e);
        }
    }

    /** {@code s} with every unsafe character escaped; {@code null} stays {@code null}. */
    public static String escape(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && !isUnsafe(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isUnsafe(c)) {
                b.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 0x1b -> b.append("\\e");
                default -> b.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    /** {@link #escape}, then shortened to at most {@code max} characters with an ellipsis. */
    public static String escape(String s, int max) {
        String e = escape(s);
        return e == null || e.length() <= max ? e : e.substring(0, Math.max(0, max - 1)) + "…";
    }

    /** {@link #escape}d, then HTML-escaped: safe inside an element or a quoted attribute. */
    public static String html(String s) {
        String e = escape(s);
        if (e == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(e.length() + 16);
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
