package org.lopt4j.metatrain.task;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.lopt4j.metatrain.task.ImageMlpTask.Activation;

/**
 * The named task families multi-task meta-training draws from (tasks.md's parametric families), each with its
 * {@link LossScale}. All but {@code mlp28_family} (28×28 Fashion-MNIST, from a data directory) run on the embedded
 * data. None of them can draw a task of the held-out suite ({@code lopt4j suite}): the MLPs are at 8×8, 14×14 and on
 * 28×28 Fashion-MNIST (the suite's at 16×16 and on 28×28 MNIST), the convs on 8×8 MNIST (the suite's on
 * Fashion-MNIST), the autoencoders on MNIST, the char-LMs narrower than 64 (the suite's are 64 wide).
 * <p>
 * The loss scales are the mean, over 4 tasks of each family (keys 0–3), of the initial training loss and of the
 * loss the envelope of Adam at 5 learning rates (1e-3 … 1e-1, 1 seed) reaches in 1,000 steps: tasks.md §5's procedure
 * at reduced size, measured by {@code lopt4j tasks --measure-scales}.
 */
public final class TaskFamilies {
    private TaskFamilies() {}

    /** A family: what it draws, how to build it on a data directory, and its loss scale. */
    public record Entry(String description, Function<Path, TaskFamily> make, LossScale scale) {}

    private static final Activation[] ACTS = {Activation.RELU, Activation.TANH, Activation.GELU};

    private static Map<String, Entry> registry() {
        Map<String, Entry> m = new LinkedHashMap<>();
        m.put("mlp_family", new Entry("image MLPs on 8x8 Fashion-MNIST or MNIST: 1-3 hidden layers of 16..128, ReLU/tanh/GELU, batch 64 or 128",
                d -> new ImageMlpFamily("mlp_family", new String[] {"fashion_mnist", "mnist"}, new int[] {8}, 1, 3, 16, 128, ACTS, new int[] {64, 128}, false, d),
                new LossScale(2.3203, 0.4056)));
        m.put("mlp14_family", new Entry("image MLPs on 14x14 MNIST: 1-3 hidden layers of 32..128, ReLU/tanh/GELU, batch 64 or 128",
                d -> new ImageMlpFamily("mlp14_family", new String[] {"mnist"}, new int[] {14}, 1, 3, 32, 128, ACTS, new int[] {64, 128}, false, d),
                new LossScale(2.3118, 0.1124)));
        m.put("mlp28_family", new Entry("image MLPs on 28x28 Fashion-MNIST (needs --data-dir): 1-3 hidden layers of 32..128, ReLU/tanh/GELU, batch 64 or 128",
                d -> new ImageMlpFamily("mlp28_family", new String[] {"fashion_mnist"}, new int[] {28}, 1, 3, 32, 128, ACTS, new int[] {64, 128}, false, d),
                new LossScale(2.3021, 0.3428)));
        m.put("mlp_ae_family", new Entry("MLP autoencoders on 8x8 or 14x14 MNIST: 1-3 hidden layers of 16..64, ReLU/tanh/GELU, batch 64 or 128",
                d -> new ImageMlpFamily("mlp_ae_family", new String[] {"mnist"}, new int[] {8, 14}, 1, 3, 16, 64, ACTS, new int[] {64, 128}, true, d),
                new LossScale(0.2194, 0.0136)));
        m.put("conv_family", new Entry("conv nets on 8x8 MNIST: 1-3 layers of 8, 12, 16 or 24 channels, batch 64 or 128",
                d -> new ConvFamily("conv_family", new String[] {"mnist"}, new int[] {8}, 1, 3, new int[] {8, 12, 16, 24}, new int[] {64, 128}, d),
                new LossScale(2.3105, 0.3641)));
        m.put("charlm_family", new Entry("char-LMs on Tiny Shakespeare: LSTM or 1-2 layer transformer, width 16..48, window 16 or 24, batch 16 or 32",
                d -> new CharLmFamily("charlm_family", new CharLmTask.Kind[] {CharLmTask.Kind.LSTM, CharLmTask.Kind.TRANSFORMER}, new int[] {16, 24, 32, 48},
                        2, new int[] {16, 24}, new int[] {16, 32}, d),
                new LossScale(4.4635, 2.0339)));
        return m;
    }

    /** The registered families, in listing order. */
    public static List<String> names() { return List.copyOf(registry().keySet()); }

    /** The family called {@code name}, or null when none is. */
    public static Entry entry(String name) { return registry().get(name); }
}
