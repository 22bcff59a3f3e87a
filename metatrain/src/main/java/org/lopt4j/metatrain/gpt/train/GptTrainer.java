package org.lopt4j.metatrain.gpt.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.lopt4j.autodiff.Grads;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.metatrain.gpt.diffusion.AncestralSampler;
import org.lopt4j.metatrain.gpt.diffusion.Diffusion;
import org.lopt4j.metatrain.gpt.model.Gpt;
import org.lopt4j.metatrain.gpt.model.GptInputs;
import org.lopt4j.optim.Adam;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Schedule;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.io.SafeTensors;

/**
 * Trains G.pt (gpt_checkpoints.md §4–§5): each step draws a batch of checkpoint pairs, a diffusion step and noise per
 * pair, and regresses the model's output on x0 (or on ε for the ablation) with AdamW (weight decay on linear weights
 * only), a global gradient-norm clip, a warmed-up cosine learning rate and an EMA of the weights. Each step's
 * randomness derives from (seed, step), so a resumed run repeats the bits of an uninterrupted one.
 */
public final class GptTrainer {
    public static final String FORMAT = "lopt4j-gpt-1", FILE = "gpt.safetensors";

    /** One step's figures: the loss, and the "no change" loss {@code mean((x_prev − x0)²)} of the same batch. */
    public record Report(int step, double loss, double noChange, double lr, double seconds) {}

    /** Training stopped on a non-finite loss. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) { super(message); }
    }

    private final GptTrainConfig config;
    private final int[] layerSizes;
    private final Gpt gpt;
    private final Backend backend;
    private final Diffusion diffusion = Diffusion.linear(1000);
    private final Slab decayed, plain, emaDecayed, emaPlain, gradDecayed, gradPlain;
    private final GptInputs batch;
    private final Tensor mask;
    private Adam.State adamDecayed, adamPlain;
    private int step;

    public GptTrainer(GptTrainConfig config, int[] layerSizes, Backend backend) {
        this.config = config;
        this.layerSizes = layerSizes.clone();
        this.gpt = new Gpt(config.shape(), layerSizes);
        this.backend = backend;
        Slab[] init = gpt.init(RandomKey.of(config.seed()), backend);
        decayed = init[0];
        plain = init[1];
        emaDecayed = decayed.copy();
        emaPlain = plain.copy();
        gradDecayed = decayed.zerosLike();
        gradPlain = plain.zerosLike();
        adamDecayed = adam(0).init(decayed);
        adamPlain = adam(0).init(plain);
        batch = new GptInputs(gpt, config.batch());
        mask = GptInputs.mask(gpt, backend);
    }

    public GptTrainConfig config() { return config; }
    public Gpt gpt() { return gpt; }
    public int step() { return step; }
    public Diffusion diffusion() { return diffusion; }

    /** AdamW at this step's rate (a schedule must be positive: warmup's first rate, 0, becomes 1e-30). */
    private AdamW adam(double wd) {
        return new AdamW(new Schedule.Constant(Math.max(config.lrAt(step), 1e-30)), 0.9, 0.999, 1e-8, 0, wd, NonFinitePolicy.SKIP_AND_COUNT);
    }

    /** Trains until the config's step count, {@code stopAfter} more steps, or {@code stop}; checkpoints into {@code ckpt}. */
    public void run(CheckpointPairs pairs, int stopAfter, BooleanSupplier stop, Path ckpt, Consumer<Report> listener) throws IOException {
        int end = Math.min(config.steps(), stopAfter < 0 ? Integer.MAX_VALUE : step + stopAfter);
        long last = System.nanoTime();
        while (step < end) {
            long t0 = System.nanoTime();
            Report r = trainStep(pairs);
            if (listener != null) listener.accept(new Report(r.step(), r.loss(), r.noChange(), r.lr(), (System.nanoTime() - t0) / 1e9));
            boolean done = step == end || stop.getAsBoolean();
            if (ckpt != null && (done || (System.nanoTime() - last) / 1e9 >= config.checkpointSeconds())) {
                write(ckpt);
                last = System.nanoTime();
            }
            if (done) break;
        }
    }

