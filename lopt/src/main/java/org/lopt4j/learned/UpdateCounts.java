package org.lopt4j.learned;

import java.util.Collections;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * Each population member's update count, the clock of a learned optimizer's time features, kept where the kernels
 * run: one float per parameter tensor (every tensor of a member holds the member's count, so members reset and copy
 * tensor-wise like the rest of the state), advanced by the step's first pass unless the step is skipped. A caller that
 * knows better ({@link org.lopt4j.optim.StepInfo#memberSteps}) overwrites it before a step.
 */
public final class UpdateCounts {
    private UpdateCounts() {}

    /** Zero counts for the tensors of {@code params}. */
    public static Slab zeros(Slab params) {
        SlabLayout p = params.layout();
        return Slab.zeros(params.backend(), DType.F32, SlabLayout.of(p.names(), Collections.nCopies(p.count(), Shape.of(1))));
    }

    /** Elements between consecutive tensors' counts in the flat slab. */
    public static int stride(Slab count) { return count.layout().count() < 2 ? 1 : count.layout().offset(1); }

    /** Sets every member's count: tensor t gets {@code memberSteps[t / (tensors / members)]} (one write). */
    public static void set(Slab count, int[] memberSteps) {
        SlabLayout l = count.layout();
        int per = l.count() / memberSteps.length;
        float[] flat = new float[l.size()];
        for (int t = 0; t < l.count(); t++) flat[l.offset(t)] = memberSteps[t / per];
        count.flat().storage().write(count.flat().offset(), flat);
    }

    /** On the CPU: advances every tensor's count by one (the first pass of a step that is not skipped). */
    public static void advance(Tensor count, int tensors, int stride) {
        CpuStorage c = (CpuStorage) count.storage();
        for (int t = 0; t < tensors; t++) c.set(t * stride, c.get(t * stride) + 1);
    }

    /** On the CPU: each tensor's count. */
    public static int[] read(Tensor count, int tensors, int stride) {
        CpuStorage c = (CpuStorage) count.storage();
        int[] out = new int[tensors];
        for (int t = 0; t < tensors; t++) out[t] = (int) c.get(t * stride);
        return out;
    }

    /** On the CPU: whether this step is skipped ({@code gradStats[1]} non-finite values under a skipping policy). */
    public static boolean skips(Tensor gradStats, int skipNonFinite) {
        return skipNonFinite != 0 && ((CpuStorage) gradStats.storage()).get(1) != 0;
    }

    /** On the CPU, in a step's first pass: {@link #skips}, and when it does, the device's skip count advances. */
    public static boolean skipped(Tensor gradStats, int skipNonFinite, Tensor skips) {
        if (!skips(gradStats, skipNonFinite)) return false;
        CpuStorage s = (CpuStorage) skips.storage();
        s.set(0, s.get(0) + 1);
        return true;
    }
}
