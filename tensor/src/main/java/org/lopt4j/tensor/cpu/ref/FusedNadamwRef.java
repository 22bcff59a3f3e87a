package org.lopt4j.tensor.cpu.ref;

import org.lopt4j.tensor.FusedOps.NadamwArgs;
import org.lopt4j.tensor.cpu.CpuStorage;

/** Twin of {@code fused_nadamw_apply} (cuda-kernels fused_nadamw.cu): learned_optimization's NAdamW as coded. */
public final class FusedNadamwRef {
    private FusedNadamwRef() {}

    public static void apply(NadamwArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.m(), a.v());
        ChunkView tab = ChunkView.of(a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk());
        CpuStorage p = RefFusedOps.cpu(a.params(), "params"), g = RefFusedOps.cpu(a.grads(), "grads");
        CpuStorage m = RefFusedOps.cpu(a.m(), "m"), v = RefFusedOps.cpu(a.v(), "v");
        double b1 = a.beta1(), b2 = a.beta2(), lrT = a.lrT();
        boolean nesterov = a.nesterov() != 0;
        for (int c = 0; c < tab.count(); c++) {
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) {
                double pi = p.get(i), gi = g.get(i) - a.l2WeightDecay() * pi;   // sic: subtracts, as coded in [LO]
                double mi = b1 * m.get(i) + (1 - b1) * gi;
                double vi = b2 * v.get(i) + (1 - b2) * gi * gi;
                m.set(i, mi);
                v.set(i, vi);
                double num = nesterov ? b1 * mi + (1 - b1) * gi : mi;
                p.set(i, pi - (lrT * num / (Math.sqrt(vi) + a.eps()) + lrT * a.adamwWeightDecay() * pi));
            }
        }
    }
}
