package org.fer4j.onnx;

import java.io.IOException;

/**
 * An ONNX file fer4j cannot read: not a model, truncated, inconsistent, too large, or built from
 * operators, attributes or graph shapes fer4j has no layer for. The message is one line that names
 * the file and, where there is one, the node, its operator and what is supported instead.
 */
public final class OnnxException extends IOException {
    private static final long serialVersionUID = 1L;

    public OnnxException(String message) {
        super(message);
    }

    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
