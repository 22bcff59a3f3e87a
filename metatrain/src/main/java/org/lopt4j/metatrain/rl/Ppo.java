package org.lopt4j.metatrain.rl;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.LstmCell;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.optim.Adam;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.GradientWrapper;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.Schedule;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/**
 * PPO (Schulman et al. 2017) on lopt4j's autodiff for the {@link ActorCritic}: rollouts sample each head's categorical
 * action; an update computes GAE per episode, normalizes the advantages over the batch, and for {@code epochs} passes
 * over minibatches of equal-length episodes (run through the LSTM from the zero state, batched) minimizes
 * {@code −E[min(ρA, clip(ρ, 1 ± ε)A)] + c_v·E[(V − R)²] − c_e·E[H(π)]} with Adam and a global gradient norm clip.
 */
public final class Ppo {
    /**
     * PPO's settings (lhopt.md §4: clip 0.2, entropy 1e-2, value 0.5, Adam lr 2e-4 with β2 0.999, gradient norm 5,
     * γ 1, GAE λ 0.95, 4 passes over the data).
     */
    public record Config(double clip, double entropyCoef, double valueCoef, double lr, double maxGradNorm, double gamma, double lambda,
                         int epochs, int minibatch) {
        public static Config lhopt() { return new Config(0.2, 1e-2, 0.5, 2e-4, 5, 1.0, 0.95, 4, 16); }

        public Config withLr(double v) { return new Config(clip, entropyCoef, valueCoef, v, maxGradNorm, gamma, lambda, epochs, minibatch); }
    }

    /**
     * One episode as collected: the observations fed, the actions, their log-probabilities and values, the rewards, and
     * the critic's inputs at each observation (null without an asymmetric critic).
     */
    public record Episode(double[][] observations, int[][] actions, double[] logProbs, double[] values, double[] rewards, double[][] privileged)
            implements java.io.Serializable {
        public Episode(double[][] observations, int[][] actions, double[] logProbs, double[] values, double[] rewards) {
            this(observations, actions, logProbs, values, rewards, null);
        }

        public int length() { return rewards.length; }

        public double totalReward() {
            double s = 0;
            for (double r : rewards) s += r;
            return s;
        }
    }

    /** What one update did: mean policy loss, value loss and entropy over its minibatches. */
    public record Stats(double policyLoss, double valueLoss, double entropy) {}

    private final ActorCritic net;
    private final Model model;
    private final Config config;
    private final Backend backend;
    private final DType dtype;
    private final Slab params;
    private final Optimizer<GradientWrapper.State<Adam.State>> opt;
    private GradientWrapper.State<Adam.State> optState;

    public Ppo(ActorCritic net, Config config, RandomKey key, Backend backend, DType dtype) {
        this.net = net;
        this.model = net.model();
        this.config = config;
        this.backend = backend;
        this.dtype = dtype;
        this.params = model.init(key, backend, dtype);
        this.opt = new GradientWrapper<>(new AdamW(new Schedule.Constant(config.lr()), 0.9, 0.999, 1e-8, 0, 0, NonFinitePolicy.SKIP_AND_COUNT),
                0, 0, config.maxGradNorm(), 1, NonFinitePolicy.SKIP_AND_COUNT);
        this.optState = opt.init(params);
    }

    public Slab params() { return params; }

    /** The policy optimizer's first moments (for checkpoints). */
    public Slab adamM() { return optState.inner().m(); }

    /** Its second moments. */
    public Slab adamV() { return optState.inner().v(); }

    /** Its step count. */
    public int adamStep() { return optState.inner().step(); }

    /** Restores a checkpoint's policy parameters and optimizer state. */
    public void restore(Slab policy, Slab m, Slab v, int step) {
        params.flat().assign(policy.flat().to(backend));
        optState.inner().m().flat().assign(m.flat().to(backend));
        optState.inner().v().flat().assign(v.flat().to(backend));
        optState = optState.withCounters(java.util.Map.of("step", step, "skipped", 0, "inner/step", step, "inner/skipped", 0));
    }

    public ActorCritic net() { return net; }

    /**
     * Plays one episode of {@code env} (at most {@code maxSteps}), sampling actions with {@code key}; {@code norm} (may
     * be null) observes each observation before normalizing it.
     */
    public Episode rollout(Env env, RandomKey key, EwmaNormalizer norm, int maxSteps) { return play(params, env, key, norm, true, maxSteps, null); }

    /** {@link #rollout(Env, RandomKey, EwmaNormalizer, int)} that also keeps the raw observations in {@code raw}. */
    public Episode rollout(Env env, RandomKey key, EwmaNormalizer norm, int maxSteps, List<double[]> raw) { return play(params, env, key, norm, true, maxSteps, raw); }

