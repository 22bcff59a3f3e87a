package org.lopt4j.metatrain.task;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.autodiff.Grads;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * The parameters of P members in one slab ({@code layout.repeat(P)}, member-major): tensor i of all members is one
 * strided view {@code [P, ...shape]} with member stride {@code layout.size()}, so a model with a leading member axis
 * reads and differentiates all members at once.
 */
public final class PopulationParams {
    private PopulationParams() {}

    /** The {@code [P, ...]} view of tensor {@code i} across all members. */
    public static Tensor stacked(Slab pop, SlabLayout one, int i, int members) {
        Shape s = one.shape(i);
        int[] d = new int[s.rank() + 1], st = new int[s.rank() + 1];
        d[0] = members;
        st[0] = one.size();
        int[] cs = s.contiguousStrides();
        for (int k = 0; k < s.rank(); k++) { d[k + 1] = s.dims()[k]; st[k + 1] = cs[k]; }
        return Tensor.view(pop.backend(), pop.flat().storage(), Shape.of(d), st, pop.flat().offset() + one.offset(i));
    }

    /** Initializes every member from {@code key.child(m)} with the model's initializers. */
    public static Slab init(Model model, RandomKey key, Backend b, int members) {
        SlabLayout one = model.layout();
        Slab pop = Slab.zeros(b, DType.F32, one.repeat(members));
        for (int m = 0; m < members; m++) {
            Slab s = model.init(key.child(m), b, DType.F32);
            pop.flat().slice(0, m * one.size(), (m + 1) * one.size(), 1).assign(s.flat());
        }
        return pop;
    }

    /** Tape variables of the stacked views, by tensor name. */
    public static Map<String, Var> bind(Tape tape, Slab pop, SlabLayout one, int members) {
        Map<String, Var> v = new LinkedHashMap<>();
        for (int i = 0; i < one.count(); i++) v.put(one.names().get(i), tape.param(stacked(pop, one, i, members)));
        return v;
    }

    /** Writes the gradients of the bound variables into {@code grads} (same population layout). */
    public static void gradients(Map<String, Var> vars, Grads g, Slab grads, SlabLayout one, int members) {
        for (int i = 0; i < one.count(); i++) stacked(grads, one, i, members).assign(g.get(vars.get(one.names().get(i))));
    }
}