    /** One AdamW step on a fresh batch. */
    public Report trainStep(CheckpointPairs pairs) {
        SplittableRandom rng = new SplittableRandom(config.seed() ^ (0x9E3779B97F4A7C15L * (step + 1)));
        int rows = config.batch(), p = pairs.parameters();
        GptInputs in = batch;                                  // every row's tokens are rewritten below; padding stays 0
        float[][] targets = new float[rows][];
        double noChange = 0;
        for (int r = 0; r < rows; r++) {
            CheckpointPairs.Pair pair = pairs.sample(rng);
            int t = rng.nextInt(diffusion.steps());
            float[] eps = new float[p];
            for (int j = 0; j < p; j++) eps[j] = (float) rng.nextGaussian();
            in.set(r, diffusion.noised(pair.x0(), eps, t), pair.xPrev(), t, pair.lTarget(), pair.lPrev());
            targets[r] = config.predictX0() ? pair.x0() : eps;
            for (int j = 0; j < p; j++) noChange += (double) (pair.xPrev()[j] - pair.x0()[j]) * (pair.xPrev()[j] - pair.x0()[j]);
        }
        double lr = config.lrAt(step), loss;
        try (Tape tape = new Tape()) {
            Params params = gpt.bind(tape, decayed, plain);
            Var out = gpt.forward(params, tape.constant(in.tokens(backend)), tape.constant(in.previous(backend)));
            Var diff = out.sub(tape.constant(GptInputs.padded(gpt, targets, backend))).mul(tape.constant(mask));
            Var l = diff.square().sumAll().mul(1.0 / ((double) rows * p));
            loss = l.value().item();
            if (!Double.isFinite(loss)) throw new DivergedException("G.pt training loss is " + loss + " at step " + step);
            Grads g = tape.backward(l);
            g.writeTo(decayed, gradDecayed);
            g.writeTo(plain, gradPlain);
        }
        clip(config.maxGradNorm());
        StepInfo info = new StepInfo(step, loss, config.steps());
        adamDecayed = adam(config.weightDecay()).update(adamDecayed, decayed, gradDecayed, info);
        adamPlain = adam(0).update(adamPlain, plain, gradPlain, info);
        ema(emaDecayed, decayed);
        ema(emaPlain, plain);
        step++;
        return new Report(step - 1, loss, noChange / ((double) rows * p), lr, 0);
    }

    private void clip(double max) {
        if (max <= 0) return;
        double sq = gradDecayed.flat().square().sumAll().item() + gradPlain.flat().square().sumAll().item(), norm = Math.sqrt(sq);
        if (norm > max) {
            Tensor s = Tensor.full(backend, DType.F32, org.lopt4j.tensor.Shape.SCALAR, max / (norm + 1e-6));
            gradDecayed.flat().assign(gradDecayed.flat().mul(s));
            gradPlain.flat().assign(gradPlain.flat().mul(s));
        }
    }

    private void ema(Slab avg, Slab now) {
        double d = config.emaDecay();
        avg.flat().assign(avg.flat().mul(avg.flat().scalar(d)).add(now.flat().mul(now.flat().scalar(1 - d))));
    }

    /**
     * The model as a sampler's x0 predictor for fixed starting vectors and metrics (one row each): the EMA weights
     * when {@code ema}, else the raw ones. ε-predicting models are turned into x0 predictions.
     */
    public AncestralSampler.X0Model predictor(boolean ema, float[][] xPrev, double[] lTarget, double[] lPrev) {
        Slab d = ema ? emaDecayed : decayed, pl = ema ? emaPlain : plain;
        int rows = xPrev.length;
        GptInputs in = new GptInputs(gpt, rows);
        for (int r = 0; r < rows; r++) in.set(r, new float[xPrev[r].length], xPrev[r], 0, lTarget[r], lPrev[r]);
        return (xt, t, i) -> {
            for (int r = 0; r < rows; r++) {
                in.setNoised(r, xt[r]);
                in.setStep(r, t);
            }
            float[] out;
            try (Tape tape = new Tape(); Tape.NoGrad ng = tape.noGrad()) {
                out = gpt.forward(gpt.bind(tape, d, pl), tape.constant(in.tokens(backend)), tape.constant(in.previous(backend))).value().toFloatArray();
            }
            float[][] x0 = new float[rows][];
            int k = gpt.split().count(), w = gpt.split().width();
            for (int r = 0; r < rows; r++) {
                float[] v = gpt.split().gather(out, rows, w, r);
                x0[r] = config.predictX0() ? v : diffusion.x0FromEps(xt[r], v, t);
            }
            return x0;
        };
    }

