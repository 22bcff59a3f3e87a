package org.lopt4j.metatrain.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Mlp;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.Datasets;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * learned_optimization's {@code ImageMLP} (softmax cross-entropy classifier over flattened images) and
 * {@code ImageMLPAE} (autoencoder, {@code mean((x − sigmoid(MLP(x)))²)}), batched over members: weights are
 * {@code [P, in, out]} and one batched matmul per layer serves every member.
 */
public final class ImageMlpTask implements Task {
    /** Hidden-layer nonlinearity. */
    public enum Activation { RELU, TANH, GELU }

    private final String name, dataset;
    private final int size, batch;
    private final boolean autoencoder;
    private final Activation act;
    private final Path dataDir;
    private final Mlp mlp;
    private final Model model;

    public ImageMlpTask(String name, String dataset, int size, int[] hidden, Activation act, int batch, boolean autoencoder, Path dataDir) {
        this.name = name;
        this.dataset = dataset;
        this.size = size;
        this.batch = batch;
        this.autoencoder = autoencoder;
        this.act = act;
        this.dataDir = dataDir;
        int in = size * size;
        int[] sizes = java.util.Arrays.copyOf(hidden, hidden.length + 1);
        sizes[hidden.length] = autoencoder ? in : 10;
        this.mlp = new Mlp("mlp", in, sizes);
        this.model = new Model(mlp.params());
    }

    @Override public String name() { return name; }
    @Override public SlabLayout layout() { return model.layout(); }
    @Override public int batchSize() { return batch; }

    @Override public Slab init(RandomKey key, Backend backend, int members) { return PopulationParams.init(model, key, backend, members); }

    private ImageDataset data(Split split) {
        try {
            return Datasets.image(dataset, size, split, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("task " + name + ": " + e.getMessage(), e);
        }
    }

    @Override public int examples(Split split) { return data(split).n(); }

    @Override public Batch batch(Backend backend, Split split, int[][] idx) {
        ImageDataset d = data(split);
        Batch b = d.batch(backend, idx);
        return new Batch(b.x().reshape(idx.length, idx[0].length, d.features()), b.y());   // flattened images
    }

    /** Per-member losses {@code [P]} of the batched model. */
    private Var forward(Map<String, Var> w, Var x, Batch batch) {
        Var h = x;
        var layers = mlp.layers();
        for (int i = 0; i < layers.size(); i++) {
            String n = layers.get(i).name();
            h = h.matmul(w.get(n + "/w")).add(w.get(n + "/b").unsqueeze(1));
            if (i < layers.size() - 1) {
                h = switch (act) { case RELU -> Nn.relu(h); case TANH -> h.tanh(); case GELU -> Nn.gelu(h); };
            }
        }
        if (autoencoder) return x.sub(Nn.sigmoid(h)).square().mean(1, 2);
        Var hot = h.constant(Nn.oneHot(batch.y(), 10, DType.F32).reshape(h.shape().dims()));
        return Nn.logSoftmax(h, -1).mul(hot).sum(-1).mean(-1).neg();
    }

    @Override public double[] lossAndGrad(Slab params, int members, Batch batch, Slab grads) {
        try (Tape t = new Tape()) {
            Map<String, Var> w = PopulationParams.bind(t, params, layout(), members);
            Var losses = forward(w, t.constant(batch.x()), batch);
            PopulationParams.gradients(w, t.backward(losses.sumAll()), grads, layout(), members);
            return losses.value().toDoubleArray();
        }
    }

    @Override public double[] loss(Slab params, int members, Batch batch) {
        try (Tape t = new Tape(); var ng = t.noGrad()) {
            Map<String, Var> w = PopulationParams.bind(t, params, layout(), members);
            return forward(w, t.constant(batch.x()), batch).value().toDoubleArray();
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    @Override public double normalize(double loss) {
        double cap = autoencoder ? 1 : 1.5 * Math.log(10);
        return Double.isFinite(loss) ? Math.max(0, Math.min(cap, loss)) : cap;
    }

    /** The hidden sizes, for descriptions. */
    public List<Integer> hidden() {
        int[] s = mlp.sizes();
        return java.util.Arrays.stream(s, 0, s.length - 1).boxed().toList();
    }
}