    /**
     * {@link #rollout} against {@code norm} as it stands, which it only reads (so episodes can play at once); the raw
     * observations go to {@code raw}, for the caller to fold into the normalizer afterwards.
     */
    public Episode rolloutFrozen(Env env, RandomKey key, EwmaNormalizer norm, int maxSteps, List<double[]> raw) {
        return play(params, env, key, norm, false, maxSteps, raw);
    }

    /**
     * {@link #rolloutFrozen} with {@code policy} (this network's layout) in place of the learner's parameters, which it
     * never touches: an actor elsewhere plays with the policy it was sent.
     */
    public Episode rolloutFrozen(Slab policy, Env env, RandomKey key, EwmaNormalizer norm, int maxSteps, List<double[]> raw) {
        if (!policy.layout().equals(params.layout())) throw new IllegalArgumentException("the policy sent has layout " + policy.layout() + ", this network " + params.layout());
        return play(policy, env, key, norm, false, maxSteps, raw);
    }

    private Episode play(Slab policy, Env env, RandomKey key, EwmaNormalizer norm, boolean learn, int maxSteps, List<double[]> raw) {
        List<double[]> obs = new ArrayList<>();
        List<int[]> acts = new ArrayList<>();
        List<Double> lps = new ArrayList<>(), vals = new ArrayList<>(), rews = new ArrayList<>();
        List<double[]> privs = new ArrayList<>();
        int z = net.privilegedSize();
        double[] o = env.reset(key.child(0));
        try (Tape t = new Tape(); Tape.NoGrad ng = t.noGrad()) {
            Params p = model.bind(t, policy);
            LstmCell.State s = net.zeroState(t, 1, backend, dtype);
            for (int step = 0; step < maxSteps; step++) {
                if (norm != null && learn) norm.observe(o);
                if (raw != null) raw.add(o);
                double[] x = norm == null ? o : norm.apply(o);
                double[] pv = z > 0 ? env.privileged() : null;
                if (pv != null && pv.length != z) throw new IllegalStateException("the environment gives " + pv.length + " critic inputs, the critic takes " + z);
                ActorCritic.Out out = net.step(p, t.constant(Tensor.of(backend, x, 1, x.length).to(dtype)),
                        pv == null ? null : t.constant(Tensor.of(backend, pv, 1, z).to(dtype)), s);
                if (pv != null) privs.add(pv);
                int[] a = new int[out.logits().size()];
                double lp = 0;
                for (int k = 0; k < a.length; k++) {
                    double[] logp = Nn.logSoftmax(out.logits().get(k).value(), -1).toDoubleArray();
                    a[k] = sample(logp, key.child(1).fold(step).child(k));
                    lp += logp[a[k]];
                }
                obs.add(x);
                acts.add(a);
                lps.add(lp);
                vals.add(out.value().value().item());
                Env.Step r = env.step(a);
                rews.add(r.reward());
                s = out.state();
                o = r.observation();
                if (r.done()) break;
            }
        }
        return new Episode(obs.toArray(double[][]::new), acts.toArray(int[][]::new), unbox(lps), unbox(vals), unbox(rews),
                z > 0 ? privs.toArray(double[][]::new) : null);
    }

    private static double[] unbox(List<Double> l) { return l.stream().mapToDouble(Double::doubleValue).toArray(); }

    /** An index drawn from the distribution {@code exp(logp)} with one uniform of {@code key}. */
    static int sample(double[] logp, RandomKey key) {
        double u = key.sample(Op.Dist.UNIFORM, DType.F64, 0), c = 0;
        for (int i = 0; i < logp.length; i++) {
            c += Math.exp(logp[i]);
            if (u < c) return i;
        }
        return logp.length - 1;
    }

