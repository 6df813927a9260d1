package org.fer4j.engine.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file that cannot be read: not a fer4j model, an unsupported version, truncated,
 * corrupt, or holding weights that do not fit its architecture. The message is one line meant
 * for the user, starting with the file: {@code models/fer.fer4j: truncated: ...}.
 */
public final class ModelFileException extends IOException {
    private final transient Path path;

    public ModelFileException(Path path, String problem) {
        super(Text.escape(path + ": " + problem, 4000));  // names and values from the header are text from the file
        this.path = path;
    }

    public ModelFileException(Path path, String problem, Throwable cause) {
        super(Text.escape(path + ": " + problem, 4000), cause);
        this.path = path;
    }

    /** The file the problem is in. */
    public Path path() {
        return path;
    }
}
