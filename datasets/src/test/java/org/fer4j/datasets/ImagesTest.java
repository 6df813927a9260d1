package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.fer4j.engine.Tensor;
import org.fer4j.engine.io.Normalization;
import org.junit.jupiter.api.Test;

class ImagesTest {

    @Test
    void colourBecomesBt601Luma() {
        BufferedImage img = new BufferedImage(1, 3, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(0, 1, 0x00FF00);
        img.setRGB(0, 2, 0x0000FF);
        float[] y = Images.luma(img);
        assertEquals(0.299f * 255, y[0], 1e-3);
        assertEquals(0.587f * 255, y[1], 1e-3);
        assertEquals(0.114f * 255, y[2], 1e-3);
    }

    @Test
    void greyKeepsItsValuesAndSixteenBitIsRescaled() {
        BufferedImage g = Fixtures.grey(48, 48, 9);
        byte[] out = Images.toGray(g, 48, 48);
        for (int i = 0; i < out.length; i++) {
            assertEquals(g.getRaster().getSample(i % 48, i / 48, 0), out[i] & 0xFF);
        }
        BufferedImage g16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(0, 0, 0, 65535);
        g16.getRaster().setSample(1, 0, 0, 257 * 100);
        assertArrayEquals(new float[] {255, 100}, Images.luma(g16), 1e-3f);
    }

    @Test
    void areaDownscaleAveragesBlocks() {
        // 4x4 -> 2x2: each output is the mean of a 2x2 block.
        float[] src = {0, 2, 10, 10, 4, 6, 10, 10, 100, 100, 1, 1, 100, 100, 1, 3};
        assertArrayEquals(new float[] {3, 10, 100, 1.5f}, Resampler.resize(src, 4, 4, 2, 2), 1e-5f);
        // 3 -> 2 along a row: outputs cover [0, 1.5) and [1.5, 3).
        assertArrayEquals(new float[] {(0 + 0.5f * 30) / 1.5f, (0.5f * 30 + 60) / 1.5f},
                Resampler.resize(new float[] {0, 30, 60}, 1, 3, 1, 2), 1e-4f);
    }

    @Test
    void bilinearUpscaleWithAlignedCentres() {
        // 2 -> 4: samples at x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        assertArrayEquals(new float[] {0, 25, 75, 100}, Resampler.resize(new float[] {0, 100}, 1, 2, 1, 4), 1e-4f);
    }

    @Test
    void toInputIsGreyThenNormalization() {
        BufferedImage g = Fixtures.grey(96, 96, 2);
        Normalization n = new Normalization(1f / 255, 0.5f, 0.25f);
        Tensor t = Images.toInput(g, 48, 48, n);
        assertArrayEquals(new int[] {1, 1, 48, 48}, t.shape());
        byte[] grey = Images.toGray(g, 48, 48);
        for (int i = 0; i < grey.length; i++) {
            assertEquals(((grey[i] & 0xFF) * (1f / 255) - 0.5f) / 0.25f, t.data()[i]);
        }
    }
}
