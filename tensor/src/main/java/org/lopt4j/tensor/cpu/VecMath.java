package org.lopt4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * exp, log and tanh over float32 vector lanes built only from IEEE-exact lane operations (add, mul, div, compares,
 * bit manipulation): Cody–Waite range reduction with Cephes' single-precision minimax polynomials, about 1–2 ulp.
 * The Vector API's own {@code EXP}/{@code LOG}/{@code TANH} lanes round differently before and after the JIT compiles
 * them (a Java fallback, then an intrinsic), so one run could differ from the next in the last bits; these give the
 * same bits in every JIT tier, which makes meta-training runs and their resumes reproducible. {@link #sum} does the
 * same for lane sums.
 */
public final class VecMath {
    private VecMath() {}

    private static final float LOG2E = 1.44269504088896341f, MAGIC = 12582912f;          // 1.5·2^23: adding it rounds to an integer
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float EXP_HI = 88.72283905206835f, EXP_LO = -103.972076f;
    private static final float SQRTHF = 0.707106781186547524f, FLT_MIN = 1.17549435e-38f;

    /**
     * The sum of the lanes as a fixed pairwise tree (halves folded onto each other: lane i += lane i + h for h = L/2,
     * L/4, ..., 1). The Vector API's {@code reduceLanes(ADD)} leaves the order open and the Java fallback and the
     * intrinsic differ. The fold runs on the lanes stored to an array: {@code slice} is not a C2 intrinsic, and its
     * Java fallback allocated on every call and kept the calling loops' vectors boxed.
     */
    public static float sum(FloatVector v) {
        float[] a = v.toArray();
        for (int h = a.length / 2; h >= 1; h /= 2) for (int i = 0; i < h; i++) a[i] = a[i] + a[i + h];
        return a[0];
    }

    /**
     * {@link #sum(FloatVector)} of the {@code lanes} values at {@code a[off..]}, folded in place (the same adds in the
     * same order, without a vector or a copy); the values are overwritten.
     */
    public static float sumInPlace(float[] a, int off, int lanes) {
        for (int h = lanes / 2; h >= 1; h /= 2) for (int i = 0; i < h; i++) a[off + i] = a[off + i] + a[off + i + h];
        return a[off];
    }

    /** {@link #sum(FloatVector)} for double lanes. */
    public static double sum(jdk.incubator.vector.DoubleVector v) {
        double[] a = v.toArray();
        for (int h = a.length / 2; h >= 1; h /= 2) for (int i = 0; i < h; i++) a[i] = a[i] + a[i + h];
        return a[0];
    }

    /** e^x per lane; 0 below −103.97, +∞ above 88.72, NaN for NaN. */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector fx = xc.mul(LOG2E).add(MAGIC).sub(MAGIC);
        FloatVector r = xc.sub(fx.mul(LN2_HI)).sub(fx.mul(LN2_LO));
        FloatVector z = r.mul(r);
        FloatVector y = r.mul(1.9875691500E-4f).add(1.3981999507E-3f).mul(r).add(8.3334519073E-3f).mul(r).add(4.1665795894E-2f)
                .mul(r).add(1.6666665459E-1f).mul(r).add(5.0000001201E-1f).mul(z).add(r).add(1f);
        IntVector n = (IntVector) fx.convert(VectorOperators.F2I, 0);
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1), n2 = n.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector out = y.mul(s1).mul(s2);
        out = out.blend(0f, x.compare(VectorOperators.LT, EXP_LO));
        out = out.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
        return out.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** Natural log per lane; −∞ at ±0, NaN below 0 and for NaN, +∞ at +∞. */
    public static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.compare(VectorOperators.LT, FLT_MIN).and(x.compare(VectorOperators.GT, 0f));
        FloatVector xs = x.blend(x.mul(8388608f), sub);                                       // denormals: scale by 2^23
        IntVector bits = xs.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).and(0xff).sub(126);
        e = e.sub(IntVector.zero(bits.species()).blend(23, sub.cast(bits.species())));
        FloatVector m = bits.and(0x807fffff).or(0x3f000000).reinterpretAsFloats();             // mantissa in [0.5, 1)
        VectorMask<Float> lowM = m.compare(VectorOperators.LT, SQRTHF);
        FloatVector fe = ((FloatVector) e.convert(VectorOperators.I2F, 0)).sub(x.broadcast(0f).blend(1f, lowM));
        m = m.add(m.blend(0f, lowM.not())).sub(1f);                                             // m < √½: 2m − 1, else m − 1
        FloatVector z = m.mul(m);
        FloatVector y = m.mul(7.0376836292E-2f).add(-1.1514610310E-1f).mul(m).add(1.1676998740E-1f).mul(m).add(-1.2420140846E-1f)
                .mul(m).add(1.4249322787E-1f).mul(m).add(-1.6668057665E-1f).mul(m).add(2.0000714765E-1f).mul(m)
                .add(-2.4999993993E-1f).mul(m).add(3.3333331174E-1f).mul(m).mul(z);
        y = y.add(fe.mul(LN2_LO)).sub(z.mul(0.5f));
        FloatVector out = m.add(y).add(fe.mul(LN2_HI));
        out = out.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        out = out.blend(Float.NaN, x.compare(VectorOperators.LT, 0f).or(x.test(VectorOperators.IS_NAN)));
        return out.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
    }

    /** tanh per lane: an odd polynomial below |x| = 0.625, {@code 1 − 2/(e^{2|x|} + 1)} with x's sign above. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs(), z = x.mul(x);
        FloatVector small = z.mul(-5.70498872745E-3f).add(2.06390887954E-2f).mul(z).add(-5.37397155531E-2f).mul(z)
                .add(1.33314422036E-1f).mul(z).add(-3.33332819422E-1f).mul(z).mul(x).add(x);
        FloatVector big = x.broadcast(1f).sub(x.broadcast(2f).div(exp(ax.add(ax)).add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        return big.blend(small, ax.compare(VectorOperators.LT, 0.625f));
    }
}
