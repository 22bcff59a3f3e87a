package org.lopt4j.learned;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.learned.celo2.Celo2;
import org.lopt4j.learned.velo.Velo;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.io.Json;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * A learned optimizer with its θ, in one call: {@code Pretrained.shipped("small_fc_lopt").optimizer()} for the θ that
 * ships in this jar, {@code Pretrained.load(path).optimizer()} for a checkpoint, its format recognised by content: a
 * lopt4j {@code lopt.safetensors}; a PyLO small_fc_lopt / μLO hub directory ({@code config.json} +
 * {@code model.safetensors}); PyLO's VeLO (a directory holding the hub directories {@code VeLO_RNN} and
 * {@code VeLO_MLP}, or either of them beside the other); a PyLO CELO2 hub directory.
 *
 * @param lopt   the learned optimizer, hyperparameters included
 * @param theta  one member's θ (on the CPU)
 * @param source where it came from, for logs
 */
public record Pretrained(LearnedOptimizer<?> lopt, Slab theta, String source) {
    /**
     * The θs that ship in this jar, by name (meta-trained by lopt4j; how, in RESULTS.md): {@code small_fc_lopt}, meta-trained
     * on one task ({@code ImageMLP_FashionMnist8_Relu32}), {@code small_fc_lopt_general}, the same optimizer
     * meta-trained further on a mixture of task families, and {@code velo_small_general}, velo_small meta-trained on that
     * mixture from its Adam start ({@code velo.VeloAdamStart}).
     */
    public static final List<String> SHIPPED = List.of("small_fc_lopt", "small_fc_lopt_general", "velo_small_general");

    /** The shipped θs named other than their learned optimizer, with the optimizer each is for. */
    private static final Map<String, String> OPTIMIZER_OF = Map.of("small_fc_lopt_general", "small_fc_lopt", "velo_small_general", "velo_small");

    /** The learned optimizer a shipped θ is for ({@link LearnedOptimizers#named}); {@code name} itself when it is one. */
    public static String optimizerOf(String name) { return OPTIMIZER_OF.getOrDefault(name, name); }

    /** What {@link #load} reads, for error messages. */
    static final String FORMATS = "a lopt4j lopt.safetensors, a PyLO small_fc_lopt/μLO or CELO2 directory (config.json + model.safetensors), "
            + "or PyLO's VeLO (a directory holding VeLO_RNN/ and VeLO_MLP/, each config.json + model.safetensors)";

    /** The optimizer for one set of parameters. */
    public Optimizer<?> optimizer() { return lopt.optimizer(theta); }

    /** The optimizer for one set of parameters, its updates applied with PyLO's {@code options}. */
    public Optimizer<?> optimizer(UpdateOptions options) { return lopt.optimizer(theta, options); }

    /** The optimizer for a population of {@code members} models that all use this θ. */
    public Optimizer<?> optimizer(int members) { return lopt.optimizer(lopt.population(theta, members)); }

