package org.lopt4j.tensor.cpu.ref;

import org.lopt4j.tensor.FusedOps.MomentumArgs;
import org.lopt4j.tensor.FusedOps.SgdArgs;
import org.lopt4j.tensor.cpu.CpuStorage;

/** Twins of {@code fused_sgd_apply} and {@code fused_sgd_momentum} (cuda-kernels fused_sgd.cu). */
public final class FusedSgdRef {
    private FusedSgdRef() {}

    /** {@code p ← p − lr·g}. */
    public static void apply(SgdArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads());
        ChunkView tab = ChunkView.of(a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk());
        CpuStorage p = RefFusedOps.cpu(a.params(), "params"), g = RefFusedOps.cpu(a.grads(), "grads");
        double lr = a.lr();
        for (int c = 0; c < tab.count(); c++) {
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) p.set(i, p.get(i) - lr * g.get(i));
        }
    }

    /** {@code b ← μ·b + g}; {@code p ← p − lr·b} (Nesterov: {@code p ← p − lr·(g + μ·b)}). */
    public static void momentum(MomentumArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.trace());
        ChunkView tab = ChunkView.of(a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk());
        CpuStorage p = RefFusedOps.cpu(a.params(), "params"), g = RefFusedOps.cpu(a.grads(), "grads");
        CpuStorage b = RefFusedOps.cpu(a.trace(), "trace");
        double lr = a.lr(), mu = a.momentum();
        boolean nesterov = a.nesterov() != 0;
        for (int c = 0; c < tab.count(); c++) {
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) {
                double gi = g.get(i), bi = mu * b.get(i) + gi;
                b.set(i, bi);
                p.set(i, p.get(i) - lr * (nesterov ? gi + mu * bi : bi));
            }
        }
    }
}
