package org.lopt4j.metatrain.outer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.metatrain.run.ResumeCheck;
import org.lopt4j.optim.OptState;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * A meta-training checkpoint as one safetensors file, written atomically (temporary file, fsync, rename): θ (F32, in
 * the learned optimizer's named layout, so {@code lopt4j train} and {@code eval} read it directly), the outer
 * optimizer's moments and accumulator (F64), every estimator's worker state (parameters, optimizer buffers,
 * counters, PES accumulators) and in the metadata the config, the step and the counters.
 */
public final class MetaCheckpoint {
    /** Checkpoint format version written into the metadata. */
    public static final String FORMAT = "lopt4j-metatrain-1";
    /** File name inside a checkpoint directory. */
    public static final String FILE = "metatrain.safetensors";

    /**
     * Config fields a resumed run may change: none of them changes the outer steps still to run (the outer-step count
     * may grow past a finished run's, or shrink to the checkpoint's step).
     */
    public static final java.util.List<String> RESUMABLE = java.util.List.of("outerSteps", "checkpointSeconds", "evalSteps", "evalSeeds", "adamLr");

    private MetaCheckpoint() {}

    /** Writes {@code s} for recipe {@code r} to {@code file}, atomically. */
    public static void write(Path file, Recipe r, MetaState s) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        Backend b = r.backend();
        Slab theta = Slab.zeros(b, DType.F32, r.lopt().thetaLayout());
        theta.flat().assign(Tensor.of(b, s.theta(), s.theta().length).to(DType.F32));
        for (int i = 0; i < theta.layout().count(); i++) t.put("theta/" + theta.layout().names().get(i), theta.tensor(i));
        t.put("outer/m", vec(b, s.outer().m()));
        t.put("outer/v", vec(b, s.outer().v()));
        t.put("outer/acc", vec(b, s.outer().acc()));
        t.put("outer/theta_f64", vec(b, s.theta()));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("lopt", r.lopt().name());
        meta.put("config", r.config().toJson());
        meta.put("step", Integer.toString(s.step()));
        meta.put("outer_applied", Integer.toString(s.outer().applied()));
        meta.put("outer_calls", Integer.toString(s.outer().calls()));
        meta.put("outer_acc_loss", Double.toString(s.outer().accLoss()));
        meta.put("nan_losses", Long.toString(s.nanLosses()));
        meta.put("nonfinite_grads", Long.toString(s.nonFiniteGrads()));
        meta.put("skipped_steps", Long.toString(s.skippedSteps()));
        meta.put("seconds", Double.toString(s.seconds()));
        for (int e = 0; e < s.workers().length; e++) {
            EstimatorState w = s.workers()[e];
            String p = "est/" + e + "/";
            if (w.task() != null) meta.put(p + "task", w.task().k0() + "," + w.task().k1());
            if (w.accumulators() != null) {
                double[][] a = w.accumulators();
                double[] flat = new double[a.length * s.theta().length];
                for (int i = 0; i < a.length; i++) System.arraycopy(a[i], 0, flat, i * s.theta().length, s.theta().length);
                t.put(p + "acc", Tensor.of(b, flat, a.length, s.theta().length));
            }
            UnrollState u = w.unroll();
            if (u == null) continue;
            t.put(p + "params", u.params().flat());
            for (var kv : u.opt().buffers().entrySet()) t.put(p + "opt/" + kv.getKey(), kv.getValue().flat());
            t.put(p + "iteration", ints(b, u.iteration()));
            t.put(p + "opt_step", ints(b, u.optStep()));
            t.put(p + "length", ints(b, u.length()));
            int[] done = new int[u.done().length];
            for (int i = 0; i < done.length; i++) done[i] = u.done()[i] ? 1 : 0;
            t.put(p + "done", ints(b, done));
            if (u.taskKeys().length > 0) t.put(p + "task_keys", ints(b, u.taskKeys()));
            meta.put(p + "opt_counters", u.opt().step() + "," + u.opt().skipped());
        }
        SafeTensors.write(file, t, meta, true);
    }

    private static Tensor vec(Backend b, double[] a) { return Tensor.of(b, a, a.length); }

    private static Tensor ints(Backend b, int[] a) { return Tensor.of(b, a, a.length); }

    /**
     * Reads a checkpoint written for a recipe like {@code r}: the config stored in it must equal {@code r}'s (say
     * which fields differ otherwise); worker states are rebuilt on fresh layouts from {@code r} and filled.
     */
    public static MetaState read(Path file, Recipe r) throws IOException {
        if (!Files.exists(file)) throw new IOException("no checkpoint at " + file);
        Backend b = r.backend();
        SafeTensors.Contents c = SafeTensors.read(file, b);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) throw new IOException(file + ": not a lopt4j meta-training checkpoint (format " + meta.get("format") + ")");
        ResumeCheck.require(file, Integer.parseInt(meta.get("step")), meta.get("config"), r.config().toJson(), MetaConfig.defaults().toJson(), RESUMABLE);
        double[] theta = get(file, c, "outer/theta_f64").toDoubleArray();
        if (theta.length != r.lopt().thetaLayout().size()) throw new IOException(file + ": θ has " + theta.length + " values, the learned optimizer " + r.lopt().thetaLayout().size());
        OuterOptimizer.State outer = new OuterOptimizer.State(get(file, c, "outer/m").toDoubleArray(), get(file, c, "outer/v").toDoubleArray(),
                Integer.parseInt(meta.get("outer_applied")), get(file, c, "outer/acc").toDoubleArray(), Double.parseDouble(meta.get("outer_acc_loss")),
                Integer.parseInt(meta.get("outer_calls")));
        EstimatorState[] workers = new EstimatorState[r.config().estimators()];
        for (int e = 0; e < workers.length; e++) {
            String p = "est/" + e + "/";
            String tk = meta.get(p + "task");
            org.lopt4j.tensor.RandomKey task = null;
            if (tk != null) {
                String[] k = tk.split(",");
                task = new org.lopt4j.tensor.RandomKey(Integer.parseInt(k[0]), Integer.parseInt(k[1]));
            }
            EstimatorState fresh = r.estimator().blank(theta, task);
            double[][] acc = null;
            if (fresh.accumulators() != null) {
                double[] flat = get(file, c, p + "acc").toDoubleArray();
                acc = new double[fresh.accumulators().length][];
                for (int i = 0; i < acc.length; i++) acc[i] = java.util.Arrays.copyOfRange(flat, i * theta.length, (i + 1) * theta.length);
            }
            UnrollState u = fresh.unroll();
            if (u != null) {
                u.params().flat().assign(get(file, c, p + "params"));
                for (var kv : u.opt().buffers().entrySet()) kv.getValue().flat().assign(get(file, c, p + "opt/" + kv.getKey()));
                String[] oc = meta.get(p + "opt_counters").split(",");
                OptState<?> opt = u.opt().withCounters(java.util.Map.of("step", Integer.parseInt(oc[0]), "skipped", Integer.parseInt(oc[1])));
                int[] done = get(file, c, p + "done").toIntArray();
                boolean[] d = new boolean[done.length];
                for (int i = 0; i < d.length; i++) d[i] = done[i] != 0;
                int[] keys = u.taskKeys().length == 0 ? new int[0] : get(file, c, p + "task_keys").toIntArray();
                u = new UnrollState(u.params(), opt, get(file, c, p + "iteration").toIntArray(), get(file, c, p + "opt_step").toIntArray(),
                        get(file, c, p + "length").toIntArray(), d, keys);
            }
            workers[e] = new EstimatorState(u, acc, task);
        }
        return new MetaState(Integer.parseInt(meta.get("step")), theta, outer, workers, Long.parseLong(meta.get("nan_losses")),
                Long.parseLong(meta.get("nonfinite_grads")), Long.parseLong(meta.getOrDefault("skipped_steps", "0")), Double.parseDouble(meta.get("seconds")));
    }

    private static Tensor get(Path file, SafeTensors.Contents c, String name) throws IOException {
        Tensor t = c.tensors().get(name);
        if (t == null) throw new IOException(file + ": missing tensor '" + name + "'");
        return t;
    }

    /** {@code lo}'s θ from any format {@link org.lopt4j.metatrain.io.LoptCheckpoints} reads (a meta-training checkpoint included). */
    public static Slab anyTheta(Path file, org.lopt4j.learned.LearnedOptimizer<?> lo, Backend b) throws IOException {
        return org.lopt4j.metatrain.io.LoptCheckpoints.theta(file, lo, b);
    }

    /** The learned optimizer's θ stored in a checkpoint (role {@code theta}), checked against its layout. */
    public static Slab theta(Path file, org.lopt4j.learned.LearnedOptimizer<?> lo, Backend b) throws IOException {
        return org.lopt4j.learned.LearnedCheckpoint.requireFinite(file, "theta", SafeTensors.readSlab(file, "theta", lo.thetaLayout(), DType.F32, b));
    }
}
