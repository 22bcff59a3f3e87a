package org.lopt4j.metatrain.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lopt4j.optim.Ciao;
import org.lopt4j.tensor.RandomKey;

/** lhopt.md §4's action table: the choices, the logit shift of the clip ratio, the bounds, the initial randomization. */
class CiaoActionsTest {
    @Test void actionsScaleShiftAndClip() {
        Ciao c = Ciao.lhopt();
        assertArrayEquals(new int[] {7, 2, 2, 2, 2, 4, 3, 3}, CiaoActions.sizes());
        Ciao a = CiaoActions.apply(c, new int[] {6, 1, 0, 1, 0, 3, 1, 2});
        assertEquals(2e-3, a.lr(), 1e-18);
        assertEquals(2e-2, a.weightDecay(), 1e-18);
        assertEquals(5e-7, a.epsilon(), 1e-20);
        assertEquals(2e-2, a.ombeta2(), 1e-18);
        assertEquals(0.05, a.ombeta1(), 1e-17);
        assertEquals(1 / (1 + Math.exp(-(Math.log(0.8 / 0.2) + 1))), a.clipNorm(), 1e-15, "logit(0.8) + 1 through the sigmoid");
        assertEquals(1e-2, a.gradClipOmbeta(), 1e-18);
        assertEquals(0.075, a.lambUpdateNormOmbeta(), 1e-16);
        Ciao top = c;
        for (int i = 0; i < 20; i++) top = CiaoActions.apply(top, new int[] {6, 1, 1, 1, 1, 3, 2, 2});
        assertEquals(1, top.lr(), 0, "lr is bounded by 1");
        assertEquals(0.1, top.ombeta2(), 0, "1 − β2 is bounded by 0.1");
        assertEquals(1, top.ombeta1(), 0);
        assertTrue(top.clipNorm() < 1, "the clip ratio stays below 1");
    }

    @Test void randomizationIsSeededAndWithinItsRanges() {
        Ciao c = Ciao.lhopt();
        Ciao r1 = CiaoActions.randomize(c, RandomKey.of(4)), r2 = CiaoActions.randomize(c, RandomKey.of(4)), r3 = CiaoActions.randomize(c, RandomKey.of(5));
        assertEquals(r1, r2);
        assertNotEquals(r1, r3);
        for (int k = 0; k < 50; k++) {
            Ciao r = CiaoActions.randomize(c, RandomKey.of(100 + k));
            assertTrue(r.lr() >= 1e-5 && r.lr() <= 1e-1, "lr 1e-3 × logU[1e-2, 1e2]: " + r.lr());
            assertTrue(r.weightDecay() >= 1e-3 - 1e-18 && r.weightDecay() <= 1e-1 + 1e-18);
            double shift = Math.log(r.clipNorm() / (1 - r.clipNorm())) - Math.log(4);
            assertTrue(Math.abs(shift) <= 1 + 1e-12, "clip ratio shifted by U[−1, 1] in logit: " + shift);
        }
    }
}
