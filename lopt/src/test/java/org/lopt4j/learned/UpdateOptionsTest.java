package org.lopt4j.learned;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.SlabLayout;

/** The fan-in step factors, by hand: min(1, √(reference / fan-in)) or min(1, reference / fan-in), fan-in every axis but the last. */
class UpdateOptionsTest {
    static final SlabLayout L = SlabLayout.of(List.of("dense784", "conv", "bias", "narrow", "scalar", "lstm"),
            List.of(Shape.of(784, 128), Shape.of(3, 3, 16, 32), Shape.of(128), Shape.of(10, 64), Shape.of(), Shape.of(96, 256)));

    @Test void fanInScalesByHand() {
        UpdateOptions o = new UpdateOptions(1, 0, 0, 64);
        assertArrayEquals(new float[] {(float) Math.sqrt(64.0 / 784), (float) Math.sqrt(64.0 / 144), 1, 1, 1, (float) Math.sqrt(64.0 / 96)},
                o.fanInScales(L), 1e-7f);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, UpdateOptions.NONE.fanInScales(L), 0f);
        assertEquals(", lr=1.0, weight_decay=0.0, max_grad_norm=0.0, fan_in_reference=64.0", o.describe());
        UpdateOptions matrices = new UpdateOptions(1, 0, 0, 64, true);
        assertArrayEquals(new float[] {(float) Math.sqrt(64.0 / 784), 1, 1, 1, 1, (float) Math.sqrt(64.0 / 96)}, matrices.fanInScales(L), 1e-7f,
                "matrices only: the conv kernel keeps θ's step");
        assertEquals(", lr=1.0, weight_decay=0.0, max_grad_norm=0.0, fan_in_reference=64.0 (matrices only)", matrices.describe());
    }

    @Test void linearFanInScalesByHand() {
        UpdateOptions linear = new UpdateOptions(1, 0, 0, 32, true, true);
        assertArrayEquals(new float[] {32f / 784, 1, 1, 1, 1, 32f / 96}, linear.fanInScales(L), 1e-7f,
                "min(1, 32 / fan-in) on matrices: the 10-input layer stays at 1, the conv kernel keeps θ's step");
        assertEquals(", lr=1.0, weight_decay=0.0, max_grad_norm=0.0, fan_in_reference=32.0 (linear, matrices only)", linear.describe());
        assertArrayEquals(new float[] {32f / 784, 32f / 144, 1, 1, 1, 32f / 96}, new UpdateOptions(1, 0, 0, 32, false, true).fanInScales(L), 1e-7f);
    }

    @Test void refusesABadReference() {
        assertThrows(IllegalArgumentException.class, () -> new UpdateOptions(1, 0, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new UpdateOptions(1, 0, 0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new UpdateOptions(1, 0, 0, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new UpdateOptions(1, 0, 0, 0, true), "matrices only without a reference");
        assertThrows(IllegalArgumentException.class, () -> new UpdateOptions(1, 0, 0, 0, false, true), "linear without a reference");
    }
}
