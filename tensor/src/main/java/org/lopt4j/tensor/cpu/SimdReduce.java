package org.lopt4j.tensor.cpu;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/**
 * Reductions of the SIMD backend. When the reduced axes are innermost and contiguous, each output element reduces
 * one contiguous run in vector lanes; otherwise the output is accumulated with elementwise row kernels, one
 * reduced index at a time (vectorized along the kept inner axis).
 */
final class SimdReduce {
    private SimdReduce() {}

    static void run(Op.Reduce op, Tensor out, Tensor in) {
        int rank = in.rank();
        int[] id = in.shape().dims(), od = out.shape().dims(), is = in.strides();
        boolean f32 = in.dtype() == DType.F32;
        // reduced extent and whether it is one contiguous innermost run
        int red = 1, firstRed = rank;
        for (int i = 0; i < rank; i++) {
            if (od[i] == 1 && id[i] != 1) { red *= id[i]; firstRed = Math.min(firstRed, i); }
        }
        boolean innerRun = in.isContiguous();
        for (int i = 0; i < rank && innerRun; i++) {
            boolean reduced = od[i] == 1 && id[i] != 1;
            if (!reduced && id[i] != 1 && i > firstRed) innerRun = false;
        }
        if (red == 1) { out.assign(in.reshape(od)); return; }
        CpuStorage x = ScalarBackend.cpu(in), o = ScalarBackend.cpu(out);
        if (innerRun) {
            int outer = out.numel();
            int[] oOff = StridedIndex.offsets(out);
            int base = in.offset(), run = red;
            Parallel.forRange(outer, Math.max(1, SimdBackend.GRAIN / run), (from, to) -> {
                for (int e = from; e < to; e++) {
                    if (f32) o.f32[oOff[e]] = SimdF32.reduce(op, x.f32, base + e * run, 1, run);
                    else o.f64[oOff[e]] = SimdF64.reduce(op, x.f64, base + e * run, 1, run);
                }
            });
            return;
        }
        // general case: acc (contiguous, out shape) = op(acc, in[reduced index r]) for every r
        Tensor acc = Tensor.full(out.backend(), out.dtype(), out.shape(), op == Op.Reduce.SUM ? 0 : Double.NEGATIVE_INFINITY);
        int[] rd = new int[rank], keptStrides = is.clone();
        for (int i = 0; i < rank; i++) {
            boolean reduced = od[i] == 1 && id[i] != 1;
            rd[i] = reduced ? id[i] : 1;
            if (reduced) keptStrides[i] = 0;
        }
        int[] redOffsets = StridedIndex.offsets(Tensor.view(out.backend(), x, Shape.of(rd), is, in.offset()));
        Op.Binary combine = op == Op.Reduce.SUM ? Op.Binary.ADD : Op.Binary.MAX;
        for (int r0 : redOffsets) {
            Tensor slice = Tensor.view(out.backend(), x, out.shape(), keptStrides, r0);
            acc.applyInPlace(combine, slice);
        }
        out.assign(acc);
    }
}
