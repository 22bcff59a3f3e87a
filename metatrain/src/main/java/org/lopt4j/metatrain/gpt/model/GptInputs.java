package org.lopt4j.metatrain.gpt.model;

import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Tensor;

/**
 * One batch of G.pt inputs as the padded tables {@link Gpt#forward} reads: the token table {@code [T, B, width]}
 * (x_t's K tokens, x_prev's K tokens, then the embedded t, l_target − l_prev, l_target, l_prev) and x_prev again as
 * {@code [K, B, chunk]} for the residual. Vectors are already scaled by the dataset's coefficient.
 */
public final class GptInputs {
    private final Gpt gpt;
    private final int rows;
    private final float[] tokens, prev;

    public GptInputs(Gpt gpt, int rows) {
        this.gpt = gpt;
        this.rows = rows;
        this.tokens = new float[gpt.tokens() * rows * gpt.width()];
        this.prev = new float[gpt.split().count() * rows * gpt.split().width()];
    }

    public int rows() { return rows; }

    /** Sets row {@code r}: the noised target, the starting vector, the diffusion step and the two metrics. */
    public GptInputs set(int r, float[] xt, float[] xPrev, int t, double lTarget, double lPrev) {
        TokenSplit s = gpt.split();
        int k = s.count(), w = gpt.width();
        setNoised(r, xt);
        s.scatter(xPrev, 1, tokens, rows, w, k, r);
        s.scatter(xPrev, 1, prev, rows, s.width(), 0, r);
        double[] scalars = {t, lTarget - lPrev, lTarget, lPrev};
        for (int i = 0; i < Gpt.SCALARS; i++) gpt.scalars().embed(scalars[i], tokens, ((2 * k + i) * rows + r) * w);
        return this;
    }

    /** Replaces row {@code r}'s noised target (and keeps the rest), as each sampling step does. */
    public void setNoised(int r, float[] xt) { gpt.split().scatter(xt, 1, tokens, rows, gpt.width(), 0, r); }

    /** Replaces row {@code r}'s diffusion step. */
    public void setStep(int r, int t) { gpt.scalars().embed(t, tokens, ((2 * gpt.split().count()) * rows + r) * gpt.width()); }

    public Tensor tokens(Backend b) { return Tensor.of(b, tokens, gpt.tokens(), rows, gpt.width()); }

    public Tensor previous(Backend b) { return Tensor.of(b, prev, gpt.split().count(), rows, gpt.split().width()); }

    /** {@code vectors} (one per row) as padded tokens {@code [K, B, chunk]}, e.g. the x0 targets of the loss. */
    public static Tensor padded(Gpt gpt, float[][] vectors, Backend b) {
        TokenSplit s = gpt.split();
        float[] out = new float[s.count() * vectors.length * s.width()];
        for (int r = 0; r < vectors.length; r++) s.scatter(vectors[r], 1, out, vectors.length, s.width(), 0, r);
        return Tensor.of(b, out, s.count(), vectors.length, s.width());
    }

    /** 1 where a padded token position holds a value: {@code [K, 1, chunk]}. */
    public static Tensor mask(Gpt gpt, Backend b) {
        TokenSplit s = gpt.split();
        float[] m = new float[s.count() * s.width()];
        for (int j = 0; j < s.count(); j++) java.util.Arrays.fill(m, j * s.width(), j * s.width() + s.lengths()[j], 1f);
        return Tensor.of(b, m, s.count(), 1, s.width());
    }
}
