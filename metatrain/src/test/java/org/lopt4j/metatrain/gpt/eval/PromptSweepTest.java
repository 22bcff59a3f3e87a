package org.lopt4j.metatrain.gpt.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PromptSweepTest {
    @Test void r2AndCorrelationByHand() {
        double[] p = {1, 2, 3};
        assertEquals(1, PromptSweep.r2(p, p), 1e-9, "a model that reaches every prompt");
        // residuals 0.5, 0, -0.5: 1 - 0.5 / 2
        assertEquals(0.75, PromptSweep.r2(p, new double[] {1.5, 2, 2.5}), 1e-8);
        // a constant answer at the mean prompt explains nothing
        assertEquals(0, PromptSweep.r2(p, new double[] {2, 2, 2}), 1e-8);
        assertEquals(1, PromptSweep.correlation(p, new double[] {11, 12, 13}), 1e-12, "an offset keeps the correlation");
        assertEquals(-1, PromptSweep.correlation(p, new double[] {3, 2, 1}), 1e-12);
        assertEquals(0, PromptSweep.correlation(p, new double[] {2, 2, 2}), 0);
    }
}
