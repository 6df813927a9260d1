package org.fer4j.datasets;

import java.io.IOException;

/**
 * Input that is not what it claims to be: a malformed CSV row, an undecodable image, an empty class
 * folder. The message is one line that names the file, the line (where there is one) and what was
 * expected: {@code fer2013.csv line 1841: expected 2304 pixels, found 2303}.
 */
public class BadDataException extends IOException {
    private static final long serialVersionUID = 1L;

    public BadDataException(String message) {
        super(message);
    }

    public BadDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
