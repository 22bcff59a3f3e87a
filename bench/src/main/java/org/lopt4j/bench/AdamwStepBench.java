package org.lopt4j.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lopt4j.optim.Adam;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** One fused AdamW step (non-finite check + one SIMD pass) over {@code params} floats in 4 tensors; plus a copy baseline. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class AdamwStepBench {
    @Param({"1000000", "10000000"}) int params;

    Slab p, g;
    Adam.State s;
    AdamW adamw = AdamW.of(1e-3, 1e-2);
    float[] src, dst;

    @Setup public void setup() {
        int q = params / 4;
        SlabLayout l = SlabLayout.of(List.of("a", "b", "c", "d"), List.of(Shape.of(q), Shape.of(q), Shape.of(q), Shape.of(params - 3 * q)));
        p = Slab.zeros(Backends.best(), DType.F32, l);
        p.flat().assign(Tensor.random(p.backend(), DType.F32, Shape.of(l.size()), RandomKey.of(1), Op.Dist.NORMAL));
        g = p.zerosLike();
        g.flat().assign(Tensor.random(p.backend(), DType.F32, Shape.of(l.size()), RandomKey.of(2), Op.Dist.NORMAL));
        s = adamw.init(p);
        src = new float[params];
        dst = new float[params];
    }

    @Benchmark public Adam.State step() { return s = adamw.update(s, p, g, StepInfo.NONE); }

    /** Copy bandwidth reference: System.arraycopy of the same number of floats (reads n, writes n). */
    @Benchmark public float[] copy() { System.arraycopy(src, 0, dst, 0, params); return dst; }
}
