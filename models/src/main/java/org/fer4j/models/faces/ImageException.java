package org.fer4j.models.faces;

/** An image that cannot be read: one-line message naming the source and the problem. TEMP stand-in. */
public class ImageException extends java.io.IOException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
