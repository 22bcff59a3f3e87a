package org.lopt4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The portable math against java.lang.Math and an erf reference; the distributions against their exact laws. */
class SamplingTest {
    /** Float log: measured worst 0.86 ulp of the exact result (Box–Muller inputs and 2⁻¹²⁶..2¹²⁷). */
    static final double LOG_F_ULPS = 1;
    /** Double log: measured worst 1 ulp from Math.log, which is itself within 1 ulp of exact. */
    static final double LOG_D_ULPS = 2;
    /** Float cos(2πt): measured worst absolute error 1 ulp of 1 (2⁻²³) over every 24-bit t. */
    static final double COS_F_ULPS_OF_ONE = 1;
    /** Double cos(2πt): measured worst absolute error under 1 ulp of 1 against a double-double reduced Math.cos. */
    static final double COS_D_ULPS_OF_ONE = 1;
    /** Giles' float erfinv: measured worst relative error 2.0e-7 on [−0.96, 0.96]. */
    static final double ERFINV_F_REL = 4e-7;
    /** Giles' double erfinv through the portable log: measured worst relative error 1.8e-15 on [−0.96, 0.96]. */
    static final double ERFINV_D_REL = 1e-14;
    /** F32 vs F64 truncated normal from one key: 2⁻²³ in c times dz/dc &lt;= 8.8, plus float rounding. */
    static final double F32_VS_F64_TRUNCATED = 2e-6;
    /** F32 vs F64 normal, u in [2⁻¹⁰, 1 − 2⁻¹⁰]: 2⁻²⁴ in u and t moves z by under 2⁻²⁴·(1/(ur) + 2πr) &lt; 1e-4. */
    static final double F32_VS_F64_NORMAL = 1e-4;
    /** F32 samples against their formula in double, relative: measured 1.6e-7 normal, 3.3e-7 truncated. */
    static final double END_TO_END_F32 = 5e-7;
    /** F64 samples against Math.log/cos and Newton erfinv: measured 4.2e-16 normal, 3.5e-15 truncated. */
    static final double END_TO_END_F64 = 1e-14;
    /** Samples drawn per distribution and dtype. */
    static final int N = 1_000_000;
    /** Tolerances are this many standard errors (CLT), a false alarm rate of 6e-5 per check. */
    static final double SIGMAS = 4;
    /** The Kolmogorov–Smirnov 0.1% critical value times sqrt(n) (asymptotic, 1.9495). */
    static final double KS_CRITICAL = 1.9495;
    /** E z² and E z⁴ of the standard normal truncated to [−2, 2] (mpmath quadrature). */
    static final double TRUNC_VAR = 0.7737413035499232, TRUNC_M4 = 1.4161891248494627;

    @Test void portableLogIsAccurate() {
        double f = worstLogF(), d = worstLogD();
        assertTrue(f <= LOG_F_ULPS, "float log error " + f + " ulps");
        assertTrue(d <= LOG_D_ULPS, "double log error " + d + " ulps");
        assertEquals(0f, PortableMath.log(1f));
        assertEquals(0.0, PortableMath.log(1.0));
        assertEquals((float) (-24 * Math.log(2)), PortableMath.log(0x1p-24f));
    }

    /** Worst float log error in ulps of the result: every third Box–Muller input k·2⁻²⁴, then 2⁻¹²⁶..2¹²⁷. */
    static double worstLogF() {
        double worst = 0;
        for (int k = 1; k <= 1 << 24; k += 3) worst = Math.max(worst, logErrF(k * 0x1p-24f));
        for (float x = 0x1p-126f; x < 0x1p127f; x *= 1.0001f) worst = Math.max(worst, logErrF(x));
        return worst;
    }

    private static double logErrF(float x) {
        double ref = Math.log(x);
        return ref == 0 ? Math.abs(PortableMath.log(x)) : Math.abs(PortableMath.log(x) - ref) / Math.ulp((float) ref);
    }

