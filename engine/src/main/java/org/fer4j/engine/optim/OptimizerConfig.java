package org.fer4j.engine.optim;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fer4j.engine.Param;

/**
 * Which optimizer to train with, and its hyper-parameters: what the CLI maps its flags onto and
 * what a checkpoint stores (through {@link #toMap()}). Immutable and validated; adjust a preset
 * through a builder: {@code OptimizerConfig.ADAMW.toBuilder().lr(3e-4f).build()}.
 *
 * <p>Every field is present whatever the type, so that switching the type of a preset keeps
 * sensible values; the fields a type does not use ({@code momentum} for Adam, the betas for SGD)
 * are validated but ignored, and {@link #toMap()} leaves them out.
 *
 * @param type        sgd, adam or adamw
 * @param lr          the learning rate (the starting one when a schedule changes it)
 * @param momentum    SGD momentum, in [0, 1)
 * @param nesterov    SGD with Nesterov momentum; needs momentum > 0
 * @param beta1       Adam's decay rate of the first moment, in [0, 1)
 * @param beta2       Adam's decay rate of the second moment, in [0, 1)
 * @param eps         Adam's term added to the denominator, > 0
 * @param weightDecay >= 0; L2 for sgd and adam, decoupled for adamw
 */
public record OptimizerConfig(Type type, float lr, float momentum, boolean nesterov,
                              float beta1, float beta2, float eps, float weightDecay) {

    public enum Type {
        SGD, ADAM, ADAMW;

        /** The name in checkpoints and on the command line: {@code sgd}, {@code adam}, {@code adamw}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type parse(String name) {
            for (Type t : values()) {
                if (t.key().equalsIgnoreCase(name.strip())) {
                    return t;
                }
            }
            throw new IllegalArgumentException("optimizer must be one of sgd, adam, adamw, got '" + name + "'");
        }
    }

    /** SGD with momentum 0.9: the usual recipe for training CNNs from scratch. */
    public static final OptimizerConfig SGD =
            new OptimizerConfig(Type.SGD, 0.01f, 0.9f, false, 0.9f, 0.999f, 1e-8f, 0f);

    /** Adam with the paper's defaults (PyTorch's too). */
    public static final OptimizerConfig ADAM =
            new OptimizerConfig(Type.ADAM, 1e-3f, 0.9f, false, 0.9f, 0.999f, 1e-8f, 0f);

    /** AdamW with PyTorch's default decay of 0.01. */
    public static final OptimizerConfig ADAMW =
            new OptimizerConfig(Type.ADAMW, 1e-3f, 0.9f, false, 0.9f, 0.999f, 1e-8f, AdamW.DEFAULT_WEIGHT_DECAY);

    private static final Set<String> SGD_KEYS = Set.of("type", "lr", "momentum", "nesterov", "weight_decay");
    private static final Set<String> ADAM_KEYS = Set.of("type", "lr", "beta1", "beta2", "eps", "weight_decay");

    public OptimizerConfig {
        if (type == null) {
            throw new IllegalArgumentException("optimizer type must be one of sgd, adam, adamw, got null");
        }
        Hyper.positive("lr", lr);
        Hyper.unitInterval("momentum", momentum);
        Hyper.nesterov(nesterov, momentum);
        Hyper.unitInterval("beta1", beta1);
        Hyper.unitInterval("beta2", beta2);
        Hyper.positive("eps", eps);
        Hyper.nonNegative("weightDecay", weightDecay);
    }

    public static OptimizerConfig preset(Type type) {
        return switch (type) {
            case SGD -> SGD;
            case ADAM -> ADAM;
            case ADAMW -> ADAMW;
        };
    }

    public Optimizer create(List<Param> params) {
        return switch (type) {
            case SGD -> new Sgd(params, lr, momentum, nesterov, weightDecay);
            case ADAM -> new Adam(params, lr, beta1, beta2, eps, weightDecay);
            case ADAMW -> new AdamW(params, lr, beta1, beta2, eps, weightDecay);
        };
    }

    /**
     * The map a checkpoint stores and {@link #fromMap} reads: {@code type}, {@code lr}, then the
     * keys the type uses ({@code momentum, nesterov, weight_decay} for sgd;
     * {@code beta1, beta2, eps, weight_decay} for adam and adamw).
     */
    public Map<String, Object> toMap() {
        Map<String, Object> c = Optimizer.baseConfig(type.key(), lr);
        if (type == Type.SGD) {
            c.put("momentum", momentum);
            c.put("nesterov", nesterov);
        } else {
            c.put("beta1", beta1);
            c.put("beta2", beta2);
            c.put("eps", eps);
        }
        c.put("weight_decay", weightDecay);
        return c;
    }

    /**
     * Reads the map that {@link #toMap()} (or {@link Optimizer#config()}) wrote. It may come from
     * a JSON parser, so any {@link Number} is accepted for a number. Missing keys take the value
     * of the type's preset; a key the type does not know fails, since it is most likely a typo.
     */
    public static OptimizerConfig fromMap(Map<String, ?> map) {
        Object typeName = map.get("type");
        if (!(typeName instanceof String s)) {
            throw new IllegalArgumentException("optimizer config: 'type' must be one of sgd, adam, adamw, got "
                    + typeName);
        }
        Type type = Type.parse(s);
        Set<String> known = type == Type.SGD ? SGD_KEYS : ADAM_KEYS;
        for (String key : map.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("optimizer config: unknown key '" + key + "' for " + type.key()
                        + ", expected some of " + known.stream().sorted().toList());
            }
        }
        OptimizerConfig p = preset(type);
        return new OptimizerConfig(type,
                number(map, "lr", p.lr),
                number(map, "momentum", p.momentum),
                bool(map, "nesterov", p.nesterov),
                number(map, "beta1", p.beta1),
                number(map, "beta2", p.beta2),
                number(map, "eps", p.eps),
                number(map, "weight_decay", p.weightDecay));
    }

    private static float number(Map<String, ?> map, String key, float fallback) {
        if (!map.containsKey(key)) {
            return fallback;
        }
        if (!(map.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("optimizer config: '" + key + "' must be a number, got " + map.get(key));
        }
        return n.floatValue();
    }

    private static boolean bool(Map<String, ?> map, String key, boolean fallback) {
        if (!map.containsKey(key)) {
            return fallback;
        }
        if (!(map.get(key) instanceof Boolean b)) {
            throw new IllegalArgumentException("optimizer config: '" + key + "' must be true or false, got "
                    + map.get(key));
        }
        return b;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Starts from the preset of {@code type}. */
    public static Builder builder(Type type) {
        return preset(type).toBuilder();
    }

    public static final class Builder {
        private Type type;
        private float lr;
        private float momentum;
        private boolean nesterov;
        private float beta1;
        private float beta2;
        private float eps;
        private float weightDecay;

        private Builder(OptimizerConfig c) {
            type = c.type;
            lr = c.lr;
            momentum = c.momentum;
            nesterov = c.nesterov;
            beta1 = c.beta1;
            beta2 = c.beta2;
            eps = c.eps;
            weightDecay = c.weightDecay;
        }

        public Builder type(Type type) {
            this.type = type;
            return this;
        }

        public Builder lr(float lr) {
            this.lr = lr;
            return this;
        }

        public Builder momentum(float momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        public Builder beta1(float beta1) {
            this.beta1 = beta1;
            return this;
        }

        public Builder beta2(float beta2) {
            this.beta2 = beta2;
            return this;
        }

        public Builder eps(float eps) {
            this.eps = eps;
            return this;
        }

        public Builder weightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Validates: the first bad value fails, named. */
        public OptimizerConfig build() {
            return new OptimizerConfig(type, lr, momentum, nesterov, beta1, beta2, eps, weightDecay);
        }
    }
}
