package org.lopt4j.metatrain.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.learned.Pretrained;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.metatrain.io.LoptCheckpoints;
import org.lopt4j.optim.Optimizer;

/**
 * Learned optimizers on the command line: a shipped θ ({@link Pretrained#SHIPPED}; its recipe and measured result
 * are in RESULTS.md), or θ from any checkpoint {@link LoptCheckpoints} reads.
 */
final class LearnedOption {
    private LearnedOption() {}

    /** Whether {@code name} is one of {@link LearnedOptimizers}' learned optimizers or a shipped θ ({@link Pretrained#SHIPPED}). */
    static boolean isLearned(String name) { return LearnedOptimizers.NAMES.contains(name) || Pretrained.SHIPPED.contains(name); }

    /** The learned optimizer {@code name} (null: the checkpoint's) with θ from {@code file} (null: the shipped θ), one θ per member. */
    static Optimizer<?> of(String name, Path file, int members) throws IOException { return of(name, file, members, UpdateOptions.NONE); }

    /** {@link #of(String, Path, int)} with PyLO's options for how each update is applied. */
    static Optimizer<?> of(String name, Path file, int members, UpdateOptions options) throws IOException {
        Pretrained p = load(name, file);
        return p.lopt().optimizer(p.lopt().population(p.theta(), members), options);
    }

    /** {@link #of}'s optimizer and θ. */
    static Pretrained load(String name, Path file) throws IOException {
        if (file == null) {
            if (!Pretrained.SHIPPED.contains(name)) {
                throw new IllegalArgumentException("no θ ships for " + name + "; pass --lopt-checkpoint (" + LoptCheckpoints.FORMATS + ")");
            }
            return Pretrained.shipped(name);
        }
        return LoptCheckpoints.load(file, name == null ? null : LearnedOptimizers.named(Pretrained.optimizerOf(name)));
    }

    /** The name {@link LearnedOptimizers#named} gives {@code lo} or, failing that, an optimizer of its kind with its θ layout. */
    static String nameOf(LearnedOptimizer<?> lo, Path where) throws IOException {
        for (String n : LearnedOptimizers.NAMES) if (LearnedOptimizers.named(n).toString().equals(lo.toString())) return n;
        for (String n : LearnedOptimizers.NAMES) {
            LearnedOptimizer<?> k = LearnedOptimizers.named(n);
            if (k.name().equals(lo.name()) && k.thetaLayout().equals(lo.thetaLayout())) return n;
        }
        throw new IOException(where + ": holds " + lo + ", which matches none of " + LearnedOptimizers.NAMES);
    }
}
