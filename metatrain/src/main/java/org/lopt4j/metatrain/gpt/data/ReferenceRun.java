package org.lopt4j.metatrain.gpt.data;

import java.util.SplittableRandom;
import org.lopt4j.metatrain.data.ImageDataset;

/**
 * The slow float64 twin of one run of {@link PopulationTrainer}: the same recipe, init, shuffles and update written
 * as plain loops over the PyTorch-shaped weights, sharing no arithmetic with the fast path.
 */
public final class ReferenceRun {
    private final TaskNet net;
    private final CheckpointRecipe recipe;
    private final double[] theta, buf;
    private final double[][] x;
    private final int[] y, order;
    private final SplittableRandom shuffle;
    private final int ipe;
    private int t;

    public ReferenceRun(TaskNet net, CheckpointRecipe recipe, ImageDataset train, int run) {
        this.net = net;
        this.recipe = recipe;
        float[] init = net.init(recipe.rng(run, CheckpointRecipe.Stream.INIT));
        theta = new double[init.length];
        for (int i = 0; i < init.length; i++) theta[i] = init[i];
        buf = new double[theta.length];
        int d = net.inputs();
        x = new double[train.n()][d];
        for (int s = 0; s < train.n(); s++) {
            for (int i = 0; i < d; i++) x[s][i] = (train.pixels()[s * d + i] - 0.1307) / 0.3081;
        }
        y = train.labels();
        order = new int[train.n()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        shuffle = recipe.rng(run, CheckpointRecipe.Stream.SHUFFLE);
        ipe = recipe.itersPerEpoch(train.n());
    }

    /** The current parameters (PyTorch state-dict order). */
    public double[] theta() { return theta.clone(); }

    /** Logits {@code [10]} of {@code theta} on one normalized image. */
    public static double[] logits(TaskNet net, double[] theta, double[] image) {
        int d = net.inputs(), h = net.hidden(), c = TaskNet.CLASSES;
        double[] a = new double[h], z = new double[c];
        for (int j = 0; j < h; j++) {
            double s = theta[h * d + j];
            for (int i = 0; i < d; i++) s += theta[j * d + i] * image[i];
            a[j] = Math.max(0, s);
        }
        for (int k = 0; k < c; k++) {
            double s = theta[h * d + h + c * h + k];
            for (int j = 0; j < h; j++) s += theta[h * d + h + k * h + j] * a[j];
            z[k] = s;
        }
        return z;
    }

    /** One SGD update; returns the minibatch's mean loss before it. */
    public double step() {
        int d = net.inputs(), h = net.hidden(), c = TaskNet.CLASSES, b = recipe.batch();
        int w2 = h * d + h, b2 = w2 + c * h;
        if (t % ipe == 0) CheckpointRecipe.shuffle(order, shuffle);
        double lr = recipe.lr(t / ipe), loss = 0;
        double[] g = new double[theta.length];
        for (int r = 0; r < b; r++) {
            int s = order[(t % ipe) * b + r];
            double[] in = x[s], pre = new double[h], z = logits(net, theta, in);
            for (int j = 0; j < h; j++) {
                pre[j] = theta[h * d + j];
                for (int i = 0; i < d; i++) pre[j] += theta[j * d + i] * in[i];
            }
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double v : z) max = Math.max(max, v);
            for (double v : z) sum += Math.exp(v - max);
            double lse = max + Math.log(sum);
            loss += (lse - z[y[s]]) / b;
            for (int k = 0; k < c; k++) {
                double dz = (Math.exp(z[k] - lse) - (k == y[s] ? 1 : 0)) / b;
                g[b2 + k] += dz;
                for (int j = 0; j < h; j++) {
                    g[w2 + k * h + j] += dz * Math.max(0, pre[j]);
                    if (pre[j] > 0) {
                        g[h * d + j] += dz * theta[w2 + k * h + j];
                        for (int i = 0; i < d; i++) g[j * d + i] += dz * theta[w2 + k * h + j] * in[i];
                    }
                }
            }
        }
        for (int i = 0; i < theta.length; i++) {
            double gi = g[i] + recipe.weightDecay() * theta[i];
            buf[i] = t == 0 ? gi : recipe.momentum() * buf[i] + gi;
            theta[i] -= lr * (gi + recipe.momentum() * buf[i]);
        }
        t++;
        return loss;
    }
}
