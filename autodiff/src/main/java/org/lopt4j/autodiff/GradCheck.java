package org.lopt4j.autodiff;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * Compares reverse-mode gradients with central differences, in float64 on the scalar reference backend. The function
 * may return any shape: it is contracted with fixed random weights in [-1, 1) to a scalar, so every element of the
 * upstream gradient differs and a backward that ignores or misplaces it fails.
 */
public final class GradCheck {
    /** Central-difference step: balances truncation (h²·f''') against rounding (eps·|f|/h) in float64. */
    public static final double STEP = 1e-6;

    /**
     * Default bound on {@link Result#error}: with {@link #STEP} the numeric derivative of an O(10) loss is good to
     * about 1e-9 (rounding) and 1e-12 (truncation); 1e-6 leaves room for larger losses and still catches any wrong
     * rule, whose error is O(1).
     */
    public static final double TOLERANCE = 1e-6;

    /** Seed of the weights that contract the function's output to a scalar. */
    private static final long WEIGHT_SEED = 0x6772616443L;

    private GradCheck() {}

    /** The worst element: its input, flat index, both derivatives and the error |a − n| / max(1, |n|). */
    public record Result(double error, int input, int index, double analytic, double numeric) {
        /** Whether the error is within {@code tolerance}. */
        public boolean within(double tolerance) { return error <= tolerance; }

        @Override public String toString() {
            return "max error " + error + " at input " + input + " element " + index + ": analytic " + analytic
                    + ", numeric " + numeric;
        }
    }

    /** Checks every element of every input of {@code f}; inputs must be F64 tensors on {@link ScalarBackend}. */
    public static Result compare(Function<List<Var>, Var> f, List<Tensor> inputs) {
        for (int k = 0; k < inputs.size(); k++) {
            Tensor t = inputs.get(k);
            if (t.dtype() != DType.F64 || t.backend() != ScalarBackend.INSTANCE) {
                throw new IllegalArgumentException("gradient checks run in F64 on the scalar backend; input " + k + " is " + t);
            }
        }
        Tensor[] analytic = new Tensor[inputs.size()];
        Tensor weights;
        try (Tape tape = new Tape()) {
            List<Var> vs = new ArrayList<>();
            for (Tensor t : inputs) vs.add(tape.param(t));
            Var out = f.apply(vs);
            Tensor u = Tensor.random(ScalarBackend.INSTANCE, DType.F64, out.shape(), RandomKey.of(WEIGHT_SEED), Op.Dist.UNIFORM);
            weights = u.mul(u.scalar(2)).sub(u.scalar(1));
            Grads g = tape.backward(out.mul(tape.constant(weights)).sumAll());
            for (int k = 0; k < vs.size(); k++) analytic[k] = g.get(vs.get(k));
        }
        Result worst = new Result(0, -1, -1, 0, 0);
        for (int k = 0; k < inputs.size(); k++) {
            double[] x = inputs.get(k).contiguous().toDoubleArray();
            double[] a = analytic[k].toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                double plus = eval(f, inputs, weights, k, x, i, x[i] + STEP);
                double minus = eval(f, inputs, weights, k, x, i, x[i] - STEP);
                double numeric = (plus - minus) / (2 * STEP);
                double err = Math.abs(a[i] - numeric) / Math.max(1, Math.abs(numeric));
                if (!Double.isNaN(worst.error) && !(err <= worst.error)) worst = new Result(err, k, i, a[i], numeric); // NaN is worst
            }
        }
        return worst;
    }

    private static double eval(Function<List<Var>, Var> f, List<Tensor> inputs, Tensor weights, int k, double[] x, int i, double xi) {
        double[] moved = x.clone();
        moved[i] = xi;
        try (Tape tape = new Tape()) {
            List<Var> vs = new ArrayList<>();
            for (int j = 0; j < inputs.size(); j++) {
                vs.add(tape.constant(j == k ? Tensor.of(ScalarBackend.INSTANCE, moved, inputs.get(k).shape().dims()) : inputs.get(j)));
            }
            return f.apply(vs).value().mul(weights).sumAll().item();
        }
    }
}
