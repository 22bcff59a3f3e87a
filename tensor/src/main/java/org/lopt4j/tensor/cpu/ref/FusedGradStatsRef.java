package org.lopt4j.tensor.cpu.ref;

import org.lopt4j.tensor.FusedOps.GradStatsArgs;
import org.lopt4j.tensor.cpu.CpuStorage;

/** Twin of {@code fused_grad_stats_apply} (cuda-kernels fused_grad_stats.cu): gradient transform, Σg² and non-finite count. */
public final class FusedGradStatsRef {
    private FusedGradStatsRef() {}

    public static void apply(GradStatsArgs a) {
        RefFusedOps.sameShape(a.params(), a.grads());
        ChunkView tab = ChunkView.of(a.tensorOf(), a.startOf(), a.offsets(), a.sizes(), a.chunk());
        CpuStorage p = RefFusedOps.cpu(a.params(), "params"), g = RefFusedOps.cpu(a.grads(), "grads");
        CpuStorage stats = RefFusedOps.cpu(a.stats(), "stats");
        double wd = a.weightDecay(), clip = a.clipValue();
        boolean zero = a.zeroNonFinite() != 0, writes = zero || wd != 0 || clip > 0;
        double sumSq = 0, nonFinite = 0;
        for (int c = 0; c < tab.count(); c++) {
            for (int i = tab.begin(c), end = tab.end(c); i < end; i++) {
                double x = g.get(i);
                if (!Double.isFinite(x)) {
                    nonFinite++;
                    if (zero) x = 0;
                }
                x = x + wd * p.get(i);
                if (clip > 0) x = Math.max(-clip, Math.min(clip, x));
                if (writes) g.set(i, x);
                sumSq += x * x;
            }
        }
        stats.set(0, sumSq);
        stats.set(1, nonFinite);
    }
}
