package org.lopt4j.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lopt4j.tensor.Tensor;

/**
 * Operands that share one iteration shape, reduced to the fewest axes a kernel must walk: axes of size 1 are dropped
 * and neighbouring axes merge when every operand steps through them as one (stride of the outer = stride of the
 * inner times its size). Row-major element order is preserved, so element {@code e} of the merged layout is element
 * {@code e} of the original shape in every operand.
 */
public record StridedLayout(Dims dims, List<View> views) {

    /** Element count of the iteration space. */
    public long count() { return dims.count(); }

    /** Operand {@code i}'s view. */
    public View view(int i) { return views.get(i); }

    /** The layout of tensors that all have {@code tensors[0]}'s shape (inputs already broadcast to the output). */
    public static StridedLayout of(Tensor... tensors) {
        int[] shape = tensors[0].shape().dims();
        long[][] strides = new long[tensors.length][];
        long[] offsets = new long[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!tensors[i].shape().equals(tensors[0].shape())) {
                throw new IllegalArgumentException("operand " + i + " has shape " + tensors[i].shape() + ", expected "
                        + tensors[0].shape() + " (inputs must be broadcast to the output)");
            }
            strides[i] = toLong(tensors[i].strides());
            offsets[i] = tensors[i].offset();
        }
        return of(shape, strides, offsets);
    }

    /**
     * The merged layout of a shape walked by operands with the given strides and offsets. An empty shape (a zero
     * size) gives count 0; a rank above {@link Dims#MAX_RANK} after merging is an error naming the shape.
     */
    public static StridedLayout of(int[] shape, long[][] strides, long[] offsets) {
        int ops = strides.length;
        for (long[] s : strides) {
            if (s.length != shape.length) throw new IllegalArgumentException("strides " + Arrays.toString(s) + " for shape " + Arrays.toString(shape));
        }
        List<Integer> sizes = new ArrayList<>();
        List<long[]> steps = new ArrayList<>();   // per merged axis, innermost first: one stride per operand
        for (int a = shape.length - 1; a >= 0; a--) {
            if (shape[a] == 0) return empty(ops, offsets);
            if (shape[a] == 1) continue;
            long[] st = new long[ops];
            for (int i = 0; i < ops; i++) st[i] = strides[i][a];
            int last = sizes.size() - 1;
            if (last >= 0 && mergeable(steps.get(last), sizes.get(last), st)) {
                sizes.set(last, Math.multiplyExact(sizes.get(last), shape[a]));
            } else {
                sizes.add(shape[a]);
                steps.add(st);
            }
        }
        int rank = sizes.size();
        if (rank > Dims.MAX_RANK) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " still has rank " + rank
                    + " after merging axes; CUDA kernels take at most " + Dims.MAX_RANK);
        }
        int[] d = new int[rank];
        long[][] s = new long[ops][rank];
        for (int k = 0; k < rank; k++) {
            d[rank - 1 - k] = sizes.get(k);
            for (int i = 0; i < ops; i++) s[i][rank - 1 - k] = steps.get(k)[i];
        }
        List<View> views = new ArrayList<>(ops);
        for (int i = 0; i < ops; i++) views.add(View.of(offsets[i], s[i]));
        return new StridedLayout(Dims.of(d), List.copyOf(views));
    }

    /** Whether an outer axis with strides {@code outer} continues the inner axis (size {@code n}) for every operand. */
    private static boolean mergeable(long[] inner, int n, long[] outer) {
        for (int i = 0; i < inner.length; i++) if (outer[i] != inner[i] * n) return false;
        return true;
    }

    private static StridedLayout empty(int ops, long[] offsets) {
        List<View> views = new ArrayList<>(ops);
        for (int i = 0; i < ops; i++) views.add(View.of(offsets[i]));
        return new StridedLayout(Dims.of(0), List.copyOf(views));
    }

    /** The ints of {@code a} widened to long. */
    public static long[] toLong(int[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }
}
