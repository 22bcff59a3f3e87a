package org.lopt4j.metatrain.gpt.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Init;
import org.lopt4j.autodiff.nn.LayerNorm;
import org.lopt4j.autodiff.nn.Linear;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.ParamSpec;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.autodiff.nn.SelfAttention;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/**
 * The G.pt model (gpt_checkpoints.md §3): 2K parameter tokens (the noised target x_t, then x_prev) and four scalar
 * tokens (t, l_target − l_prev, l_target, l_prev), each through its own bias-free linear encoder, LayerNorm, a learned
 * position embedding, pre-LN blocks of full attention and a GELU MLP, a final LayerNorm, and per-token bias-free
 * decoders on the first K tokens, zero-initialized, plus the global residual x_prev: untrained, it predicts "no change".
 *
 * <p>All tokens share one padded width, so each per-token linear map is one batched matmul over a {@code [T, in, out]}
 * weight (every encoder in one launch, every decoder in another): encoder rows past a token's length meet zero inputs
 * and decoder columns past it are masked out of the loss, so they never receive gradient and the model computes
 * exactly the per-token maps of the paper. Weights that G.pt decays (every linear weight) live in one slab, the rest
 * (biases, LayerNorms, the position embedding) in another.
 */
public final class Gpt {
    /** Scalar conditioning tokens after the 2K parameter tokens. */
    public static final int SCALARS = 4;
    /** Standard deviation of G.pt's normal initialization of linear weights. */
    public static final double INIT_STD = 0.02;

    private final GptShape shape;
    private final TokenSplit split;
    private final FrequencyEmbedding scalars;
    private final Model decayed, plain;

    public Gpt(GptShape shape, int[] layerSizes) {
        this.shape = shape;
        this.split = TokenSplit.of(layerSizes, shape.chunk());
        this.scalars = FrequencyEmbedding.GPT;
        List<ParamSpec> d = new ArrayList<>(), p = new ArrayList<>();
        int dim = shape.dim(), t = tokens(), k = split.count();
        Init w = new Init.TruncatedNormal(INIT_STD);                   // replaced by N(0, 0.02²) in init
        d.add(new ParamSpec("encoders/w", Shape.of(t, width(), dim), w));
        d.add(new ParamSpec("decoders/w", Shape.of(k, dim, split.width()), new Init.Zeros()));
        p.add(new ParamSpec("position", Shape.of(t, dim), new Init.Zeros()));
        p.addAll(new LayerNorm("ln_in", dim).params());
        p.addAll(new LayerNorm("ln_f", dim).params());
        for (int l = 0; l < shape.layers(); l++) {
            String b = "block_" + l;
            p.addAll(new LayerNorm(b + "/ln_1", dim).params());
            p.addAll(new LayerNorm(b + "/ln_2", dim).params());
            for (ParamSpec s : attention(l).params()) (s.name().endsWith("/w") ? d : p).add(s);
            for (Linear lin : List.of(new Linear(b + "/mlp/fc", dim, 4 * dim, true), new Linear(b + "/mlp/proj", 4 * dim, dim, true))) {
                for (ParamSpec s : lin.params()) (s.name().endsWith("/w") ? d : p).add(s);
            }
        }
        this.decayed = new Model(d);
        this.plain = new Model(p);
    }

    private SelfAttention attention(int l) { return new SelfAttention("block_" + l + "/attn", shape.dim(), shape.heads(), false); }

    public GptShape shape() { return shape; }
    public TokenSplit split() { return split; }
    public FrequencyEmbedding scalars() { return scalars; }
    /** The parameters weight decay applies to (linear weights). */
    public Model decayed() { return decayed; }
    /** The parameters without weight decay (biases, LayerNorms, position embedding). */
    public Model plain() { return plain; }

    /** Tokens in a sequence: 2K + 4. */
    public int tokens() { return 2 * split.count() + SCALARS; }

    /** Padded width of an input token: the widest parameter token or an embedded scalar. */
    public int width() { return Math.max(split.width(), scalars.width()); }

    /**
     * Parameters the paper's model has (each encoder and decoder at its token's true width); the padded slabs hold
     * more, all of it unused.
     */
    public long parameterCount() {
        int dim = shape.dim();
        long n = plain.layout().paramCount() + decayed.layout().paramCount()
                - (long) tokens() * width() * dim - (long) split.count() * dim * split.width();   // the padded maps
        for (int len : split.lengths()) n += 3L * len * dim;         // x_t and x_prev encoders, decoder
        return n + (long) SCALARS * scalars.width() * dim;
    }

    /** Fresh weights: linear weights N(0, 0.02²), biases and the position embedding 0, LayerNorms (1, 0), decoders 0. */
    public Slab[] init(RandomKey key, Backend b) {
        Slab d = decayed.init(key.child(0), b, DType.F32), p = plain.init(key.child(1), b, DType.F32);
        for (int i = 0; i < d.layout().count(); i++) {
            if (d.layout().names().get(i).equals("decoders/w")) continue;
            Tensor t = d.tensor(i);
            t.assign(Tensor.random(b, DType.F32, t.shape(), key.child(2).child(i), Op.Dist.NORMAL).mul(Tensor.full(b, DType.F32, Shape.SCALAR, INIT_STD)));
        }
        return new Slab[] {d, p};
    }

    /** Binds both slabs to {@code tape}. */
    public Params bind(Tape tape, Slab decayedSlab, Slab plainSlab) {
        Map<String, Var> all = new LinkedHashMap<>(decayed.bind(tape, decayedSlab).vars());
        all.putAll(plain.bind(tape, plainSlab).vars());
        return new Params(all, decayedSlab);
    }

    /**
     * The model's output for a batch: {@code tokens [T, B, width]} (see {@link GptInputs}) and {@code xPrev [K, B,
     * chunk]} (x_prev as padded tokens); returns {@code [K, B, chunk]}: x̂0 = decoders + x_prev when predicting x0,
     * ε̂ = decoders otherwise.
     */
    public Var forward(Params p, Var tokens, Var xPrev) {
        int dim = shape.dim(), k = split.count();
        Var h = tokens.matmul(p.get("encoders/w")).permute(1, 0, 2);        // [B, T, dim]
        h = new LayerNorm("ln_in", dim).apply(p, h).add(p.get("position"));
        for (int l = 0; l < shape.layers(); l++) {
            String b = "block_" + l;
            h = h.add(attention(l).apply(p, new LayerNorm(b + "/ln_1", dim).apply(p, h)));
            Var m = new Linear(b + "/mlp/fc", dim, 4 * dim, true).apply(p, new LayerNorm(b + "/ln_2", dim).apply(p, h));
            h = h.add(new Linear(b + "/mlp/proj", 4 * dim, dim, true).apply(p, Nn.gelu(m)));
        }
        h = new LayerNorm("ln_f", dim).apply(p, h).slice(1, 0, k, 1).permute(1, 0, 2);   // [K, B, dim]
        Var out = h.matmul(p.get("decoders/w"));
        return shape.predictX0() ? out.add(xPrev) : out;
    }
}
