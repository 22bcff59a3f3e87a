package org.lopt4j.metatrain.rl;

import java.util.Arrays;
import org.lopt4j.optim.Ciao;
import org.lopt4j.optim.CiaoFeatures;

/**
 * The policy's observation after each block (lhopt.md §4's actor inputs at the CPU version's size), built alike in
 * training episodes and when a trained policy runs ({@link LhoptOptimizer}). The basic observation: progress; CIAO's 13
 * features averaged over the block; tanh of the log ratio of the loss to the first one; each hyperparameter's log
 * ratio to its episode-initial value (the clip ratio's logit difference). The rich one adds each of the 14 series
 * through {@link IntegralCdf} at the 5 end weights over the blocks so far, and the restart register (whether it holds
 * a save, tanh of the log ratio of its loss to the current one, the progress since the save). The series' history is
 * this record's.
 *
 * @param history one row per block so far: the 13 features, then the loss ratio
 * @param rich    whether this is the rich observation
 */
public record LhoptObservation(double[][] history, boolean rich) {
    static final int SERIES = CiaoFeatures.COUNT + 1, CDFS = IntegralCdf.END_WEIGHTS.length, REGISTER = 3;
    /** The rich observation's width. */
    public static final int SIZE = 1 + SERIES * (1 + CDFS) + CiaoActions.HEADS.length + REGISTER;
    /** The basic observation's width. */
    public static final int BASIC_SIZE = 1 + SERIES + CiaoActions.HEADS.length;

    /** Where the hyperparameters' log ratios start (the learning rate's first). */
    public static int hyperparametersAt(boolean rich) { return rich ? 1 + SERIES * (1 + CDFS) : 1 + SERIES; }

    /** Observation width. */
    public static int size(boolean rich) { return rich ? SIZE : BASIC_SIZE; }

    /** Before the first block. */
    public static LhoptObservation start(boolean rich) { return new LhoptObservation(new double[0][], rich); }

    /** The register's part of the observation: empty, or a save made at {@code savedProgress} with loss {@code savedLoss}. */
    public record Register(boolean full, double savedLoss, double savedProgress) {
        public static final Register EMPTY = new Register(false, Double.NaN, 0);
    }

    /**
     * This history with the block's {@code features} and training {@code loss} appended (relative to {@code firstLoss}),
     * and the observation at {@code progress} with CIAO's hyperparameters {@code now} against {@code start}.
     */
    public Next next(double progress, double[] features, double loss, double firstLoss, Ciao now, Ciao start, Register register) {
        double[] row = Arrays.copyOf(features, SERIES);
        row[SERIES - 1] = Math.tanh(Math.log((loss + 1e-12) / (firstLoss + 1e-12)));
        double[][] h = Arrays.copyOf(history, history.length + 1);
        h[history.length] = row;
        if (!rich) {
            double[] o = new double[BASIC_SIZE];
            o[0] = progress;
            System.arraycopy(row, 0, o, 1, SERIES);
            hyperparameters(o, 1 + SERIES, now, start);
            return new Next(new LhoptObservation(h, false), o);
        }
        double[] o = new double[SIZE];
        int at = 0;
        o[at++] = progress;
        double[] series = new double[h.length];
        for (int q = 0; q < SERIES; q++) {
            o[at++] = row[q];
            for (int i = 0; i < h.length; i++) series[i] = h[i][q];
            for (double w : IntegralCdf.END_WEIGHTS) o[at++] = IntegralCdf.of(series, h.length, w);
        }
        at = hyperparameters(o, at, now, start);
        o[at++] = register.full() ? 1 : 0;
        o[at++] = register.full() ? Math.tanh(Math.log((register.savedLoss() + 1e-12) / (loss + 1e-12))) : 0;
        o[at] = register.full() ? progress - register.savedProgress() : 0;
        return new Next(new LhoptObservation(h, true), o);
    }

    /** Each hyperparameter of {@code now} relative to {@code start} into {@code o} from {@code at}; returns the next index. */
    static int hyperparameters(double[] o, int at, Ciao now, Ciao start) {
        double[] n = CiaoActions.values(now), s = CiaoActions.values(start);
        for (int k = 0; k < n.length; k++) o[at++] = k == CiaoActions.CLIP ? CiaoActions.logit(n[k]) - CiaoActions.logit(s[k]) : Math.log(n[k] / s[k]);
        return at;
    }

    /** The grown history and the observation vector. */
    public record Next(LhoptObservation history, double[] vector) {}

    /** The observation before the first block: progress 0, every series at its neutral value. */
    public static double[] initial(boolean rich) {
        double[] o = new double[size(rich)];
        if (rich) for (int q = 0; q < SERIES; q++) for (int c = 0; c < CDFS; c++) o[1 + q * (1 + CDFS) + 1 + c] = 0.5;
        return o;
    }
}
