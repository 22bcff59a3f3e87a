package org.lopt4j.metatrain.outer;

import org.lopt4j.metatrain.data.Split;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;

/**
 * Full-length antithetic ES (outer_training.md §7) for several θs at once: member p's {@code pairs} perturbations
 * {@code ±ε} (its own σ) are problems {@code p·pairs … (p+1)·pairs − 1} of one truncated unroll, so every θ's inner
 * problems train in one population, one batched forward/backward and one fused learned-optimizer update per step.
 * The unroll runs the longest member's length; member p's meta-loss reads only its first {@code lengths[p]} steps
 * (later steps cannot change earlier losses), so a member's estimate is the one a separate unroll of its own length
 * would give on the same problems. With one θ this is {@link FullEs}'s estimate, key for key.
 *
 * @param base             the unroll: one fixed task or a family, {@link TruncationSchedule.NeverEnding}, 2 copies;
 *                         its problem count is ignored (the population has {@code members × pairs} problems)
 * @param lossType         how a member's unroll becomes one meta-loss
 * @param recomputeSamples last_recompute: fresh train batches averaged (equal lengths only)
 * @param clipLossDiff     clip of each ± loss difference (0 = off)
 * @param signDelta        sign trick scalar (0 = off)
 */
public record PopulationEs(TruncatedUnroll base, FullEs.LossType lossType, int recomputeSamples, double clipLossDiff, double signDelta) {
    public PopulationEs {
        if (!(base.schedule() instanceof TruncationSchedule.NeverEnding))
            throw new IllegalArgumentException("full ES needs a never-ending truncation schedule inside the unroll, got " + base.schedule());
        if (base.copies() != 2) throw new IllegalArgumentException("full ES needs an antithetic unroll (2 copies)");
        if (lossType == FullEs.LossType.LAST_RECOMPUTE && base.family() != null) throw new IllegalArgumentException("last_recompute needs one fixed task");
    }

    /** One member's estimate: the mean of its ± meta-losses and its gradient over the flat θ. */
    public record MemberEstimate(double meanLoss, double[] grad) {}

    /**
     * Estimates at every θ of {@code thetas} ({@code sigmas[p]}, {@code lengths[p]} inner steps, {@code pairs} pairs
     * each) from {@code key}: perturbation {@code i = p·pairs + j} from {@code key.child(0).child(i)}, the unroll's
     * initializations from {@code key.child(3)} and its steps from {@code key.child(1)}.
     */
    public MemberEstimate[] estimate(double[][] thetas, double[] sigmas, int[] lengths, int pairs, RandomKey key) {
        return estimate(thetas, sigmas, lengths, pairs, key, 0);
    }

    /**
     * The estimates of members {@code first … first + thetas.length − 1} of a larger population from the same
     * {@code key}: each equals that member's estimate in one call over the whole population, so members can be
     * estimated in separate units (threads, Spark tasks) with the same result.
     */
    public MemberEstimate[] estimate(double[][] thetas, double[] sigmas, int[] lengths, int pairs, RandomKey key, int first) {
        if (first < 0) throw new IllegalArgumentException("first member index " + first + " < 0");
        int members = thetas.length, n = members * pairs, longest = 0;
        if (sigmas.length != members || lengths.length != members) throw new IllegalArgumentException("one σ and one length per θ");
        for (int p = 0; p < members; p++) {
            if (lengths[p] < 1) throw new IllegalArgumentException("unroll length " + lengths[p] + " of member " + p);
            if (lossType == FullEs.LossType.LAST_RECOMPUTE && lengths[p] != lengths[0]) throw new IllegalArgumentException("last_recompute needs equal unroll lengths");
            longest = Math.max(longest, lengths[p]);
        }
        TruncatedUnroll u = new TruncatedUnroll(base.task(), base.lopt(), base.schedule(), n, 2, 0, longest, base.backend(), base.metaLossSplit(),
                base.family(), first * pairs, 0);
        double[][] eps = new double[n][];
        for (int i = 0; i < n; i++) eps[i] = Perturbations.epsilon(base.lopt().thetaLayout(), key.child(0).child(first * pairs + i), sigmas[i / pairs]);
        Slab pop = Perturbations.population(base.lopt(), thetas, pairs, eps);
        UnrollState s = u.init(key.child(3), pop);
        Trajectory tr = Trajectory.run(u, s, pop, key.child(1), longest);
        double[] lossOf = new double[2 * n];
        for (int m = 0; m < 2 * n; m++) {
            int len = lengths[(m % n) / pairs];
            lossOf[m] = switch (lossType) {
                case AVG -> { double a = 0; for (int t = 0; t < len; t++) a += tr.loss()[t][m] / len; yield a; }
                case MIN -> { double a = Double.POSITIVE_INFINITY; for (int t = 0; t < len; t++) a = Math.min(a, tr.loss()[t][m]); yield a; }
                case LAST -> tr.loss()[len - 1][m];
                case LAST_RECOMPUTE -> 0;
            };
        }
        if (lossType == FullEs.LossType.LAST_RECOMPUTE) {
            for (int r = 0; r < recomputeSamples; r++) {
                double[] l = base.task().loss(s.params(), 2 * n, u.freshBatch(key.child(4).child(r), Split.TRAIN));
                for (int m = 0; m < 2 * n; m++) lossOf[m] += base.task().normalize(l[m]) / recomputeSamples;
            }
        }
        MemberEstimate[] out = new MemberEstimate[members];
        for (int p = 0; p < members; p++) {
            double sigma = sigmas[p];
            double[] grad = new double[thetas[p].length];
            double meanLoss = 0;
            for (int j = 0; j < pairs; j++) {
                int i = p * pairs + j;
                double delta = lossOf[i] - lossOf[n + i];
                if (!Double.isFinite(delta)) delta = 0;
                if (clipLossDiff > 0) delta = Math.max(-clipLossDiff, Math.min(clipLossDiff, delta));
                if (signDelta > 0) delta = Math.signum(delta) * signDelta;
                for (int k = 0; k < grad.length; k++) grad[k] += delta * eps[i][k] / (pairs * 2 * sigma * sigma);
                meanLoss += (lossOf[i] + lossOf[n + i]) / (2 * pairs);
            }
            out[p] = new MemberEstimate(meanLoss, grad);
        }
        return out;
    }
}
