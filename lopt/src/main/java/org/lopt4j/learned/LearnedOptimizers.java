package org.lopt4j.learned;

import java.util.List;
import org.lopt4j.learned.celo2.Celo2;
import org.lopt4j.learned.l3rs.L3rs;
import org.lopt4j.learned.mlp.MlpLopt;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.learned.velo.Velo;
import org.lopt4j.optim.NonFinitePolicy;

/**
 * The learned optimizers by name, set up as meta-training and the command line use them: their inner updates zero
 * non-finite gradient elements (so one member's NaN does not stop a population's step).
 */
public final class LearnedOptimizers {
    /** Every name {@link #named} knows. */
    public static final List<String> NAMES = List.of("small_fc_lopt", "small_fc_lopt32", "mlp_lopt", "velo", "velo_small", "l3rs", "celo2", "elo_celo2");

    private LearnedOptimizers() {}

    /** Parameter tensors of the model {@code l3rs} is made for: the fine-tuning CNN's two conv layers and head. */
    public static final int L3RS_LAYERS = 6;

    /**
     * L3RS's base step: relative to each layer's norm, λ0 = 1e-2. On the fine-tuning task a fresh θ (equal mixture)
     * then trains about as well as Adam at its best learning rate, leaving the learned part room both ways; an
     * absolute λ0 = 1e-3 (narrowing_l3rs.md §2's default) barely moves the net in 200 steps.
     */
    public static final double L3RS_LAMBDA0 = 1e-2;

    /** The learned optimizer called {@code name}; {@code l3rs:N} is L3RS for models of N parameter tensors. */
    public static LearnedOptimizer<?> named(String name) {
        if (name.startsWith("l3rs:")) {
            try {
                return new L3rs(Integer.parseInt(name.substring(5)), 16, L3RS_LAMBDA0, true, NonFinitePolicy.ZERO_NONFINITE);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + name + "': expected l3rs:<parameter tensors of the model>");
            }
        }
        return switch (name) {
            case "small_fc_lopt" -> new SmallFcLopt(4, 2, 0.001, 0.001, 1, NonFinitePolicy.ZERO_NONFINITE);
            case "small_fc_lopt32" -> new SmallFcLopt(32, 2, 0.01, 0.001, 1, NonFinitePolicy.ZERO_NONFINITE);
            case "mlp_lopt" -> new MlpLopt(new int[] {32, 32}, 0.001, 0.001, NonFinitePolicy.ZERO_NONFINITE);
            case "velo" -> new Velo(512, 256, NonFinitePolicy.ZERO_NONFINITE);
            case "velo_small" -> new Velo(32, 8, NonFinitePolicy.ZERO_NONFINITE);
            case "l3rs" -> new L3rs(L3RS_LAYERS, 16, L3RS_LAMBDA0, true, NonFinitePolicy.ZERO_NONFINITE);
            case "celo2" -> Celo2.celo2();
            case "elo_celo2" -> Celo2.eloCelo2();
            default -> throw new IllegalArgumentException("unknown learned optimizer '" + name + "'; known: " + String.join(", ", NAMES) + ", l3rs:N");
        };
    }
}
