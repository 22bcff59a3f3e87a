package org.lopt4j.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * Adafactor (optax {@code adafactor}): factored second moments for tensors of rank ≥ 2 whose second-largest axis is at
 * least {@code minDimToFactor} (row accumulators drop axis d0, column accumulators drop axis d1, from the stable
 * factoring rule of the specs), update clipping by RMS, scaling by max(rms(p), 1e-3), optional EMA momentum and
 * weight decay. It needs per-tensor reductions, so it is written with tensor ops (each a SIMD pass) per tensor.
 */
public record Adafactor(Schedule lr, int minDimToFactor, double decayRate, double clippingThreshold, double momentum,
                        double weightDecayRate, double eps, NonFinitePolicy policy) implements Optimizer {
    public static Adafactor of(double lr) {
        return new Adafactor(new Schedule.Constant(lr), 128, 0.8, 1.0, 0, 0, 1e-30, NonFinitePolicy.SKIP_AND_COUNT);
    }

    /** The two factored axes {d1, d0} (d0 largest, ties to the higher axis), or null when not factored. */
    public int[] factoredDims(Shape s) {
        int n = s.rank();
        if (n < 2) return null;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(s.dim(a), s.dim(b))); // stable: ties by axis
        int d0 = order[n - 1], d1 = order[n - 2];
        return s.dim(d1) >= minDimToFactor ? new int[] {d1, d0} : null;
    }

    private static Shape drop(Shape s, int axis) {
        int[] d = s.dims(), o = new int[d.length - 1];
        for (int i = 0, j = 0; i < d.length; i++) if (i != axis) o[j++] = d[i];
        return Shape.of(o);
    }

    @Override public OptState init(Slab params) {
        SlabLayout l = params.layout();
        List<String> rn = new ArrayList<>(), vn = new ArrayList<>();
        List<Shape> rs = new ArrayList<>(), cs = new ArrayList<>(), vs = new ArrayList<>();
        for (int i = 0; i < l.count(); i++) {
            int[] f = factoredDims(l.shape(i));
            if (f != null) {
                rn.add(l.names().get(i));
                rs.add(drop(l.shape(i), f[1]));
                cs.add(drop(l.shape(i), f[0]));
            } else {
                vn.add(l.names().get(i));
                vs.add(l.shape(i));
            }
        }
        Map<String, Slab> s = new LinkedHashMap<>();
        s.put("v_row", Slab.zeros(params.backend(), params.dtype(), SlabLayout.of(rn, rs)));
        s.put("v_col", Slab.zeros(params.backend(), params.dtype(), SlabLayout.of(rn, cs)));
        s.put("v", Slab.zeros(params.backend(), params.dtype(), SlabLayout.of(vn, vs)));
        if (momentum != 0) s.put("b", params.zerosLike());
        return new OptState(0, 0, s);
    }

    @Override public OptState update(OptState st, Slab params, Slab grads, StepInfo info) {
        if (!Fused.admit(policy, grads)) return st.skippedStep();
        double rho = 1 - Math.pow(st.step() + 1, -decayRate), rate = lr.at(st.step(), info.numSteps());
        SlabLayout l = params.layout();
        Slab vr = st.slab("v_row"), vc = st.slab("v_col"), v = st.slab("v");
        for (int i = 0; i < l.count(); i++) {
            String name = l.names().get(i);
            Tensor p = params.tensor(i), g = grads.tensor(i);
            Tensor big = g.mul(g).add(g.scalar(eps));
            int[] f = factoredDims(l.shape(i));
            Tensor u;
            if (f != null) {
                int d1 = f[0], d0 = f[1];
                Tensor r = vr.tensor(name), c = vc.tensor(name);
                r.assign(ema(r, big.meanKeep(d0).reshape(r.shape().dims()), rho));
                c.assign(ema(c, big.meanKeep(d1).reshape(c.shape().dims()), rho));
                int d1p = d1 > d0 ? d1 - 1 : d1;
                Tensor rowFac = r.div(r.meanKeep(d1p)).sqrt().recip().unsqueeze(d0);
                Tensor colFac = c.sqrt().recip().unsqueeze(d1);
                u = g.mul(rowFac).mul(colFac);
            } else {
                Tensor vv = v.tensor(name);
                vv.assign(ema(vv, big, rho));
                u = g.mul(vv.sqrt().recip());
            }
            double rmsU = rms(u);
            u = u.mul(u.scalar(rate / Math.max(1, rmsU / clippingThreshold) * Math.max(rms(p), 1e-3)));
            if (momentum != 0) {
                Tensor b = st.slab("b").tensor(i);
                b.assign(b.mul(b.scalar(momentum)).add(u.mul(u.scalar(1 - momentum))));
                u = b;
            }
            if (weightDecayRate != 0) u = u.add(p.mul(p.scalar(weightDecayRate)));
            p.assign(p.sub(u));
        }
        return st.applied();
    }

    private static Tensor ema(Tensor old, Tensor x, double rho) { return old.mul(old.scalar(rho)).add(x.mul(x.scalar(1 - rho))); }

    private static double rms(Tensor t) { return t.numel() == 0 ? 0 : Math.sqrt(t.mul(t).meanAll().item()); }

    @Override public String describe() {
        return "adafactor(lr=" + lr + ", min_dim=" + minDimToFactor + ", decay_rate=" + decayRate + ", clip=" + clippingThreshold
                + ", momentum=" + momentum + ", wd_rate=" + weightDecayRate + ", eps=" + eps + ")";
    }
}
