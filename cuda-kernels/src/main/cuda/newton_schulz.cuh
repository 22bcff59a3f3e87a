// newton_schulz.cuh: the grouped Newton-Schulz pass (CELO2's and Muon's quintic, celo2.md section 1.2) in the C subset
// CUDA C++ and OpenCL C share; newton_schulz.cu and newton_schulz.cl wrap it in entry points. Every matrix of a table
// is orthogonalized in a fixed number of launches whatever their number: load (one work-group per matrix: its
// Frobenius norm, then X = M / (norm + eps), transposed when M has more rows than columns, so X is r x c with r <= c),
// 5 iterations of three grouped products over every matrix's tiles (A = X X^T; B = C1 A + C2 A A; X' = C0 X + B X),
// and store (one work-group per matrix: scale * X back into the slab, transposed back). Java twin:
// org.lopt4j.optim.NewtonSchulz (plain loops in double); table: org.lopt4j.optim.NewtonSchulzPlan.
#ifndef LOPT4J_NEWTON_SCHULZ_CUH
#define LOPT4J_NEWTON_SCHULZ_CUH

#ifdef __OPENCL_VERSION__
#define NS_FN inline
#define NS_GLOBAL __global
#define NS_LOCAL __local
#define NS_BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define NS_SQRT(x) sqrt(x)
#else
#define NS_FN __device__ __forceinline__
#define NS_GLOBAL
#define NS_LOCAL
#define NS_BARRIER() __syncthreads()
#define NS_SQRT(x) sqrtf(x)
#endif

// Fields of the table (NS_FIELDS ints a matrix; Java twin: LearnedOps.NewtonSchulzArgs): offset in the slab, rows,
// columns, offset of its scratch (X, X', A, B: 2rc + 2r^2 floats), its first tile of an r x r and of an r x c product.
#define NS_OFFSET 0
#define NS_ROWS 1
#define NS_COLS 2
#define NS_WORK 3
#define NS_SQUARE_TILE 4
#define NS_RECT_TILE 5
#define NS_FIELDS 6
#define NS_TILE 16
#define NS_STEPS 5
#define NS_C0 3.4445f
#define NS_C1 (-4.7750f)
#define NS_C2 2.0315f
// Work-items of a load or store group (a power of two).
#define NS_GROUP 256

// The matrix whose tiles of this stage's kind (field NS_SQUARE_TILE or NS_RECT_TILE) include tile w: the last m with
// table[m].field <= w.
NS_FN int ns_matrix_of(const NS_GLOBAL int* table, int count, int field, int w) {
    int lo = 0, hi = count - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) / 2;
        if (table[mid * NS_FIELDS + field] <= w) lo = mid; else hi = mid - 1;
    }
    return lo;
}

// Sums v over the group's NS_GROUP work-items through scratch; every work-item gets the sum.
NS_FN float ns_group_sum(float v, int lid, NS_LOCAL float* scratch) {
    scratch[lid] = v;
    NS_BARRIER();
    for (int s = NS_GROUP / 2; s > 0; s >>= 1) {
        if (lid < s) scratch[lid] += scratch[lid + s];
        NS_BARRIER();
    }
    const float sum = scratch[0];
    NS_BARRIER();
    return sum;
}

// load, for matrix m: X (work buffer 0) = M / (||M|| + eps), r x c, transposed when rows > cols.
NS_FN void ns_load(const NS_GLOBAL float* x, const NS_GLOBAL int* table, NS_GLOBAL float* work, float eps, int m,
                   int lid, NS_LOCAL float* scratch) {
    const NS_GLOBAL int* f = table + m * NS_FIELDS;
    const int rows = f[NS_ROWS], cols = f[NS_COLS], n = rows * cols;
    const NS_GLOBAL float* src = x + f[NS_OFFSET];
    float s = 0.0f;
    for (int e = lid; e < n; e += NS_GROUP) s += src[e] * src[e];
    const float inv = 1.0f / (NS_SQRT(ns_group_sum(s, lid, scratch)) + eps);
    NS_GLOBAL float* dst = work + f[NS_WORK];
    for (int e = lid; e < n; e += NS_GROUP) {
        const int i = e / cols, j = e % cols;
        dst[rows > cols ? j * rows + i : e] = src[e] * inv;
    }
}

