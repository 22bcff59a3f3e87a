package org.lopt4j.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.FusedOps.Chunks;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ref.RefFusedOps;

/**
 * fused.cl against the plain-loop twins (RefFusedOps on CPU buffers of the same dtype): the same fresh random slab,
 * with the alignment gaps between tensors poisoned with NaN (a kernel that writes outside its chunks turns a NaN into a
 * number or vice versa), over the conformance shapes and a tensor of several chunks, with small and default chunk
 * sizes, in F32 and (where the device has it) F64.
 */
@Tag("gpu")
class OpenClFusedParityTest {
    /** F32: per-element float math with constants rounded once from double vs the twin's double math rounded on store. */
    static final double F32_ELEMENT_ULPS = 16;
    /** F64: the kernels do the twins' double operations in the twins' order (no contraction): the same bits. */
    static final double F64_ELEMENT_ULPS = 0;
    /** Σg² is summed per work-group, then over groups in chunk order: another order than the twin's running sum. */
    static final double SUM_RELATIVE = 1e-5;

    static final Shape[] SHAPES = {Shape.of(32, 16), Shape.of(16), Shape.of(8, 3, 3, 3), Shape.of(1), Shape.of(300, 257)};
    static final int[] CHUNKS = {64, 1000, Chunks.CHUNK};

    @BeforeAll static void device() { OpenClSupport.backendOrSkip(); }

