package org.lopt4j.metatrain.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.SelfAttention;
import org.lopt4j.autodiff.nn.Embedding;
import org.lopt4j.autodiff.nn.Init;
import org.lopt4j.autodiff.nn.LayerNorm;
import org.lopt4j.autodiff.nn.Linear;
import org.lopt4j.autodiff.nn.LstmCell;
import org.lopt4j.autodiff.nn.Mlp;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.ParamSpec;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.CharText;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;

/**
 * Character-level language models on Tiny Shakespeare (lopt4j's stand-in for the LM1B byte tasks): an LSTM or a small
 * pre-norm transformer over windows of {@code seq} characters; loss = mean next-character cross-entropy. The corpus
 * comes from {@code dataDir/tinyshakespeare/input.txt}, or the embedded copy when {@code dataDir} is null.
 */
public final class CharLmTask extends BatchedModelTask {
    /** The model family. */
    public enum Kind { LSTM, TRANSFORMER }

    private final String name;
    private final Kind kind;
    private final int batch, seq, width, layers;
    private final Path dataDir;
    private CharText text;

    public CharLmTask(String name, Kind kind, int batch, int seq, int width, int layers, Path dataDir) {
        super(model(kind, seq, width, layers));
        this.name = name;
        this.kind = kind;
        this.batch = batch;
        this.seq = seq;
        this.width = width;
        this.layers = layers;
        this.dataDir = dataDir;
    }

    static final int VOCAB = 65;

    private static Model model(Kind kind, int seq, int width, int layers) {
        List<ParamSpec> p = new ArrayList<>(new Embedding("embed", VOCAB, width).params());
        if (kind == Kind.LSTM) {
            p.addAll(new LstmCell("lstm", width, width).params());
        } else {
            p.add(new ParamSpec("pos_embed", Shape.of(seq, width), new Init.TruncatedNormal(0.02)));
            for (int l = 0; l < layers; l++) {
                p.addAll(new LayerNorm("block_" + l + "/ln_1", width).params());
                p.addAll(new SelfAttention("block_" + l + "/attn", width, 4, true).params());
                p.addAll(new LayerNorm("block_" + l + "/ln_2", width).params());
                p.addAll(new Mlp("block_" + l + "/mlp", width, new int[] {4 * width, width}).params());
            }
            p.addAll(new LayerNorm("ln_f", width).params());
        }
        p.addAll(new Linear("head", width, VOCAB, true).params());
        return new Model(p);
    }

    private synchronized CharText text() {
        if (text == null) {
            try {
                text = org.lopt4j.metatrain.data.Datasets.text(org.lopt4j.metatrain.data.Datasets.TINY_SHAKESPEARE,
                        org.lopt4j.metatrain.data.DataSource.of(dataDir));
            } catch (IOException e) {
                throw new UncheckedIOException("task " + name + ": " + e.getMessage(), e);
            }
            if (text.vocabSize() != VOCAB) throw new IllegalStateException("Tiny Shakespeare: vocabulary of " + text.vocabSize() + " characters, expected " + VOCAB);
        }
        return text;
    }

    @Override public String name() { return name; }
    @Override public int batchSize() { return batch; }

    /** Window starts available in the split (train: first 90 %, otherwise the last 10 %). */
    @Override public int examples(Split split) {
        CharText t = text();
        return split == Split.TRAIN ? t.trainEnd() - seq - 1 : t.ids().length - t.trainEnd() - seq - 1;
    }

    @Override public Batch batch(Backend backend, Split split, int[][] idx) {
        CharText t = text();
        int off = split == Split.TRAIN ? 0 : t.trainEnd();
        int p = idx.length, b = idx[0].length;
        int[] x = new int[p * b * seq], y = new int[p * b * seq];
        for (int m = 0; m < p; m++) {
            for (int i = 0; i < b; i++) {
                int start = off + idx[m][i], at = (m * b + i) * seq;
                System.arraycopy(t.ids(), start, x, at, seq);
                System.arraycopy(t.ids(), start + 1, y, at, seq);
            }
        }
        return new Batch(Tensor.of(backend, x, p, b, seq), Tensor.of(backend, y, p, b, seq));
    }

    @Override protected Var memberLosses(Params p, Tape tape, Batch b) {
        int members = b.x().dim(0);
        Var e = new Embedding("embed", VOCAB, width).apply(p, b.x());          // [P, B, T, W]
        Var h;
        if (kind == Kind.LSTM) {
            LstmCell cell = new LstmCell("lstm", width, width);
            Var zero = tape.constant(Tensor.zeros(b.x().backend(), org.lopt4j.tensor.DType.F32, Shape.of(members, batch, width)));
            LstmCell.State s = new LstmCell.State(zero, zero);
            List<Var> outs = new ArrayList<>();
            for (int t = 0; t < seq; t++) {
                s = cell.step(p, e.slice(2, t, t + 1, 1).reshape(members, batch, width), s);
                outs.add(s.h().unsqueeze(2));
            }
            h = outs.get(0).cat(2, outs.subList(1, outs.size()));
        } else {
            h = e.add(p.get("pos_embed").unsqueeze(1));
            for (int l = 0; l < layers; l++) {
                String n = "block_" + l;
                h = h.add(new SelfAttention(n + "/attn", width, 4, true).apply(p, new LayerNorm(n + "/ln_1", width).apply(p, h)));
                Var z = new LayerNorm(n + "/ln_2", width).apply(p, h);
                Mlp mlp = new Mlp(n + "/mlp", width, new int[] {4 * width, width});
                var ls = mlp.layers();
                z = ls.get(1).apply(p, Nn.gelu(ls.get(0).apply(p, z)));
                h = h.add(z);
            }
            h = new LayerNorm("ln_f", width).apply(p, h);
        }
        Var logits = new Linear("head", width, VOCAB, true).apply(p, h);      // [P, B, T, V]
        return crossEntropyPerMember(logits.reshape(members, batch * seq, VOCAB), b.y().reshape(members, batch * seq));
    }

    @Override public double normalize(double loss) { return Double.isFinite(loss) ? Math.max(0, Math.min(1.5 * Math.log(VOCAB), loss)) : 1.5 * Math.log(VOCAB); }
}
