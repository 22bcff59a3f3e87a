package org.lopt4j.metatrain.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.lopt4j.learned.LearnedCheckpoint;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.LearnedOptimizers;
import org.lopt4j.learned.Pretrained;
import org.lopt4j.metatrain.outer.MetaCheckpoint;
import org.lopt4j.metatrain.outer.MetaConfig;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * Every θ format the command line takes, recognised by content: what {@link Pretrained#load} reads (lopt4j's
 * {@code lopt.safetensors}, PyLO's small_fc_lopt/μLO and VeLO hub directories), a lopt4j meta-training checkpoint,
 * and a learned_optimization flax msgpack θ (which names no optimizer: the caller's {@code expected} one is read).
 */
public final class LoptCheckpoints {
    /** What {@link #load} reads, for error messages. */
    public static final String FORMATS = "a lopt4j lopt.safetensors or meta-training checkpoint, a PyLO small_fc_lopt/μLO or CELO2 directory, "
            + "PyLO's VeLO (a directory holding VeLO_RNN/ and VeLO_MLP/), or a learned_optimization flax msgpack θ";

    private LoptCheckpoints() {}

    /**
     * The learned optimizer and θ in {@code path}. {@code expected} (may be null) is the optimizer the caller asked
     * for: a file naming another is refused; a flax file, which names none, is read as {@code expected}.
     */
    public static Pretrained load(Path path, LearnedOptimizer<?> expected) throws IOException {
        Pretrained p = read(path, expected);
        if (expected instanceof org.lopt4j.learned.celo2.Celo2 && p.lopt() instanceof org.lopt4j.learned.celo2.Celo2
                && expected.thetaLayout().equals(p.lopt().thetaLayout())) {
            return new Pretrained(expected, p.theta(), p.source());                // CELO2 and ELO-CELO2 share one network
        }
        if (expected != null && !expected.name().equals(p.lopt().name())) {
            throw new IOException(path + ": holds a " + p.lopt().name() + " θ, not " + expected.name());
        }
        return p;
    }

    /** {@code expected}'s θ from {@code path}, on {@code b}: the file's optimizer must have {@code expected}'s θ layout. */
    public static Slab theta(Path path, LearnedOptimizer<?> expected, Backend b) throws IOException {
        Pretrained p = load(path, expected);
        if (!p.lopt().thetaLayout().equals(expected.thetaLayout())) {
            throw new IOException(path + ": holds " + p.lopt() + ", whose θ has another layout than " + expected);
        }
        Slab out = Slab.zeros(b, p.theta().dtype(), expected.thetaLayout());
        out.flat().assign(p.theta().flat().to(b));
        return out;
    }

    private static Pretrained read(Path path, LearnedOptimizer<?> expected) throws IOException {
        if (!Files.isRegularFile(path)) return Pretrained.load(path);
        Map<String, String> meta;
        try {
            meta = SafeTensors.header(path).metadata();
        } catch (IOException notSafetensors) {
            if (!msgpackMap(path)) throw new IOException(path + ": not a θ file (" + notSafetensors.getMessage() + "); expected " + FORMATS, notSafetensors);
            return flax(path, expected);
        }
        if (MetaCheckpoint.FORMAT.equals(meta.get("format")) && meta.get("config") != null) {
            LearnedOptimizer<?> lo = LearnedOptimizers.named(MetaConfig.fromJson(meta.get("config")).lopt());
            return new Pretrained(lo, MetaCheckpoint.theta(path, lo, ScalarBackend.INSTANCE), path + " (meta-training checkpoint)");
        }
        return Pretrained.load(path);
    }

    private static Pretrained flax(Path path, LearnedOptimizer<?> expected) throws IOException {
        if (expected == null) throw new IOException(path + ": a flax msgpack θ names no learned optimizer; say which (--optimizer NAME)");
        Map<String, Tensor> leaves = FlaxCheckpoint.read(path, ScalarBackend.INSTANCE);
        String root = leaves.keySet().stream().anyMatch(k -> k.startsWith("params/")) ? "params" : "0";
        Slab theta = FlaxCheckpoint.theta(leaves, root, expected, ScalarBackend.INSTANCE, path);
        return new Pretrained(expected, LearnedCheckpoint.requireFinite(path, "theta", theta), path + " (flax msgpack)");
    }

    /** Whether the file starts as a msgpack map (flax's top level). */
    private static boolean msgpackMap(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            int first = in.read();
            return (first & 0xf0) == 0x80 || first == 0xde || first == 0xdf;
        }
    }
}
