// newton_schulz.cl: the grouped Newton-Schulz pass (celo2.md section 1.2) over every matrix of a table in 17 launches,
// whatever their number: newton_schulz_load (a work-group per matrix), 5 x 3 newton_schulz_product (a work-group of
// 16 x 16 work-items per output tile of every matrix) and newton_schulz_store (a work-group per matrix). Built with common.cl
// and newton_schulz.cuh (shared with newton_schulz.cu) in front; launched by org.lopt4j.opencl.OpenClNewtonSchulz.

__kernel void newton_schulz_load(__global const float* x, __global const int* table, __global float* work, float eps) {
    __local float scratch[NS_GROUP];
    ns_load(x, table, work, eps, (int)get_group_id(0), (int)get_local_id(0), scratch);
}

__kernel void newton_schulz_product(__global float* work, __global const int* table, int count, int stage, int parity) {
    __local float as[NS_TILE * NS_TILE];
    __local float bs[NS_TILE * NS_TILE];
    const int lid = (int)get_local_id(0);
    ns_product(work, table, count, stage, parity, (int)get_group_id(0), lid / NS_TILE, lid % NS_TILE, as, bs);
}

__kernel void newton_schulz_store(__global float* x, __global const int* table, __global const float* work,
                                  __global const float* scales) {
    ns_store(x, table, work, scales, (int)get_group_id(0), (int)get_local_id(0));
}
