package org.lopt4j.autodiff.nn;

import java.util.List;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.Nn;

/**
 * Haiku's {@code hk.LSTM}: one linear map of {@code [x, h]} to the gates in the order i, g, f, o, a +1 forget-gate
 * bias, {@code c' = σ(f + 1)·c + σ(i)·tanh(g)}, {@code h' = σ(o)·tanh(c')}.
 */
public record LstmCell(String name, int in, int hidden) {
    /** Hidden and cell state. */
    public record State(Var h, Var c) {}

    private Linear gates() { return new Linear(name + "/linear", in + hidden, 4 * hidden, true); }

    public List<ParamSpec> params() { return gates().params(); }

    public State step(Params p, Var x, State s) {
        Var z = gates().apply(p, x.cat(-1, List.of(s.h())));
        int h = hidden, last = z.rank() - 1;
        Var i = z.slice(last, 0, h, 1), g = z.slice(last, h, 2 * h, 1);
        Var f = z.slice(last, 2 * h, 3 * h, 1), o = z.slice(last, 3 * h, 4 * h, 1);
        Var c = Nn.sigmoid(f.add(1)).mul(s.c()).add(Nn.sigmoid(i).mul(g.tanh()));
        return new State(Nn.sigmoid(o).mul(c.tanh()), c);
    }
}
