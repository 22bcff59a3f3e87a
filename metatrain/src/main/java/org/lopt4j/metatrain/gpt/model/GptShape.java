package org.lopt4j.metatrain.gpt.model;

/**
 * The size of a G.pt model (gpt_checkpoints.md §3): model width {@code dim}, {@code layers} pre-LN blocks of
 * {@code heads}-head full attention, parameter tokens of {@code chunk} values, and whether it predicts the signal x0
 * (G.pt's choice) or the noise ε (the ablation).
 */
public record GptShape(int dim, int layers, int heads, int chunk, boolean predictX0) {
    public GptShape {
        if (dim < 1 || layers < 1 || heads < 1 || chunk < 1) throw new IllegalArgumentException("G.pt sizes must be positive: " + dim + ", " + layers + ", " + heads + ", " + chunk);
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not divisible by " + heads + " heads");
    }

    /** G.pt-nano (§7): width 64, 4 blocks, 4 heads, chunks of 256, x0-prediction. */
    public static GptShape nano() { return new GptShape(64, 4, 4, 256, true); }
}
