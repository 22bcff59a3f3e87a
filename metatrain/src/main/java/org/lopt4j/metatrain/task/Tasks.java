package org.lopt4j.metatrain.task;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lopt4j.metatrain.task.ImageMlpTask.Activation;
import org.lopt4j.tensor.RandomKey;

/**
 * The fixed tasks by learned_optimization's names and shapes (tasks.md §4), plus lopt4j's conv and Tiny Shakespeare
 * stand-ins, and the fine-tuning tasks of a conv net pretrained on MNIST digits 0–4 ({@link PretrainedConv}). Tasks at 8×8 and 16×16 Fashion-MNIST and the Tiny Shakespeare models run on the embedded data; the 28×28
 * tasks need {@code dataDir} with the IDX files ({@code mnist/}, {@code fashion-mnist/}).
 */
public final class Tasks {
    private Tasks() {}

    private static Map<String, Function<Path, Task>> registry() {
        Map<String, Function<Path, Task>> m = new LinkedHashMap<>();
        m.put("ImageMLP_FashionMnist8_Relu32", d -> new ImageMlpTask("ImageMLP_FashionMnist8_Relu32", "fashion_mnist", 8, new int[] {32}, Activation.RELU, 128, false, d));
        m.put("ImageMLP_FashionMnist16_Relu32", d -> new ImageMlpTask("ImageMLP_FashionMnist16_Relu32", "fashion_mnist", 16, new int[] {32}, Activation.RELU, 128, false, d));
        m.put("ImageMLP_FashionMnist_Relu128x128", d -> new ImageMlpTask("ImageMLP_FashionMnist_Relu128x128", "fashion_mnist", 28, new int[] {128, 128}, Activation.RELU, 128, false, need(d)));
        m.put("ImageMLP_Mnist_128x128x128_Relu", d -> new ImageMlpTask("ImageMLP_Mnist_128x128x128_Relu", "mnist", 28, new int[] {128, 128, 128}, Activation.RELU, 128, false, need(d)));
        m.put("ImageMLPAE_Mnist_128x32x128_bs128", d -> new ImageMlpTask("ImageMLPAE_Mnist_128x32x128_bs128", "mnist", 28, new int[] {128, 32, 128}, Activation.RELU, 128, true, need(d)));
        m.put("ImageMLPAE_FashionMnist_128x32x128_bs128", d -> new ImageMlpTask("ImageMLPAE_FashionMnist_128x32x128_bs128", "fashion_mnist", 28, new int[] {128, 32, 128}, Activation.RELU, 128, true, need(d)));
        m.put("ImageMLPAE_FashionMnist8_32x8x32", d -> new ImageMlpTask("ImageMLPAE_FashionMnist8_32x8x32", "fashion_mnist", 8, new int[] {32, 8, 32}, Activation.RELU, 128, true, d));
        m.put("Conv_FashionMnist8_16x32", d -> new ConvTask("Conv_FashionMnist8_16x32", "fashion_mnist", 8, new int[] {16, 32}, 128, d));
        m.put("FineTune_Conv8_Mnist0to4_Mnist5to9", d -> new FineTuneTask("FineTune_Conv8_Mnist0to4_Mnist5to9",
                PretrainedConv.architecture("FineTune_Conv8_Mnist0to4_Mnist5to9", "mnist", d), new int[] {5, 6, 7, 8, 9}, PretrainedConv.shipped()));
        m.put("FineTune_Conv8_Mnist0to4_FashionMnist", d -> new FineTuneTask("FineTune_Conv8_Mnist0to4_FashionMnist",
                PretrainedConv.architecture("FineTune_Conv8_Mnist0to4_FashionMnist", "fashion_mnist", d), new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, PretrainedConv.shipped()));
        m.put("RNNLM_TinyShakespeare_LSTM64_Seq32", d -> new CharLmTask("RNNLM_TinyShakespeare_LSTM64_Seq32", CharLmTask.Kind.LSTM, 32, 32, 64, 1, d));
        m.put("TransformerLM_TinyShakespeare_2L64_Seq32", d -> new CharLmTask("TransformerLM_TinyShakespeare_2L64_Seq32", CharLmTask.Kind.TRANSFORMER, 16, 32, 64, 2, d));
        return m;
    }

    private static Path need(Path d) {
        if (d == null) throw new IllegalArgumentException("this task needs full-resolution IDX files: pass --data-dir (e.g. ../shared/data)");
        return d;
    }

    /** Names of all fixed tasks, in listing order. */
    public static java.util.List<String> names() { return java.util.List.copyOf(registry().keySet()); }

    /** A family's sample by name: {@code FAMILY#KEY}, e.g. {@code charlm_family#1} (the task `lopt4j tasks` lists at that key). */
    private static final Pattern SAMPLE = Pattern.compile("([A-Za-z0-9_]+)#([0-9]{1,9})");

    /** Whether {@code name} is a fixed task or a family's sample ({@code FAMILY#KEY}). */
    public static boolean exists(String name) {
        Matcher m = SAMPLE.matcher(name);
        return registry().containsKey(name) || (m.matches() && TaskFamilies.entry(m.group(1)) != null);
    }

    /**
     * The task called {@code name}: a fixed task, or {@code FAMILY#KEY} for the task a family draws at that key (so a
     * family's members can be trained and evaluated on their own); {@code dataDir} may be null for tasks on the
     * embedded data.
     */
    public static Task byName(String name, Path dataDir) {
        Matcher m = SAMPLE.matcher(name);
        if (m.matches()) {
            TaskFamilies.Entry e = TaskFamilies.entry(m.group(1));
            if (e == null) throw new IllegalArgumentException("unknown task family '" + m.group(1) + "' in '" + name + "'; families: " + TaskFamilies.names());
            return e.make().apply(dataDir).sample(RandomKey.of(Integer.parseInt(m.group(2))));
        }
        Function<Path, Task> f = registry().get(name);
        if (f == null) throw new IllegalArgumentException("unknown task '" + name + "'; see `lopt4j tasks` (a family's sample: FAMILY#KEY)");
        return f.apply(dataDir);
    }
}
