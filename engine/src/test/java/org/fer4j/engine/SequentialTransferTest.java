package org.fer4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.fer4j.engine.layers.BatchNorm;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Dense;
import org.fer4j.engine.layers.Flatten;
import org.fer4j.engine.layers.Padding;
import org.fer4j.engine.layers.ReLU;
import org.junit.jupiter.api.Test;

/** {@link Sequential#copyMatching}: the tensors that match by name and shape are copied, the rest kept. */
class SequentialTransferTest {
    private static Sequential net(int classes, int channels, long seed) {
        return Sequential.builder("t", 1, 8, 8)
                .add(new Conv2D(channels, 3, 1, Padding.SAME)).add(new BatchNorm()).add(new ReLU())
                .add(new Flatten()).add(new Dense(classes))
                .build(seed);
    }

    private static float[] copyOf(Param p) {
        return p.value().data().clone();
    }

    @Test
    void aSevenClassModelFillsAllButTheHeadOfAFourClassOne() {
        Sequential source = net(7, 4, 1);
        for (Param p : source.state()) {   // running statistics too: make them differ from the defaults
            p.value().data()[0] += 0.5f;
        }
        Sequential target = net(4, 4, 2);
        List<Param> before = target.state();
        float[] headBefore = copyOf(before.get(before.size() - 2));

        Sequential.Transfer t = target.copyMatching(source);

        assertEquals(target.state().size(), t.total());
        assertEquals(t.total() - 2, t.copied(), t.toString());
        assertEquals(2, t.kept().size(), t.toString());
        Param head = target.state().get(t.total() - 2);
        assertEquals(head.name() + " " + Tensor.shapeString(source.state().get(t.total() - 2).value().shape()) + " -> "
                + Tensor.shapeString(head.value().shape()), t.kept().getFirst());
        for (int i = 0; i < t.total() - 2; i++) {
            assertArrayEquals(source.state().get(i).value().data(), target.state().get(i).value().data(),
                    target.state().get(i).name());
        }
        assertArrayEquals(headBefore, target.state().get(t.total() - 2).value().data(), "the new head keeps its values");
    }

    @Test
    void aTensorOfAnotherShapeIsKeptAndNamedWithBothShapes() {
        Sequential source = net(4, 6, 1);   // 6 conv channels: every later tensor but the head's bias differs in shape
        Sequential target = net(4, 4, 2);
        float[] conv = copyOf(target.state().getFirst());
        Sequential.Transfer t = target.copyMatching(source);
        assertEquals(1, t.copied(), t.toString());
        assertArrayEquals(source.state().getLast().value().data(), target.state().getLast().value().data(), "the bias of 4");
        String first = t.kept().getFirst();
        assertEquals(target.state().getFirst().name() + " " + Tensor.shapeString(source.state().getFirst().value().shape())
                + " -> " + Tensor.shapeString(target.state().getFirst().value().shape()), first);
        assertArrayEquals(conv, target.state().getFirst().value().data());
    }
}
