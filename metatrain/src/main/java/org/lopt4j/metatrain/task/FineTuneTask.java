package org.lopt4j.metatrain.task;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * Fine-tuning a pretrained conv net (narrowing_l3rs.md §3): a {@link ConvTask}'s model on the examples of some classes
 * of its dataset, every member starting from the same pretrained body (the conv layers) with a head drawn fresh from
 * its own key. Without a body it trains from scratch, which is how the body is pretrained.
 */
public final class FineTuneTask extends BatchedModelTask {
    private final String name;
    private final ConvTask base;
    private final int[] classes;
    private final Map<String, float[]> body;
    private final Map<Split, ImageDataset> data = new ConcurrentHashMap<>();

    /**
     * @param classes the labels kept (all others are dropped from every split)
     * @param body    pretrained values by tensor name of {@code base}'s layout, or an empty map for training from scratch
     */
    public FineTuneTask(String name, ConvTask base, int[] classes, Map<String, float[]> body) {
        super(base.model);
        this.name = name;
        this.base = base;
        this.classes = classes.clone();
        this.body = Map.copyOf(body);
        SlabLayout l = base.layout();
        for (var e : this.body.entrySet()) {
            if (!l.names().contains(e.getKey())) throw new IllegalArgumentException(name + ": the pretrained body's tensor '" + e.getKey() + "' is not in " + l.names());
            int want = l.shape(l.index(e.getKey())).numel();
            if (e.getValue().length != want) {
                throw new IllegalArgumentException(name + ": pretrained '" + e.getKey() + "' has " + e.getValue().length + " values, the model " + want);
            }
        }
    }

    @Override public String name() { return name; }
    @Override public int batchSize() { return base.batchSize(); }

    /** This task with another pretrained body (e.g. one pretrained from another seed), under {@code name}. */
    public FineTuneTask withBody(String name, Map<String, float[]> otherBody) { return new FineTuneTask(name, base, classes, otherBody); }

    /** The labels this task keeps. */
    public int[] classes() { return classes.clone(); }

    /** The names of the pretrained tensors (empty when training from scratch). */
    public java.util.Set<String> pretrained() { return body.keySet(); }

    private ImageDataset data(Split split) { return data.computeIfAbsent(split, s -> base.data(s).withClasses(classes)); }

    @Override public int examples(Split split) { return data(split).n(); }

    @Override public Batch batch(Backend backend, Split split, int[][] idx) { return data(split).batch(backend, idx); }

    /** The model's initialization from {@code key.child(m)}, then the pretrained body over it in every member. */
    @Override public Slab init(RandomKey key, Backend backend, int members) {
        Slab pop = super.init(key, backend, members);
        SlabLayout one = layout();
        for (var e : body.entrySet()) {
            int i = one.index(e.getKey()), n = e.getValue().length;
            org.lopt4j.tensor.Tensor values = org.lopt4j.tensor.Tensor.of(backend, e.getValue(), n);
            for (int m = 0; m < members; m++) pop.flat().slice(0, m * one.size() + one.offset(i), m * one.size() + one.offset(i) + n, 1).assign(values);
        }
        return pop;
    }

    @Override protected Var memberLosses(Params p, Tape tape, Batch b) { return base.memberLosses(p, tape, b); }

    @Override public double normalize(double loss) { return base.normalize(loss); }

    @Override public String toString() { return name + " (classes " + Arrays.toString(classes) + ", " + (body.isEmpty() ? "from scratch" : "pretrained " + body.keySet()) + ")"; }
}
