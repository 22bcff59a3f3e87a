package org.lopt4j.metatrain.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Conv2d;
import org.lopt4j.autodiff.nn.Linear;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.ParamSpec;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.Datasets;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Tensor;

/**
 * learned_optimization's small conv nets ({@code Conv_*}): 3×3 SAME convolutions with bias, stride 2 on the first
 * and 1 after, ReLU after each, global mean pool, linear head, softmax cross-entropy.
 */
public final class ConvTask extends BatchedModelTask {
    private final String name, dataset;
    private final int size, batch;
    private final Path dataDir;
    private final List<Conv2d> convs;
    private final Linear head;

    public ConvTask(String name, String dataset, int size, int[] channels, int batch, Path dataDir) {
        super(model(channels));
        this.name = name;
        this.dataset = dataset;
        this.size = size;
        this.batch = batch;
        this.dataDir = dataDir;
        this.convs = convs(channels);
        this.head = new Linear("linear", channels[channels.length - 1], 10, true);
    }

    private static List<Conv2d> convs(int[] ch) {
        List<Conv2d> l = new ArrayList<>();
        for (int i = 0; i < ch.length; i++) l.add(new Conv2d(i == 0 ? "conv2_d" : "conv2_d_" + i, 3, i == 0 ? 1 : ch[i - 1], ch[i], i == 0 ? 2 : 1, true));
        return l;
    }

    private static Model model(int[] ch) {
        List<ParamSpec> p = new ArrayList<>();
        for (Conv2d c : convs(ch)) p.addAll(c.params());
        p.addAll(new Linear("linear", ch[ch.length - 1], 10, true).params());
        return new Model(p);
    }

    @Override public String name() { return name; }
    @Override public int batchSize() { return batch; }

    ImageDataset data(Split split) {
        try {
            return Datasets.image(dataset, size, split, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("task " + name + ": " + e.getMessage(), e);
        }
    }

    @Override public int examples(Split split) { return data(split).n(); }

    @Override public Batch batch(Backend backend, Split split, int[][] idx) { return data(split).batch(backend, idx); }

    @Override protected Var memberLosses(Params p, Tape tape, Batch b) {
        Var h = tape.constant(b.x());                          // [P, B, H, W, 1]
        for (Conv2d c : convs) h = Nn.relu(c.apply(p, h));
        return crossEntropyPerMember(head.apply(p, h.mean(2, 3)), b.y());
    }

    /** tasks.md §3: clip(L, 0, 1.5·ln C), NaN to the cap, so one diverged conv net cannot outweigh a meta-batch. */
    @Override public double normalize(double loss) {
        double cap = 1.5 * Math.log(10);
        return Double.isFinite(loss) ? Math.max(0, Math.min(cap, loss)) : cap;
    }
}
