package org.lopt4j.metatrain.outer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.autodiff.Grads;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.learned.DifferentiableUpdate;
import org.lopt4j.metatrain.task.PopulationParams;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * First-order truncated backprop through the unroll (outer_training.md §8's {@code TruncatedGrad}, first order):
 * {@code ĝ = ∇θ mean_i(Σ_t mask·L_t / Σ_t mask)} over one truncation, where the tape records every inner update
 * written over {@link DifferentiableUpdate} and each loss enters through its gradient: {@code dL_t/dθ = g_tᵀ·dp_t/dθ}
 * with the task gradients {@code g_t} held constant (no second derivatives of the task; steps whose normalized loss
 * is clipped contribute nothing). The state continues across calls; problems reset as in the truncated step.
 */
public record TruncatedGrad(TruncatedUnroll unroll, int unrollLength) implements GradientEstimator {
    public TruncatedGrad {
        if (unroll.copies() != 1) throw new IllegalArgumentException("truncated backprop needs one copy per problem");
        if (!(unroll.lopt() instanceof DifferentiableUpdate))
            throw new IllegalArgumentException(unroll.lopt().name() + " has no differentiable update; truncated backprop needs one (mlp_lopt has)");
    }

    @Override public String name() { return "truncated_grad"; }

    @Override public EstimatorState init(double[] theta, RandomKey key) {
        return new EstimatorState(unroll.init(key, Perturbations.population(unroll.lopt(), theta, null, unroll.problems(), 1)), null);
    }

    /** Tensor i of all members as a contiguous copy {@code [P, n]}. */
    private Tensor rows(Slab s, int i) {
        SlabLayout one = unroll.task().layout();
        return PopulationParams.stacked(s, one, i, unroll.members()).contiguous().reshape(unroll.members(), Math.max(1, one.numel(i)));
    }

    private void write(Slab s, int i, Tensor v) {
        SlabLayout one = unroll.task().layout();
        Tensor view = PopulationParams.stacked(s, one, i, unroll.members());
        view.assign(v.reshape(view.shape().dims()));
    }

    @Override public Estimate estimate(double[] theta, RandomKey key, EstimatorState in) {
        DifferentiableUpdate d = (DifferentiableUpdate) unroll.lopt();
        EstimatorState s = in.copy();
        UnrollState u = s.unroll();
        int members = unroll.members(), per = unroll.task().layout().count();
        List<Slab> state = new ArrayList<>();
        for (String name : d.stateBuffers()) {
            Slab buffer = u.opt().buffers().get(name);
            if (buffer == null) throw new IllegalStateException("optimizer state has no buffer '" + name + "' (has " + u.opt().buffers().keySet() + ")");
            state.add(buffer);
        }
        SlabLayout tl = unroll.lopt().thetaLayout();
        double[] grad = new double[theta.length];
        double meanLoss = 0;
        try (Tape tape = new Tape()) {
            Map<String, Var> th = new LinkedHashMap<>();
            for (int k = 0; k < tl.count(); k++) {
                double[] v = java.util.Arrays.copyOfRange(theta, tl.offset(k), tl.offset(k) + tl.numel(k));
                th.put(tl.names().get(k), tape.param(Tensor.of(unroll.backend(), v, tl.shape(k).dims()).to(DType.F32)));
            }
            Var[] p = new Var[per];
            Var[][] sv = new Var[per][state.size()];
            for (int i = 0; i < per; i++) {
                p[i] = tape.constant(rows(u.params(), i));
                for (int k = 0; k < state.size(); k++) sv[i][k] = tape.constant(rows(state.get(k), i));
            }
            Var total = null;
            int[] count = new int[members];
            double[] lossSum = new double[members];
            Slab grads = u.params().zerosLike();
            for (int t = 0; t < unrollLength; t++) {
                boolean[] resetting = u.done().clone();
                Var[] stepTerm = {null};
                TruncatedUnroll.Updater up = (st, g, raw, steps) -> {
                    double[] w = new double[members];
                    for (int m = 0; m < members; m++) {
                        double l = raw[m];
                        w[m] = !resetting[m] && Double.isFinite(l) && unroll.task().normalize(l) == l ? 1 : 0;
                    }
                    for (int i = 0; i < per; i++) {
                        Tensor gi = rows(g, i);
                        Tensor wi = Tensor.of(unroll.backend(), w, members, 1).to(gi.dtype());
                        Var term = p[i].mul(tape.constant(gi.mul(wi))).sum(1);
                        stepTerm[0] = stepTerm[0] == null ? term : stepTerm[0].add(term);
                        List<Var> out = d.update(th, p[i], tape.constant(gi), List.of(sv[i]), steps);
                        p[i] = out.get(0);
                        write(st.params(), i, p[i].value());
                        for (int k = 0; k < state.size(); k++) {
                            sv[i][k] = out.get(1 + k);
                            write(state.get(k), i, sv[i][k].value());
                        }
                    }
                    return true;
                };
                TruncatedUnroll.StepOutput o = unroll.step(u, key.child(t), grads, up);
                total = total == null ? stepTerm[0] : total.add(stepTerm[0]);
                for (int m = 0; m < members; m++) {
                    if (o.mask()[m]) { count[m]++; lossSum[m] += o.loss()[m]; }
                }
                boolean any = false;
                for (boolean r : resetting) any |= r;
                if (any) {                                                   // reset members start new chains
                    double[] r = new double[members];
                    for (int m = 0; m < members; m++) r[m] = resetting[m] ? 1 : 0;
                    for (int i = 0; i < per; i++) {
                        Tensor cond = Tensor.of(unroll.backend(), r, members, 1).to(DType.F32).expand(p[i].shape());
                        Var c = tape.constant(cond);
                        p[i] = c.where(tape.constant(rows(u.params(), i)), p[i]);
                        for (int k = 0; k < state.size(); k++) sv[i][k] = c.where(tape.constant(rows(state.get(k), i)), sv[i][k]);
                    }
                }
            }
            double[] scale = new double[members];
            for (int m = 0; m < members; m++) {
                scale[m] = count[m] == 0 ? 0 : 1.0 / (count[m] * (double) members);
                meanLoss += count[m] == 0 ? 0 : lossSum[m] / count[m] / members;
            }
            Var surrogate = total.mul(tape.constant(Tensor.of(unroll.backend(), scale, members).to(total.dtype()))).sumAll();
            Grads gr = tape.backward(surrogate);
            for (int k = 0; k < tl.count(); k++) {
                Var v = th.get(tl.names().get(k));
                if (!gr.has(v)) continue;
                double[] gv = gr.get(v).toDoubleArray();
                System.arraycopy(gv, 0, grad, tl.offset(k), gv.length);
            }
        }
        return new Estimate(meanLoss, grad, s);
    }
}
