package org.lopt4j.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdeviceptr;
import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.StridedLayout;
import org.lopt4j.gpu.View;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.Tensor;

/**
 * Launches the kernels of reduce.cu. The input's axes split into kept ones (the output's, size unchanged) and reduced
 * ones (size 1 in the output); each group is merged separately. {@link Plan} picks one thread per output
 * (reduce_serial) or one block per output (reduce_blocks), and splits long reductions with few outputs over several
 * blocks whose partial results a second reduce_blocks launch combines.
 */
final class Reduction {
    /** Largest block; reduce_blocks needs a multiple of 32. */
    static final int MAX_THREADS = 256;
    /** Reductions at most this long run one thread per output. */
    static final long SERIAL_MAX_REDUCED = 32;
    /** With the kept axes contiguous, one thread per output pays off from this many outputs. */
    static final long SERIAL_MIN_OUTPUTS = 1024;
    /** Reduced elements per block when a reduction is split. */
    static final long SPLIT_CHUNK = 8192;
    /** Most blocks one output is split over. */
    static final int MAX_SPLITS = 1024;
    /** Blocks per multiprocessor to aim for; the kernels loop over the rest. */
    static final int BLOCKS_PER_SM = 32;

    private Reduction() {}

    /** reduce_blocks. */
    record BlocksArgs(CUdeviceptr out, CUdeviceptr x, Dims kept, Dims red, View outV, View xKeptV, View xRedV, long nOut,
                      long nRed, int splits, long outSplitStride, int op, int dtype) {}

    /** reduce_serial. */
    record SerialArgs(CUdeviceptr out, CUdeviceptr x, Dims kept, Dims red, View outV, View xKeptV, View xRedV, long nOut,
                      long nRed, int op, int dtype) {}

    /** How one reduction runs: serial (a thread per output) or blocks of {@code threads}, over {@code splits} blocks. */
    record Plan(boolean serial, int threads, int splits) {
        static Plan of(long nOut, long nRed, boolean keptContiguous, boolean splittable, int multiprocessors) {
            if (nRed <= SERIAL_MAX_REDUCED || (keptContiguous && nOut >= SERIAL_MIN_OUTPUTS)) return new Plan(true, MAX_THREADS, 1);
            int splits = 1;
            if (splittable && nOut < 2L * multiprocessors && nRed >= 2 * SPLIT_CHUNK) {
                splits = (int) Math.min(Math.min(Math.ceilDiv(nRed, SPLIT_CHUNK), Math.ceilDiv(4L * multiprocessors, nOut)), MAX_SPLITS);
            }
            return new Plan(false, threadsFor(nRed), Math.max(1, splits));
        }

        /** Block size for a reduction of {@code n} elements: a multiple of 32, at most MAX_THREADS. */
        static int threadsFor(long n) { return (int) Math.clamp(Math.ceilDiv(n, 32) * 32, 32, MAX_THREADS); }
    }

    /** The kept and reduced parts of a reduction's input: kept has views (out, x), reduced has x's alone. */
    record Axes(StridedLayout kept, StridedLayout reduced) {
        static Axes of(Tensor out, Tensor x) {
            int[] id = x.shape().dims(), od = out.shape().dims();
            if (od.length != id.length) throw new IllegalArgumentException("reduce: output " + out + " and input " + x + " differ in rank");
            int[] os = out.strides(), xs = x.strides();
            List<int[]> kept = new ArrayList<>(), red = new ArrayList<>();   // {size, out stride, x stride}
            for (int i = 0; i < id.length; i++) {
                if (od[i] == id[i]) kept.add(new int[] {od[i], os[i], xs[i]});
                else if (od[i] == 1) red.add(new int[] {id[i], 0, xs[i]});
                else throw new IllegalArgumentException("reduce: output " + out.shape() + " does not fit input " + x.shape());
            }
            StridedLayout k = StridedLayout.of(column(kept, 0), new long[][] {longs(kept, 1), longs(kept, 2)},
                    new long[] {out.offset(), x.offset()});
            StridedLayout r = StridedLayout.of(column(red, 0), new long[][] {longs(red, 2)}, new long[] {0});
            return new Axes(k, r);
        }

        /** Whether x's innermost kept axis has stride 1 (neighbouring outputs read neighbouring elements). */
        boolean keptContiguous() {
            int r = kept.dims().rank();
            return r > 0 && kept.view(1).stride(r - 1) == 1;
        }

        private static int[] column(List<int[]> rows, int c) { return rows.stream().mapToInt(a -> a[c]).toArray(); }

        private static long[] longs(List<int[]> rows, int c) { return rows.stream().mapToLong(a -> a[c]).toArray(); }
    }

    static void reduce(CudaBackend b, Op.Reduce op, Tensor out, Tensor x) {
        if (out.dtype() != x.dtype()) throw new IllegalArgumentException("reduce on cuda: " + x + " into " + out + " differ in dtype");
        int dtype = KernelConstants.dtype(x.dtype()), code = KernelConstants.reduce(op);
        Axes axes = Axes.of(out, x);
        StridedLayout kept = axes.kept(), red = axes.reduced();
        long nOut = kept.count(), nRed = red.count();
        Plan plan = Plan.of(nOut, nRed, axes.keptContiguous(), x.dtype() == DType.F32, b.multiprocessors());
        long maxBlocks = (long) b.multiprocessors() * BLOCKS_PER_SM;
        if (plan.serial()) {
            b.launch(Kernels.REDUCE_SERIAL, LaunchGeometry.gridStride(nOut, plan.threads(), maxBlocks), new SerialArgs(
                    b.ptr(out), b.ptr(x), kept.dims(), red.dims(), kept.view(0), kept.view(1), red.view(0), nOut, nRed, code, dtype));
            return;
        }
        if (plan.splits() == 1) {
            b.launch(Kernels.REDUCE_BLOCKS, blocks(nOut, plan.threads(), maxBlocks), new BlocksArgs(b.ptr(out), b.ptr(x),
                    kept.dims(), red.dims(), kept.view(0), kept.view(1), red.view(0), nOut, nRed, 1, 0, code, dtype));
            return;
        }
        int splits = plan.splits();
        CudaStorage partial = new CudaStorage(b, DType.F32, Math.toIntExact(nOut * splits));
        try {
            View partialView = contiguous(kept.dims(), splits);
            b.launch(Kernels.REDUCE_BLOCKS, blocks(nOut * splits, plan.threads(), maxBlocks), new BlocksArgs(partial.ptr(),
                    b.ptr(x), kept.dims(), red.dims(), partialView, kept.view(1), red.view(0), nOut, nRed, splits, 1, code, dtype));
            b.launch(Kernels.REDUCE_BLOCKS, blocks(nOut, Plan.threadsFor(splits), maxBlocks), new BlocksArgs(b.ptr(out),
                    partial.ptr(), kept.dims(), Dims.of(splits), kept.view(0), partialView, View.of(0, 1), nOut, splits, 1, 0,
                    code, dtype));
        } finally {
            partial.release();   // safe at once: later users of the block queue after these launches
        }
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

    private static LaunchGeometry blocks(long work, int threads, long maxBlocks) {
        return new LaunchGeometry((int) Math.max(1, Math.min(work, Math.min(maxBlocks, LaunchGeometry.MAX_GRID_X))), 1, 1, threads);
    }
}
