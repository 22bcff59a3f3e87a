package org.lopt4j.autodiff.nn;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Tensor;

/**
 * Multi-head causal self-attention over {@code [batch, time, dim]}: query/key/value projections, scaled dot products
 * with positions after the query masked out, softmax, and an output projection.
 */
public record CausalSelfAttention(String name, int dim, int heads) {
    public CausalSelfAttention {
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not divisible by " + heads + " heads");
    }

    private Linear proj(String p) { return new Linear(name + "/" + p, dim, dim, true); }

    public List<ParamSpec> params() {
        List<ParamSpec> p = new ArrayList<>();
        for (String s : new String[] {"query", "key", "value", "linear"}) p.addAll(proj(s).params());
        return p;
    }

    public Var apply(Params p, Var x) {
        int b = x.dim(0), t = x.dim(1), hd = dim / heads;
        Var q = split(proj("query").apply(p, x), b, t, hd);   // [b, heads, t, hd]
        Var k = split(proj("key").apply(p, x), b, t, hd);
        Var v = split(proj("value").apply(p, x), b, t, hd);
        Var scores = q.matmul(k.mT()).mul(1.0 / Math.sqrt(hd)); // [b, heads, t, t]
        Var masked = x.constant(causalMask(x, t)).where(scores, scores.scalar(-1e9));
        Var y = Nn.softmax(masked, -1).matmul(v);                // [b, heads, t, hd]
        return proj("linear").apply(p, y.permute(0, 2, 1, 3).reshape(b, t, dim));
    }

    private Var split(Var z, int b, int t, int hd) { return z.reshape(b, t, heads, hd).permute(0, 2, 1, 3); }

    /** 1 where key position <= query position. */
    private static Tensor causalMask(Var like, int t) {
        double[] m = new double[t * t];
        for (int i = 0; i < t; i++) for (int j = 0; j <= i; j++) m[i * t + j] = 1;
        return Tensor.of(like.value().backend(), m, t, t).to(like.dtype() == DType.F64 ? DType.F64 : like.dtype());
    }
}
