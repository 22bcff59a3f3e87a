package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/** What makes Muon Muon: orthogonal matrix updates of a fixed size, AdamW exactly on everything else. */
class MuonTest {
    private static final SlabLayout LAYOUT = SlabLayout.of(List.of("w", "b", "conv"), List.of(Shape.of(24, 40), Shape.of(40), Shape.of(4, 3, 3, 2)));

    /**
     * One step from zero momentum without weight decay moves a matrix by lr·scale·O, O orthogonalized: all its
     * singular values near 1 (the quintic's band is about 0.7–1.2), so ‖O‖²_F / min(rows, cols) lies in that band
     * squared whatever the gradient's scale. The other tensors move exactly as under AdamW alone.
     */
    @Test void matricesMoveOrthogonallyTheRestAsAdamW() {
        Backend b = Backends.best();
        for (double gradScale : new double[] {1e-4, 1, 1e3}) {
            Slab p = Problems.slab(b, DType.F32, LAYOUT, Problems.params(LAYOUT)), g = Slab.zeros(b, DType.F32, LAYOUT);
            Problems.write(g, Problems.grads(LAYOUT, 0));
            g.flat().assign(g.flat().mul(g.flat().scalar(gradScale)));
            Slab before = p.copy(), q = p.copy();
            Muon muon = new Muon(new Schedule.Constant(0.01), 0.95, true, 0, AdamW.of(0.003, 0.1), NonFinitePolicy.SKIP_AND_COUNT);
            muon.update(muon.init(p), p, g, new StepInfo(0, 1, 10));
            double[] w0 = before.tensor("w").toDoubleArray(), w1 = p.tensor("w").toDoubleArray();
            double sq = 0, step = 0.01 * Muon.scale(24, 40);
            for (int i = 0; i < w0.length; i++) sq += Math.pow((w1[i] - w0[i]) / step, 2);
            double meanSingular2 = sq / 24;
            assertTrue(meanSingular2 > 0.5 && meanSingular2 < 1.44, "gradient x" + gradScale + ": mean squared singular value " + meanSingular2);
            AdamW adamw = AdamW.of(0.003, 0.1);
            adamw.update(adamw.init(q), q, g, new StepInfo(0, 1, 10));
            for (String name : new String[] {"b", "conv"}) {
                double[] want = q.tensor(name).toDoubleArray(), got = p.tensor(name).toDoubleArray();
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 0, name + "[" + i + "] as AdamW");
            }
        }
    }

    /** A model of matrices only has no AdamW part; a model without matrices is AdamW. */
    @Test void allMatricesOrNone() {
        Backend b = Backends.best();
        SlabLayout mats = SlabLayout.of(List.of("a", "c"), List.of(Shape.of(6, 5), Shape.of(5, 7)));
        Slab p = Problems.slab(b, DType.F32, mats, Problems.params(mats)), g = Slab.zeros(b, DType.F32, mats);
        Problems.write(g, Problems.grads(mats, 0));
        Muon muon = Muon.of(0.01);
        Muon.State s = muon.update(muon.init(p), p, g, new StepInfo(0, 1, 10));
        assertEquals(1, s.step());
        assertEquals(0, s.m().layout().count());
        SlabLayout vecs = SlabLayout.of(List.of("b"), List.of(Shape.of(9)));
        Slab q = Problems.slab(b, DType.F32, vecs, Problems.params(vecs)), h = Slab.zeros(b, DType.F32, vecs), r = q.copy();
        Problems.write(h, Problems.grads(vecs, 0));
        muon.update(muon.init(q), q, h, new StepInfo(0, 1, 10));
        muon.others().update(muon.others().init(r), r, h, new StepInfo(0, 1, 10));
        assertEquals(java.util.Arrays.toString(r.flat().toFloatArray()), java.util.Arrays.toString(q.flat().toFloatArray()));
    }
}
