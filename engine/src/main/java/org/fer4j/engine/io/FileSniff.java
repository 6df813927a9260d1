package org.fer4j.engine.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Says what a file that is not a fer4j model looks like, from its first bytes (PNG, JPEG, ZIP,
 * ONNX, text ...), so that "not a fer4j model file" tells the user what they gave instead.
 */
final class FileSniff {
    private FileSniff() {
    }

    static String describe(byte[] head, int n) {
        String hex = hexBytes(head, Math.min(n, ModelFile.MAGIC.length));
        String kind = kind(head, n);
        return "it starts with " + hex + (kind == null ? "" : " and looks like " + kind)
                + " (a fer4j model starts with " + hexBytes(ModelFile.MAGIC, ModelFile.MAGIC.length) + ")";
    }

    private static String kind(byte[] b, int n) {
        if (startsWith(b, n, 0x89, 'P', 'N', 'G')) {
            return "a PNG image";
        }
        if (startsWith(b, n, 0xFF, 0xD8, 0xFF)) {
            return "a JPEG image";
        }
        if (startsWith(b, n, 'G', 'I', 'F', '8')) {
            return "a GIF image";
        }
        if (startsWith(b, n, 'P', 'K', 3, 4)) {
            return "a ZIP archive (or a jar)";
        }
        if (startsWith(b, n, 0x1F, 0x8B)) {
            return "gzip-compressed data";
        }
        if (startsWith(b, n, 0xAC, 0xED)) {
            return "Java serialization, which fer4j never writes";
        }
        if (startsWith(b, n, 0x89, 'H', 'D', 'F')) {
            return "an HDF5 file (a Keras .h5 model?)";
        }
        if (startsWith(b, n, 0x89, 'F', 'E', 'R', '4', 'J')) {
            return "a fer4j model whose CR LF was changed: it was copied in text mode";
        }
        if (startsWith(b, n, 0x09, 'F', 'E', 'R', '4', 'J')) {
            return "a fer4j model whose first byte lost its high bit: it went through a 7-bit channel";
        }
        String text = text(b, n);
        return text == null ? null : "text: \"" + text + "\"";
    }

    /** The first line, when the bytes decode as UTF-8 without control characters; else null. */
    private static String text(byte[] b, int n) {
        // A multi-byte character may be cut at the end of what was read: drop up to 3 bytes.
        for (int cut = 0; cut <= Math.min(3, n - 1); cut++) {
            String s;
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b, 0, n - cut));
                s = chars.toString();
            } catch (CharacterCodingException e) {
                continue;
            }
            boolean printable = s.chars().allMatch(c -> c >= 0x20 && c != 0x7F || c == '\n' || c == '\r' || c == '\t');
            if (!printable) {
                return null;
            }
            String line = s.lines().findFirst().orElse("");
            return line.length() > 40 ? line.substring(0, 40) + "..." : line;
        }
        return null;
    }

    private static boolean startsWith(byte[] b, int n, int... prefix) {
        if (n < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hexBytes(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02X", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
