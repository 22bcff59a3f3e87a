// gather.cu: rows of a table picked by an index vector, out[i, ...] = table[index[i], ...].
// Java twin: the Op.Gather case of org.lopt4j.tensor.cpu.ScalarBackend (ScalarBackend.gather). Launched by
// org.lopt4j.cuda.Gather.
//
// `dims` is the output's shape [n_index, row...] (rank <= 8, not merged across axis 0); table_v holds the table's
// strides (s[0] steps one row) and index_v the index vector's (s[0] steps one index, the rest zero). Values move as
// 32-bit patterns (F32 or I32 tables). An index must be a whole number in [0, rows) (F32 indices as in Java:
// (int) v == v); a bad one writes nothing and lowers *first_bad to its position, which Java reads back and reports
// as an IndexOutOfBoundsException (Java sets *first_bad to INT_MAX before the launch).
#include "common.cuh"

extern "C" __global__ void gather_rows(unsigned int* out, const unsigned int* table, const unsigned int* index,
                                       Dims dims, View out_v, View table_v, View index_v, long long n, int rows,
                                       int index_dtype, int* first_bad) {
    GRID_STRIDE_LOOP(e, n) {
        long long idx[LOPT4J_MAX_RANK];
        unravel(dims, e, idx);
        const long long position = idx[0];
        const unsigned int raw = index[offset_of(index_v, idx)];
        int row;
        bool ok;
        if (index_dtype == DTYPE_F32) {
            const float v = __uint_as_float(raw);
            row = __float2int_rz(v);
            ok = (float)row == v;
        } else {
            row = (int)raw;
            ok = true;
        }
        ok = ok && row >= 0 && row < rows;
        if (!ok) {
            atomicMin(first_bad, (int)position);
            continue;
        }
        const long long dst = offset_of(out_v, idx);
        idx[0] = row;
        out[dst] = table[offset_of(table_v, idx)];
    }
}
