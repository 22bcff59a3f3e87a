package org.lopt4j.cuda;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.gpu.Dims;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;

/**
 * The numbers Java and the kernels must agree on: launch geometry fixed by a kernel's {@code #define}s and the codes
 * of the kernels' {@code enum}s (op, dtype, distribution). Each is declared here once, under its C name in
 * {@link #all()}, and KernelTwinsTest compares them with the .cu sources; the op codes come from exhaustive switches,
 * so a new {@link Op} case does not compile until it has a kernel code.
 */
public final class KernelConstants {
    /** {@code LOPT4J_MAX_RANK}: {@link org.lopt4j.gpu.Dims#MAX_RANK}. */
    static final int MAX_RANK = org.lopt4j.gpu.Dims.MAX_RANK;
    /** {@code SGEMM_BM} (matmul.cu): rows of the output tile one block computes. */
    static final int SGEMM_BM = 64;
    /** {@code SGEMM_BN} (matmul.cu): columns of the output tile one block computes. */
    static final int SGEMM_BN = 64;
    /** {@code SGEMM_THREADS} (matmul.cu): the block size matmul_sgemm requires (it traps on any other). */
    static final int SGEMM_THREADS = 256;

    private KernelConstants() {}

    /** {@code enum DTypeCode} (common.cuh); F64 is CPU-only. */
    static int dtype(DType d) {
        return switch (d) {
            case F32 -> 0;
            case I32 -> 1;
            case F64 -> throw new IllegalArgumentException("CUDA kernels take F32 and I32, not F64 (F64 is CPU-only)");
        };
    }

    /** {@code enum UnaryCode} (elementwise.cu). */
    static int unary(Op.Unary u) {
        return switch (u) {
            case NEG -> 0;
            case RECIP -> 1;
            case EXP -> 2;
            case LOG -> 3;
            case SQRT -> 4;
            case TANH -> 5;
            case ABS -> 6;
            case SIGN -> 7;
        };
    }

    /** {@code enum BinaryCode} (elementwise.cu). */
    static int binary(Op.Binary b) {
        return switch (b) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case MAX -> 4;
            case MIN -> 5;
            case CMPLT -> 6;
            case CMPEQ -> 7;
        };
    }

    /** {@code enum ReduceCode} (reduce.cu). */
    static int reduce(Op.Reduce r) {
        return switch (r) {
            case SUM -> 0;
            case MAX -> 1;
        };
    }

    /** {@code enum DistCode} (random.cu). */
    static int dist(Op.Dist d) {
        return switch (d) {
            case UNIFORM -> 0;
            case NORMAL -> 1;
            case TRUNCATED_NORMAL -> 2;
        };
    }

    /** {@code enum CopyCode} (elementwise.cu): how elementwise_copy converts {@code from} to {@code to}. */
    static int copy(DType from, DType to) {
        dtype(from);
        dtype(to);
        if (from == to) return 0;            // COPY_BITS
        return from == DType.F32 ? 1 : 2;    // COPY_F32_TO_I32 : COPY_I32_TO_F32
    }

    /** Every constant under its C name (a {@code #define} or an enumerator), for KernelTwinsTest. */
    public static Map<String, Integer> all() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("LOPT4J_MAX_RANK", MAX_RANK);
        m.put("SGEMM_BM", SGEMM_BM);
        m.put("SGEMM_BN", SGEMM_BN);
        m.put("SGEMM_THREADS", SGEMM_THREADS);
        m.put("DTYPE_F32", dtype(DType.F32));
        m.put("DTYPE_I32", dtype(DType.I32));
        for (Op.Unary u : Op.Unary.values()) m.put("UNARY_" + u.name(), unary(u));
        for (Op.Binary b : Op.Binary.values()) m.put("BINARY_" + b.name(), binary(b));
        for (Op.Reduce r : Op.Reduce.values()) m.put("REDUCE_" + r.name(), reduce(r));
        for (Op.Dist d : Op.Dist.values()) m.put("DIST_" + d.name(), dist(d));
        m.put("COPY_BITS", copy(DType.F32, DType.F32));
        m.put("COPY_F32_TO_I32", copy(DType.F32, DType.I32));
        m.put("COPY_I32_TO_F32", copy(DType.I32, DType.F32));
        return m;
    }
}
