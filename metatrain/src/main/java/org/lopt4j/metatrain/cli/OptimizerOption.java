package org.lopt4j.metatrain.cli;

import org.lopt4j.optim.Adafactor;
import org.lopt4j.optim.Adam;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.Lion;
import org.lopt4j.optim.Momentum;
import org.lopt4j.optim.Muon;
import org.lopt4j.optim.NAdamW;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.RmsProp;
import org.lopt4j.optim.Sgd;

/** The hand-designed optimizers by command-line name, at a learning rate. */
final class OptimizerOption {
    static final java.util.List<String> NAMES = java.util.List.of("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adafactor", "lion", "nadamw", "muon");

    private OptimizerOption() {}

    /** {@code adam} is learned_optimization's Adam (eps_root 1e-8), the one its reference curves use. */
    static Optimizer<?> of(String name, double lr) {
        return switch (name) {
            case "sgd" -> Sgd.of(lr);
            case "momentum" -> Momentum.heavyBall(lr, 0.9);
            case "nesterov" -> Momentum.nesterov(lr, 0.9);
            case "adam" -> Adam.lo(lr);
            case "adamw" -> AdamW.of(lr, 1e-2);
            case "rmsprop" -> RmsProp.lo(lr);
            case "adafactor" -> Adafactor.of(lr);
            case "lion" -> Lion.of(lr);
            case "nadamw" -> NAdamW.of(lr);
            case "muon" -> Muon.of(lr);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; choose one of " + NAMES);
        };
    }
}
