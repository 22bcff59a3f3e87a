package org.lopt4j.autodiff.nn;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.Nn;

/** Haiku's {@code hk.nets.MLP}: linear layers {@code <name>/~/linear_i}, ReLU between them, none after the last. */
public record Mlp(String name, int in, int[] sizes) {
    public Mlp {
        sizes = sizes.clone();
    }

    /** Output sizes of the layers, in order (a copy). */
    @Override public int[] sizes() { return sizes.clone(); }

    public List<Linear> layers() {
        List<Linear> l = new ArrayList<>();
        int fan = in;
        for (int i = 0; i < sizes.length; i++) {
            l.add(new Linear(name + "/~/linear_" + i, fan, sizes[i], true));
            fan = sizes[i];
        }
        return l;
    }

    public List<ParamSpec> params() {
        List<ParamSpec> p = new ArrayList<>();
        for (Linear l : layers()) p.addAll(l.params());
        return p;
    }

    public Var apply(Params p, Var x) {
        List<Linear> ls = layers();
        for (int i = 0; i < ls.size(); i++) {
            x = ls.get(i).apply(p, x);
            if (i < ls.size() - 1) x = Nn.relu(x);
        }
        return x;
    }
}
