package org.lopt4j.bench;

import java.util.concurrent.TimeUnit;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
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

/** Elementwise ops over 1M floats into a preallocated output: scalar reference vs SIMD. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class ElementwiseBench {
    @Param({"scalar", "simd"}) String backend;
    @Param({"1048576"}) int n;

    Backend be;
    Tensor x, y, out;

    @Setup public void setup() {
        be = Backends.named(backend);
        x = Tensor.random(be, DType.F32, Shape.of(n), RandomKey.of(1), Op.Dist.UNIFORM);
        y = Tensor.random(be, DType.F32, Shape.of(n), RandomKey.of(2), Op.Dist.UNIFORM);
        out = Tensor.zeros(be, DType.F32, Shape.of(n));
    }

    @Benchmark public Tensor add() { be.execute(Op.Binary.ADD, out, x, y); return out; }
    @Benchmark public Tensor mul() { be.execute(Op.Binary.MUL, out, x, y); return out; }
    @Benchmark public Tensor exp() { be.execute(Op.Unary.EXP, out, x); return out; }
}
