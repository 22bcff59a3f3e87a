package org.lopt4j.autodiff;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** Compares reverse-mode gradients with central differences, in float64 on the scalar reference backend. */
public final class GradCheck {
    /** Central-difference step: balances truncation (h²) against rounding (eps/h) in float64. */
    public static final double STEP = 1e-6;

    private GradCheck() {}

    /**
     * The largest error |analytic − numeric| / max(1, |numeric|) over every element of every input, for the scalar
     * function {@code f} of the given F64 inputs (the loss is summed if {@code f} returns more than one element).
     */
    public static double maxError(Function<List<Var>, Var> f, List<Tensor> inputs) {
        for (Tensor t : inputs) {
            if (t.dtype() != DType.F64 || t.backend() != ScalarBackend.INSTANCE) {
                throw new IllegalArgumentException("gradient checks run in F64 on the scalar backend");
            }
        }
        Tensor[] analytic;
        try (Tape tape = new Tape()) {
            List<Var> vs = new ArrayList<>();
            for (Tensor t : inputs) vs.add(tape.param(t));
            Var loss = total(f.apply(vs));
            Grads g = tape.backward(loss);
            analytic = vs.stream().map(g::get).toArray(Tensor[]::new);
        }
        double worst = 0;
        for (int k = 0; k < inputs.size(); k++) {
            double[] x = inputs.get(k).contiguous().toDoubleArray();
            double[] a = analytic[k].toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                double plus = eval(f, inputs, k, x, i, x[i] + STEP);
                double minus = eval(f, inputs, k, x, i, x[i] - STEP);
                double numeric = (plus - minus) / (2 * STEP);
                worst = Math.max(worst, Math.abs(a[i] - numeric) / Math.max(1, Math.abs(numeric)));
            }
        }
        return worst;
    }

    private static double eval(Function<List<Var>, Var> f, List<Tensor> inputs, int k, double[] x, int i, double xi) {
        double[] moved = x.clone();
        moved[i] = xi;
        try (Tape tape = new Tape()) {
            List<Var> vs = new ArrayList<>();
            for (int j = 0; j < inputs.size(); j++) {
                vs.add(tape.constant(j == k ? Tensor.of(ScalarBackend.INSTANCE, moved, inputs.get(k).shape().dims()) : inputs.get(j)));
            }
            return total(f.apply(vs)).value().item();
        }
    }

    private static Var total(Var v) { return v.shape().numel() == 1 ? v.reshape() : v.sumAll(); }
}
