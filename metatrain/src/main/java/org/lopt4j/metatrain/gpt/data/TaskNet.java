package org.lopt4j.metatrain.gpt.data;

import java.util.List;
import java.util.random.RandomGenerator;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.tensor.cpu.Parallel;

/**
 * G.pt's MNIST task net (gpt_checkpoints.md §1): {@code size²→hidden} (ReLU) {@code →10}, as one flat vector in
 * PyTorch state-dict order {@code fc1.weight [hidden, size²]} (out × in, row-major), {@code fc1.bias},
 * {@code fc2.weight [10, hidden]}, {@code fc2.bias}: P = 2,080 at 14×14 (nano), 7,960 at 28×28 (the paper's).
 */
public record TaskNet(int size, int hidden) {
    /** Classes of MNIST. */
    public static final int CLASSES = 10;
    /** Input normalization of the task (torchvision's MNIST mean and std), applied after scaling pixels to [0, 1]. */
    public static final float MEAN = 0.1307f, STD = 0.3081f;

    /** One tensor of the flat vector: its state-dict name, PyTorch shape and place. */
    public record Layer(String name, int[] shape, int offset, int length) {}

    /** Per-net mean cross-entropy loss and error rate (fraction of wrong argmax predictions) over a test set. */
    public record Metrics(double[] loss, double[] err) {}

    public TaskNet {
        if (size <= 0 || hidden <= 0) throw new IllegalArgumentException("task net: size " + size + " and hidden " + hidden + " must be positive");
    }

    /** The nano net (14×14 inputs, 10 hidden units). */
    public static TaskNet nano() { return new TaskNet(14, 10); }

    /** The paper's net (28×28 inputs, 10 hidden units). */
    public static TaskNet original() { return new TaskNet(28, 10); }

    /** Inputs per image. */
    public int inputs() { return size * size; }

    /** Length P of the flat vector. */
    public int parameters() { return hidden * inputs() + hidden + CLASSES * hidden + CLASSES; }

    /** The four tensors in state-dict order. */
    public List<Layer> layers() {
        int d = inputs(), w1 = hidden * d, w2 = CLASSES * hidden;
        return List.of(new Layer("fc1.weight", new int[] {hidden, d}, 0, w1), new Layer("fc1.bias", new int[] {hidden}, w1, hidden),
                new Layer("fc2.weight", new int[] {CLASSES, hidden}, w1 + hidden, w2),
                new Layer("fc2.bias", new int[] {CLASSES}, w1 + hidden + w2, CLASSES));
    }

    /**
     * PyTorch's default {@code nn.Linear} init: {@code kaiming_uniform_(a=√5)} makes the weight bound
     * {@code 1/√fan_in}, the same as the bias bound, so every value of a layer is U(±1/√fan_in); drawn in state-dict order.
     */
    public float[] init(RandomGenerator rng) {
        float[] theta = new float[parameters()];
        for (Layer l : layers()) {
            double bound = 1 / Math.sqrt(l.name().startsWith("fc1") ? inputs() : hidden);
            for (int i = l.offset(); i < l.offset() + l.length(); i++) theta[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
        return theta;
    }

    /**
     * A function-preserving gather {@code out[i] = θ[perm[i]]} (§2): one random permutation π of the hidden units
     * moves fc1's row π(j) (weights and bias) to row j and fc2's column π(j) to column j.
     */
    public int[] randomPermutation(RandomGenerator rng) {
        int[] pi = new int[hidden];
        for (int j = 0; j < hidden; j++) pi[j] = j;
        for (int j = hidden - 1; j > 0; j--) {
            int k = rng.nextInt(j + 1), t = pi[j];
            pi[j] = pi[k];
            pi[k] = t;
        }
        return permutation(pi);
    }

    /** The length-P gather of the hidden-unit permutation {@code pi} (see {@link #randomPermutation}). */
    public int[] permutation(int[] pi) {
        if (pi.length != hidden) throw new IllegalArgumentException("permutation of " + pi.length + " units, expected " + hidden);
        int d = inputs(), b1 = hidden * d, w2 = b1 + hidden, b2 = w2 + CLASSES * hidden;
        int[] idx = new int[parameters()];
        for (int j = 0; j < hidden; j++) {
            for (int i = 0; i < d; i++) idx[j * d + i] = pi[j] * d + i;
            idx[b1 + j] = b1 + pi[j];
            for (int c = 0; c < CLASSES; c++) idx[w2 + c * hidden + j] = w2 + c * hidden + pi[j];
        }
        for (int c = 0; c < CLASSES; c++) idx[b2 + c] = b2 + c;
        return idx;
    }

    /** {@code θ} gathered through {@code perm}. */
    public static float[] permute(float[] theta, int[] perm) {
        float[] out = new float[perm.length];
        for (int i = 0; i < perm.length; i++) out[i] = theta[perm[i]];
        return out;
    }

    /** Pixels in [0, 1] of {@code d} normalized as the task's inputs, {@code (x − 0.1307)/0.3081}. */
    public float[] normalize(ImageDataset d) {
        if (d.features() != inputs()) throw new IllegalArgumentException(d.name() + ": " + d.h() + "x" + d.w() + "x" + d.c() + " images, the net takes " + size + "x" + size);
        float[] x = new float[d.pixels().length];
        for (int i = 0; i < x.length; i++) x[i] = (d.pixels()[i] - MEAN) / STD;
        return x;
    }

    /** Mean loss and error of each of {@code thetas} on all of {@code test}, nets spread over the cores. */
    public Metrics evaluate(float[][] thetas, ImageDataset test) {
        float[] x = normalize(test);
        double[] loss = new double[thetas.length], err = new double[thetas.length];
        Parallel.forRange(thetas.length, 1, (from, to) -> {
            NetKernel k = new NetKernel(this, NetKernel.CHUNK);
            double[] le = new double[2];
            for (int m = from; m < to; m++) {
                if (thetas[m].length != parameters()) throw new IllegalArgumentException("net " + m + " has " + thetas[m].length + " parameters, expected " + parameters());
                k.evaluate(thetas[m], 0, x, test.labels(), test.n(), le);
                loss[m] = le[0];
                err[m] = le[1];
            }
        });
        return new Metrics(loss, err);
    }
}
