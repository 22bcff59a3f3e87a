package org.lopt4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** VecMath against float64 Math over wide sweeps (ulps of the float32 result), and its special values. */
class VecMathTest {
    /** Cephes' single-precision polynomials are accurate to about 1–2 ulp; tanh's quotient adds one. */
    static final double MAX_ULPS = 3;

    static double worstUlps(UnaryOperator<FloatVector> f, DoubleUnaryOperator ref, float lo, float hi, int n) {
        int lanes = Species.F32.length();
        float[] x = new float[lanes], y = new float[lanes];
        double worst = 0;
        for (int i = 0; i < n; i += lanes) {
            for (int j = 0; j < lanes; j++) x[j] = lo + (hi - lo) * ((i + j) / (float) n);
            f.apply(FloatVector.fromArray(Species.F32, x, 0)).intoArray(y, 0);
            for (int j = 0; j < lanes; j++) {
                double want = ref.applyAsDouble(x[j]);
                if (Math.abs(want) < Float.MIN_NORMAL) continue;
                worst = Math.max(worst, Math.abs(y[j] - want) / Math.ulp((float) want));
            }
        }
        return worst;
    }

    @Test void accurateOverWideRanges() {
        double e = Math.max(worstUlps(VecMath::exp, Math::exp, -87, 88, 200_000), worstUlps(VecMath::exp, Math::exp, -1, 1, 100_000));
        double l = Math.max(worstUlps(VecMath::log, Math::log, 1e-30f, 1e30f, 200_000), worstUlps(VecMath::log, Math::log, 0.3f, 3f, 100_000));
        double t = Math.max(worstUlps(VecMath::tanh, Math::tanh, -10, 10, 200_000), worstUlps(VecMath::tanh, Math::tanh, -0.7f, 0.7f, 100_000));
        assertTrue(e <= MAX_ULPS, "exp worst " + e + " ulp");
        assertTrue(l <= MAX_ULPS, "log worst " + l + " ulp");
        assertTrue(t <= MAX_ULPS, "tanh worst " + t + " ulp");
    }

    static float one(UnaryOperator<FloatVector> f, float x) {
        return f.apply(FloatVector.broadcast(Species.F32, x)).lane(0);
    }

    @Test void specialValues() {
        assertEquals(1f, one(VecMath::exp, 0f));
        assertEquals(0f, one(VecMath::exp, -200f));
        assertEquals(Float.POSITIVE_INFINITY, one(VecMath::exp, 100f));
        assertTrue(Float.isNaN(one(VecMath::exp, Float.NaN)));
        assertEquals((float) Math.exp(-95), one(VecMath::exp, -95f), Math.ulp((float) Math.exp(-95)) * 2, "denormal result");
        assertEquals(0f, one(VecMath::log, 1f));
        assertEquals(Float.NEGATIVE_INFINITY, one(VecMath::log, 0f));
        assertTrue(Float.isNaN(one(VecMath::log, -1f)));
        assertTrue(Float.isNaN(one(VecMath::log, Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, one(VecMath::log, Float.POSITIVE_INFINITY));
        assertEquals((float) Math.log(1e-40), one(VecMath::log, 1e-40f), 1e-5, "denormal input");
        assertEquals(1f, one(VecMath::tanh, 50f));
        assertEquals(-1f, one(VecMath::tanh, -50f));
        assertEquals(0f, one(VecMath::tanh, 0f));
        assertTrue(Float.isNaN(one(VecMath::tanh, Float.NaN)));
    }
}
