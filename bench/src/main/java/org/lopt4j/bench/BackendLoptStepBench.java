package org.lopt4j.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
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
 * One small_fc_lopt step (hidden 4 and 32), one MLPLOpt step, one VeLO step and one fused AdamW step over
 * {@code params} F32 parameters in 4 tensors (three [rows, 512], one vector), on a backend chosen by name: "simd" (the
 * Vector API kernels of org.lopt4j.learned), "opencl" (small_fc_lopt.cl, mlp_lopt.cl, velo.cl; PoCL's CPU device on a
 * machine without a GPU) or, on a GPU machine, "cuda" (small_fc_lopt.cu, mlp_lopt.cu, velo.cu:
 * {@code -p backend=cuda -p params=1000000,10000000}, or {@code -p shapes=gpt2-small} for GPT-2 small's 124M). Each
 * step ends with {@code sync()} so queued device work is timed, host-side work (VeLO's tensor network) included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class BackendLoptStepBench {
    @Param({"simd", "opencl"}) String backend;
    @Param({"adamw", "small_fc_lopt4", "small_fc_lopt32", "mlp_lopt", "velo"}) String optimizer;
    @Param({"1000000"}) int params;
    /** "flat": {@code params} in 4 tensors; "gpt2-small": GPT-2 small's 148 tensors (124,439,808 parameters, for a GPU). */
    @Param({"flat"}) String shapes;

    Backend b;
    Slab p, g;
    LoptStepBench.Stepper<?> stepper;
    final StepInfo info = new StepInfo(2.0, 10_000);

    @Setup public void setup() {
        b = Backends.named(backend);
        SlabLayout l = shapes.equals("gpt2-small") ? gpt2Small() : LoptStepBench.layout(params);
        p = LoptStepBench.random(b, l, 1);
        g = LoptStepBench.random(b, l, 2);
        stepper = LoptStepBench.Stepper.of(LoptStepBench.optimizer(optimizer, b), p);
        b.sync();
    }

    /** GPT-2 small's 148 tensors as a slab layout (the shapes of GpuAdamwStepMain). */
    static SlabLayout gpt2Small() {
        List<Shape> s = GpuAdamwStepMain.gpt2SmallShapes();
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < s.size(); i++) names.add("t" + i);
        return SlabLayout.of(names, s);
    }

    @Benchmark public void step() {
        stepper.step(p, g, info);
        b.sync();
    }
}
