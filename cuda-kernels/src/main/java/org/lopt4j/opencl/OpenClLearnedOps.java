package org.lopt4j.opencl;

import org.lopt4j.tensor.LearnedOps;

/** The learned-optimizer passes on OpenCL: small_fc_lopt, MLPLOpt, VeLO, L3RS, CELO2 and CIAO kernels over every tensor of a slab, and the grouped Newton–Schulz pass. */
final class OpenClLearnedOps implements LearnedOps {
    private final OpenClBackend b;

    OpenClLearnedOps(OpenClBackend b) { this.b = b; }

    @Override public String name() { return "opencl"; }
    @Override public void smallFcLopt(SmallFcLoptArgs a) { OpenClSmallFcLopt.run(b, a); }
    @Override public void mlpLopt(MlpLoptArgs a) { OpenClMlpLopt.run(b, a); }
    @Override public void veloLossFeatures(VeloArgs a) { OpenClVelo.lossFeatures(b, a); }
    @Override public void veloAccumulate(VeloArgs a) { OpenClVelo.accumulate(b, a); }
    @Override public void veloLstmFeatures(VeloArgs a) { OpenClVelo.lstmFeatures(b, a); }
    @Override public void veloApply(VeloArgs a) { OpenClVelo.apply(b, a); }
    @Override public void l3rs(L3rsArgs a) { OpenClL3rs.run(b, a); }
    @Override public void newtonSchulz(NewtonSchulzArgs a) { OpenClNewtonSchulz.run(b, a); }
    @Override public void celo2(Celo2Args a) { OpenClCelo2.run(b, a); }
    @Override public void ciao(CiaoArgs a) { OpenClCiao.run(b, a); }
}
