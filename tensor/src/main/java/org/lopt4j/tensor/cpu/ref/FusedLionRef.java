package org.lopt4j.tensor.cpu.ref;

import org.lopt4j.tensor.FusedOps.LionArgs;
import org.lopt4j.tensor.cpu.CpuStorage;

/** Twin of {@code fused_lion_apply} (cuda-kernels fused_lion.cu). */
public final class FusedLionRef {
    private FusedLionRef() {}

    public static void apply(LionArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.m());
        ChunkView tab = ChunkView.of(a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk());
        CpuStorage p = RefFusedOps.cpu(a.params(), "params"), g = RefFusedOps.cpu(a.grads(), "grads");
        CpuStorage m = RefFusedOps.cpu(a.m(), "m");
        double b1 = a.beta1(), b2 = a.beta2(), lr = a.lr(), wd = a.weightDecay();
        for (int c = 0; c < tab.count(); c++) {
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) {
                double gi = g.get(i), mi = m.get(i), pi = p.get(i);
                double u = Math.signum(b1 * mi + (1 - b1) * gi) + wd * pi;
                m.set(i, b2 * mi + (1 - b2) * gi);
                p.set(i, pi - lr * u);
            }
        }
    }
}
