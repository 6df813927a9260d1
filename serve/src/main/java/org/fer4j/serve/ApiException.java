package org.fer4j.serve;

/** An answer other than 200: the status and a one-line message, sent as {@code {"error": ...}}. */
final class ApiException extends RuntimeException {
    private final int status;
    private final Integer retryAfterSeconds;

    ApiException(int status, String message) {
        this(status, message, null);
    }

    ApiException(int status, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
