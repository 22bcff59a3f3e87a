package org.lopt4j.opencl;

import static org.lopt4j.opencl.OpenClSmallFcLopt.f32;
import static org.lopt4j.opencl.OpenClSmallFcLopt.i32;

import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.NewtonSchulzArgs;

/**
 * The grouped Newton–Schulz pass on OpenCL (newton_schulz.cl with newton_schulz.cuh, shared with the CUDA kernels):
 * 17 launches for every matrix of the table — load, 5 × three grouped products over all matrices' tiles, store.
 */
final class OpenClNewtonSchulz {
    /** Work-items of a load or store group, the side of a product tile (newton_schulz.cuh's NS_GROUP, NS_TILE). */
    static final int GROUP = 256, TILE = NewtonSchulzArgs.TILE, STEPS = 5;

    private OpenClNewtonSchulz() {}

    static void run(OpenClBackend b, NewtonSchulzArgs a) {
        if (a.x() == null || a.x().dtype() != DType.F32) throw new IllegalArgumentException("newton_schulz on " + b.name() + ": x must be F32, got " + a.x());
        if (a.count() == 0) return;
        OpenClStorage x = f32(b, a.x(), "x"), table = i32(b, a.matrices(), "matrices"), work = f32(b, a.work(), "work");
        OpenClStorage scales = f32(b, a.scales(), "scales");
        b.launch(ClProgram.NEWTON_SCHULZ, DType.F32, "newton_schulz_load", LaunchSize.groups(a.count(), GROUP),
                new KernelArgs().mem(x).mem(table).mem(work).real(DType.F32, a.eps()));
        for (int it = 0; it < STEPS; it++) {
            for (int stage = 0; stage < 3; stage++) {
                int tiles = stage == 2 ? a.rectTiles() : a.squareTiles();
                b.launch(ClProgram.NEWTON_SCHULZ, DType.F32, "newton_schulz_product",
                        LaunchSize.groups(tiles, TILE * TILE),
                        new KernelArgs().mem(work).mem(table).i32(a.count()).i32(stage).i32(it % 2));
            }
        }
        b.launch(ClProgram.NEWTON_SCHULZ, DType.F32, "newton_schulz_store", LaunchSize.groups(a.count(), GROUP),
                new KernelArgs().mem(x).mem(table).mem(work).mem(scales));
    }
}
