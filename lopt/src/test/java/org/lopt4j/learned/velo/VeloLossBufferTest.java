package org.lopt4j.learned.velo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** velo.md §4's derived decays and PyLO's golden spike-clip value. */
class VeloLossBufferTest {
    @Test void decaysForHundredAndTenThousandSteps() {
        assertArrayEquals(new float[] {0.9048374f, 0.9254952f, 0.9418131f, 0.9546449f, 0.9647f, 0.9725580f, 0.9786861f,
                0.9834573f, 0.9871675f, 0.9900499f}, VeloLossBuffer.decays(100), 2e-7f);
        assertArrayEquals(new float[] {0.9048374f, 0.9546449f, 0.978686f, 0.9900499f, 0.9953691f, 0.9978479f, 0.9990005f,
                0.9995359f, 0.9997845f, 0.9999f}, VeloLossBuffer.decays(10_000), 2e-7f);
    }

    @Test void spikeIsClippedWithTheUpstreamExponent() {
        float[] m = new float[10], rm = new float[10], it = new float[1], d = VeloLossBuffer.decays(100);
        VeloLossBuffer.init(m, rm, it);
        for (float l : new float[] {2.302585f, 2.10f, 1.95f}) VeloLossBuffer.update(m, rm, it, d, l);
        float[] before = m.clone();
        VeloLossBuffer.update(m, rm, it, d, 4.60f);
        float entered = (m[0] - before[0] * d[0]) / (1f - d[0]);
        assertEquals(3.3110f, entered, 5e-4f, "the fourth loss enters clipped (PyLO golden)");
        float[] f = VeloLossBuffer.features(m, rm, it, d);
        assertEquals(9, f.length);
        float[] m2 = new float[10], rm2 = new float[10], it2 = new float[1];
        VeloLossBuffer.init(m2, rm2, it2);
        VeloLossBuffer.update(m2, rm2, it2, d, 2f);
        VeloLossBuffer.update(m2, rm2, it2, d, 1f);
        assertArrayEquals(new float[9], VeloLossBuffer.features(m2, rm2, it2, d), "zero for the first two updates");
    }
}
