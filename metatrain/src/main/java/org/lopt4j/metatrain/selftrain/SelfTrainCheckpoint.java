package org.lopt4j.metatrain.selftrain;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.metatrain.outer.OuterOptimizer;
import org.lopt4j.metatrain.run.ResumeCheck;
import org.lopt4j.optim.OptState;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * A self-training checkpoint as one safetensors file, written atomically (temporary file, fsync, rename): per member
 * its θ and the outer rule's buffers in float64, and in the metadata the config, the step, the counters, each
 * member's hyperparameters, generation and latest value, and the whole lineage.
 */
public final class SelfTrainCheckpoint {
    /** Checkpoint format version written into the metadata. */
    public static final String FORMAT = "lopt4j-selftrain-1";
    /** File name inside a run directory. */
    public static final String FILE = "selftrain.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Config fields a resumed run may change: none of them changes what the outer steps still to run compute. */
    public static final List<String> RESUMABLE = List.of("outerSteps", "checkpointSeconds", "finalTask", "finalSteps", "finalSeeds", "membersPerUnit");

    private SelfTrainCheckpoint() {}

    /** A member's scalars as stored (doubles as strings, so NaN and every bit survive). */
    record MemberMeta(String stepMult, String sigma, int unrollLength, int generation, int generationStart, String value,
                      int adamApplied, int adamCalls, String adamAccLoss, Map<String, Integer> learnedCounters) {}

    /** A lineage entry as stored. */
    record GenerationMeta(int id, int slot, int parent, int startStep, String stepMult, String sigma, int unrollLength) {}

    /** Writes {@code s} of {@code trainer}'s run to {@code file}, atomically. */
    public static void write(Path file, SelfTrainer trainer, SelfTrainState s) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        List<MemberMeta> members = new ArrayList<>();
        for (int i = 0; i < s.members().length; i++) {
            Member m = s.members()[i];
            String p = "member/" + i + "/";
            t.put(p + "theta", vec(m.theta()));
            OuterRule.State o = m.outer();
            if (o.adam() != null) {
                t.put(p + "adam/m", vec(o.adam().m()));
                t.put(p + "adam/v", vec(o.adam().v()));
                t.put(p + "adam/acc", vec(o.adam().acc()));
            } else {
                for (var kv : o.learned().buffers().entrySet()) t.put(p + "outer/" + kv.getKey(), kv.getValue().flat());
            }
            Hyperparameters h = m.hyper();
            members.add(new MemberMeta(str(h.stepMult()), str(h.sigma()), h.unrollLength(), m.generation(), m.generationStart(), str(m.value()),
                    o.adam() == null ? 0 : o.adam().applied(), o.adam() == null ? 0 : o.adam().calls(),
                    str(o.adam() == null ? 0 : o.adam().accLoss()), o.learned() == null ? Map.of() : o.learned().counters()));
        }
        List<GenerationMeta> lineage = new ArrayList<>();
        for (Generation g : s.lineage()) {
            lineage.add(new GenerationMeta(g.id(), g.slot(), g.parent(), g.startStep(), str(g.hyper().stepMult()), str(g.hyper().sigma()), g.hyper().unrollLength()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("lopt", trainer.lopt().name());
        meta.put("config", trainer.config().toJson());
        meta.put("step", Integer.toString(s.step()));
        meta.put("nan_losses", Long.toString(s.nanLosses()));
        meta.put("nonfinite_grads", Long.toString(s.nonFiniteGrads()));
        meta.put("skipped_updates", Long.toString(s.skippedUpdates()));
        meta.put("seconds", Double.toString(s.seconds()));
        meta.put("members", JSON.writeValueAsString(members));
        meta.put("lineage", JSON.writeValueAsString(lineage));
        SafeTensors.write(file, t, meta, true);
    }

    /** Reads a checkpoint written for {@code trainer}'s config (up to {@link #RESUMABLE}; another is refused, saying how it differs). */
    public static SelfTrainState read(Path file, SelfTrainer trainer) throws IOException {
        if (!Files.exists(file)) throw new IOException("no checkpoint at " + file);
        SafeTensors.Contents c = SafeTensors.read(file, ScalarBackend.INSTANCE);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) throw new IOException(file + ": not a lopt4j self-training checkpoint (format " + meta.get("format") + ")");
        ResumeCheck.require(file, Integer.parseInt(meta.get("step")), meta.get("config"), trainer.config().toJson(), RESUMABLE);
        SelfTrainConfig stored = trainer.config();
        List<MemberMeta> mm = JSON.readValue(meta.get("members"), new TypeReference<List<MemberMeta>>() {});
        List<GenerationMeta> gm = JSON.readValue(meta.get("lineage"), new TypeReference<List<GenerationMeta>>() {});
        if (mm.size() != stored.members()) throw new IOException(file + ": " + mm.size() + " members stored, the config has " + stored.members());
        OuterRule rule = OuterRule.of(stored, trainer.lopt());
        Member[] members = new Member[mm.size()];
        for (int i = 0; i < members.length; i++) {
            MemberMeta m = mm.get(i);
            String p = "member/" + i + "/";
            double[] theta = get(file, c, p + "theta").toDoubleArray();
            if (theta.length != trainer.lopt().thetaLayout().size()) {
                throw new IOException(file + ": member " + i + "'s θ has " + theta.length + " values, " + trainer.lopt().name() + " " + trainer.lopt().thetaLayout().size());
            }
            OuterRule.State fresh = rule.init(theta), o;
            if (fresh.adam() != null) {
                o = new OuterRule.State(new OuterOptimizer.State(get(file, c, p + "adam/m").toDoubleArray(), get(file, c, p + "adam/v").toDoubleArray(),
                        m.adamApplied(), get(file, c, p + "adam/acc").toDoubleArray(), num(m.adamAccLoss()), m.adamCalls()), null);
            } else {
                for (var kv : fresh.learned().buffers().entrySet()) kv.getValue().flat().assign(get(file, c, p + "outer/" + kv.getKey()));
                o = new OuterRule.State(null, withCounters(fresh.learned(), m.learnedCounters()));
            }
            members[i] = new Member(theta, new Hyperparameters(num(m.stepMult()), num(m.sigma()), m.unrollLength()), o, m.generation(),
                    m.generationStart(), num(m.value()));
        }
        List<Generation> lineage = new ArrayList<>();
        for (GenerationMeta g : gm) lineage.add(new Generation(g.id(), g.slot(), g.parent(), g.startStep(), new Hyperparameters(num(g.stepMult()), num(g.sigma()), g.unrollLength())));
        return new SelfTrainState(Integer.parseInt(meta.get("step")), members, List.copyOf(lineage), Long.parseLong(meta.get("nan_losses")),
                Long.parseLong(meta.get("nonfinite_grads")), Long.parseLong(meta.getOrDefault("skipped_updates", "0")), Double.parseDouble(meta.get("seconds")));
    }

    private static OptState<?> withCounters(OptState<?> s, Map<String, Integer> counters) { return s.withCounters(counters); }

    private static Tensor vec(double[] a) { return Tensor.of(ScalarBackend.INSTANCE, a, a.length); }

    private static String str(double x) { return Double.toString(x); }

    private static double num(String s) { return Double.parseDouble(s); }

    private static Tensor get(Path file, SafeTensors.Contents c, String name) throws IOException {
        Tensor t = c.tensors().get(name);
        if (t == null) throw new IOException(file + ": missing tensor '" + name + "'");
        return t;
    }
}
