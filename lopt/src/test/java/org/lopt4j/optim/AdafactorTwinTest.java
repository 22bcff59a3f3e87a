package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** Adafactor's tensor-op implementation against plain double loops written from base_optimizers.md, two steps. */
class AdafactorTwinTest {
    /** Same formulas in float64, different association: a few ulps. */
    static final double TOL = 1e-12;

    @Test void factoredAndUnfactoredMatchPlainLoops() {
        int rows = 3, cols = 4;
        Adafactor a = new Adafactor(new Schedule.Constant(0.1), 2, 0.8, 1.0, 0, 0, 1e-30, NonFinitePolicy.SKIP_AND_COUNT);
        SlabLayout l = SlabLayout.of(List.of("w", "b"), List.of(Shape.of(rows, cols), Shape.of(cols)));
        Slab p = Slab.zeros(ScalarBackend.INSTANCE, DType.F64, l), g = p.zerosLike();
        double[] w = new double[rows * cols], b = new double[cols];
        for (int i = 0; i < w.length; i++) w[i] = Math.sin(i + 1);
        for (int i = 0; i < cols; i++) b[i] = 0.5 * Math.cos(i);
        p.tensor(0).assign(Tensor.of(ScalarBackend.INSTANCE, w, rows, cols));
        p.tensor(1).assign(Tensor.of(ScalarBackend.INSTANCE, b, cols));
        OptState s = a.init(p);
        double[] vr = new double[rows], vc = new double[cols], v = new double[cols];
        for (int step = 0; step < 2; step++) {
            double[] gw = new double[rows * cols], gb = new double[cols];
            for (int i = 0; i < gw.length; i++) gw[i] = Math.cos(3 * i + step) * (i % 3 + 1);
            for (int i = 0; i < cols; i++) gb[i] = Math.sin(2 * i - step);
            g.tensor(0).assign(Tensor.of(ScalarBackend.INSTANCE, gw, rows, cols));
            g.tensor(1).assign(Tensor.of(ScalarBackend.INSTANCE, gb, cols));
            s = a.update(s, p, g, StepInfo.NONE);
            double rho = 1 - Math.pow(step + 1, -0.8);
            // w [3, 4]: d0 = axis 1 (4, the largest), d1 = axis 0; v_row = mean over d0 -> [3], v_col = mean over d1 -> [4]
            double[] rowMean = new double[rows], colMean = new double[cols];
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) {
                double G = gw[i * cols + j] * gw[i * cols + j] + 1e-30;
                rowMean[i] += G / cols;
                colMean[j] += G / rows;
            }
            for (int i = 0; i < rows; i++) vr[i] = rho * vr[i] + (1 - rho) * rowMean[i];
            for (int j = 0; j < cols; j++) vc[j] = rho * vc[j] + (1 - rho) * colMean[j];
            double vrMean = 0;
            for (double x : vr) vrMean += x / rows;
            double[] u = new double[rows * cols];
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) u[i * cols + j] = gw[i * cols + j] / Math.sqrt(vr[i] / vrMean) / Math.sqrt(vc[j]);
            apply(w, u, 0.1);
            double[] ub = new double[cols];
            for (int j = 0; j < cols; j++) { v[j] = rho * v[j] + (1 - rho) * (gb[j] * gb[j] + 1e-30); ub[j] = gb[j] / Math.sqrt(v[j]); }
            apply(b, ub, 0.1);
            double[] gotW = p.tensor(0).toDoubleArray(), gotB = p.tensor(1).toDoubleArray();
            for (int i = 0; i < w.length; i++) assertEquals(w[i], gotW[i], TOL, "w step " + step + " [" + i + "]");
            for (int i = 0; i < cols; i++) assertEquals(b[i], gotB[i], TOL, "b step " + step + " [" + i + "]");
        }
    }

    /** u ← u / max(1, rms(u)); u ← lr·u·max(rms(p), 1e-3); p ← p − u. */
    private static void apply(double[] p, double[] u, double lr) {
        double rmsU = rms(u), rmsP = rms(p), scale = lr / Math.max(1, rmsU) * Math.max(rmsP, 1e-3);
        for (int i = 0; i < p.length; i++) p[i] -= u[i] * scale;
    }

    private static double rms(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return Math.sqrt(s / x.length);
    }
}
