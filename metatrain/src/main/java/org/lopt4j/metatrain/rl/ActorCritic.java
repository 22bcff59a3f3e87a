package org.lopt4j.metatrain.rl;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.LayerNorm;
import org.lopt4j.autodiff.nn.Linear;
import org.lopt4j.autodiff.nn.LstmCell;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.ParamSpec;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/**
 * The recurrent actor–critic of lhopt.md §4: observations through a dense layer (ReLU), an LSTM whose output is
 * layer-normalized, a dense layer (ReLU), then one logits head per categorical action and a value head. Batched over
 * episodes: inputs {@code [B, observationSize]} per step. With {@code privilegedSize > 0} the critic is asymmetric
 * (lhopt.md §4): the value head reads {@code relu(W_h·h + W_p·z + b)} for the critic's own inputs {@code z}, which the
 * actor never sees.
 */
public record ActorCritic(int observationSize, int hidden, int[] actionSizes, int privilegedSize) {
    /** The symmetric actor–critic: the value head reads the actor's features alone. */
    public ActorCritic(int observationSize, int hidden, int[] actionSizes) { this(observationSize, hidden, actionSizes, 0); }

    private Linear pre() { return new Linear("pre", observationSize, hidden, true); }
    private LstmCell lstm() { return new LstmCell("lstm", hidden, hidden); }
    private LayerNorm norm() { return new LayerNorm("lstm_ln", hidden); }
    private Linear post() { return new Linear("post", hidden, hidden, true); }
    private Linear head(int k) { return new Linear("head_" + k, hidden, actionSizes[k], true); }
    private Linear value() { return new Linear("value", hidden, 1, true); }
    private Linear criticH() { return new Linear("critic_h", hidden, hidden, true); }
    private Linear criticP() { return new Linear("critic_p", privilegedSize, hidden, false); }

    public List<ParamSpec> params() {
        List<ParamSpec> p = new ArrayList<>(pre().params());
        p.addAll(lstm().params());
        p.addAll(norm().params());
        p.addAll(post().params());
        for (int k = 0; k < actionSizes.length; k++) p.addAll(head(k).params());
        if (privilegedSize > 0) {
            p.addAll(criticH().params());
            p.addAll(criticP().params());
        }
        p.addAll(value().params());
        return p;
    }

    public Model model() { return new Model(params()); }

    /** One step's outputs: per head the logits {@code [B, A_k]}, the value {@code [B, 1]}, the next recurrent state. */
    public record Out(List<Var> logits, Var value, LstmCell.State state) {}

    /** The zero recurrent state of {@code batch} episodes. */
    public LstmCell.State zeroState(Tape t, int batch, Backend b, DType dtype) {
        return new LstmCell.State(t.constant(Tensor.zeros(b, dtype, Shape.of(batch, hidden))), t.constant(Tensor.zeros(b, dtype, Shape.of(batch, hidden))));
    }

    /** {@link #step(Params, Var, Var, LstmCell.State)} without the critic's inputs (zeros when it has some). */
    public Out step(Params p, Var obs, LstmCell.State s) { return step(p, obs, null, s); }

    /** One step from observations {@code [B, observationSize]} and the critic's inputs {@code [B, privilegedSize]} (may be null). */
    public Out step(Params p, Var obs, Var privileged, LstmCell.State s) {
        Var x = Nn.relu(pre().apply(p, obs));
        LstmCell.State next = lstm().step(p, x, s);
        Var h = Nn.relu(post().apply(p, norm().apply(p, next.h())));
        List<Var> logits = new ArrayList<>();
        for (int k = 0; k < actionSizes.length; k++) logits.add(head(k).apply(p, h));
        Var critic = h;
        if (privilegedSize > 0) {
            Var z = criticH().apply(p, h);
            critic = Nn.relu(privileged == null ? z : z.add(criticP().apply(p, privileged)));
        }
        return new Out(logits, value().apply(p, critic), next);
    }
}
