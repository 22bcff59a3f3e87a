package org.lopt4j.learned;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.learned.velo.Velo;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.io.Json;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * Imports PyLO's published weights. small_fc_lopt / μLO: a directory with {@code config.json}
 * ({@code input_size}, {@code hidden_size}, {@code hidden_layers}) and {@code model.safetensors} with MetaMLP names
 * ({@code network.input.*}, {@code network.linear_i.*}, {@code network.output.*}; PyTorch {@code [out, in]} weights,
 * transposed here to Haiku's {@code [in, out]}). PyLO keeps the decay offsets out of the checkpoint; μLO's defaults
 * are used (small_fc_lopt.md §1).
 */
public final class PyloImport {
    /** μLO's fixed decay offsets: momentum, rms, adafactor. */
    static final float[] MULO_MOM = {0.15216392f, 0.14245212f, 0.06812963f}, MULO_RMS = {0.01079706f},
            MULO_ADA = {0.18621896f, -0.10864615f, -0.06185547f};

    private PyloImport() {}

    /** The learned optimizer (PyLO defaults: step_mult 0.01, exp_mult 0.001, lr 1) and its θ. */
    public record Imported(SmallFcLopt lopt, Slab theta) {}

    public static Imported smallFcLopt(Path dir, Backend b) throws IOException {
        Path cfg = dir.resolve("config.json"), model = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(cfg)) throw new IOException(cfg + ": missing (expected PyLO's config.json)");
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(cfg));
        } catch (IllegalArgumentException e) {
            throw new IOException(cfg + ": " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> c) || !(c.get("input_size") instanceof Long in) || !(c.get("hidden_size") instanceof Long h)
                || !(c.get("hidden_layers") instanceof Long hl)) {
            throw new IOException(cfg + ": expected integers input_size, hidden_size, hidden_layers");
        }
        if (in != SmallFcLopt.INPUTS) throw new IOException(cfg + ": input_size " + in + ", small_fc_lopt has " + SmallFcLopt.INPUTS);
        SmallFcLopt lo = new SmallFcLopt(h.intValue(), hl.intValue() + 1, 0.01, 0.001, 1, NonFinitePolicy.SKIP_AND_COUNT);
        return new Imported(lo, fromStateDict(lo, SafeTensors.read(model, b).tensors(), "", model.toString(), b));
    }

    /** θ from a MetaMLP state dict whose keys start with {@code prefix} (decay offsets: μLO's). */
    static Slab fromStateDict(SmallFcLopt lo, Map<String, Tensor> sd, String prefix, String where, Backend b) throws IOException {
        Slab theta = Slab.zeros(b, DType.F32, lo.thetaLayout());
        int layers = lo.hiddenLayers() + 1;
        for (int l = 0; l < layers; l++) {
            String name = l == 0 ? "input" : l == layers - 1 ? "output" : "linear_" + (l - 1);
            Tensor w = need(sd, prefix + "network." + name + ".weight", where), bias = need(sd, prefix + "network." + name + ".bias", where);
            Tensor dst = theta.tensor("nn/~/w" + l);
            if (!w.shape().equals(org.lopt4j.tensor.Shape.of(dst.dim(1), dst.dim(0)))) {
                throw new IOException(where + ": network." + name + ".weight has shape " + w.shape() + ", expected [" + dst.dim(1) + ", " + dst.dim(0) + "]");
            }
            dst.assign(w.to(b).mT());
            theta.tensor("nn/~/b" + l).assign(bias.to(b));
        }
        theta.tensor("momentum_decays").assign(Tensor.of(b, MULO_MOM, 3));
        theta.tensor("rms_decays").assign(Tensor.of(b, MULO_RMS, 1));
        theta.tensor("adafactor_decays").assign(Tensor.of(b, MULO_ADA, 3));
        return theta;
    }

    /**
     * VeLO's θ from PyLO's {@code VeLORNN} and {@code VeLOMLP} state dicts (keys under {@code rnnPrefix} and
     * {@code mlpPrefix}), mapped as velo.md §11 states: PyTorch {@code [out, in]} weights transposed, the bank's
     * {@code input_weights_ [B, 4, 30]} split into the 14 feature groups in group order.
     */
    public static Slab velo(Velo vl, Map<String, Tensor> sd, String rnnPrefix, String mlpPrefix, String where, Backend b) throws IOException {
        Slab theta = Slab.zeros(b, DType.F32, vl.thetaLayout());
        String[][] linears = {{"mix_layer1", "linear"}, {"mix_layer2", "linear_1"}, {"final_mix_layer", "linear_2"},
                {"lstm.linear", "rnn/linear"}, {"rnn_to_controls", "rnn_to_controls"}, {"step_size", "step_size"}};
        for (String[] pair : linears) {
            Tensor w = need(sd, rnnPrefix + pair[0] + ".weight", where), bias = need(sd, rnnPrefix + pair[0] + ".bias", where);
            Tensor dst = theta.tensor("rnn_params/" + pair[1] + "/w");
            if (!w.shape().equals(org.lopt4j.tensor.Shape.of(dst.dim(1), dst.dim(0)))) {
                throw new IOException(where + ": " + pair[0] + ".weight has shape " + w.shape() + ", expected [" + dst.dim(1) + ", " + dst.dim(0) + "]");
            }
            dst.assign(w.to(b).mT());
            theta.tensor("rnn_params/" + pair[1] + "/b").assign(bias.to(b));
        }
        theta.tensor("lstm_init_state/hidden").assign(need(sd, rnnPrefix + "lstm_init_state.0", where).to(b));
        theta.tensor("lstm_init_state/cell").assign(need(sd, rnnPrefix + "lstm_init_state.1", where).to(b));
        Tensor in = need(sd, mlpPrefix + "input_weights_", where).to(b);                  // [B, 4, 30]
        int col = 0;
        for (int k = 0; k < Velo.GROUPS.length; k++) {
            theta.tensor("ff_mod_stack/~/w0__" + k).assign(in.slice(2, col, col + Velo.GROUPS[k], 1).transpose(1, 2));
            col += Velo.GROUPS[k];
        }
        theta.tensor("ff_mod_stack/~/b0").assign(need(sd, mlpPrefix + "input_bias_", where).to(b));
        theta.tensor("ff_mod_stack/~/w1").assign(need(sd, mlpPrefix + "hidden_weights_.0", where).to(b).transpose(1, 2));
        theta.tensor("ff_mod_stack/~/b1").assign(need(sd, mlpPrefix + "hidden_bias_.0", where).to(b));
        theta.tensor("ff_mod_stack/~/w2").assign(need(sd, mlpPrefix + "output_weights_", where).to(b).transpose(1, 2));
        theta.tensor("ff_mod_stack/~/b2").assign(need(sd, mlpPrefix + "output_bias_", where).to(b));
        return theta;
    }

    /**
     * CELO2's θ from PyLO's {@code CELO2MLP} state dict (keys under {@code prefix}): {@code w0.<i>} ([k_i, hidden], PyLO
     * multiplies {@code x @ w}, so no transpose), {@code b0}, {@code dense_w.<j>}, {@code dense_b.<j>}.
     */
    public static Slab celo2(org.lopt4j.learned.celo2.Celo2 c, Map<String, Tensor> sd, String prefix, String where, Backend b) throws IOException {
        Slab theta = Slab.zeros(b, DType.F32, c.thetaLayout());
        for (int i = 0; i < theta.layout().count(); i++) {
            String name = theta.layout().names().get(i), key = prefix + name.replace('/', '.');
            Tensor t = need(sd, key, where);
            if (!t.shape().equals(theta.layout().shape(i))) throw new IOException(where + ": " + key + " has shape " + t.shape() + ", expected " + theta.layout().shape(i));
            theta.tensor(i).assign(t.to(b));
        }
        return theta;
    }

    private static Tensor need(Map<String, Tensor> sd, String key, String where) throws IOException {
        Tensor t = sd.get(key);
        if (t == null) throw new IOException(where + ": missing tensor '" + key + "'");
        return t;
    }
}
