package org.lopt4j.cuda;

import static org.lopt4j.cuda.CudaSmallFcLopt.f32;
import static org.lopt4j.cuda.CudaSmallFcLopt.i32;

import jcuda.driver.CUdeviceptr;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps.NewtonSchulzArgs;

/**
 * The grouped Newton–Schulz pass on CUDA (newton_schulz.cu with newton_schulz.cuh, shared with the OpenCL program):
 * 17 launches for every matrix of the table — load, 5 × three grouped products over all matrices' tiles, store.
 */
final class CudaNewtonSchulz {
    /** Threads of a load or store block, the side of a product tile (newton_schulz.cuh's NS_GROUP, NS_TILE). */
    static final int GROUP = 256, TILE = NewtonSchulzArgs.TILE, STEPS = 5;

    private CudaNewtonSchulz() {}

    static void run(CudaBackend b, NewtonSchulzArgs a) {
        if (a.x() == null || a.x().dtype() != DType.F32) throw new IllegalArgumentException("newton_schulz on " + b.name() + ": x must be F32, got " + a.x());
        if (a.count() == 0) return;
        CUdeviceptr x = f32(b, a.x(), "x"), table = i32(b, a.matrices(), "matrices"), work = f32(b, a.work(), "work");
        CUdeviceptr scales = f32(b, a.scales(), "scales");
        LaunchGeometry perMatrix = new LaunchGeometry(a.count(), 1, 1, GROUP);
        b.launch(Kernels.NEWTON_SCHULZ_LOAD, perMatrix, new LearnedArgs.NewtonSchulzLoad(x, table, work, a.eps()));
        for (int it = 0; it < STEPS; it++) {
            for (int stage = 0; stage < 3; stage++) {
                int tiles = stage == 2 ? a.rectTiles() : a.squareTiles();
                b.launch(Kernels.NEWTON_SCHULZ_PRODUCT, new LaunchGeometry(tiles, 1, 1, TILE * TILE),
                        new LearnedArgs.NewtonSchulzProduct(work, table, a.count(), stage, it % 2));
            }
        }
        b.launch(Kernels.NEWTON_SCHULZ_STORE, perMatrix, new LearnedArgs.NewtonSchulzStore(x, table, work, scales));
    }
}
