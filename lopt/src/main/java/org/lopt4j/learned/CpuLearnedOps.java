package org.lopt4j.learned;

import org.lopt4j.learned.celo2.Celo2Ref;
import org.lopt4j.learned.celo2.Celo2Simd;
import org.lopt4j.learned.l3rs.L3rsRef;
import org.lopt4j.learned.l3rs.L3rsSimd;
import org.lopt4j.learned.mlp.MlpLoptRef;
import org.lopt4j.learned.mlp.MlpLoptSimd;
import org.lopt4j.learned.smallfc.SmallFcLoptRef;
import org.lopt4j.learned.smallfc.SmallFcLoptSimd;
import org.lopt4j.learned.velo.VeloRefPasses;
import org.lopt4j.learned.velo.VeloSimd;
import org.lopt4j.optim.CiaoRef;
import org.lopt4j.optim.NewtonSchulz;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.LearnedOps;
import org.lopt4j.tensor.LearnedOps.L3rsArgs;
import org.lopt4j.tensor.cpu.CpuLearnedKernels;

/**
 * The CPU backends' learned-optimizer passes, registered with {@link CpuLearnedKernels} (META-INF/services): the
 * scalar backend runs the plain-loop twins ({@code *Ref}), the SIMD backend the Vector API kernels ({@code *Simd})
 * for F32 slabs and the twins for F64 slabs. Statistics are exact double sums.
 */
public enum CpuLearnedOps implements LearnedOps {
    /** The plain-loop twins. */
    REF {
        @Override public void smallFcLopt(SmallFcLoptArgs a) { SmallFcLoptRef.step(a); }
        @Override public void mlpLopt(MlpLoptArgs a) { MlpLoptRef.step(a); }
        @Override public void veloLossFeatures(VeloArgs a) { VeloRefPasses.lossFeatures(a); }
        @Override public void veloAccumulate(VeloArgs a) { VeloRefPasses.accumulate(a); }
        @Override public void veloLstmFeatures(VeloArgs a) { VeloRefPasses.lstmFeatures(a); }
        @Override public void veloApply(VeloArgs a) { VeloRefPasses.apply(a); }
        @Override public void l3rs(L3rsArgs a) { L3rsRef.step(a); }
        @Override public void newtonSchulz(NewtonSchulzArgs a) { NewtonSchulz.twin(a); }
        @Override public void celo2(Celo2Args a) { Celo2Ref.step(a); }
        @Override public void ciao(CiaoArgs a) { CiaoRef.step(a); }
    },
    /** The Vector API kernels. */
    SIMD {
        @Override public void smallFcLopt(SmallFcLoptArgs a) {
            if (f32(a.state().params())) SmallFcLoptSimd.step(a); else SmallFcLoptRef.step(a);
        }

        @Override public void mlpLopt(MlpLoptArgs a) {
            if (f32(a.params())) MlpLoptSimd.step(a); else MlpLoptRef.step(a);
        }

        @Override public void veloLossFeatures(VeloArgs a) { VeloRefPasses.lossFeatures(a); }      // per tensor: nothing to vectorize

        @Override public void veloAccumulate(VeloArgs a) {
            if (f32(a.state().params())) VeloSimd.accumulate(a); else VeloRefPasses.accumulate(a);
        }

        @Override public void veloLstmFeatures(VeloArgs a) { VeloRefPasses.lstmFeatures(a); }      // per tensor

        @Override public void veloApply(VeloArgs a) {
            if (f32(a.state().params())) VeloSimd.apply(a); else VeloRefPasses.apply(a);
        }

        @Override public void l3rs(L3rsArgs a) {
            if (f32(a.params())) L3rsSimd.step(a); else L3rsRef.step(a);
        }

        @Override public void newtonSchulz(NewtonSchulzArgs a) { NewtonSchulz.float32(a); }

        @Override public void celo2(Celo2Args a) {
            if (f32(a.state().params())) Celo2Simd.step(a); else Celo2Ref.step(a);
        }

        @Override public void ciao(CiaoArgs a) { CiaoRef.step(a); }                 // per step a few passes in double: the twin
    };

    private static boolean f32(org.lopt4j.tensor.Tensor t) { return t.dtype() == DType.F32; }

    @Override public DType statsType() { return DType.F64; }

    /** What lopt4j-lopt registers with the tensor module. */
    public static final class Provider implements CpuLearnedKernels.Provider {
        @Override public LearnedOps reference() { return REF; }
        @Override public LearnedOps simd() { return SIMD; }
    }
}