    /** Worst double log error in ulps against Math.log over (0, 1] finely, near 1, and a wide grid. */
    static double worstLogD() {
        double worst = 0;
        for (int k = 1; k <= 2_000_000; k++) {
            worst = Math.max(worst, logErrD(k / 2_000_000.0));
            worst = Math.max(worst, logErrD(1 - k * 0x1p-53));
        }
        for (double x = 0x1p-1022; x < 0x1p1023; x *= 1.001) worst = Math.max(worst, logErrD(x));
        return worst;
    }

    private static double logErrD(double x) {
        double ref = Math.log(x);
        return ref == 0 ? Math.abs(PortableMath.log(x)) : Math.abs(PortableMath.log(x) - ref) / Math.ulp(ref);
    }

    @Test void portableCosIsAccurate() {
        double f = worstCosF(), d = worstCosD();
        assertTrue(f <= COS_F_ULPS_OF_ONE, "float cos error " + f + " ulps of 1");
        assertTrue(d <= COS_D_ULPS_OF_ONE, "double cos error " + d + " ulps of 1");
        double h = Math.sqrt(0.5);
        double[] want = {1, h, 0, -h, -1, -h, 0, h};
        for (int o = 0; o < 8; o++) {   // exact at multiples of 1/4, within an ulp of ±sqrt(1/2) between
            double tol = o % 2 == 0 ? 0 : 2 * Math.ulp(h);
            assertEquals(want[o], PortableMath.cosTurns(o / 8.0), tol, "cosTurns(" + o + "/8)");
            double tolF = o % 2 == 0 ? 0 : 2 * Math.ulp((float) h);
            assertEquals(want[o], PortableMath.cosTurns(o / 8f), tolF, "float cosTurns(" + o + "/8)");
        }
    }

    /** Worst float cos(2πt) absolute error, in ulps of 1, over every t = k·2⁻²⁴. */
    static double worstCosF() {
        double worst = 0;
        for (int k = 0; k < 1 << 24; k++) {
            float t = k * 0x1p-24f;
            worst = Math.max(worst, Math.abs(PortableMath.cosTurns(t) - cosTurnsRef(t)));
        }
        return worst / Math.ulp(1f);
    }

    /** Worst double cos(2πt) absolute error, in ulps of 1, over 2²² grid points plus odd low bits. */
    static double worstCosD() {
        double worst = 0;
        for (int k = 0; k < 1 << 22; k++) {
            double t = (k * 2048.0 + (k * 0x9E3779B9L & 2047)) * 0x1p-33 + (k & 1) * 0x1p-53;
            worst = Math.max(worst, Math.abs(PortableMath.cosTurns(t) - cosTurnsRef(t)));
        }
        return worst / Math.ulp(1.0);
    }

    /** cos(2πt) through an exact quadrant reduction and a double-double x = f·π/2, then Math.sin/cos. */
    static double cosTurnsRef(double t) {
        double r = t * 4;
        long q = Math.round(r);
        double f = r - q;
        double hi = Math.PI / 2, lo = 6.123233995736766e-17;   // π/2 = hi + lo to 106 bits
        double xh = f * hi, xl = Math.fma(f, hi, -xh) + f * lo;
        double c = Math.cos(xh) - Math.sin(xh) * xl, s = Math.sin(xh) + Math.cos(xh) * xl;
        return switch ((int) (q & 3)) { case 0 -> c; case 1 -> -s; case 2 -> -c; default -> s; };
    }

    @Test void portableErfinvIsAccurate() {
        double f = worstErfinvF(), d = worstErfinvD();
        assertTrue(f <= ERFINV_F_REL, "float erfinv relative error " + f);
        assertTrue(d <= ERFINV_D_REL, "double erfinv relative error " + d);
        assertEquals(0.0, PortableMath.erfinv(0.0));
        assertEquals(-PortableMath.erfinv(0.5), PortableMath.erfinv(-0.5), 0.0, "odd");
    }

