package org.fer4j.models.faces;

import java.io.IOException;

/**
 * An image that cannot be used: empty, not an image, truncated, of a kind fer4j does not read, or
 * larger than the pixel limit. The message is one line that starts with the file or source name:
 * {@code photos/a.jpg: truncated JPEG (premature end of data)}.
 */
public class ImageException extends IOException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
