package org.lopt4j.metatrain.task;

import java.nio.file.Path;
import java.util.List;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;

/**
 * Character-level language models on Tiny Shakespeare with sampled architecture ({@link CharLmTask}): LSTM or
 * transformer, width, transformer depth in [1, maxLayers], window length and batch size from the given choices.
 */
public record CharLmFamily(String name, CharLmTask.Kind[] kinds, int[] widths, int maxLayers, int[] seqs, int[] batchSizes, Path dataDir)
        implements TaskFamily {
    public CharLmFamily {
        for (int w : widths) if (w % 4 != 0) throw new IllegalArgumentException("char-LM widths must be multiples of 4 (4 attention heads), got " + w);
    }

    private static double u(RandomKey k, int i) { return k.sample(Op.Dist.UNIFORM, DType.F64, i); }

    private static int pick(int[] a, double u) { return a[(int) (u * a.length)]; }

    @Override public Task sample(RandomKey key) {
        CharLmTask.Kind kind = kinds[(int) (u(key, 0) * kinds.length)];
        int width = pick(widths, u(key, 1));
        int layers = kind == CharLmTask.Kind.LSTM ? 1 : 1 + (int) (u(key, 2) * maxLayers);
        int seq = pick(seqs, u(key, 3));
        int bs = pick(batchSizes, u(key, 4));
        String n = (kind == CharLmTask.Kind.LSTM ? "RNNLM_TinyShakespeare_LSTM" + width : "TransformerLM_TinyShakespeare_" + layers + "L" + width)
                + "_Seq" + seq + "_bs" + bs;
        return new CharLmTask(n, kind, bs, seq, width, layers, dataDir);
    }

    @Override public List<Task> dataSamples() {
        return List.of(new CharLmTask("CharLM_TinyShakespeare", kinds[0], batchSizes[0], seqs[0], widths[0], 1, dataDir));
    }
}
