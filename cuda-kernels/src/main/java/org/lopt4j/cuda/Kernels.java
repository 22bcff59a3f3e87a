package org.lopt4j.cuda;

import java.util.List;

/**
 * Every kernel entry point the CUDA backend launches, with its argument record; KernelTwinsTest holds this list and
 * the records to the .cu sources. A new kernel (a fused optimizer step, say) adds its .cu, its record and a line
 * here; the backend resolves every listed function once at start.
 */
public final class Kernels {
    static final KernelSpec ELEMENTWISE_UNARY = new KernelSpec("elementwise_unary", Elementwise.UnaryArgs.class, "elementwise.ptx");
    static final KernelSpec ELEMENTWISE_BINARY = new KernelSpec("elementwise_binary", Elementwise.BinaryArgs.class, "elementwise.ptx");
    static final KernelSpec ELEMENTWISE_WHERE = new KernelSpec("elementwise_where", Elementwise.WhereArgs.class, "elementwise.ptx");
    static final KernelSpec ELEMENTWISE_FILL = new KernelSpec("elementwise_fill", Elementwise.FillArgs.class, "elementwise.ptx");
    static final KernelSpec ELEMENTWISE_COPY = new KernelSpec("elementwise_copy", Elementwise.CopyArgs.class, "elementwise.ptx");
    static final KernelSpec REDUCE_BLOCKS = new KernelSpec("reduce_blocks", Reduction.BlocksArgs.class, "reduce.ptx");
    static final KernelSpec REDUCE_SERIAL = new KernelSpec("reduce_serial", Reduction.SerialArgs.class, "reduce.ptx");
    static final KernelSpec MATMUL_SGEMM = new KernelSpec("matmul_sgemm", Matmul.SgemmArgs.class, "matmul.ptx");
    static final KernelSpec GATHER_ROWS = new KernelSpec("gather_rows", Gather.RowsArgs.class, "gather.ptx");
    static final KernelSpec RANDOM_FILL = new KernelSpec("random_fill", RandomFill.FillArgs.class, "random.ptx");

    /** All entry points, in file order. */
    public static final List<KernelSpec> ALL = List.of(ELEMENTWISE_UNARY, ELEMENTWISE_BINARY, ELEMENTWISE_WHERE,
            ELEMENTWISE_FILL, ELEMENTWISE_COPY, REDUCE_BLOCKS, REDUCE_SERIAL, MATMUL_SGEMM, GATHER_ROWS, RANDOM_FILL);

    /** The records that twin the structs of common.cuh (passed by value). */
    public static final List<Class<? extends Record>> STRUCTS = List.of(Dims.class, View.class);

    private Kernels() {}
}
