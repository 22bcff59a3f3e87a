package org.lopt4j.metatrain.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * Learned optimizers on the command line: {@code small_fc_lopt} with the θ lopt4j meta-trained and ships as a
 * resource (its recipe and measured result are in RESULTS.md), or any of {@link LearnedOptimizers}' learned optimizers
 * with a θ file written by {@code lopt4j metatrain}.
 */
final class LearnedOption {
    /** The shipped θ: small_fc_lopt (hidden 4) meta-trained by lopt4j on ImageMLP_FashionMnist8_Relu32. */
    static final String SHIPPED = "/org/lopt4j/metatrain/lopt/small_fc_lopt_fmnist8.safetensors";

    private LearnedOption() {}

    /** Whether {@code name} is one of {@link LearnedOptimizers}' learned optimizers. */
    static boolean isLearned(String name) { return LearnedOptimizers.NAMES.contains(name); }

    /** The learned optimizer {@code name} with θ from {@code file} (null = the shipped θ), one θ per member. */
    static Optimizer<?> of(String name, Path file, int members) throws IOException {
        LearnedOptimizer<?> lo = LearnedOptimizers.named(name);
        Path f = file;
        Path tmp = null;
        if (f == null && !name.equals("small_fc_lopt")) {
            throw new IllegalArgumentException("no θ ships for " + name + "; pass --lopt-checkpoint (a lopt.safetensors from `lopt4j metatrain --lopt " + name + "`)");
        }
        if (f == null) {
            try (InputStream in = LearnedOption.class.getResourceAsStream(SHIPPED)) {
                if (in == null) throw new IOException("the shipped θ " + SHIPPED + " is missing from the class path");
                tmp = Files.createTempFile("lopt4j-theta", ".safetensors");
                Files.write(tmp, in.readAllBytes());
                f = tmp;
            }
        }
        try {
            Slab theta = LearnedCheckpoint.load(f, lo, null, ScalarBackend.INSTANCE).theta();
            return lo.optimizer(lo.population(theta, members));
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }
}