    /** Worst relative error of float erfinv on a grid of [−0.96, 0.96] that includes ±erf(√2). */
    static double worstErfinvF() {
        double worst = 0;
        for (int k = -200_000; k <= 200_000; k++) {
            float x = k == 0 ? 1e-30f : (float) (k * 0.96 / 200_000);
            if (k == 200_000) x = Sampling.ERF_SQRT2_F;
            double ref = erfinvRef(x);
            worst = Math.max(worst, Math.abs(PortableMath.erfinv(x) - ref) / Math.abs(ref));
        }
        return worst;
    }

    /** Worst relative error of double erfinv on the same kind of grid. */
    static double worstErfinvD() {
        double worst = 0;
        for (int k = -200_000; k <= 200_000; k++) {
            double x = k == 0 ? 1e-300 : k == 200_000 ? Sampling.ERF_SQRT2 : k * 0.96 / 200_000 + k * 0x1p-60;
            double ref = erfinvRef(x);
            worst = Math.max(worst, Math.abs(PortableMath.erfinv(x) - ref) / Math.abs(ref));
        }
        return worst;
    }

    /** erfinv by three Newton steps on {@link #erf} (quadratic convergence from Giles' start). */
    static double erfinvRef(double v) {
        double y = PortableMath.erfinv(v);
        for (int it = 0; it < 3; it++) y -= (erf(y) - v) / (2 / Math.sqrt(Math.PI) * Math.exp(-y * y));
        return y;
    }

    /** erf: the Maclaurin series below 2.5 (absolute error ~1e-13 at 2.5, ~1e-16 below 1.5), else 1 − erfc. */
    static double erf(double x) {
        double t = Math.abs(x);
        if (t >= 2.5) return Math.copySign(1 - erfc(t), x);
        double s = 0, term = t;
        for (int k = 0; k < 120 && Math.abs(term) > 1e-30 * Math.abs(s); k++) {
            s += term / (2 * k + 1);
            term *= -t * t / (k + 1);
        }
        return Math.copySign(2 / Math.sqrt(Math.PI) * s, x);
    }

    /** erfc for t &gt;= 2.5 by its continued fraction exp(−t²)/√π · 1/(t + (1/2)/(t + 1/(t + (3/2)/(t + ...)))). */
    static double erfc(double t) {
        double k = t;
        for (int n = 200; n >= 1; n--) k = t + (n / 2.0) / k;
        return Math.exp(-t * t) / (Math.sqrt(Math.PI) * k);
    }

    /** Standard normal CDF. */
    static double phi(double x) { return x < -3.6 ? 0.5 * erfc(-x / Math.sqrt(2)) : 0.5 * (1 + erf(x / Math.sqrt(2))); }

    static double[] draw(Op.Dist d, DType t, int n) {
        RandomKey k = RandomKey.of(2024);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = k.sample(d, t, i);
        return v;
    }