    static SlabLayout layout() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) names.add("t" + i);
        return SlabLayout.of(names, List.of(SHAPES));
    }

    static double ulps(DType d) { return d == DType.F64 ? F64_ELEMENT_ULPS : F32_ELEMENT_ULPS; }

    /** A slab of uniform [lo, hi) values with NaN in the gaps between tensors, on the reference backend, as {@code d}. */
    static Tensor slab(SlabLayout l, DType d, double lo, double hi) {
        double[] v = ClParity.rand(DType.F64, new int[] {l.size()}, lo, hi).toDoubleArray();
        boolean[] covered = new boolean[l.size()];
        for (int t = 0; t < l.count(); t++) for (int i = 0; i < l.numel(t); i++) covered[l.offset(t) + i] = true;
        for (int i = 0; i < v.length; i++) if (!covered[i]) v[i] = Double.NaN;
        return Tensor.of(ClParity.REF, v, l.size()).to(d);
    }

    /**
     * Runs {@code call} (given the backend's fused ops, its chunk table and its copies of {@code bufs}) with the twin on
     * the CPU and with the kernel on the device, then compares every buffer.
     */
    static void check(String what, Tensor[] bufs, int chunk, Call call) {
        OpenClBackend cl = OpenClSupport.backendOrSkip();
        SlabLayout l = layout();
        Tensor[] want = copies(bufs, t -> t.to(ClParity.REF));
        Tensor[] got = copies(bufs, t -> t.to(cl));
        call.run(RefFusedOps.INSTANCE, Chunks.of(l, ClParity.REF, chunk), want);
        call.run(cl.fused(), Chunks.of(l, cl, chunk), got);
        for (int i = 0; i < bufs.length; i++) {
            if (bufs[i] == null) continue;
            DType d = bufs[i].dtype();
            ClParity.assertClose(want[i].toDoubleArray(), got[i].to(ClParity.REF).toDoubleArray(), ulps(d), d,
                    what + " " + d + " chunk " + chunk + " buffer " + i);
        }
    }

    private static Tensor[] copies(Tensor[] bufs, Function<Tensor, Tensor> f) {
        Tensor[] out = new Tensor[bufs.length];
        for (int i = 0; i < bufs.length; i++) out[i] = bufs[i] == null ? null : f.apply(bufs[i]);
        return out;
    }

    /** One fused call on a backend. */
    interface Call { void run(FusedOps ops, Chunks c, Tensor[] b); }

    @Test void sgdAndMomentum() {
        SlabLayout l = layout();
        for (DType d : ClParity.dtypes(false)) {
            for (int chunk : CHUNKS) {
                check("sgd", new Tensor[] {slab(l, d, -1, 1), slab(l, d, -1, 1)}, chunk, (ops, c, b) -> ops.sgd(
                        new FusedOps.SgdArgs(b[0], b[1], c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), 0.1)));
                for (int nesterov = 0; nesterov <= 1; nesterov++) {
                    int n = nesterov;
                    check("momentum nesterov=" + n, new Tensor[] {slab(l, d, -1, 1), slab(l, d, -1, 1), slab(l, d, -1, 1)}, chunk,
                            (ops, c, b) -> ops.momentum(new FusedOps.MomentumArgs(b[0], b[1], b[2], c.tensorOf(), c.startOf(),
                                    c.offsets(), c.sizes(), c.chunk(), 0.05, 0.9, n)));
                }
            }
        }
    }

    @Test void adamwAndNadamw() {
        SlabLayout l = layout();
        for (DType d : ClParity.dtypes(false)) {
            for (int chunk : CHUNKS) {
                check("adamw", new Tensor[] {slab(l, d, -1, 1), slab(l, d, -1, 1), slab(l, d, -0.1, 0.1), slab(l, d, 0, 0.01)}, chunk,
                        (ops, c, b) -> ops.adamw(new FusedOps.AdamwArgs(b[0], b[1], b[2], b[3], c.tensorOf(), c.startOf(),
                                c.offsets(), c.sizes(), c.chunk(), 1e-3, 0.9, 0.999, 1e-8, 1e-12, 0.01, 1 - 0.9 * 0.9,
                                1 - 0.999 * 0.999)));
                for (int nesterov = 0; nesterov <= 1; nesterov++) {
                    int n = nesterov;
                    check("nadamw nesterov=" + n, new Tensor[] {slab(l, d, -1, 1), slab(l, d, -1, 1), slab(l, d, -0.1, 0.1),
                            slab(l, d, 0, 0.01)}, chunk, (ops, c, b) -> ops.nadamw(new FusedOps.NadamwArgs(b[0], b[1], b[2], b[3],
                            c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), 1e-3, 0.9, 0.999, 1e-8, 0.01, 1e-4, n)));
                }
            }
        }
    }

    @Test void rmspropEveryVariant() {
        SlabLayout l = layout();
        for (DType d : ClParity.dtypes(false)) {
            for (int chunk : CHUNKS) {
                for (int variant = 0; variant < 16; variant++) {
                    int epsInSqrt = variant & 1, centered = (variant >> 1) & 1, nesterov = (variant >> 3) & 1;
                    double mu = (variant & 4) != 0 ? 0.9 : 0;
                    Tensor mg = centered != 0 ? slab(l, d, -0.01, 0.01) : null, trace = mu > 0 ? slab(l, d, -0.1, 0.1) : null;
                    check("rmsprop variant " + variant, new Tensor[] {slab(l, d, -1, 1), slab(l, d, -1, 1), slab(l, d, 0.01, 0.1), mg, trace},
                            chunk, (ops, c, b) -> ops.rmsprop(new FusedOps.RmspropArgs(b[0], b[1], b[2], b[3], b[4],
                                    c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), 1e-2, 0.9, 1e-6, epsInSqrt,
                                    centered, mu, nesterov)));
                }
            }
        }
    }

    @Test void lion() {
        SlabLayout l = layout();
        for (DType d : ClParity.dtypes(false)) {
            for (int chunk : CHUNKS) {
                check("lion", new Tensor[] {slab(l, d, -1, 1), slab(l, d, -1, 1), slab(l, d, -0.1, 0.1)}, chunk,
                        (ops, c, b) -> ops.lion(new FusedOps.LionArgs(b[0], b[1], b[2], c.tensorOf(), c.startOf(), c.offsets(),
                                c.sizes(), c.chunk(), 1e-4, 0.9, 0.99, 0.1)));
            }
        }
    }

    @Test void gradStatsWithNonFiniteGradients() {
        OpenClBackend cl = OpenClSupport.backendOrSkip();
        SlabLayout l = layout();
        for (DType d : ClParity.dtypes(false)) {
            for (int chunk : CHUNKS) {
                for (int variant = 0; variant < 4; variant++) {
                    int zero = variant & 1;
                    double clip = (variant & 2) != 0 ? 0.5 : 0, wd = variant == 3 ? 0.01 : 0;
                    Tensor p = slab(l, d, -1, 1);
                    double[] g = slab(l, d, -1, 1).toDoubleArray();
                    g[l.offset(0) + 3] = Double.POSITIVE_INFINITY;
                    g[l.offset(4) + 1000] = Double.NaN;
                    Tensor grads = Tensor.of(ClParity.REF, g, g.length).to(d);
                    Tensor[] want = {p.to(ClParity.REF), grads.to(ClParity.REF), ClParity.poisoned(ClParity.REF, d, Shape.of(2))};
                    Tensor[] got = {p.to(cl), grads.to(cl), ClParity.poisoned(cl, d, Shape.of(2))};
                    stats(RefFusedOps.INSTANCE, Chunks.of(l, ClParity.REF, chunk), want, wd, clip, zero);
                    stats(cl.fused(), Chunks.of(l, cl, chunk), got, wd, clip, zero);
                    String what = "gradStats " + d + " variant " + variant + " chunk " + chunk;
                    ClParity.assertClose(want[1].toDoubleArray(), got[1].to(ClParity.REF).toDoubleArray(), ulps(d), d, what + " grads");
                    double[] ws = want[2].toDoubleArray(), gs = got[2].to(ClParity.REF).toDoubleArray();
                    if (Double.isNaN(ws[0])) assertTrue(Double.isNaN(gs[0]), what + ": Σg² should be NaN, got " + gs[0]);
                    else assertEquals(ws[0], gs[0], SUM_RELATIVE * ws[0], what + " Σg²");
                    assertEquals(2, gs[1], what + " non-finite count");
                }
            }
        }
    }

    private static void stats(FusedOps ops, Chunks c, Tensor[] b, double wd, double clip, int zero) {
        ops.gradStats(new FusedOps.GradStatsArgs(b[0], b[1], b[2], c.tensorOf(), c.startOf(), c.offsets(), c.sizes(),
                c.chunk(), wd, clip, zero));
    }

    @Test void badBuffersAreRefusedWithTheirRole() {
        OpenClBackend cl = OpenClSupport.backendOrSkip();
        assertEquals("opencl", cl.fused().name());
        SlabLayout l = layout();
        Chunks c = Chunks.of(l, cl);
        Tensor p = slab(l, DType.F32, -1, 1).to(cl), shorter = Tensor.zeros(cl, DType.F32, Shape.of(l.size() - 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cl.fused().sgd(new FusedOps.SgdArgs(p,
                shorter, c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(), 0.1)));
        assertTrue(e.getMessage().contains("differ"), e.getMessage());
        Tensor ints = Tensor.zeros(cl, DType.I32, Shape.of(l.size()));
        assertThrows(IllegalArgumentException.class, () -> cl.fused().sgd(new FusedOps.SgdArgs(ints, ints, c.tensorOf(),
                c.startOf(), c.offsets(), c.sizes(), c.chunk(), 0.1)), "I32 slabs are refused");
    }
}
