package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The learning-rate schedules, including learned_optimization's cosine with its warmup quirk. */
class ScheduleTest {
    /** The cosine schedule computes in float32 as [LO] does. */
    static final double F32 = 1e-6;

    @Test void cosineFollowsLearnedOptimizationIncludingTheWarmupQuirk() {
        Schedule.Cosine c = new Schedule.Cosine(1.0, 0, 0.5, 0.01);
        assertEquals(0.0, c.at(0, 100), 0);
        assertEquals(0.5, c.at(25, 100), F32, "warmup spans max(0.01, 0.5)·T = 50 steps, not 1");
        assertEquals(1.0, c.at(50, 100), F32);
        assertEquals(0.5, c.at(75, 100), F32, "half way down the half cosine");
        assertEquals(0.0, c.at(100, 100), F32);
        assertEquals(0.0, c.at(150, 100), F32, "s is clipped to T");
        Schedule.Cosine noWarmup = new Schedule.Cosine(2.0, 0.1, 0.2, 0);
        assertEquals(2.0, noWarmup.at(0, 10), F32, "constant before C = 0.2·T");
        assertEquals(0.2, noWarmup.at(10, 10), F32, "ends at lr·min_mult");
        assertEquals(0.2 + 1.8 * (Math.cos(Math.PI * 3 / 8) / 2 + 0.5), noWarmup.at(5, 10), F32);
    }

    @Test void cosineRejectsWhatWouldDivideByZero() {
        assertThrows(IllegalArgumentException.class, () -> new Schedule.Cosine(1, 0, 1, 0), "constant_fraction 1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Schedule.Cosine(1, 0, 0.5, 0).at(3, 0));
        assertEquals(true, e.getMessage().contains("numSteps"), e.getMessage());
    }

    @Test void linearWarmupAndDecay() {
        Schedule.LinearWarmup w = new Schedule.LinearWarmup(0.3, 3);
        assertEquals(0.0, w.at(0, 0), 0);
        assertEquals(0.2, w.at(2, 0), 1e-15);
        assertEquals(0.3, w.at(3, 0), 0);
        assertEquals(0.3, w.at(1000, 0), 0);
        Schedule.LinearDecay d = new Schedule.LinearDecay(1.0, 0.1);
        assertEquals(1.0, d.at(0, 10), 0);
        assertEquals(0.55, d.at(5, 10), 1e-15);
        assertEquals(0.1, d.at(20, 10), 1e-15, "constant after T");
        assertThrows(IllegalArgumentException.class, () -> d.at(1, 0));
        assertEquals(0.7, new Schedule.Constant(0.7).at(99, 0), 0);
    }

    @Test void decaySchedulesOfLhoptsBaselineGrid() {
        assertEquals(1, new Schedule.MultiStep(1, 0.1, new double[] {0.5, 0.75}).at(49, 100), 0);
        assertEquals(0.1, new Schedule.MultiStep(1, 0.1, new double[] {0.5, 0.75}).at(50, 100), 1e-15);
        assertEquals(0.01, new Schedule.MultiStep(1, 0.1, new double[] {0.5, 0.75}).at(80, 100), 1e-15);
        assertEquals(0.25, new Schedule.Polynomial(1, 2).at(50, 100), 1e-15);
        assertEquals(0, new Schedule.Polynomial(1, 2).at(100, 100), 0);
        assertEquals(0.1, new Schedule.Exponential(1, 0.01).at(50, 100), 1e-15);
        assertEquals(0.01, new Schedule.Exponential(1, 0.01).at(200, 100), 1e-15);
    }
}