    @Test void uniformsCoverTheirBits() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            double[] u = draw(Op.Dist.UNIFORM, t, N);
            double scale = t == DType.F64 ? 0x1p53 : 0x1p24;
            assertTrue(Arrays.stream(u).allMatch(x -> x >= 0 && x < 1), t + " uniform in [0, 1)");
            assertTrue(Arrays.stream(u).allMatch(x -> x * scale == Math.rint(x * scale)), t + " on the 2^-bits grid");
            assertEquals(0.5, mean(u, x -> x), SIGMAS * Math.sqrt(1 / 12.0 / N), t + " uniform mean");
            double varTol = SIGMAS * Math.sqrt(1 / 180.0 / N);   // Var((u − ½)²) = 1/80 − 1/144 = 1/180
            assertEquals(1 / 12.0, mean(u, x -> (x - 0.5) * (x - 0.5)), varTol, t + " uniform variance");
        }
        double[] u64 = draw(Op.Dist.UNIFORM, DType.F64, 1000);
        assertTrue(Arrays.stream(u64).filter(x -> (float) x != x).count() > 990, "F64 uniforms carry more than 24 bits");
        assertTrue(Arrays.stream(u64).anyMatch(x -> ((long) (x * 0x1p53) & 1) == 1), "the 53rd bit is used");
    }

    @Test void normalsHaveTheNormalLaw() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            double[] z = draw(Op.Dist.NORMAL, t, N);
            assertEquals(0, mean(z, x -> x), SIGMAS / Math.sqrt(N), t + " normal mean");
            assertEquals(1, mean(z, x -> x * x), SIGMAS * Math.sqrt(2.0 / N), t + " normal variance");
            assertEquals(0, mean(z, x -> x * x * x), SIGMAS * Math.sqrt(15.0 / N), t + " normal third moment");
            assertEquals(3, mean(z, x -> x * x * x * x), SIGMAS * Math.sqrt(96.0 / N), t + " normal fourth moment");
            double d = ks(z, SamplingTest::phi);
            assertTrue(d < KS_CRITICAL / Math.sqrt(N), t + " normal KS statistic " + d + " over the 0.1% critical value");
        }
    }

    @Test void truncatedNormalsHaveTheTruncatedLaw() {
        double lo = phi(-2), hi = phi(2);
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            double[] z = draw(Op.Dist.TRUNCATED_NORMAL, t, N);
            assertTrue(Arrays.stream(z).allMatch(x -> x >= -2 && x <= 2), t + " truncated normal in [-2, 2]");
            assertEquals(0, mean(z, x -> x), SIGMAS * Math.sqrt(TRUNC_VAR / N), t + " truncated normal mean");
            double var = TRUNC_M4 - TRUNC_VAR * TRUNC_VAR;
            assertEquals(TRUNC_VAR, mean(z, x -> x * x), SIGMAS * Math.sqrt(var / N), t + " truncated normal variance");
            double d = ks(z, x -> (phi(x) - lo) / (hi - lo));
            assertTrue(d < KS_CRITICAL / Math.sqrt(N), t + " truncated normal KS statistic " + d);
        }
        // the extreme inputs land just inside ±2, so the clamp only guards rounding
        assertEquals(2, Sampling.truncatedNormal((1 << 24) - 1), 1e-6);
        assertEquals(-2, Sampling.truncatedNormal(0), 1e-6);
        assertEquals(2, Sampling.truncatedNormal((1L << 53) - 1), 1e-12);
        assertEquals(-2, Sampling.truncatedNormal(0L), 1e-12);
        assertEquals(-Sampling.truncatedNormal(12345), Sampling.truncatedNormal((1 << 24) - 1 - 12345), 0f, "symmetric");
    }

    @Test void samplesMatchTheirDoublePrecisionFormulas() {
        RandomKey key = RandomKey.of(77);
        for (int i = 0; i < 100_000; i++) {
            int[] w = key.block(i, 0, 0, 0);
            double u = (Sampling.k24(w[0]) + 1) * 0x1p-24, tt = Sampling.k24(w[1]) * 0x1p-24;
            double r = Math.sqrt(-2 * Math.log(u));
            assertEquals(r * cosTurnsRef(tt), key.sample(Op.Dist.NORMAL, DType.F32, i), END_TO_END_F32 * Math.max(r, 1));
            double c = (2.0 * Sampling.k24(w[0]) + 1 - 0x1p24) * 0x1p-24;
            double tn = Math.sqrt(2) * erfinvRef(c * Sampling.ERF_SQRT2_F);
            double tol = END_TO_END_F32 * Math.max(Math.abs(tn), 1e-3);
            assertEquals(tn, key.sample(Op.Dist.TRUNCATED_NORMAL, DType.F32, i), tol);
            long k1 = Sampling.k53(w[0], w[2]);
            double u64 = (k1 + 1) * 0x1p-53, t64 = Sampling.k53(w[1], w[3]) * 0x1p-53;
            double r64 = Math.sqrt(-2 * Math.log(u64));
            assertEquals(r64 * cosTurnsRef(t64), key.sample(Op.Dist.NORMAL, DType.F64, i), END_TO_END_F64 * Math.max(r64, 1));
            double c64 = (2 * k1 + 1 - (1L << 53)) * 0x1p-53;
            double tn64 = Math.sqrt(2) * erfinvRef(c64 * Sampling.ERF_SQRT2);
            double tol64 = END_TO_END_F64 * Math.max(Math.abs(tn64), 1e-3);
            assertEquals(tn64, key.sample(Op.Dist.TRUNCATED_NORMAL, DType.F64, i), tol64);
        }
    }

    @Test void f64DrawsRefineTheF32Draws() {
        RandomKey key = RandomKey.of(5);
        for (int i = 0; i < 50_000; i++) {
            double u = key.sample(Op.Dist.UNIFORM, DType.F64, i), u32 = key.sample(Op.Dist.UNIFORM, DType.F32, i);
            assertTrue(u - u32 >= 0 && u - u32 < 0x1p-24, "uniform F64 " + u + " extends F32 " + u32);
            double tn = key.sample(Op.Dist.TRUNCATED_NORMAL, DType.F64, i);
            assertEquals(tn, key.sample(Op.Dist.TRUNCATED_NORMAL, DType.F32, i), F32_VS_F64_TRUNCATED, "truncated " + i);
            if (u32 >= 0x1p-10 && u32 <= 1 - 0x1p-10) {
                assertEquals(key.sample(Op.Dist.NORMAL, DType.F64, i), key.sample(Op.Dist.NORMAL, DType.F32, i),
                        F32_VS_F64_NORMAL, "normal " + i);
            }
        }
    }

    /**
     * Golden values for key of(2024), elements 0 and 2³² + 5, in the order (F32, F64) × (UNIFORM, NORMAL,
     * TRUNCATED_NORMAL): any change to the definition shows here, and GPU ports check against them. (A line-by-line
     * C port compiled with -ffp-contract=off reproduced elements 0..4·10⁶ − 1 of all six bit for bit.)
     */
    @Test void goldenValues() {
        long[] element = {0, (1L << 32) + 5};
        double[][] want = {
            {0x1.3516d6p-1, -0x1.dee49cp-4, 0x1.00b41cp-2, 0x1.3516d6ff03aa6p-1, -0x1.dee4b8153f2bap-4, 0x1.00b41af9d3ba8p-2},
            {0x1.23a994p-1, 0x1.3bdb1p-1, 0x1.56e546p-3, 0x1.23a995b50022fp-1, 0x1.3bdb0950d421p-1, 0x1.56e54ed443da2p-3}};
        RandomKey key = RandomKey.of(2024);
        for (int r = 0; r < element.length; r++) {
            for (int c = 0; c < 6; c++) {
                DType t = c < 3 ? DType.F32 : DType.F64;
                Op.Dist d = Op.Dist.values()[c % 3];
                assertEquals(want[r][c], key.sample(d, t, element[r]), 0.0, t + " " + d + " element " + element[r]);
            }
        }
    }

    @Test void integerDtypesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RandomKey.of(1).sample(Op.Dist.NORMAL, DType.I32, 0));
    }

    private static double mean(double[] x, DoubleUnaryOperator f) {
        double s = 0;
        for (double v : x) s += f.applyAsDouble(v);
        return s / x.length;
    }

    /** The Kolmogorov–Smirnov distance between the sample's empirical CDF and {@code cdf}. */
    static double ks(double[] x, DoubleUnaryOperator cdf) {
        double[] s = x.clone();
        Arrays.sort(s);
        double d = 0;
        for (int i = 0; i < s.length; i++) {
            double f = cdf.applyAsDouble(s[i]);
            d = Math.max(d, Math.max(f - (double) i / s.length, (double) (i + 1) / s.length - f));
        }
        return d;
    }
}
