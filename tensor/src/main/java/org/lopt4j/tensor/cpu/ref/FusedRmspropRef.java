package org.lopt4j.tensor.cpu.ref;

import org.lopt4j.tensor.FusedOps.RmspropArgs;
import org.lopt4j.tensor.cpu.CpuStorage;

/** Twin of {@code fused_rmsprop_apply} (cuda-kernels fused_rmsprop.cu): optax or PyTorch eps placement. */
public final class FusedRmspropRef {
    private FusedRmspropRef() {}

    public static void apply(RmspropArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads(), a.v(), a.mg(), a.trace());
        ChunkView tab = ChunkView.of(a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk());
        CpuStorage p = RefFusedOps.cpu(a.params(), "params"), g = RefFusedOps.cpu(a.grads(), "grads");
        CpuStorage v = RefFusedOps.cpu(a.v(), "v");
        boolean centered = a.centered() != 0, momentum = a.momentum() > 0, nesterov = a.nesterov() != 0;
        boolean epsInSqrt = a.epsInSqrt() != 0;
        CpuStorage mg = centered ? RefFusedOps.cpu(a.mg(), "mg") : null, b = momentum ? RefFusedOps.cpu(a.trace(), "trace") : null;
        double rho = a.decay(), eps = a.eps(), mu = a.momentum(), lr = a.lr();
        for (int c = 0; c < tab.count(); c++) {
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) {
                double gi = g.get(i);
                double vi = rho * v.get(i) + (1 - rho) * gi * gi;
                v.set(i, vi);
                double var = vi;
                if (centered) {
                    double mi = rho * mg.get(i) + (1 - rho) * gi;
                    mg.set(i, mi);
                    var = vi - mi * mi;
                }
                double u = epsInSqrt ? gi / Math.sqrt(var + eps) : gi / (Math.sqrt(var) + eps);
                if (momentum) {
                    double bi = mu * b.get(i) + u;
                    b.set(i, bi);
                    u = nesterov ? u + mu * bi : bi;
                }
                p.set(i, p.get(i) - lr * u);
            }
        }
    }
}
