package org.lopt4j.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * This machine's float32 FMA peak: 12 independent vector FMA chains held in registers. Score = FMAs per second per
 * thread; GFLOP/s = score × 2 × lanes / 1e9. Run with {@code -t 1} and {@code -t 2}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class FmaPeakBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int ITER = 1 << 16, CHAINS = 12;

    /** Lanes of the preferred species (to convert the score to GFLOP/s). */
    public static int lanes() { return S.length(); }

    float seed = 1.0001f;

    @Benchmark
    @OperationsPerInvocation(ITER * CHAINS)
    public float fmaChains() {
        FloatVector m = FloatVector.broadcast(S, 0.99999f), a = FloatVector.broadcast(S, 1e-7f);
        FloatVector x0 = FloatVector.broadcast(S, seed), x1 = x0.add(1), x2 = x0.add(2), x3 = x0.add(3), x4 = x0.add(4), x5 = x0.add(5);
        FloatVector x6 = x0.add(6), x7 = x0.add(7), x8 = x0.add(8), x9 = x0.add(9), x10 = x0.add(10), x11 = x0.add(11);
        for (int i = 0; i < ITER; i++) {
            x0 = x0.fma(m, a); x1 = x1.fma(m, a); x2 = x2.fma(m, a); x3 = x3.fma(m, a);
            x4 = x4.fma(m, a); x5 = x5.fma(m, a); x6 = x6.fma(m, a); x7 = x7.fma(m, a);
            x8 = x8.fma(m, a); x9 = x9.fma(m, a); x10 = x10.fma(m, a); x11 = x11.fma(m, a);
        }
        return x0.add(x1).add(x2).add(x3).add(x4).add(x5).add(x6).add(x7).add(x8).add(x9).add(x10).add(x11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** Two threads, one per core. */
    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(ITER * CHAINS)
    public float fmaChainsTwoThreads() { return fmaChains(); }
}
