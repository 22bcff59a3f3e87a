package org.lopt4j.metatrain.gpt.eval;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.gpt.data.CheckpointDataset;
import org.lopt4j.metatrain.gpt.data.TaskNet;
import org.lopt4j.metatrain.gpt.train.GptTrainer;

/**
 * G.pt's one-step evaluation (gpt_checkpoints.md §6): from each net's random-init checkpoint, sample new parameters
 * for a sweep of prompted test losses from the dataset's best to a fraction of the net's own loss, measure the loss
 * they reach, and score each net's curve by R² against the prompts. The "prompt the best loss" point is set against
 * the SGD run of the same init in the dataset: the first recorded iteration whose loss is as low.
 */
public final class PromptSweep {
    /** The paper's end of the MNIST sweep: 0.9 × the starting loss. */
    public static final double PROMPT_START = 0.9;

    /**
     * One net's sweep: its run, starting loss, prompts, the losses reached, R² and the correlation of the two, and for
     * the best prompt the loss reached and the first recorded SGD iteration of the same run at or below it (−1: none).
     */
    public record Net(int run, boolean heldOut, double initLoss, double[] prompts, double[] observed, double r2, double correlation,
                      double bestObserved, int sgdIterations, int sgdTotal) {
        /** Whether the best prompt's net improves on the start. */
        public boolean improved() { return bestObserved < initLoss; }
        /** Whether the run's recorded SGD checkpoints ever reach {@link #bestObserved}. */
        public boolean sgdReached() { return sgdIterations >= 0; }
    }

    /** Every net's sweep and the means of R² and of the correlation over training-split and held-out nets. */
    public record Result(List<Net> nets, double best, double meanR2Train, double meanR2HeldOut, double meanCorrelationTrain,
                         double meanCorrelationHeldOut) {}

    /** Pearson's correlation of {@code a} and {@code b} (0 when either is constant). */
    public static double correlation(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) { ma += a[i] / a.length; mb += b[i] / b.length; }
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
    }

    private PromptSweep() {}

    /** R² of observed against prompted values: {@code 1 − Σ(obs − p)²/(Σ(p − mean p)² + 1e-8)}. */
    public static double r2(double[] prompts, double[] observed) {
        double mean = 0;
        for (double p : prompts) mean += p / prompts.length;
        double res = 0, tot = 0;
        for (int i = 0; i < prompts.length; i++) {
            res += (observed[i] - prompts[i]) * (observed[i] - prompts[i]);
            tot += (prompts[i] - mean) * (prompts[i] - mean);
        }
        return 1 - res / (tot + 1e-8);
    }

    /** The best test loss of any checkpoint of the training split: the low end of every sweep. */
    public static double bestLoss(CheckpointDataset d) {
        double best = Double.POSITIVE_INFINITY;
        for (int run : d.trainRuns()) for (int k = 0; k < d.checkpointsPerRun(); k++) best = Math.min(best, d.testLoss(run, k));
        return best;
    }

    /** Sweeps {@code prompts} prompts for the first {@code nets} training-split and held-out runs. */
    public static Result run(GptTrainer model, boolean ema, CheckpointDataset d, ImageDataset test, int nets, int prompts, long seed) {
        if (prompts < 2) throw new IllegalArgumentException("a sweep needs at least 2 prompts, got " + prompts);
        List<int[]> picked = new ArrayList<>();
        int[] train = d.trainRuns(), held = d.testRuns();
        for (int i = 0; i < Math.min(nets, train.length); i++) picked.add(new int[] {train[i], 0});
        for (int i = 0; i < Math.min(nets, held.length); i++) picked.add(new int[] {held[i], 1});
        double best = bestLoss(d), c = d.coeff();
        int rows = picked.size() * (prompts + 1), p = d.net().parameters();
        float[][] prev = new float[rows][];
        double[] target = new double[rows], start = new double[rows];
        for (int n = 0; n < picked.size(); n++) {
            int run = picked.get(n)[0];
            float[] x = d.theta(run, 0);
            for (int i = 0; i < p; i++) x[i] = (float) (x[i] * c);
            double base = d.testLoss(run, 0);
            for (int j = 0; j <= prompts; j++) {
                int r = n * (prompts + 1) + j;
                prev[r] = x;
                start[r] = base;
                target[r] = j < prompts ? best + (PROMPT_START * base - best) * j / (prompts - 1) : best;   // the last row: the best prompt alone
            }
        }
        float[][] out = model.sample(ema, prev, target, start, seed);
        for (float[] v : out) for (int i = 0; i < p; i++) v[i] = (float) (v[i] / c);
        TaskNet.Metrics m = d.net().evaluate(out, test);
        List<Net> result = new ArrayList<>();
        double r2Train = 0, r2Held = 0, cTrain = 0, cHeld = 0;
        int nTrain = 0, nHeld = 0;
        for (int n = 0; n < picked.size(); n++) {
            int run = picked.get(n)[0];
            double[] pr = new double[prompts], ob = new double[prompts];
            for (int j = 0; j < prompts; j++) {
                pr[j] = target[n * (prompts + 1) + j];
                ob[j] = m.loss()[n * (prompts + 1) + j];
            }
            double bestObs = m.loss()[n * (prompts + 1) + prompts], r2 = r2(pr, ob), corr = correlation(pr, ob);
            int sgd = -1;
            for (int k = 0; k < d.checkpointsPerRun() && sgd < 0; k++) if (d.testLoss(run, k) <= bestObs) sgd = d.iteration(run, k);
            boolean heldOut = picked.get(n)[1] == 1;
            result.add(new Net(run, heldOut, d.testLoss(run, 0), pr, ob, r2, corr, bestObs, sgd, d.iteration(run, d.checkpointsPerRun() - 1)));
            if (heldOut) { r2Held += r2; cHeld += corr; nHeld++; } else { r2Train += r2; cTrain += corr; nTrain++; }
        }
        return new Result(result, best, nTrain > 0 ? r2Train / nTrain : Double.NaN, nHeld > 0 ? r2Held / nHeld : Double.NaN,
                nTrain > 0 ? cTrain / nTrain : Double.NaN, nHeld > 0 ? cHeld / nHeld : Double.NaN);
    }
}