// store, for matrix m: the slab's entries = scale * the final X (buffer 1 after an odd number of iterations).
NS_FN void ns_store(NS_GLOBAL float* x, const NS_GLOBAL int* table, const NS_GLOBAL float* work,
                    const NS_GLOBAL float* scales, int m, int lid) {
    const NS_GLOBAL int* f = table + m * NS_FIELDS;
    const int rows = f[NS_ROWS], cols = f[NS_COLS], n = rows * cols;
    const NS_GLOBAL float* src = work + f[NS_WORK] + (NS_STEPS % 2) * n;
    const float scale = scales[m];
    NS_GLOBAL float* dst = x + f[NS_OFFSET];
    for (int e = lid; e < n; e += NS_GROUP) {
        const int i = e / cols, j = e % cols;
        dst[e] = scale * src[rows > cols ? j * rows + i : e];
    }
}

// One NS_TILE x NS_TILE tile (rows row0.., columns col0..) of the product of `stage` for tile w of its kind, with
// work-item (ty, tx) of the tile. Stage 0: A = X X^T (r x r, depth c); 1: B = C1 A + C2 A A (r x r, depth r);
// 2: X' = C0 X + B X (r x c, depth r). parity: which of the two X buffers is X this iteration.
NS_FN void ns_product(NS_GLOBAL float* work, const NS_GLOBAL int* table, int count, int stage, int parity, int w,
                      int ty, int tx, NS_LOCAL float* as, NS_LOCAL float* bs) {
    const int m = ns_matrix_of(table, count, stage == 2 ? NS_RECT_TILE : NS_SQUARE_TILE, w);
    const NS_GLOBAL int* f = table + m * NS_FIELDS;
    const int r = f[NS_ROWS] < f[NS_COLS] ? f[NS_ROWS] : f[NS_COLS], c = f[NS_ROWS] < f[NS_COLS] ? f[NS_COLS] : f[NS_ROWS];
    NS_GLOBAL float* base = work + f[NS_WORK];
    NS_GLOBAL float* xs = base + parity * r * c;
    NS_GLOBAL float* xn = base + (1 - parity) * r * c;
    NS_GLOBAL float* am = base + 2 * r * c;
    NS_GLOBAL float* bm = am + r * r;
    // C (n x width, row-major) = alpha * sum_q A(i, q) B(q, j) + beta * D(i, j); A(i, q) at a[i*ai + q*aq], B(q, j) at b[q*bq + j*bj].
    const NS_GLOBAL float* a;
    const NS_GLOBAL float* b;
    const NS_GLOBAL float* d;
    NS_GLOBAL float* out;
    int ai, aq, bq, bj, width, depth;
    float alpha, beta;
    if (stage == 0) {
        a = xs; ai = c; aq = 1; b = xs; bq = 1; bj = c; out = am; d = am; width = r; depth = c; alpha = 1.0f; beta = 0.0f;
    } else if (stage == 1) {
        a = am; ai = r; aq = 1; b = am; bq = r; bj = 1; out = bm; d = am; width = r; depth = r; alpha = NS_C2; beta = NS_C1;
    } else {
        a = bm; ai = r; aq = 1; b = xs; bq = c; bj = 1; out = xn; d = xs; width = c; depth = r; alpha = 1.0f; beta = NS_C0;
    }
    const int tilesAcross = (width + NS_TILE - 1) / NS_TILE;
    const int own = w - f[stage == 2 ? NS_RECT_TILE : NS_SQUARE_TILE];
    const int i = (own / tilesAcross) * NS_TILE + ty, j = (own % tilesAcross) * NS_TILE + tx;
    float acc = 0.0f;
    for (int q0 = 0; q0 < depth; q0 += NS_TILE) {
        const int qa = q0 + tx, qb = q0 + ty;
        as[ty * NS_TILE + tx] = (i < r && qa < depth) ? a[i * ai + qa * aq] : 0.0f;
        bs[ty * NS_TILE + tx] = (qb < depth && j < width) ? b[qb * bq + j * bj] : 0.0f;
        NS_BARRIER();
        for (int p = 0; p < NS_TILE; p++) acc += as[ty * NS_TILE + p] * bs[p * NS_TILE + tx];
        NS_BARRIER();
    }
    if (i < r && j < width) out[i * width + j] = alpha * acc + (beta != 0.0f ? beta * d[i * width + j] : 0.0f);
}

#endif
