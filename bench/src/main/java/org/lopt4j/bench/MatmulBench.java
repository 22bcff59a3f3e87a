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

/** Square F32 matmul through {@code Tensor.matmul}; GFLOP/s = 2·n³ / time. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class MatmulBench {
    @Param({"256", "1024"}) int n;
    @Param({"simd"}) String backend;

    Tensor a, b;

    @Setup public void setup() {
        Backend be = Backends.named(backend);
        a = Tensor.random(be, DType.F32, Shape.of(n, n), RandomKey.of(1), Op.Dist.UNIFORM);
        b = Tensor.random(be, DType.F32, Shape.of(n, n), RandomKey.of(2), Op.Dist.UNIFORM);
    }

    @Benchmark public Tensor matmul() { return a.matmul(b); }
}
