package org.fer4j.datasets;

import java.util.ArrayList;
import java.util.List;

/**
 * A data set's classes against a model's, for evaluating a model on data labelled differently
 * (CK+'s anger, contempt, ..., sadness against FER2013's angry, ..., neutral). Names are compared
 * after {@link ClassNames#normalize}, so {@code anger} is {@code angry} and {@code sadness} is
 * {@code sad}; merges ({@code --merge contempt->disgust}) are applied to the data before this.
 *
 * <pre>
 * shared     classes both have: their images are evaluated, labelled with the model's index
 * dataOnly   the data's classes the model lacks: their images are left out
 * modelOnly  the model's classes the data lacks: absent from the evaluation (no images), though the
 *            model may still predict them
 * </pre>
 */
public final class ClassMatch {
    private final List<String> modelClasses;
    private final List<String> dataClasses;
    private final int[] target;   // [data classes] the model's index, or -1

    private ClassMatch(List<String> modelClasses, List<String> dataClasses, int[] target) {
        this.modelClasses = List.copyOf(modelClasses);
        this.dataClasses = List.copyOf(dataClasses);
        this.target = target;
    }

    /**
     * @param modelClasses the model's classes, in output order (as the model spells them)
     * @param dataClasses  the data's classes, in label order
     * @param dataName     names the data in the error when nothing is shared
     * @throws IllegalArgumentException when the two have no class in common; the message lists both
     */
    public static ClassMatch of(List<String> modelClasses, List<String> dataClasses, String dataName) {
        List<String> model = new ArrayList<>();
        for (String m : modelClasses) {
            model.add(ClassNames.normalize(m));
        }
        int[] target = new int[dataClasses.size()];
        boolean any = false;
        for (int d = 0; d < target.length; d++) {
            target[d] = model.indexOf(ClassNames.normalize(dataClasses.get(d)));
            any |= target[d] >= 0;
        }
        if (!any) {
            throw new IllegalArgumentException(dataName + ": none of the data's classes (" + String.join(", ", dataClasses)
                    + ") is one of the model's (" + String.join(", ", modelClasses) + "); map them with --merge FROM->TO,"
                    + " e.g. --merge " + (dataClasses.isEmpty() ? "happiness" : dataClasses.getFirst()) + "->"
                    + (modelClasses.isEmpty() ? "happy" : modelClasses.getFirst()));
        }
        return new ClassMatch(modelClasses, dataClasses, target);
    }

    /** For each data class (label order), the model's class index, or -1 when the model lacks it. */
    public int[] targets() {
        return target.clone();
    }

    public List<String> modelClasses() {
        return modelClasses;
    }

    public List<String> dataClasses() {
        return dataClasses;
    }

    /** The classes both have, in the model's order and spelling. */
    public List<String> shared() {
        List<String> list = new ArrayList<>();
        for (int m = 0; m < modelClasses.size(); m++) {
            if (covered(m)) {
                list.add(modelClasses.get(m));
            }
        }
        return list;
    }

    /** The data's classes that the model lacks, in the data's order. */
    public List<String> dataOnly() {
        List<String> list = new ArrayList<>();
        for (int d = 0; d < target.length; d++) {
            if (target[d] < 0) {
                list.add(dataClasses.get(d));
            }
        }
        return list;
    }

    /** The model's classes that the data lacks, in the model's order and spelling. */
    public List<String> modelOnly() {
        List<String> list = new ArrayList<>();
        for (int m = 0; m < modelClasses.size(); m++) {
            if (!covered(m)) {
                list.add(modelClasses.get(m));
            }
        }
        return list;
    }

    /** Whether the two lists name the same classes in the same order: nothing to report. */
    public boolean identical() {
        if (target.length != modelClasses.size()) {
            return false;
        }
        for (int d = 0; d < target.length; d++) {
            if (target[d] != d) {
                return false;
            }
        }
        return true;
    }

    private boolean covered(int m) {
        for (int t : target) {
            if (t == m) {
                return true;
            }
        }
        return false;
    }
}
