package org.lopt4j.autodiff.nn;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.autodiff.Var;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Tensor;

/**
 * Multi-head self-attention over {@code [batch, time, dim]}: query/key/value projections, scaled dot products (when
 * {@code causal}, positions after the query masked out), softmax, and an output projection.
 */
public record SelfAttention(String name, int dim, int heads, boolean causal) {
    public SelfAttention {
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not divisible by " + heads + " heads");
    }

    private Linear proj(String p) { return new Linear(name + "/" + p, dim, dim, true); }

    public List<ParamSpec> params() {
        List<ParamSpec> p = new ArrayList<>();
        for (String s : new String[] {"query", "key", "value", "linear"}) p.addAll(proj(s).params());
        return p;
    }

    /** {@code x [..., t, dim]} (leading axes: batch, and members when the parameters are member-stacked). */
    public Var apply(Params p, Var x) {
        int r = x.rank(), t = x.dim(-2), hd = dim / heads;
        Var q = split(proj("query").apply(p, x), hd);            // [..., heads, t, hd]
        Var k = split(proj("key").apply(p, x), hd);
        Var v = split(proj("value").apply(p, x), hd);
        Var scores = q.matmul(k.mT()).mul(1.0 / Math.sqrt(hd)); // [..., heads, t, t]
        Var masked = causal ? x.constant(causalMask(x, t)).where(scores, scores.scalar(-1e9)) : scores;
        Var y = Nn.softmax(masked, -1).matmul(v);                // [..., heads, t, hd]
        return proj("linear").apply(p, y.permute(swap(r + 1, r - 2, r - 1)).reshape(x.shape().dims()));
    }

    /** [..., t, heads·hd] → [..., heads, t, hd]. */
    private Var split(Var z, int hd) {
        int[] d = z.shape().dims(), n = java.util.Arrays.copyOf(d, d.length + 1);
        n[d.length - 1] = heads;
        n[d.length] = hd;
        return z.reshape(n).permute(swap(n.length, n.length - 3, n.length - 2));
    }

    private static int[] swap(int rank, int a, int b) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) p[i] = i;
        p[a] = b;
        p[b] = a;
        return p;
    }

    /** 1 where key position <= query position. */
    private static Tensor causalMask(Var like, int t) {
        double[] m = new double[t * t];
        for (int i = 0; i < t; i++) for (int j = 0; j <= i; j++) m[i * t + j] = 1;
        return Tensor.of(like.value().backend(), m, t, t).to(like.dtype());
    }
}
