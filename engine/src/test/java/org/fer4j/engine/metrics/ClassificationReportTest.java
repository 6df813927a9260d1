package org.fer4j.engine.metrics;

import static org.fer4j.engine.metrics.ConfusionMatrixTest.message;
import static org.fer4j.engine.metrics.ConfusionMatrixTest.sklearnExample;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassificationReportTest {
    private static final List<String> NAMES = List.of("class 0", "class 1", "class 2");

    @Test
    void textMatchesScikitLearnCharacterForCharacter() {
        // The output of sklearn.metrics.classification_report(y_true, y_pred, target_names=NAMES)
        // for the example in ConfusionMatrixTest, as printed in scikit-learn's documentation.
        String expected = """
                              precision    recall  f1-score   support

                     class 0       0.50      1.00      0.67         1
                     class 1       0.00      0.00      0.00         1
                     class 2       1.00      0.67      0.80         3

                    accuracy                           0.60         5
                   macro avg       0.50      0.56      0.49         5
                weighted avg       0.70      0.60      0.61         5
                """;
        ClassificationReport report = new ClassificationReport(sklearnExample(), NAMES);
        assertEquals(expected, report.toString());
    }

    @Test
    void longClassNamesWidenTheFirstColumnAndDigitsAreHonoured() {
        ConfusionMatrix cm = ConfusionMatrix.of(new long[][] {{2, 1}, {0, 3}});
        String text = new ClassificationReport(cm, List.of("neutral-ish face", "happy")).format(4);
        // precision of class 0 = 2/2, recall 2/3, f1 = 4/5; the name column is 16 wide.
        assertEquals("neutral-ish face     1.0000    0.6667    0.8000         3",
                text.lines().filter(l -> l.startsWith("neutral")).findFirst().orElseThrow());
        assertEquals("        accuracy                         0.8333         6",
                text.lines().filter(l -> l.contains("accuracy")).findFirst().orElseThrow());
    }

    @Test
    void mapHoldsFractionsAndPerClassRows() {
        Map<String, Object> m = new ClassificationReport(sklearnExample(), NAMES).toMap();
        assertEquals(0.6, (double) m.get("accuracy"), 1e-12);
        assertEquals(22.0 / 45, (double) m.get("macro_f1"), 1e-12);
        assertEquals(46.0 / 75, (double) m.get("weighted_f1"), 1e-12);
        assertEquals(5L, m.get("support"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> perClass = (List<Map<String, Object>>) m.get("per_class");
        assertEquals(3, perClass.size());
        assertEquals(Map.of("class", "class 2", "precision", 1.0, "recall", 2.0 / 3, "f1", 0.8, "support", 3L),
                perClass.get(2));
        assertEquals(List.of(List.of(1L, 0L, 0L), List.of(1L, 0L, 0L), List.of(0L, 1L, 2L)),
                m.get("confusion_matrix"));
    }

    @Test
    void aReportIsASnapshot() {
        ConfusionMatrix cm = sklearnExample();
        ClassificationReport report = new ClassificationReport(cm, NAMES);
        cm.add(1, 1);
        assertEquals(6, cm.total());
        assertEquals(5, report.matrix().total());
    }

    @Test
    void classNamesMustMatchTheMatrix() {
        assertEquals("need 3 class names, got 1: [a]",
                message(() -> new ClassificationReport(sklearnExample(), List.of("a"))));
    }

    @Test
    void confusionMatrixTextUsesTheClassNames() {
        assertEquals("""
                true \\ pred  class 0  class 1  class 2
                    class 0        1        0        0
                    class 1        1        0        0
                    class 2        0        1        2
                """, new ClassificationReport(sklearnExample(), NAMES).confusionMatrixText());
    }

    @Test
    void absentClassesAreMarkedAndLeftOutOfTheMacroAverages() {
        // true happy/sad/neutral, but the data has no neutral: 2 faces were predicted neutral.
        ConfusionMatrix cm = ConfusionMatrix.of(new long[][] {{3, 0, 1}, {1, 2, 1}, {0, 0, 0}});
        List<String> names = List.of("happy", "sad", "neutral");
        ClassificationReport all = new ClassificationReport(cm, names);
        ClassificationReport report = new ClassificationReport(cm, names, List.of("neutral"));
        assertEquals(List.of("neutral"), report.absentClasses());
        assertEquals((cm.f1(0) + cm.f1(1)) / 2, report.macroF1(), 1e-12);
        assertEquals(cm.macroF1() * 3 / 2, report.macroF1(), 1e-12, "the absent class's F1 of 0 is not averaged in");
        assertEquals((cm.recall(0) + cm.recall(1)) / 2, report.macroRecall(), 1e-12);
        assertEquals(all.accuracy(), report.accuracy());
        assertEquals(all.weightedF1(), report.weightedF1());
        String text = report.format(2);
        assertEquals(" neutral  absent from the data (predicted 2 times)".strip(),
                text.lines().filter(l -> l.contains("neutral")).findFirst().orElseThrow().strip());
        assertEquals(true, text.contains(String.format(java.util.Locale.ROOT, "%.2f", report.macroF1())));
        assertEquals(true, report.confusionMatrixText().endsWith("(absent from the data, empty rows: neutral)\n"));
        Map<String, Object> m = report.toMap();
        assertEquals(List.of("neutral"), m.get("absent_classes"));
        assertEquals(report.macroF1(), m.get("macro_f1"));
        assertEquals(false, all.toMap().containsKey("absent_classes"));
        assertEquals("class 'sad' is marked absent but has 4 images", message(() -> new ClassificationReport(cm, names,
                List.of("sad"))));
        assertEquals("absent class 'calm' is not one of [happy, sad, neutral]", message(() -> new ClassificationReport(cm,
                names, List.of("calm"))));
    }
}
