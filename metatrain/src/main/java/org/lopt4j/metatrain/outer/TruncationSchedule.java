package org.lopt4j.metatrain.outer;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;

/**
 * How long an inner episode runs before the truncated step resets it (outer_training.md §3): a length drawn when an
 * episode starts, and "done" once the episode's step count reaches it.
 */
public sealed interface TruncationSchedule {
    /** The length of a new episode. */
    int sampleLength(RandomKey key);

    /** Whether an episode of {@code length} is over after {@code step} training steps. */
    default boolean done(int length, int step) { return step >= length; }

    /** Every episode has {@code length} steps. */
    record Constant(int length) implements TruncationSchedule {
        public Constant {
            if (length < 1) throw new IllegalArgumentException("truncation length must be ≥ 1, got " + length);
        }

        @Override public int sampleLength(RandomKey key) { return length; }
    }

    /** {@code int(exp(U[log lo, log hi)))}, truncated toward zero, drawn per episode. */
    record LogUniform(int lo, int hi) implements TruncationSchedule {
        public LogUniform {
            if (lo < 1 || hi < lo) throw new IllegalArgumentException("log-uniform lengths need 1 ≤ lo ≤ hi, got " + lo + ", " + hi);
        }

        @Override public int sampleLength(RandomKey key) {
            double u = key.sample(Op.Dist.UNIFORM, DType.F64, 0);
            return Math.max(1, (int) Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))));
        }
    }

    /** Episodes never end (full ES manages its own lengths). */
    record NeverEnding() implements TruncationSchedule {
        @Override public int sampleLength(RandomKey key) { return Integer.MAX_VALUE; }

        @Override public boolean done(int length, int step) { return false; }
    }

    /** Parses {@code constant:L}, {@code loguniform:LO:HI} or {@code never}. */
    static TruncationSchedule parse(String s) {
        String[] p = s.trim().toLowerCase(java.util.Locale.ROOT).split(":");
        try {
            return switch (p[0]) {
                case "constant" -> new Constant(Integer.parseInt(p[1]));
                case "loguniform" -> new LogUniform(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                case "never" -> new NeverEnding();
                default -> throw new IllegalArgumentException("unknown truncation schedule '" + s + "'");
            };
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("truncation schedule '" + s + "': expected constant:L, loguniform:LO:HI or never");
        }
    }

    /** The form {@link #parse} reads. */
    static String format(TruncationSchedule s) {
        return switch (s) {
            case Constant c -> "constant:" + c.length();
            case LogUniform l -> "loguniform:" + l.lo() + ":" + l.hi();
            case NeverEnding n -> "never";
        };
    }
}
