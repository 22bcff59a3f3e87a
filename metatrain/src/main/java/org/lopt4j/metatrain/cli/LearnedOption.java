package org.lopt4j.metatrain.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.metatrain.outer.Perturbations;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.optim.NamedState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;

/**
 * Learned optimizers on the command line: {@code small_fc_lopt} with the θ lopt4j meta-trained and ships as a
 * resource (its recipe and measured result are in BENCHMARKS.md), or any of {@link Recipe#lopt}'s learned optimizers
 * with a θ file written by {@code lopt4j metatrain}.
 */
final class LearnedOption {
    /** The shipped θ: small_fc_lopt (hidden 4) meta-trained by lopt4j on ImageMLP_FashionMnist8_Relu32. */
    static final String SHIPPED = "/org/lopt4j/metatrain/lopt/small_fc_lopt_fmnist8.safetensors";

    private LearnedOption() {}

    /** Whether {@code name} is one of {@link Recipe#lopt}'s learned optimizers. */
    static boolean isLearned(String name) { return Recipe.LEARNED.contains(name); }

    /** The learned optimizer {@code name} with θ from {@code file} (null = the shipped θ), one θ per member. */
    static Optimizer<NamedState> of(String name, Path file, int members, Backend b) throws IOException {
        LearnedOptimizer lo = Recipe.lopt(name);
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
            double[] theta = Perturbations.flat(LearnedCheckpoint.load(f, lo, null, b).theta());
            return lo.optimizer(Perturbations.population(lo, theta, null, members, 1, b));
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }
}
