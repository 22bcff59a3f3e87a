package org.lopt4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplingTest {
    /** Portable float log/cos stay within this many ulps of the correctly rounded value. */
    static final double F32_ULPS = 4;
    /** Portable double log/cos: a few ulps too. */
    static final double F64_ULPS = 8;

    @Test void portableMathIsAccurate() {
        double worstLogF = 0, worstCosF = 0, worstLogD = 0, worstCosD = 0;
        for (int i = 1; i <= 1 << 16; i++) {
            float u = i * 0x1.0p-16f;
            worstLogF = Math.max(worstLogF, Math.abs(PortableMath.log(u) - Math.log(u)) / Math.ulp((float) Math.max(Math.abs(Math.log(u)), 1e-3)));
            float t = (i - 1) * 0x1.0p-16f;
            worstCosF = Math.max(worstCosF, Math.abs(PortableMath.cosTurns(t) - Math.cos(2 * Math.PI * t)) / Math.ulp(1f));
            double ud = i * 0x1.0p-16 + 1e-9;
            worstLogD = Math.max(worstLogD, Math.abs(PortableMath.log(ud) - Math.log(ud)) / Math.ulp(Math.max(Math.abs(Math.log(ud)), 1e-3)));
            worstCosD = Math.max(worstCosD, Math.abs(PortableMath.cosTurns((double) t) - Math.cos(2 * Math.PI * t)) / Math.ulp(1.0));
        }
        assertTrue(worstLogF <= F32_ULPS, "float log error " + worstLogF + " ulps");
        assertTrue(worstCosF <= F32_ULPS, "float cos error " + worstCosF + " ulps of 1");
        assertTrue(worstLogD <= F64_ULPS, "double log error " + worstLogD + " ulps");
        assertTrue(worstCosD <= F64_ULPS, "double cos error " + worstCosD + " ulps of 1");
        assertEquals(-0.0f, PortableMath.log(1f) + 0f, 0f);
    }

    static double[] draw(Op.Dist d, DType t, int n) {
        RandomKey k = RandomKey.of(2024);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = k.sample(d, t, i);
        return v;
    }

    /** Standard normal CDF through a high-accuracy erf (Abramowitz–Stegun 7.1.26 is too coarse; use a series). */
    static double phi(double x) { return 0.5 * (1 + erf(x / Math.sqrt(2))); }

    static double erf(double x) {
        double s = 0, term = x;
        for (int k = 0; k < 200; k++) {
            s += term / (2 * k + 1);
            term *= -x * x / (k + 1);
        }
        return 2 / Math.sqrt(Math.PI) * s;
    }

    @Test void distributionsHaveTheRightMomentsAndShape() {
        int n = 400_000;
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            double[] u = draw(Op.Dist.UNIFORM, t, n);
            assertTrue(Arrays.stream(u).allMatch(x -> x >= 0 && x < 1));
            assertEquals(0.5, Arrays.stream(u).average().orElseThrow(), 4 * Math.sqrt(1 / 12.0 / n));
            double[] z = draw(Op.Dist.NORMAL, t, n);
            double m = Arrays.stream(z).average().orElseThrow(), v = Arrays.stream(z).map(x -> x * x).average().orElseThrow();
            assertEquals(0, m, 4 / Math.sqrt(n), t + " normal mean");
            assertEquals(1, v, 4 * Math.sqrt(2.0 / n), t + " normal variance");
            assertTrue(ks(z, SamplingTest::phi) < 1.95 / Math.sqrt(n), t + " normal KS statistic over the 0.1% critical value");
            double[] tn = draw(Op.Dist.TRUNCATED_NORMAL, t, n);
            assertTrue(Arrays.stream(tn).allMatch(x -> x >= -2 && x <= 2));
            double tv = Arrays.stream(tn).map(x -> x * x).average().orElseThrow();
            assertEquals(0.7737413, tv, 4 * Math.sqrt(2.0 / n), t + " truncated normal variance");
            double lo = phi(-2), hi = phi(2);
            assertTrue(ks(tn, x -> (phi(x) - lo) / (hi - lo)) < 1.95 / Math.sqrt(n), t + " truncated normal KS");
        }
        double[] u64 = draw(Op.Dist.UNIFORM, DType.F64, 1000);
        assertTrue(Arrays.stream(u64).anyMatch(x -> (float) x != x), "F64 uniforms carry more than 24 bits");
    }

    private static double ks(double[] x, java.util.function.DoubleUnaryOperator cdf) {
        double[] s = x.clone();
        Arrays.sort(s);
        double d = 0;
        for (int i = 0; i < s.length; i++) {
            double f = cdf.applyAsDouble(s[i]);
            d = Math.max(d, Math.max(Math.abs(f - (double) i / s.length), Math.abs(f - (double) (i + 1) / s.length)));
        }
        return d;
    }
}