    /** One PPO update over {@code episodes} (the minibatch order shuffled by {@code key}). */
    public Stats update(List<Episode> episodes, RandomKey key) {
        List<double[]> adv = new ArrayList<>(), ret = new ArrayList<>();
        double sum = 0, sq = 0;
        int n = 0;
        for (Episode e : episodes) {
            Gae g = Gae.of(e.rewards(), e.values(), 0, config.gamma(), config.lambda());
            adv.add(g.advantages());
            ret.add(g.returns());
            for (double a : g.advantages()) { sum += a; sq += a * a; n++; }
        }
        double mean = sum / n, sd = Math.sqrt(Math.max(sq / n - mean * mean, 0)) + 1e-8;
        for (double[] a : adv) for (int i = 0; i < a.length; i++) a[i] = (a[i] - mean) / sd;
        double pl = 0, vl = 0, ent = 0;
        int batches = 0;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            for (List<Integer> mb : minibatches(episodes, key.child(epoch))) {
                double[] l = step(episodes, adv, ret, mb);
                pl += l[0];
                vl += l[1];
                ent += l[2];
                batches++;
            }
        }
        return new Stats(pl / batches, vl / batches, ent / batches);
    }

    /** Minibatches of at most {@code config.minibatch()} episodes of one length, in an order shuffled by {@code key}. */
    private List<List<Integer>> minibatches(List<Episode> episodes, RandomKey key) {
        java.util.TreeMap<Integer, List<Integer>> byLength = new java.util.TreeMap<>();
        for (int i = 0; i < episodes.size(); i++) byLength.computeIfAbsent(episodes.get(i).length(), k -> new ArrayList<>()).add(i);
        List<List<Integer>> out = new ArrayList<>();
        for (List<Integer> same : byLength.values()) {
            for (int i = 0; i < same.size(); i += config.minibatch()) out.add(same.subList(i, Math.min(same.size(), i + config.minibatch())));
        }
        Integer[] order = new Integer[out.size()];
        double[] u = new double[out.size()];
        for (int i = 0; i < order.length; i++) { order[i] = i; u[i] = key.sample(Op.Dist.UNIFORM, DType.F64, i); }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(u[a], u[b]));
        List<List<Integer>> shuffled = new ArrayList<>();
        for (int i : order) shuffled.add(out.get(i));
        return shuffled;
    }

    /** One optimizer step on minibatch {@code mb}; returns [policy loss, value loss, entropy]. */
    private double[] step(List<Episode> episodes, List<double[]> adv, List<double[]> ret, List<Integer> mb) {
        Slab grads = params.zerosLike();
        double[] parts;
        try (Tape t = new Tape()) {
            Params p = model.bind(t, params);
            Var[] l = loss(t, p, episodes, adv, ret, mb);
            t.backward(l[0]).writeTo(params, grads);
            parts = new double[] {l[1].value().item(), l[2].value().item(), l[3].value().item()};
        }
        optState = opt.update(optState, params, grads, StepInfo.NONE);
        return parts;
    }

    /**
     * The PPO loss of minibatch {@code mb} (episodes of one length T, batched): [total, policy loss, value loss,
     * entropy], each a mean over the B·T steps.
     */
    public Var[] loss(Tape t, Params p, List<Episode> episodes, List<double[]> adv, List<double[]> ret, List<Integer> mb) {
        int b = mb.size(), len = episodes.get(mb.get(0)).length(), d = net.observationSize(), heads = net.actionSizes().length;
        LstmCell.State s = net.zeroState(t, b, backend, dtype);
        Var policy = null, value = null, entropy = null;
        for (int step = 0; step < len; step++) {
            int zn = net.privilegedSize();
            double[] x = new double[b * d], old = new double[b], a = new double[b], r = new double[b], zv = new double[b * zn];
            double[][] onehot = new double[heads][];
            for (int k = 0; k < heads; k++) onehot[k] = new double[b * net.actionSizes()[k]];
            for (int i = 0; i < b; i++) {
                Episode e = episodes.get(mb.get(i));
                System.arraycopy(e.observations()[step], 0, x, i * d, d);
                if (zn > 0) System.arraycopy(e.privileged()[step], 0, zv, i * zn, zn);
                old[i] = e.logProbs()[step];
                a[i] = adv.get(mb.get(i))[step];
                r[i] = ret.get(mb.get(i))[step];
                for (int k = 0; k < heads; k++) onehot[k][i * net.actionSizes()[k] + e.actions()[step][k]] = 1;
            }
            ActorCritic.Out out = net.step(p, t.constant(Tensor.of(backend, x, b, d).to(dtype)), zn > 0 ? t.constant(Tensor.of(backend, zv, b, zn).to(dtype)) : null, s);
            s = out.state();
            Var logp = null, ent = null;
            for (int k = 0; k < heads; k++) {
                Var lsm = Nn.logSoftmax(out.logits().get(k), -1);
                Var chosen = lsm.mul(c(t, onehot[k], b, net.actionSizes()[k])).sumKeep(1);
                Var hk = lsm.exp().mul(lsm).sumKeep(1).neg();
                logp = logp == null ? chosen : logp.add(chosen);
                ent = ent == null ? hk : ent.add(hk);
            }
            Var ratio = logp.sub(c(t, old, b, 1)).exp(), advV = c(t, a, b, 1);
            Var clipped = ratio.maximum(ratio.scalar(1 - config.clip())).minimum(ratio.scalar(1 + config.clip()));
            Var surr = ratio.mul(advV).minimum(clipped.mul(advV)).sumAll();
            Var vErr = out.value().sub(c(t, r, b, 1)).square().sumAll();
            Var e = ent.sumAll();
            policy = policy == null ? surr : policy.add(surr);
            value = value == null ? vErr : value.add(vErr);
            entropy = entropy == null ? e : entropy.add(e);
        }
        double count = (double) b * len;
        Var pl = policy.mul(-1 / count), vl = value.mul(1 / count), en = entropy.mul(1 / count);
        Var total = pl.add(vl.mul(config.valueCoef())).sub(en.mul(config.entropyCoef()));
        return new Var[] {total, pl, vl, en};
    }

    private Var c(Tape t, double[] v, int rows, int cols) { return t.constant(Tensor.of(backend, v, rows, cols).to(dtype)); }
}
