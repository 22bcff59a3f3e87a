package org.lopt4j.tensor.cpu.fused;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;
import org.lopt4j.tensor.cpu.ref.FusedAdafactorRef;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * The fused optimizer kernels on the CPU with the Vector API: each elementwise optimizer is ONE pass over the whole
 * flat slab (gaps between tensors hold zeros, and every update maps zeros to zeros, so no chunk table is needed),
 * split over the cores, vectors of {@code bits} bits with a scalar tail; F32 and F64. Reductions (gradient statistics,
 * Adafactor) sum per part in double and merge the parts in a fixed order, so results do not depend on thread timing.
 * Adafactor's passes run the twins' element loops over chunk ranges in parallel (not vectorized).
 * <p>Speed needs one width per JVM: the JIT compiles the loops for the species it has seen, and two widths in one JVM
 * (as in the tests) still compute correctly, only slower.
 */
public final class SimdFusedOps implements FusedOps {
    /** Elements per parallel work unit of an elementwise pass. */
    static final int GRAIN = 1 << 14;
    /** Most parts a reduction is split into (a constant, so the summation order depends only on the size). */
    static final int MAX_PARTS = 64;
    /** Most parts of an Adafactor reduction: each holds its own row and column sums, so memory grows with parts. */
    static final int MAX_FACTOR_PARTS = 8;

    private final int bits;
    private final VectorSpecies<Float> f32;
    private final VectorSpecies<Double> f64;

    /** The fused ops with vectors of {@code bits} (128, 256 or 512) bits. */
    public SimdFusedOps(int bits) {
        if (bits != 128 && bits != 256 && bits != 512) throw new IllegalArgumentException("SIMD width must be 128, 256 or 512 bits, not " + bits);
        this.bits = bits;
        this.f32 = VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
        this.f64 = VectorSpecies.of(double.class, VectorShape.forBitSize(bits));
    }

    /** Vector width in bits. */
    public int bits() { return bits; }

    @Override public String name() { return "simd-" + bits; }
    @Override public org.lopt4j.tensor.LearnedOps learned() { return org.lopt4j.tensor.cpu.CpuLearnedKernels.simd(); }

