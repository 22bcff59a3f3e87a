package org.lopt4j.metatrain.gpt.model;

import java.util.ArrayList;
import java.util.List;

/**
 * G.pt's {@code chunk_within_layer} tokens (gpt_checkpoints.md §3): each layer's flat parameters are cut into chunks
 * of {@code chunk} values, the remainder is its own token, and no token spans two layers.
 *
 * @param offsets first value of each token in the flat vector
 * @param lengths values in each token (at most {@code chunk})
 */
public record TokenSplit(int chunk, int[] offsets, int[] lengths) {
    /** The split of a flat vector made of layers of {@code layerSizes} values, in order. */
    public static TokenSplit of(int[] layerSizes, int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("chunk must be positive, got " + chunk);
        List<int[]> tokens = new ArrayList<>();
        int at = 0;
        for (int size : layerSizes) {
            if (size < 1) throw new IllegalArgumentException("a layer has " + size + " values");
            for (int done = 0; done < size; done += chunk) tokens.add(new int[] {at + done, Math.min(chunk, size - done)});
            at += size;
        }
        return new TokenSplit(chunk, tokens.stream().mapToInt(t -> t[0]).toArray(), tokens.stream().mapToInt(t -> t[1]).toArray());
    }

    /** Tokens per parameter vector. */
    public int count() { return offsets.length; }

    /** Values in the vector. */
    public int parameters() { return offsets[count() - 1] + lengths[count() - 1]; }

    /** The widest token, the padded width of the token table. */
    public int width() {
        int w = 0;
        for (int l : lengths) w = Math.max(w, l);
        return w;
    }

    /**
     * Writes {@code vector} (P values, times {@code scale}) as tokens into {@code table} laid out {@code [tokens, rows,
     * width]}: token {@code firstToken + j} of row {@code row} holds chunk j, zero-padded to {@code width}.
     */
    public void scatter(float[] vector, double scale, float[] table, int rows, int width, int firstToken, int row) {
        if (vector.length != parameters()) throw new IllegalArgumentException("vector has " + vector.length + " values, the split expects " + parameters());
        for (int j = 0; j < count(); j++) {
            int base = ((firstToken + j) * rows + row) * width;
            for (int i = 0; i < lengths[j]; i++) table[base + i] = (float) (vector[offsets[j] + i] * scale);
        }
    }

    /** The inverse of {@link #scatter} for tokens {@code 0..count-1} of {@code row} of a {@code [count, rows, width]} table. */
    public float[] gather(float[] table, int rows, int width, int row) {
        float[] v = new float[parameters()];
        for (int j = 0; j < count(); j++) {
            int base = (j * rows + row) * width;
            for (int i = 0; i < lengths[j]; i++) v[offsets[j] + i] = table[base + i];
        }
        return v;
    }
}
