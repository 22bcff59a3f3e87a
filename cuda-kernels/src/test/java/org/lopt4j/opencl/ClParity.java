package org.lopt4j.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * Runs one primitive on ScalarBackend (the definition) and on the OpenCL backend with the same fresh random inputs and
 * compares. Outputs start poisoned (NaN, or Integer.MIN_VALUE for I32) on both sides, so an element the kernel should
 * have written but did not, or wrote outside a view, shows up as a difference.
 */
final class ClParity {
    static final ScalarBackend REF = ScalarBackend.INSTANCE;
    static final double I32_POISON = Integer.MIN_VALUE;

    private ClParity() {}

    /** Writes a primitive's result into {@code out} on backend {@code b}; inputs are fresh tensors on {@code b}. */
    interface Run { void into(Backend b, Tensor out, Tensor[] in); }

    private static long seed = 301;

    /** The dtypes the device computes in: F32 and I32, and F64 where it has cl_khr_fp64. */
    static List<DType> dtypes(boolean withI32) {
        boolean fp64 = OpenClSupport.backendOrSkip().supports(DType.F64);
        return Arrays.stream(DType.values()).filter(d -> (d != DType.F64 || fp64) && (d != DType.I32 || withI32)).toList();
    }

    /** Fresh uniform values in [lo, hi) on the reference backend, as {@code d} (I32 truncates). */
    static Tensor rand(DType d, int[] dims, double lo, double hi) {
        Tensor u = Tensor.random(REF, DType.F64, Shape.of(dims), RandomKey.of(seed++), Op.Dist.UNIFORM);
        double[] v = u.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * v[i];
        return Tensor.of(REF, v, dims).to(d);
    }

    /** A tensor full of poison: NaN for floats, Integer.MIN_VALUE for I32. */
    static Tensor poisoned(Backend b, DType d, Shape s) {
        return Tensor.full(b, d, s, d.isFloating() ? Double.NaN : I32_POISON);
    }

    /** The reference's and the device's outputs (each over its whole poisoned buffer) for the same inputs. */
    static double[][] both(DType outType, Shape outShape, Tensor[] refInputs, Run run) {
        Tensor want = poisoned(REF, outType, outShape);
        run.into(REF, want, refInputs);
        OpenClBackend cl = OpenClSupport.backendOrSkip();
        Tensor[] ins = Arrays.stream(refInputs).map(t -> t.to(cl)).toArray(Tensor[]::new);
        Tensor got = poisoned(cl, outType, outShape);
        run.into(cl, got, ins);
        return new double[][] {values(want), values(got.to(REF))};
    }

    /** The elements as doubles; I32 through int arrays (a trip through F32 would round large ints). */
    static double[] values(Tensor t) {
        if (t.dtype() != DType.I32) return t.toDoubleArray();
        return Arrays.stream(t.toIntArray()).asDoubleStream().toArray();
    }

    /** Runs and compares within {@code ulps} ulps of {@code outType} times max(1, |expected|) (0: bit-exact). */
    static void check(String what, DType outType, Shape outShape, Tensor[] refInputs, double ulps, Run run) {
        double[][] r = both(outType, outShape, refInputs, run);
        assertClose(r[0], r[1], ulps, outType, what);
    }

    /** One unit in the last place of 1 in {@code d}: float's, or double's for F64. */
    static double ulpOfOne(DType d) { return d == DType.F64 ? Math.ulp(1.0) : Math.ulp(1f); }

    static void assertClose(double[] e, double[] a, double ulps, DType d, String what) {
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i])) {
                assertTrue(Double.isNaN(a[i]), what + " [" + i + "]: expected NaN (poison or result), got " + a[i]);
                continue;
            }
            if (Double.isInfinite(e[i]) || ulps == 0) {   // bit-exact, the sign of zero included
                assertEquals(0, Double.compare(e[i], a[i]), what + " [" + i + "]: expected " + e[i] + ", got " + a[i]);
                continue;
            }
            assertEquals(e[i], a[i], ulps * ulpOfOne(d) * Math.max(1, Math.abs(e[i])), what + " [" + i + "]");
        }
    }

    /** Element-wise absolute tolerance: |e - a| <= tol[i] (NaN positions must agree). */
    static void assertWithin(double[] e, double[] a, double[] tol, String what) {
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i])) {
                assertTrue(Double.isNaN(a[i]), what + " [" + i + "]: expected NaN, got " + a[i]);
                continue;
            }
            assertEquals(e[i], a[i], tol[i], what + " [" + i + "]");
        }
    }
}