    @Override public void gradStats(GradStatsArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads());
        int n = a.grads().numel(), parts = parts(n, GRAIN);
        double[][] partial = new double[parts][2];
        boolean zero = a.zeroNonFinite() != 0;
        if (isF32(a.grads())) {
            float[] p = f32(a.params(), "params"), g = f32(a.grads(), "grads");
            float wd = (float) a.weightDecay(), clip = (float) a.clipValue();
            eachPart(n, parts, (k, from, to) -> FusedF32.gradStats(f32, p, g, wd, clip, zero, from, to, partial[k]));
        } else {
            double[] p = f64(a.params(), "params"), g = f64(a.grads(), "grads");
            eachPart(n, parts, (k, from, to) -> FusedF64.gradStats(f64, p, g, a.weightDecay(), a.clipValue(), zero, from, to, partial[k]));
        }
        double sumSq = 0, bad = 0;
        for (double[] q : partial) { sumSq += q[0]; bad += q[1]; }
        CpuStorage stats = RefFusedOps.cpu(a.stats(), "stats");
        stats.set(0, sumSq);
        stats.set(1, bad);
    }

    @Override public void sgd(SgdArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads());
        if (isF32(a.params())) {
            float[] p = f32(a.params(), "params"), g = f32(a.grads(), "grads");
            float lr = (float) a.lr();
            pass(p.length, (from, to) -> FusedF32.sgd(f32, p, g, lr, from, to));
        } else {
            double[] p = f64(a.params(), "params"), g = f64(a.grads(), "grads");
            pass(p.length, (from, to) -> FusedF64.sgd(f64, p, g, a.lr(), from, to));
        }
    }

    @Override public void momentum(MomentumArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.trace());
        boolean nesterov = a.nesterov() != 0;
        if (isF32(a.params())) {
            float[] p = f32(a.params(), "params"), g = f32(a.grads(), "grads"), b = f32(a.trace(), "trace");
            float lr = (float) a.lr(), mu = (float) a.momentum();
            pass(p.length, (from, to) -> FusedF32.momentum(f32, p, g, b, lr, mu, nesterov, from, to));
        } else {
            double[] p = f64(a.params(), "params"), g = f64(a.grads(), "grads"), b = f64(a.trace(), "trace");
            pass(p.length, (from, to) -> FusedF64.momentum(f64, p, g, b, a.lr(), a.momentum(), nesterov, from, to));
        }
    }

    @Override public void adamw(AdamwArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.m(), a.v());
        if (isF32(a.params())) {
            float[] p = f32(a.params(), "params"), g = f32(a.grads(), "grads"), m = f32(a.m(), "m"), v = f32(a.v(), "v");
            float lr = (float) a.lr(), b1 = (float) a.beta1(), b2 = (float) a.beta2(), eps = (float) a.eps();
            float epsRoot = (float) a.epsRoot(), wd = (float) a.weightDecay();
            float bc1 = (float) a.biasCorrection1(), bc2 = (float) a.biasCorrection2();
            float ob1 = (float) (1 - a.beta1()), ob2 = (float) (1 - a.beta2());
            pass(p.length, (from, to) -> FusedF32.adamw(f32, p, g, m, v, lr, b1, b2, ob1, ob2, eps, epsRoot, wd, bc1, bc2, from, to));
        } else {
            double[] p = f64(a.params(), "params"), g = f64(a.grads(), "grads"), m = f64(a.m(), "m"), v = f64(a.v(), "v");
            pass(p.length, (from, to) -> FusedF64.adamw(f64, p, g, m, v, a.lr(), a.beta1(), a.beta2(), 1 - a.beta1(), 1 - a.beta2(), a.eps(), a.epsRoot(),
                    a.weightDecay(), a.biasCorrection1(), a.biasCorrection2(), from, to));
        }
    }

    @Override public void nadamw(NadamwArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.m(), a.v());
        boolean nesterov = a.nesterov() != 0;
        if (isF32(a.params())) {
            float[] p = f32(a.params(), "params"), g = f32(a.grads(), "grads"), m = f32(a.m(), "m"), v = f32(a.v(), "v");
            float lrT = (float) a.lrT(), b1 = (float) a.beta1(), b2 = (float) a.beta2(), eps = (float) a.eps();
            float wd = (float) a.adamwWeightDecay(), l2 = (float) a.l2WeightDecay();
            float ob1 = (float) (1 - a.beta1()), ob2 = (float) (1 - a.beta2());
            pass(p.length, (from, to) -> FusedF32.nadamw(f32, p, g, m, v, lrT, b1, b2, ob1, ob2, eps, wd, l2, nesterov, from, to));
        } else {
            double[] p = f64(a.params(), "params"), g = f64(a.grads(), "grads"), m = f64(a.m(), "m"), v = f64(a.v(), "v");
            pass(p.length, (from, to) -> FusedF64.nadamw(f64, p, g, m, v, a.lrT(), a.beta1(), a.beta2(), 1 - a.beta1(), 1 - a.beta2(), a.eps(),
                    a.adamwWeightDecay(), a.l2WeightDecay(), nesterov, from, to));
        }
    }

    @Override public void rmsprop(RmspropArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.v(), a.mg(), a.trace());
        boolean centered = a.centered() != 0, momentum = a.momentum() > 0, inSqrt = a.epsInSqrt() != 0, nesterov = a.nesterov() != 0;
        if (isF32(a.params())) {
            float[] p = f32(a.params(), "params"), g = f32(a.grads(), "grads"), v = f32(a.v(), "v");
            float[] mg = centered ? f32(a.mg(), "mg") : null, b = momentum ? f32(a.trace(), "trace") : null;
            float lr = (float) a.lr(), rho = (float) a.decay(), orho = (float) (1 - a.decay()), eps = (float) a.eps(), mu = (float) a.momentum();
            pass(p.length, (from, to) -> FusedF32.rmsprop(f32, p, g, v, mg, b, lr, rho, orho, eps, inSqrt, mu, nesterov, from, to));
        } else {
            double[] p = f64(a.params(), "params"), g = f64(a.grads(), "grads"), v = f64(a.v(), "v");
            double[] mg = centered ? f64(a.mg(), "mg") : null, b = momentum ? f64(a.trace(), "trace") : null;
            pass(p.length, (from, to) -> FusedF64.rmsprop(f64, p, g, v, mg, b, a.lr(), a.decay(), 1 - a.decay(), a.eps(), inSqrt, a.momentum(),
                    nesterov, from, to));
        }
    }

    @Override public void lion(LionArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.m());
        if (isF32(a.params())) {
            float[] p = f32(a.params(), "params"), g = f32(a.grads(), "grads"), m = f32(a.m(), "m");
            float lr = (float) a.lr(), b1 = (float) a.beta1(), b2 = (float) a.beta2(), wd = (float) a.weightDecay();
            float ob1 = (float) (1 - a.beta1()), ob2 = (float) (1 - a.beta2());
            pass(p.length, (from, to) -> FusedF32.lion(f32, p, g, m, lr, b1, b2, ob1, ob2, wd, from, to));
        } else {
            double[] p = f64(a.params(), "params"), g = f64(a.grads(), "grads"), m = f64(a.m(), "m");
            pass(p.length, (from, to) -> FusedF64.lion(f64, p, g, m, a.lr(), a.beta1(), a.beta2(), 1 - a.beta1(), 1 - a.beta2(), a.weightDecay(), from, to));
        }
    }

    @Override public void adafactorMoments(AdafactorArgs a) {
        FusedAdafactorRef.Views s = new FusedAdafactorRef.Views(a);
        int chunks = s.table().count(), parts = Math.min(MAX_FACTOR_PARTS, parts(chunks, 1)), tensors = s.table().tensors();
        double[][] rows = new double[parts][a.rowAcc().numel()], cols = new double[parts][a.colAcc().numel()];
        double[][] sums = new double[parts][2 * tensors];
        eachPart(chunks, parts, (k, from, to) -> FusedAdafactorRef.moments(a, s, from, to, rows[k], cols[k], sums[k]));
        addParts(RefFusedOps.cpu(a.rowAcc(), "rowAcc"), rows);
        addParts(RefFusedOps.cpu(a.colAcc(), "colAcc"), cols);
        addParts(RefFusedOps.cpu(a.sums(), "sums"), sums);
    }

    @Override public void adafactorFactors(AdafactorArgs a) { FusedAdafactorRef.factors(a); }   // O(rows + cols): small

    @Override public void adafactorNorms(AdafactorArgs a) {
        FusedAdafactorRef.Views s = new FusedAdafactorRef.Views(a);
        int chunks = s.table().count(), parts = Math.min(MAX_FACTOR_PARTS, parts(chunks, 1));
        double[][] sums = new double[parts][2 * s.table().tensors()];
        eachPart(chunks, parts, (k, from, to) -> FusedAdafactorRef.norms(s, from, to, sums[k]));
        addParts(RefFusedOps.cpu(a.sums(), "sums"), sums);
    }

    @Override public void adafactorApply(AdafactorArgs a) {
        FusedAdafactorRef.Views s = new FusedAdafactorRef.Views(a);
        int chunks = s.table().count();
        eachPart(chunks, parts(chunks, 1), (k, from, to) -> FusedAdafactorRef.apply(a, s, from, to));
    }

    /** Body over part {@code k} = {@code [from, to)}. */
    private interface PartBody { void run(int k, int from, int to); }

    /** Number of parts for {@code n} items of at least {@code grain} each: a function of n only. */
    private static int parts(int n, int grain) { return Math.max(1, Math.min(MAX_PARTS, n / grain)); }

    /** Runs the parts of {@code [0, n)} in parallel; part k is {@code [n·k/parts, n·(k+1)/parts)}. */
    private static void eachPart(int n, int parts, PartBody body) {
        Parallel.forRange(parts, 1, (lo, hi) -> {
            for (int k = lo; k < hi; k++) body.run(k, (int) ((long) n * k / parts), (int) ((long) n * (k + 1) / parts));
        });
    }

    /** One elementwise pass over {@code [0, n)} on all cores. */
    private static void pass(int n, Parallel.Range body) { Parallel.forRange(n, GRAIN, body); }

    /** Adds the parts' sums into {@code acc}, in part order. */
    private static void addParts(CpuStorage acc, double[][] parts) {
        for (int j = 0; j < acc.length(); j++) {
            double s = acc.get(j);
            for (double[] q : parts) s += q[j];
            acc.set(j, s);
        }
    }

    private static boolean isF32(Tensor t) { return t.dtype() == DType.F32; }

    private static float[] f32(Tensor t, String role) { return RefFusedOps.cpu(t, role).f32; }

    private static double[] f64(Tensor t, String role) { return RefFusedOps.cpu(t, role).f64; }
}