    /** The shipped θ called {@code name} ({@link #SHIPPED}) with its optimizer. */
    public static Pretrained shipped(String name) throws IOException {
        if (!SHIPPED.contains(name)) throw new IllegalArgumentException("no θ ships for '" + name + "'; shipped: " + SHIPPED + "; load one with Pretrained.load(path)");
        String resource = resource(name);
        Path tmp = Files.createTempFile("lopt4j-theta", ".safetensors");
        try (InputStream in = Pretrained.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("the shipped θ " + resource + " is missing from the class path");
            Files.write(tmp, in.readAllBytes());
            LearnedOptimizer<?> lo = LearnedOptimizers.named(optimizerOf(name));
            return new Pretrained(lo, LearnedCheckpoint.load(tmp, lo, null, ScalarBackend.INSTANCE).theta(), "shipped " + name);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The class-path resource of {@code name}'s shipped θ (a lopt.safetensors). */
    public static String resource(String name) { return "/org/lopt4j/learned/shipped/" + name + ".safetensors"; }

    /** A checkpoint in any format this class reads, recognised by content; a clear error names them when it is none. */
    public static Pretrained load(Path path) throws IOException {
        Backend b = ScalarBackend.INSTANCE;
        if (Files.isDirectory(path)) return directory(path, b);
        if (!Files.isRegularFile(path)) throw new IOException(path + ": no such file or directory (expected " + FORMATS + ")");
        Map<String, String> meta;
        try {
            meta = SafeTensors.header(path).metadata();
        } catch (IOException e) {
            throw new IOException(path + ": not a learned-optimizer checkpoint (" + e.getMessage() + "); expected " + FORMATS, e);
        }
        if (!LearnedCheckpoint.FORMAT.equals(meta.get("format"))) {
            throw new IOException(path + ": a safetensors file of format " + meta.get("format") + ", not a learned optimizer's θ; expected " + FORMATS);
        }
        LearnedOptimizer<?> lo = named(meta.get("architecture"), path);
        return new Pretrained(lo, LearnedCheckpoint.load(path, lo, null, b).theta(), path.toString());
    }

    /** The learned optimizer whose record prints as {@code architecture}. */
    static LearnedOptimizer<?> named(String architecture, Path where) throws IOException {
        if (architecture == null) throw new IOException(where + ": no architecture in the metadata");
        for (String name : LearnedOptimizers.NAMES) if (LearnedOptimizers.named(name).toString().equals(architecture)) return LearnedOptimizers.named(name);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^L3rs\\[layers=(\\d+),").matcher(architecture);
        if (m.find() && LearnedOptimizers.named("l3rs:" + m.group(1)).toString().equals(architecture)) return LearnedOptimizers.named("l3rs:" + m.group(1));
        throw new IOException(where + ": a learned optimizer lopt4j does not know (" + architecture + ")");
    }

    private static Pretrained directory(Path dir, Backend b) throws IOException {
        Path rnn = dir.resolve("VeLO_RNN"), mlp = dir.resolve("VeLO_MLP");
        if (Files.isDirectory(rnn) || Files.isDirectory(mlp)) return velo(rnn, mlp, dir, b);
        Map<?, ?> config = config(dir);
        if (config.containsKey("lstm_hidden_size")) return velo(dir, sibling(dir, "VeLO_MLP"), dir, b);
        if (config.containsKey("param_inits") && config.containsKey("output_size")) return velo(sibling(dir, "VeLO_RNN"), dir, dir, b);
        if (config.containsKey("feature_dims")) return celo2(dir, config, b);
        if (config.containsKey("input_size") && config.containsKey("hidden_size") && config.containsKey("hidden_layers")) {
            PyloImport.Imported i = PyloImport.smallFcLopt(dir, b);
            return new Pretrained(i.lopt(), i.theta(), dir + " (PyLO small_fc_lopt)");
        }
        throw new IOException(dir.resolve("config.json") + ": fields " + config.keySet() + " match no PyLO model lopt4j reads (expected " + FORMATS + ")");
    }

    /** PyLO's CELO2MLP (CELO2 and ELO-CELO2 share it; read as CELO2, {@code --optimizer elo_celo2} picks the other). */
    private static Pretrained celo2(Path dir, Map<?, ?> config, Backend b) throws IOException {
        Celo2 c = Celo2.celo2();
        Object dims = config.get("feature_dims");
        List<Long> want = java.util.Arrays.stream(Celo2.GROUPS).mapToObj(x -> (long) x).toList();
        if (!want.equals(dims)) throw new IOException(dir.resolve("config.json") + ": feature_dims " + dims + ", CELO2 has " + want);
        if (integer(config, "hidden_size", dir) != c.hidden() || integer(config, "hidden_layers", dir) != 2 || integer(config, "output_size", dir) != Celo2.OUTPUTS
                || !"relu".equals(config.get("activation"))) {
            throw new IOException(dir.resolve("config.json") + ": CELO2MLP " + config + "; lopt4j's CELO2 is hidden 8, 2 hidden layers, 3 outputs, relu");
        }
        Path model = dir.resolve("model.safetensors");
        Slab theta = LearnedCheckpoint.requireFinite(model, "theta", PyloImport.celo2(c, SafeTensors.read(model, b).tensors(), "", model.toString(), b));
        return new Pretrained(c, theta, dir + " (PyLO CELO2)");
    }

    private static Path sibling(Path dir, String name) {
        Path parent = dir.toAbsolutePath().getParent();
        return parent == null ? dir.resolve(name) : parent.resolve(name);
    }

    private static Map<?, ?> config(Path dir) throws IOException {
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) throw new IOException(dir + ": a directory without config.json (expected " + FORMATS + ")");
        try {
            if (Json.parse(Files.readString(cfg)) instanceof Map<?, ?> m) return m;
        } catch (IllegalArgumentException e) {
            throw new IOException(cfg + ": not JSON (" + e.getMessage() + ")", e);
        }
        throw new IOException(cfg + ": expected a JSON object");
    }

    /** PyLO's VeLO: sizes from VeLO_RNN's config.json, weights from both model.safetensors. */
    private static Pretrained velo(Path rnn, Path mlp, Path where, Backend b) throws IOException {
        for (Path p : List.of(rnn, mlp)) {
            if (!Files.isDirectory(p)) throw new IOException(where + ": PyLO's VeLO needs both hub directories VeLO_RNN and VeLO_MLP; " + p + " is missing");
        }
        Map<?, ?> rc = config(rnn), mc = config(mlp);
        int lstm = integer(rc, "lstm_hidden_size", rnn), inits = integer(rc, "param_inits", rnn);
        if (integer(mc, "param_inits", mlp) != inits) throw new IOException(mlp + ": param_inits " + mc.get("param_inits") + ", VeLO_RNN has " + inits);
        if (Boolean.FALSE.equals(rc.get("mix_layers"))) throw new IOException(rnn + ": mix_layers false; VeLO mixes its features (velo.md)");
        Velo vl = new Velo(lstm, inits, NonFinitePolicy.ZERO_NONFINITE);
        Map<String, Tensor> sd = new LinkedHashMap<>(SafeTensors.read(rnn.resolve("model.safetensors"), b).tensors());
        for (var e : SafeTensors.read(mlp.resolve("model.safetensors"), b).tensors().entrySet()) sd.put("mlp/" + e.getKey(), e.getValue());
        Slab theta = LearnedCheckpoint.requireFinite(where, "theta", PyloImport.velo(vl, sd, "", "mlp/", rnn + " and " + mlp, b));
        return new Pretrained(vl, theta, where + " (PyLO VeLO)");
    }

    private static int integer(Map<?, ?> config, String key, Path dir) throws IOException {
        if (config.get(key) instanceof Long v && v > 0 && v <= Integer.MAX_VALUE) return v.intValue();
        throw new IOException(dir.resolve("config.json") + ": expected a positive integer " + key + ", got " + config.get(key));
    }
}
