package org.lopt4j.metatrain.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Tensor;

/**
 * A character-level language-modelling corpus (Tiny Shakespeare): vocabulary = the sorted distinct characters (UTF-16
 * units), ids = positions in it; the first 90 % of characters ({@code [0, trainEnd)}) for training and the last 10 %
 * for validation. Batches are windows of {@code t + 1} characters at random starts.
 */
public record CharText(String vocab, int[] ids, int trainEnd) {
    public CharText {
        if (trainEnd <= 0 || trainEnd >= ids.length) throw new IllegalArgumentException("train end " + trainEnd + " outside (0, " + ids.length + ")");
    }

    /** Reads a UTF-8 text file. */
    public static CharText read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataFormatException(file, "no such file (expected a plain-text corpus)");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.length() < 20) throw new DataFormatException(file, "corpus has " + text.length() + " characters, expected at least 20");
        return of(text, file.toString());
    }

    /** The corpus {@code text}; {@code origin} names it in errors. */
    public static CharText of(String text, String origin) {
        if (text.length() < 20) throw new IllegalArgumentException(origin + ": corpus has " + text.length() + " characters, expected at least 20");
        TreeSet<Character> chars = new TreeSet<>();
        for (int i = 0; i < text.length(); i++) chars.add(text.charAt(i));
        StringBuilder v = new StringBuilder();
        chars.forEach(v::append);
        String vocab = v.toString();
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocab.indexOf(text.charAt(i));
        return new CharText(vocab, ids, (int) (0.9 * ids.length));
    }

    public int vocabSize() { return vocab.length(); }

    /** The characters of ids {@code [from, to)}. */
    public String decode(int from, int to) {
        StringBuilder b = new StringBuilder(to - from);
        for (int i = from; i < to; i++) b.append(vocab.charAt(ids[i]));
        return b.toString();
    }

    /** Characters of the training part (true) or the validation part (false). */
    public int length(boolean train) { return train ? trainEnd : ids.length - trainEnd; }

    /**
     * {@code b} windows of {@code t + 1} characters inside the train (or validation) part, window i starting at
     * {@code floor(u_i · (length − t))} with {@code u_i} element i of {@code key}'s F64 uniform stream: inputs
     * {@code [b, t]} and next-character targets {@code [b, t]}, I32.
     */
    public Batch batch(Backend backend, int b, int t, boolean train, RandomKey key) {
        int lo = train ? 0 : trainEnd, starts = length(train) - t;
        if (b <= 0 || t <= 0) throw new IllegalArgumentException("batch " + b + " of windows " + t + ": both must be positive");
        if (starts <= 0) throw new IllegalArgumentException("windows of " + (t + 1) + " do not fit in " + length(train) + " characters");
        int[] x = new int[b * t], y = new int[b * t];
        for (int i = 0; i < b; i++) {
            int start = lo + (int) (key.sample(Op.Dist.UNIFORM, DType.F64, i) * starts);
            System.arraycopy(ids, start, x, i * t, t);
            System.arraycopy(ids, start + 1, y, i * t, t);
        }
        return new Batch(Tensor.of(backend, x, b, t), Tensor.of(backend, y, b, t));
    }
}
