package org.lopt4j.opencl;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;

/**
 * The numbers Java and the OpenCL kernels must agree on: launch geometry fixed by a kernel's {@code #define}s and the
 * codes of the op, dtype and distribution {@code #define}s. Each is declared here once, under its C name in
 * {@link #all()}, and OpenClSourcesTest compares them with the .cl sources; the op codes come from exhaustive switches, so
 * a new {@link Op} case does not compile until it has a kernel code.
 */
final class ClConstants {
    /** {@code LOPT4J_MAX_RANK}: {@link org.lopt4j.gpu.Dims#MAX_RANK}. */
    static final int MAX_RANK = org.lopt4j.gpu.Dims.MAX_RANK;
    /** {@code GEMM_BM} (matmul.cl): rows of the output tile one work-group computes. */
    static final int GEMM_BM = 64;
    /** {@code GEMM_BN} (matmul.cl): columns of the output tile one work-group computes. */
    static final int GEMM_BN = 64;
    /** {@code GEMM_THREADS} (matmul.cl): the work-group size matmul_gemm requires (reqd_work_group_size). */
    static final int GEMM_THREADS = 256;

    private ClConstants() {}

    /** {@code DTYPE_*} (common.cl). */
    static int dtype(DType d) {
        return switch (d) {
            case F32 -> 0;
            case I32 -> 1;
            case F64 -> 2;
        };
    }

    /** {@code UNARY_*} (elementwise.cl). */
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

    /** {@code BINARY_*} (elementwise.cl). */
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

    /** {@code REDUCE_*} (reduce.cl). */
    static int reduce(Op.Reduce r) {
        return switch (r) {
            case SUM -> 0;
            case MAX -> 1;
        };
    }

    /** {@code DIST_*} (random.cl). */
    static int dist(Op.Dist d) {
        return switch (d) {
            case UNIFORM -> 0;
            case NORMAL -> 1;
            case TRUNCATED_NORMAL -> 2;
        };
    }

    /** Every constant under its C name, for OpenClSourcesTest. */
    static Map<String, Integer> all() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("LOPT4J_MAX_RANK", MAX_RANK);
        m.put("GEMM_BM", GEMM_BM);
        m.put("GEMM_BN", GEMM_BN);
        m.put("GEMM_THREADS", GEMM_THREADS);
        for (DType d : DType.values()) m.put("DTYPE_" + d.name(), dtype(d));
        for (Op.Unary u : Op.Unary.values()) m.put("UNARY_" + u.name(), unary(u));
        for (Op.Binary b : Op.Binary.values()) m.put("BINARY_" + b.name(), binary(b));
        for (Op.Reduce r : Op.Reduce.values()) m.put("REDUCE_" + r.name(), reduce(r));
        for (Op.Dist d : Op.Dist.values()) m.put("DIST_" + d.name(), dist(d));
        return m;
    }
}
