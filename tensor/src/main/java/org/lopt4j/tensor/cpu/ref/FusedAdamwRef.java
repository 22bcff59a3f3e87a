package org.lopt4j.tensor.cpu.ref;

import org.lopt4j.tensor.FusedOps.AdamwArgs;
import org.lopt4j.tensor.cpu.CpuStorage;

/** Twin of {@code fused_adamw_apply} (cuda-kernels fused_adamw.cu): Adam with eps_root and decoupled weight decay. */
public final class FusedAdamwRef {
    private FusedAdamwRef() {}

    public static void apply(AdamwArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.m(), a.v());
        ChunkView tab = ChunkView.of(a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk());
        CpuStorage p = RefFusedOps.cpu(a.params(), "params"), g = RefFusedOps.cpu(a.grads(), "grads");
        CpuStorage m = RefFusedOps.cpu(a.m(), "m"), v = RefFusedOps.cpu(a.v(), "v");
        double b1 = a.beta1(), b2 = a.beta2(), lr = a.lr(), wd = a.weightDecay();
        for (int c = 0; c < tab.count(); c++) {
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) {
                double gi = g.get(i), pi = p.get(i);
                double mi = b1 * m.get(i) + (1 - b1) * gi;
                double vi = b2 * v.get(i) + (1 - b2) * gi * gi;
                m.set(i, mi);
                v.set(i, vi);
                double mHat = mi / a.biasCorrection1(), vHat = vi / a.biasCorrection2();
                p.set(i, pi - lr * (mHat / (Math.sqrt(vHat + a.epsRoot()) + a.eps()) + wd * pi));
            }
        }
    }
}
