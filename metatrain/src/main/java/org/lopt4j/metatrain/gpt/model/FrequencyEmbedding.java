package org.lopt4j.metatrain.gpt.model;

/**
 * G.pt's scalar embedding (gpt_checkpoints.md §3): frequencies {@code f_k = 2^(maxLog2·k/(n−1))}, k = 0..n−1, and
 * {@code emb(s) = [sin(f·s), cos(f·s), s]}, {@code 2n + 1} values.
 */
public record FrequencyEmbedding(int frequencies, double maxLog2) {
    /** The configuration every G.pt recipe uses: 128 frequencies up to 2^14 (257 values). */
    public static final FrequencyEmbedding GPT = new FrequencyEmbedding(128, 14);

    /** Values per embedded scalar. */
    public int width() { return 2 * frequencies + 1; }

    /** Writes {@code emb(s)} into {@code out} at {@code at}. */
    public void embed(double s, float[] out, int at) {
        for (int k = 0; k < frequencies; k++) {
            double f = Math.pow(2, maxLog2 * k / (frequencies - 1)) * s;
            out[at + k] = (float) Math.sin(f);
            out[at + frequencies + k] = (float) Math.cos(f);
        }
        out[at + 2 * frequencies] = (float) s;
    }
}
