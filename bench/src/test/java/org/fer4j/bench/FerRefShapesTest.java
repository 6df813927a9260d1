package org.fer4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.fer4j.engine.Sequential;
import org.fer4j.engine.layers.Conv2D;
import org.fer4j.engine.layers.Layer;
import org.fer4j.engine.layers.MaxPool2D;
import org.fer4j.models.ModelZoo;
import org.junit.jupiter.api.Test;

/** The shapes the benchmarks name are those of the real fer-ref. */
class FerRefShapesTest {
    private final Sequential model = ModelZoo.build("fer-ref", 0);

    @Test
    void convTableMatchesTheModel() {
        List<FerRef.Conv> actual = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l instanceof Conv2D) {
                int[] in = l.inputShape();
                int[] out = l.outputShape();
                actual.add(new FerRef.Conv("conv" + (actual.size() + 1), in[0], in[1], in[2], out[0]));
                assertEquals(out[1] * out[2], actual.getLast().positions(), l.name());
            }
        }
        assertEquals(FerRef.CONVS, actual);
    }

    @Test
    void poolTableMatchesTheModel() {
        List<FerRef.Pool> actual = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l instanceof MaxPool2D) {
                int[] in = l.inputShape();
                actual.add(new FerRef.Pool("pool" + (actual.size() + 1), in[0], in[1], in[2]));
            }
        }
        assertEquals(FerRef.POOLS, actual);
    }

    /** The GEMMs, summed over the forward pass, give the model's 154.65 MFLOP less the dense layers. */
    @Test
    void forwardGemmsAddUpToTheConvFlops() {
        long convMacs = 0;
        for (Layer l : model.layers()) {
            if (l instanceof Conv2D c) {
                convMacs += c.forwardMacsPerImage();
            }
        }
        long gemmFlop = 0;
        for (FerRef.Conv c : FerRef.CONVS) {
            gemmFlop += FerRef.gemm(c.name() + ".fwd").flop();
            assertEquals(FerRef.gemm(c.name() + ".fwd").flop(), FerRef.gemm(c.name() + ".dW").flop());
            assertEquals(FerRef.gemm(c.name() + ".fwd").flop(), FerRef.gemm(c.name() + ".dX").flop());
        }
        assertEquals(2 * convMacs, gemmFlop);
    }

    @Test
    void plainShapesParse() {
        FerRef.Gemm g = FerRef.gemm("207x1021x131");
        assertEquals(List.of(207, 1021, 131), List.of(g.m(), g.n(), g.k()));
    }
}
