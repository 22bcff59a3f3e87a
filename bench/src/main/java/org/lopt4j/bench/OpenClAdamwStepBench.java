package org.lopt4j.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.FusedOps.Chunks;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
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

/**
 * One fused AdamW pass ({@link FusedOps#adamw}, one launch over the chunk table) over {@code params} F32 parameters in
 * 4 tensors, on a backend chosen by name: "simd" (Vector API) or "opencl" (fused.cl on whatever device the OpenCL
 * probe picks; PoCL's CPU device on a machine without a GPU). Each step ends with {@code sync()} so queued OpenCL work
 * is timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class OpenClAdamwStepBench {
    @Param({"simd", "opencl"}) String backend;
    @Param({"1000000"}) int params;

    Backend b;
    FusedOps.AdamwArgs args;

    @Setup public void setup() {
        b = Backends.named(backend);
        int q = params / 4;
        SlabLayout l = SlabLayout.of(List.of("a", "b", "c", "d"), List.of(Shape.of(q), Shape.of(q), Shape.of(q), Shape.of(params - 3 * q)));
        Shape flat = Shape.of(l.size());
        Tensor p = Tensor.random(b, DType.F32, flat, RandomKey.of(1), Op.Dist.NORMAL);
        Tensor g = Tensor.random(b, DType.F32, flat, RandomKey.of(2), Op.Dist.NORMAL);
        Tensor m = Tensor.zeros(b, DType.F32, flat), v = Tensor.zeros(b, DType.F32, flat);
        Chunks c = Chunks.of(l, b);
        args = new FusedOps.AdamwArgs(p, g, m, v, c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(),
                1e-3, 0.9, 0.999, 1e-8, 0, 1e-2, 1 - 0.9, 1 - 0.999);
        b.sync();
    }

    @Benchmark public void step() {
        b.fused().adamw(args);
        b.sync();
    }
}
