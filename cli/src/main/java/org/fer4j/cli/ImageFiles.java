package org.fer4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.fer4j.engine.io.Text;

/** The image files named on a command line: files as given, folders walked in a stable (sorted) order. */
final class ImageFiles {
    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif", "webp");

    private ImageFiles() {
    }

    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> walk = Files.walk(in)) {
                    walk.filter(ImageFiles::isImageName).sorted().forEach(files::add);
                }
            } else if (Files.exists(in)) {
                files.add(in);   // a pipe or device named on purpose is refused, with its name, when read
            } else {
                throw new NoSuchFileException(in.toString());
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no image files (" + String.join(", ", EXTENSIONS.stream().sorted().toList())
                    + ") in " + inputs);
        }
        return files;
    }

    static boolean isImageName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static String csv(String raw) {
        String s = Text.escape(raw);  // a file name may hold a newline or ESC: shown, not obeyed
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
