package org.fer4j.engine;

/** Training uses batch statistics and dropout; evaluation uses running statistics and no dropout. */
public enum Mode {
    TRAIN,
    EVAL
}
