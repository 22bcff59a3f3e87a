package org.lopt4j.opencl;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.gpu.View;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * Launches the kernels of reduce.cl. The input's axes split into kept ones (the output's, size unchanged) and reduced
 * ones (size 1 in the output); each group is merged separately. {@link Plan} picks one work-item per output
 * (reduce_serial) or one work-group per output (reduce_groups), and splits long float reductions with few outputs over
 * several groups whose partial results a second reduce_groups launch combines.
 */
final class Reduction {
    /** Reductions at most this long run one work-item per output. */
    static final long SERIAL_MAX_REDUCED = 32;
    /** With the kept axes contiguous, one work-item per output pays off from this many outputs. */
    static final long SERIAL_MIN_OUTPUTS = 1024;
    /** Reduced elements per group when a reduction is split. */
    static final long SPLIT_CHUNK = 8192;
    /** Most groups one output is split over. */
    static final int MAX_SPLITS = 1024;

    private Reduction() {}

    /** How one reduction runs: serial (a work-item per output) or groups, over {@code splits} groups per output. */
    record Plan(boolean serial, int splits) {
        static Plan of(long nOut, long nRed, boolean keptContiguous, boolean splittable, int computeUnits) {
            if (nRed <= SERIAL_MAX_REDUCED || (keptContiguous && nOut >= SERIAL_MIN_OUTPUTS)) return new Plan(true, 1);
            int splits = 1;
            if (splittable && nOut < 2L * computeUnits && nRed >= 2 * SPLIT_CHUNK) {
                splits = (int) Math.min(Math.min(Math.ceilDiv(nRed, SPLIT_CHUNK), Math.ceilDiv(4L * computeUnits, nOut)), MAX_SPLITS);
            }
            return new Plan(false, Math.max(1, splits));
        }
    }

    /** The kept and reduced parts of a reduction's input: kept has views (out, x), reduced has x's alone. */
    record Axes(StridedLayout kept, StridedLayout reduced) {
        static Axes of(Tensor out, Tensor x) {
            int[] id = x.shape().dims(), od = out.shape().dims();
            if (od.length != id.length) throw new IllegalArgumentException("reduce: output " + out + " and input " + x + " differ in rank");
            int[] os = out.strides(), xs = x.strides();
            List<long[]> kept = new ArrayList<>(), red = new ArrayList<>();   // {size, out stride, x stride}
            for (int i = 0; i < id.length; i++) {
                if (od[i] == id[i]) kept.add(new long[] {od[i], os[i], xs[i]});
                else if (od[i] == 1) red.add(new long[] {id[i], 0, xs[i]});
                else throw new IllegalArgumentException("reduce: output " + out.shape() + " does not fit input " + x.shape());
            }
            StridedLayout k = StridedLayout.of(sizes(kept), new long[][] {column(kept, 1), column(kept, 2)},
                    new long[] {out.offset(), x.offset()});
            StridedLayout r = StridedLayout.of(sizes(red), new long[][] {column(red, 2)}, new long[] {0});
            return new Axes(k, r);
        }

        /** Whether x's innermost kept axis has stride 1 (neighbouring outputs read neighbouring elements). */
        boolean keptContiguous() {
            int r = kept.dims().rank();
            return r > 0 && kept.view(1).stride(r - 1) == 1;
        }

        private static int[] sizes(List<long[]> rows) { return rows.stream().mapToInt(a -> (int) a[0]).toArray(); }

        private static long[] column(List<long[]> rows, int c) { return rows.stream().mapToLong(a -> a[c]).toArray(); }
    }

    static void reduce(OpenClBackend b, Op.Reduce op, Tensor out, Tensor x) {
        if (out.dtype() != x.dtype()) throw new IllegalArgumentException("reduce on opencl: " + x + " into " + out + " differ in dtype");
        DType d = x.dtype();
        int code = ClConstants.reduce(op);
        Axes axes = Axes.of(out, x);
        StridedLayout kept = axes.kept(), red = axes.reduced();
        long nOut = kept.count(), nRed = red.count();
        Plan plan = Plan.of(nOut, nRed, axes.keptContiguous(), d.isFloating(), b.info().computeUnits());
        if (plan.serial()) {
            b.launch(ClProgram.REDUCE, d, "reduce_serial", b.gridStride(nOut), new KernelArgs().mem(b.mem(out)).mem(b.mem(x))
                    .struct(kept.dims()).struct(red.dims()).struct(kept.view(0)).struct(kept.view(1)).struct(red.view(0))
                    .i64(nOut).i64(nRed).i32(code));
            return;
        }
        if (plan.splits() == 1) {
            groups(b, d, nOut, new KernelArgs().mem(b.mem(out)).mem(b.mem(x)).struct(kept.dims()).struct(red.dims())
                    .struct(kept.view(0)).struct(kept.view(1)).struct(red.view(0)).i64(nOut).i64(nRed).i32(1).i64(0).i32(code));
            return;
        }
        int splits = plan.splits();
        OpenClStorage partial = new OpenClStorage(b, d, Math.toIntExact(nOut * splits));
        try {
            View partialView = contiguous(kept.dims(), splits);
            groups(b, d, nOut * splits, new KernelArgs().mem(partial).mem(b.mem(x)).struct(kept.dims())
                    .struct(red.dims()).struct(partialView).struct(kept.view(1)).struct(red.view(0)).i64(nOut).i64(nRed)
                    .i32(splits).i64(1).i32(code));
            groups(b, d, nOut, new KernelArgs().mem(b.mem(out)).mem(partial).struct(kept.dims()).struct(Dims.of(splits))
                    .struct(kept.view(0)).struct(partialView).struct(View.of(0, 1)).i64(nOut).i64(splits).i32(1).i64(0).i32(code));
        } finally {
            partial.release();   // safe at once: OpenCL frees the buffer after the queued launches that use it
        }
    }

    /** A reduce_groups launch over {@code work} (output, split) pairs; appends the local scratch argument. */
    private static void groups(OpenClBackend b, DType d, long work, KernelArgs args) {
        int group = b.groupSize();
        long accBytes = d == DType.F32 ? 4 : 8;   // acc_t: float, double, or long for I32
        long maxGroups = (long) b.info().computeUnits() * OpenClBackend.GROUPS_PER_UNIT;
        b.launch(ClProgram.REDUCE, d, "reduce_groups", LaunchSize.groups(Math.max(1, Math.min(work, maxGroups)), group),
                args.local(group * accBytes));
    }

    /** Row-major strides over {@code dims}, each times {@code scale}, from offset 0. */
    static View contiguous(Dims dims, long scale) {
        long[] s = new long[dims.rank()];
        long acc = scale;
        for (int k = dims.rank() - 1; k >= 0; k--) {
            s[k] = acc;
            acc *= dims.size(k);
        }
        return View.of(0, s);
    }
}
