package org.lopt4j.tensor.cpu;

import java.util.Iterator;
import java.util.ServiceLoader;
import org.lopt4j.tensor.LearnedOps;

/**
 * The CPU backends' learned-optimizer passes. They are written in {@code org.lopt4j.learned} (lopt4j-lopt, beside the
 * optimizers they serve, outside the core's line budget) and found here through {@link ServiceLoader}, as backends
 * are; the scalar backend runs the plain-loop twins, the SIMD backend the Vector API kernels.
 */
public final class CpuLearnedKernels {
    /** What lopt4j-lopt registers (META-INF/services): the two CPU implementations. */
    public interface Provider {
        /** The plain-loop twins, in double: the definition. */
        LearnedOps reference();

        /** The Vector API kernels (F32; F64 slabs run the twins). */
        LearnedOps simd();
    }

    private static final Provider PROVIDER = load();

    private CpuLearnedKernels() {}

    /** The plain-loop twins. */
    public static LearnedOps reference() { return PROVIDER.reference(); }

    /** The Vector API kernels. */
    public static LearnedOps simd() { return PROVIDER.simd(); }

    private static Provider load() {
        Iterator<Provider> it = ServiceLoader.load(Provider.class, CpuLearnedKernels.class.getClassLoader()).iterator();
        if (it.hasNext()) return it.next();
        return new Provider() {
            @Override public LearnedOps reference() { return Missing.INSTANCE; }
            @Override public LearnedOps simd() { return Missing.INSTANCE; }
        };
    }

    /** Without lopt4j-lopt on the class path: every call says what is missing. */
    private static final class Missing implements LearnedOps {
        static final Missing INSTANCE = new Missing();

        @Override public String name() { return "cpu (lopt4j-lopt missing)"; }
        @Override public void smallFcLopt(SmallFcLoptArgs a) { throw missing(); }
        @Override public void mlpLopt(MlpLoptArgs a) { throw missing(); }
        @Override public void veloLossFeatures(VeloArgs a) { throw missing(); }
        @Override public void veloAccumulate(VeloArgs a) { throw missing(); }
        @Override public void veloLstmFeatures(VeloArgs a) { throw missing(); }
        @Override public void veloApply(VeloArgs a) { throw missing(); }
        @Override public void l3rs(L3rsArgs a) { throw missing(); }
        @Override public void newtonSchulz(NewtonSchulzArgs a) { throw missing(); }
        @Override public void celo2(Celo2Args a) { throw missing(); }
        @Override public void ciao(CiaoArgs a) { throw missing(); }

        private static IllegalStateException missing() {
            return new IllegalStateException("the CPU learned-optimizer kernels are in lopt4j-lopt, which is not on the class path");
        }
    }
}
