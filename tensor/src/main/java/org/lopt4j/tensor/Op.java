package org.lopt4j.tensor;

/**
 * The closed set of primitive operations. Every backend implements each of them; everything else (softmax,
 * conv2d, layer norm, ...) is a composite in {@link Nn}. A new case breaks every backend's switch at compile time.
 *
 * <p>Calling convention of {@link Backend#execute}: elementwise inputs arrive already broadcast to the output's
 * shape (stride 0 on broadcast axes); a reduction's output has the input's rank with size 1 on reduced axes;
 * outputs may be strided views.
 */
public sealed interface Op permits Op.Unary, Op.Binary, Op.Reduce, Op.Where, Op.MatMul, Op.Gather, Op.Copy,
        Op.Fill, Op.Random {

    /** {@code out = f(in0)}. */
    enum Unary implements Op { NEG, RECIP, EXP, LOG, SQRT, TANH, ABS, SIGN }

    /** {@code out = f(in0, in1)}; CMPLT and CMPEQ give 1 or 0 in the output's dtype. */
    enum Binary implements Op { ADD, SUB, MUL, DIV, MAX, MIN, CMPLT, CMPEQ }

    /** Reduce {@code in0} over the axes where the output has size 1 and the input does not. */
    enum Reduce implements Op { SUM, MAX }

    /** {@code out = in0 != 0 ? in1 : in2}. */
    record Where() implements Op {}

    /**
     * {@code out[b] = op(in0[b]) @ op(in1[b])} over leading batch axes (already broadcast), where op transposes the
     * last two axes when the flag is set. Inputs are {@code [..., M, K]} and {@code [..., K, N]} after op.
     */
    record MatMul(boolean ta, boolean tb) implements Op {
        public static final MatMul NN = new MatMul(false, false);
    }

    /** {@code out[i, ...] = in0[index(in1[i]), ...]}: rows of a table picked by an index vector (I32 or float). */
    record Gather() implements Op {}

    /** {@code out = in0}, converting the dtype when they differ. */
    record Copy() implements Op {}

    /** {@code out = value}. */
    record Fill(double value) implements Op {}

    /** Fills {@code out}, in row-major element order, with counter-based random numbers from {@code key}. */
    record Random(RandomKey key, Dist dist) implements Op {}

    /** Distributions of {@link Random}. Truncated normal is the standard normal restricted to [-2, 2]. */
    enum Dist { UNIFORM, NORMAL, TRUNCATED_NORMAL }

    /** The number of inputs {@link Backend#execute} takes for this op. */
    default int arity() {
        return switch (this) {
            case Unary u -> 1;
            case Binary b -> 2;
            case Where w -> 3;
            case Copy c -> 1;
            case Fill f -> 0;
            case Reduce r -> 1;
            case MatMul m -> 2;
            case Gather g -> 2;
            case Random r -> 0;
        };
    }
}
