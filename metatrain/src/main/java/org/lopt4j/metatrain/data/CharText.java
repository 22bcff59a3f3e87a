package org.lopt4j.metatrain.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Tensor;

/**
 * A character-level language-modelling corpus (Tiny Shakespeare): vocabulary = the sorted distinct characters, the
 * first 90 % of characters for training and the last 10 % for validation; batches are random windows.
 */
public record CharText(String vocab, int[] ids, int trainEnd) {
    public static CharText read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataFormatException(file, "no such file (expected a plain-text corpus)");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.length() < 2) throw new DataFormatException(file, "corpus has " + text.length() + " characters");
        TreeSet<Character> chars = new TreeSet<>();
        for (char c : text.toCharArray()) chars.add(c);
        StringBuilder v = new StringBuilder();
        chars.forEach(v::append);
        String vocab = v.toString();
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocab.indexOf(text.charAt(i));
        return new CharText(vocab, ids, (int) (0.9 * ids.length));
    }

    public int vocabSize() { return vocab.length(); }

    /**
     * {@code b} windows of {@code t + 1} characters from the train (or validation) part, starts drawn from {@code key}:
     * inputs {@code [b, t]} and next-character targets {@code [b, t]}, I32.
     */
    public Batch batch(Backend backend, int b, int t, boolean train, RandomKey key) {
        int lo = train ? 0 : trainEnd, hi = train ? trainEnd : ids.length;
        int span = hi - lo - t - 1;
        if (span <= 0) throw new IllegalArgumentException("windows of " + (t + 1) + " do not fit in " + (hi - lo) + " characters");
        int[] x = new int[b * t], y = new int[b * t];
        for (int i = 0; i < b; i++) {
            int start = lo + (int) (key.sample(org.lopt4j.tensor.Op.Dist.UNIFORM, org.lopt4j.tensor.DType.F64, i) * span);
            System.arraycopy(ids, start, x, i * t, t);
            System.arraycopy(ids, start + 1, y, i * t, t);
        }
        return new Batch(Tensor.of(backend, x, b, t), Tensor.of(backend, y, b, t));
    }
}
