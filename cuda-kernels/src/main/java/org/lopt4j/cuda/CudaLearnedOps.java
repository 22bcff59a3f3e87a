package org.lopt4j.cuda;

import org.lopt4j.tensor.LearnedOps;

/** The learned-optimizer passes on CUDA: small_fc_lopt, MLPLOpt, VeLO, L3RS, CELO2 and CIAO kernels over every tensor of a slab, and the grouped Newton–Schulz pass. */
final class CudaLearnedOps implements LearnedOps {
    private final CudaBackend b;

    CudaLearnedOps(CudaBackend b) { this.b = b; }

    @Override public String name() { return "cuda"; }
    @Override public void smallFcLopt(SmallFcLoptArgs a) { CudaSmallFcLopt.run(b, a); }
    @Override public void mlpLopt(MlpLoptArgs a) { CudaMlpLopt.run(b, a); }
    @Override public void veloLossFeatures(VeloArgs a) { CudaVelo.lossFeatures(b, a); }
    @Override public void veloAccumulate(VeloArgs a) { CudaVelo.accumulate(b, a); }
    @Override public void veloLstmFeatures(VeloArgs a) { CudaVelo.lstmFeatures(b, a); }
    @Override public void veloApply(VeloArgs a) { CudaVelo.apply(b, a); }
    @Override public void l3rs(L3rsArgs a) { CudaL3rs.run(b, a); }
    @Override public void newtonSchulz(NewtonSchulzArgs a) { CudaNewtonSchulz.run(b, a); }
    @Override public void celo2(Celo2Args a) { CudaCelo2.run(b, a); }
    @Override public void ciao(CiaoArgs a) { CudaCiao.run(b, a); }
}
