package org.fer4j.serve;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Analyzers without a model, for the tests of behaviour (queue, timeouts, shutdown, security). */
final class StubAnalyzers {
    private StubAnalyzers() {}

    static final Analyzer.ModelDescription MODEL = new Analyzer.ModelDescription("stub", List.of("happy", "sad"), 48, 48,
            false, "stub", Map.of());

    /** One whole-image face, "happy"; each call first waits until {@code gate} opens (or 30 s). */
    static Analyzer.Factory gated(CountDownLatch gate) {
        return factory(image -> {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return face(image);
        });
    }

    static Analyzer.Factory instant() {
        return factory(StubAnalyzers::face);
    }

    static Analyzer.Factory factory(Analyzer analyzer) {
        return new Analyzer.Factory() {
            @Override
            public Analyzer.ModelDescription model() {
                return MODEL;
            }

            @Override
            public Analyzer create() {
                return analyzer;
            }
        };
    }

    static List<Analyzer.Face> face(BufferedImage image) {
        Map<String, Float> p = new LinkedHashMap<>();
        p.put("happy", 0.75f);
        p.put("sad", 0.25f);
        return List.of(new Analyzer.Face(0, 0, image.getWidth(), image.getHeight(), 1f, "happy", 0.75f, p));
    }
}
