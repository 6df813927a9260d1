package org.fer4j.cli;

import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * The words that enum-like flags take, as enums: picocli converts the word with
 * {@link #converter} (registered for every type in {@link #ALL} by {@link Main#run}), so a command
 * gets a constant or never runs, and a wrong word is refused naming the flag and the right words:
 * {@code fer4j predict: Invalid value for option '--format': expected table, csv or json, got 'xml'}.
 * On the command line a constant is its name in lower case, in any case ({@code VAL_LOSS} is
 * {@code val_loss}).
 */
final class Choices {
    /** {@code predict}, {@code detect}: how results are printed. */
    enum Format { TABLE, CSV, JSON }

    /** {@code predict --detect}: find faces first always, never, or in images too large to be one face. */
    enum Detect { AUTO, ON, OFF }

    /** {@code predict}, {@code eval}: test-time augmentation. */
    enum Tta { NONE, FLIP }

    /** {@code export --format}. */
    enum ExportFormat { ONNX }

    /** {@code import --format}. */
    enum ImportFormat { ONNX, TFJS }

    /** {@code train --optimizer} (the names of {@code OptimizerConfig.Type}). */
    enum Optimizer { ADAM, ADAMW, SGD }

    /** {@code train --schedule}: how the learning rate changes over the epochs. */
    enum Schedule { NONE, PLATEAU, COSINE, STEP }

    /** {@code train --class-weights}. */
    enum ClassWeights { NONE, BALANCED }

    /** {@code train --monitor}: the figure that picks best.fer4j and drives early stopping. */
    enum Monitor { VAL_ACCURACY, VAL_LOSS, ACCURACY, LOSS }

    /** {@code --backend}: the kernels; {@code auto} is the fastest that works. */
    enum Backend { AUTO, SCALAR, VECTOR, OPENCL }

    /** Every type above, for {@link Main#run} to register {@link #converter} with picocli. */
    static final List<Class<? extends Enum<?>>> ALL = List.of(Format.class, Detect.class, Tta.class, ExportFormat.class,
            ImportFormat.class, Optimizer.class, Schedule.class, ClassWeights.class, Monitor.class, Backend.class);

    private Choices() {
    }

    /** The word of a constant on the command line: its name in lower case. */
    static String word(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** "table, csv or json". */
    static String words(Class<? extends Enum<?>> type) {
        Enum<?>[] all = type.getEnumConstants();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < all.length; i++) {
            sb.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(word(all[i]));
        }
        return sb.toString();
    }

    /** Reads a word (any case, surrounding spaces ignored) as the constant it names. */
    static <E extends Enum<E>> CommandLine.ITypeConverter<E> converter(Class<E> type) {
        return text -> {
            for (E constant : type.getEnumConstants()) {
                if (word(constant).equalsIgnoreCase(text.strip())) {
                    return constant;
                }
            }
            throw new CommandLine.TypeConversionException("expected " + words(type) + ", got '" + text + "'");
        };
    }
}
