package org.lopt4j.optim;

import java.util.List;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.NewtonSchulzArgs;
import org.lopt4j.tensor.Tensor;

/**
 * The table and scratch of the grouped Newton–Schulz pass over a fixed set of matrices of a slab (built once, at an
 * optimizer's {@code init}): {@link #run} orthogonalizes all of them in place in one call of the backend's pass.
 *
 * @param matrices the table ({@link NewtonSchulzArgs#FIELDS} ints a matrix)
 * @param count    number of matrices
 * @param work     device scratch
 * @param scales   per-matrix factors applied to the results
 */
public record NewtonSchulzPlan(Tensor matrices, int count, Tensor work, int squareTiles, int rectTiles, Tensor scales) {
    /** A matrix of a slab: its flat offset and shape (row-major). */
    public record Matrix(int offset, int rows, int cols) {
        public Matrix {
            if (offset < 0 || rows < 1 || cols < 1) throw new IllegalArgumentException("a matrix needs offset >= 0 and a positive shape, got " + offset + ", " + rows + "x" + cols);
        }
    }

    /** The plan of {@code ms} on {@code b}; {@code scales} (one per matrix, or null) multiply the results. */
    public static NewtonSchulzPlan of(Backend b, List<Matrix> ms, float[] scales) {
        if (scales != null && scales.length != ms.size()) throw new IllegalArgumentException(scales.length + " scales for " + ms.size() + " matrices");
        int[] t = new int[Math.max(1, ms.size()) * NewtonSchulzArgs.FIELDS];
        long work = 0;
        int square = 0, rect = 0;
        for (int m = 0; m < ms.size(); m++) {
            Matrix x = ms.get(m);
            int r = Math.min(x.rows(), x.cols()), c = Math.max(x.rows(), x.cols()), tr = tiles(r), tc = tiles(c), f = m * NewtonSchulzArgs.FIELDS;
            t[f + NewtonSchulzArgs.OFFSET] = x.offset();
            t[f + NewtonSchulzArgs.ROWS] = x.rows();
            t[f + NewtonSchulzArgs.COLS] = x.cols();
            t[f + NewtonSchulzArgs.WORK] = Math.toIntExact(work);
            t[f + NewtonSchulzArgs.SQUARE_TILE] = square;
            t[f + NewtonSchulzArgs.RECT_TILE] = rect;
            work += 2L * r * c + 2L * r * r;
            square = Math.addExact(square, tr * tr);
            rect = Math.addExact(rect, tr * tc);
        }
        Tensor w = Tensor.zeros(b, DType.F32, Math.toIntExact(Math.max(1, work)));
        float[] s = scales != null ? scales : new float[Math.max(1, ms.size())];
        if (scales == null) java.util.Arrays.fill(s, 1f);
        return new NewtonSchulzPlan(Tensor.of(b, t, t.length), ms.size(), w, square, rect, Tensor.of(b, s, s.length));
    }

    private static int tiles(int n) { return Math.ceilDiv(n, NewtonSchulzArgs.TILE); }

    /** Orthogonalizes the plan's matrices of {@code x} (a flat slab buffer) in place, dividing by (norm + {@code eps}). */
    public void run(Tensor x, double eps) {
        if (count == 0) return;
        x.backend().fused().learned().newtonSchulz(args(x, eps));
    }

    /** The pass's arguments over {@code x}. */
    public NewtonSchulzArgs args(Tensor x, double eps) { return new NewtonSchulzArgs(x, matrices, count, work, squareTiles, rectTiles, scales, eps); }
}
