package org.lopt4j.metatrain.outer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.lopt4j.learned.l3rs.L3rs;
import org.lopt4j.metatrain.data.BatchStream;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * narrowing_l3rs.md §7's meta-gradient check: on L3RS's meta-objective (the mean training loss of a short fine-tuning
 * run, one fixed problem), the antithetic ES gradient at small σ points where central finite differences do. Every
 * evaluation of the objective is a member of one batched run (same init, same batches), so the objective is one
 * deterministic function of θ.
 */
class L3rsMetaGradientTest {
    static final int STEPS = 8, PAIRS = 200;
    static final double H = 1e-2;
    static final Backend B = Backends.best();

    @Test void esAgreesWithFiniteDifferences() {
        Task task = Tasks.byName("FineTune_Conv8_Mnist0to4_Mnist5to9", null);
        L3rs lo = new L3rs(6, 2, 1e-2, true, NonFinitePolicy.ZERO_NONFINITE);       // a small θ: 79 values
        double[] theta = lo.initTheta(RandomKey.of(1), ScalarBackend.INSTANCE).flat().toDoubleArray();
        Tensor out = Tensor.random(ScalarBackend.INSTANCE, DType.F64, org.lopt4j.tensor.Shape.of(theta.length), RandomKey.of(2), Op.Dist.NORMAL);
        double[] jitter = out.toDoubleArray();
        for (int k = 0; k < theta.length; k++) theta[k] += 0.1 * jitter[k];          // away from the init's zero output layer
        int d = theta.length;

        double[][] fdPoints = new double[2 * d][];
        for (int k = 0; k < d; k++) {
            fdPoints[2 * k] = theta.clone();
            fdPoints[2 * k][k] += H;
            fdPoints[2 * k + 1] = theta.clone();
            fdPoints[2 * k + 1][k] -= H;
        }
        double[] fdLoss = objective(task, lo, fdPoints);
        double[] fd = new double[d];
        for (int k = 0; k < d; k++) fd[k] = (fdLoss[2 * k] - fdLoss[2 * k + 1]) / (2 * H);

        double[][] eps = new double[PAIRS][];
        double[][] esPoints = new double[2 * PAIRS][];
        for (int i = 0; i < PAIRS; i++) {
            eps[i] = Tensor.random(ScalarBackend.INSTANCE, DType.F64, org.lopt4j.tensor.Shape.of(d), RandomKey.of(100 + i), Op.Dist.NORMAL).toDoubleArray();
            esPoints[2 * i] = theta.clone();
            esPoints[2 * i + 1] = theta.clone();
            for (int k = 0; k < d; k++) {
                esPoints[2 * i][k] += H * eps[i][k];
                esPoints[2 * i + 1][k] -= H * eps[i][k];
            }
        }
        double[] esLoss = objective(task, lo, esPoints);
        double[] es = new double[d];
        for (int i = 0; i < PAIRS; i++) {
            double coef = (esLoss[2 * i] - esLoss[2 * i + 1]) / (2 * H * PAIRS);
            for (int k = 0; k < d; k++) es[k] += coef * eps[i][k];
        }
        double dot = 0, a = 0, b = 0;
        for (int k = 0; k < d; k++) { dot += es[k] * fd[k]; a += es[k] * es[k]; b += fd[k] * fd[k]; }
        double cos = dot / Math.sqrt(a * b);
        // with exact directional derivatives, E[cos] ≈ 1/sqrt(1 + (d + 1)/pairs) = 0.85 here
        System.out.printf("L3RS meta-gradient: cosine(ES, finite differences) %.3f over %d pairs%n", cos, PAIRS);
        assertTrue(b > 0 && cos > 0.7, "cosine(ES, finite differences) = " + cos + ", |fd| = " + Math.sqrt(b));
    }

    /** The mean training loss over {@link #STEPS} steps of L3RS with each θ of {@code thetas}, from one init on one batch sequence. */
    static double[] objective(Task task, L3rs lo, double[][] thetas) {
        int members = thetas.length;
        SlabLayout tl = lo.thetaLayout();
        double[] flat = new double[members * tl.size()];
        for (int m = 0; m < members; m++) System.arraycopy(thetas[m], 0, flat, m * tl.size(), tl.size());
        Slab theta = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, tl.repeat(members));
        theta.flat().assign(Tensor.of(ScalarBackend.INSTANCE, flat, flat.length).to(DType.F32));
        Optimizer<L3rs.State> opt = lo.optimizer(theta);
        Slab one = task.init(RandomKey.of(7), B, 1);
        float[] init = one.flat().toFloatArray(), all = new float[members * init.length];
        for (int m = 0; m < members; m++) System.arraycopy(init, 0, all, m * init.length, init.length);
        Slab params = Slab.zeros(B, DType.F32, task.layout().repeat(members));
        params.flat().assign(Tensor.of(B, all, all.length));
        Slab grads = params.zerosLike();
        L3rs.State s = opt.init(params);
        BatchStream stream = new BatchStream(task.examples(Split.TRAIN), task.batchSize(), RandomKey.of(8));
        double[] mean = new double[members];
        for (int step = 0; step < STEPS; step++) {
            int[][] idx = new int[members][];
            Arrays.fill(idx, stream.next());
            double[] losses = task.lossAndGrad(params, members, task.batch(B, Split.TRAIN, idx), grads);
            for (int m = 0; m < members; m++) mean[m] += losses[m] / STEPS;
            s = opt.update(s, params, grads, new StepInfo(step, losses[0], STEPS, losses, null));
        }
        return mean;
    }
}