    /** Samples one new vector per row (scaled space), over {@code samplingSteps} respaced steps. */
    public float[][] sample(boolean ema, float[][] xPrev, double[] lTarget, double[] lPrev, long seed) {
        return AncestralSampler.sample(diffusion.respaced(config.samplingSteps()), predictor(ema, xPrev, lTarget, lPrev), xPrev.length,
                xPrev[0].length, new SplittableRandom(seed));
    }

    /** Weights, EMA, AdamW moments and the step, atomically. */
    public void write(Path file) throws IOException {
        Map<String, Slab> roles = new LinkedHashMap<>();
        roles.put("decayed", decayed);
        roles.put("plain", plain);
        roles.put("ema_decayed", emaDecayed);
        roles.put("ema_plain", emaPlain);
        roles.put("adam_m_decayed", adamDecayed.m());
        roles.put("adam_v_decayed", adamDecayed.v());
        roles.put("adam_m_plain", adamPlain.m());
        roles.put("adam_v_plain", adamPlain.v());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("config", config.toJson());
        meta.put("step", Integer.toString(step));
        meta.put("adam_counters", adamDecayed.step() + "," + adamDecayed.skipped() + "," + adamPlain.step() + "," + adamPlain.skipped());
        meta.put("layer_sizes", java.util.Arrays.toString(layerSizes));
        SafeTensors.writeSlabs(file, roles, meta, true);
    }

    /**
     * Restores a checkpoint of this run: the same config apart from {@code steps} and {@code checkpointSeconds}, and
     * the same task net; anything else is refused, naming both.
     */
    public void read(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file, backend);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) throw new IOException(file + ": not a G.pt checkpoint (format " + meta.get("format") + ", expected " + FORMAT + ")");
        GptTrainConfig stored = GptTrainConfig.fromJson(meta.get("config"));
        if (!stored.with(Map.of("steps", config.steps(), "checkpointSeconds", config.checkpointSeconds())).equals(config)) {
            throw new IOException(file + ": made with " + stored.toJson() + "; this run is " + config.toJson());
        }
        if (!java.util.Arrays.toString(layerSizes).equals(meta.get("layer_sizes"))) {
            throw new IOException(file + ": made for a task net with layers " + meta.get("layer_sizes") + ", this dataset's are " + java.util.Arrays.toString(layerSizes));
        }
        copy(file, c, "decayed", decayed);
        copy(file, c, "plain", plain);
        copy(file, c, "ema_decayed", emaDecayed);
        copy(file, c, "ema_plain", emaPlain);
        step = Integer.parseInt(meta.get("step"));
        Slab md = decayed.zerosLike(), vd = decayed.zerosLike(), mp = plain.zerosLike(), vp = plain.zerosLike();
        copy(file, c, "adam_m_decayed", md);
        copy(file, c, "adam_v_decayed", vd);
        copy(file, c, "adam_m_plain", mp);
        copy(file, c, "adam_v_plain", vp);
        int[] n = java.util.Arrays.stream(meta.get("adam_counters").split(",")).mapToInt(Integer::parseInt).toArray();
        adamDecayed = new Adam.State(md, vd, adamDecayed.chunks(), n[0], n[1]);
        adamPlain = new Adam.State(mp, vp, adamPlain.chunks(), n[2], n[3]);
    }

    private void copy(Path file, SafeTensors.Contents c, String role, Slab into) throws IOException {
        into.flat().assign(SafeTensors.slab(file, c, role, into.layout(), DType.F32, backend).flat());
    }

    /** A trained model for sampling only: the weights (and EMA) of {@code file}, for the task net of {@code layerSizes}. */
    public static GptTrainer load(Path file, int[] layerSizes, Backend backend) throws IOException {
        Map<String, String> meta = SafeTensors.header(file).metadata();
        if (!FORMAT.equals(meta.get("format"))) throw new IOException(file + ": not a G.pt checkpoint (format " + meta.get("format") + ", expected " + FORMAT + ")");
        GptTrainer t = new GptTrainer(GptTrainConfig.fromJson(meta.get("config")), layerSizes, backend);
        t.read(file);
        return t;
    }
}
