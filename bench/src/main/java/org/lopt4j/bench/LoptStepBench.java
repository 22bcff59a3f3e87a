package org.lopt4j.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lopt4j.learned.l3rs.L3rs;
import org.lopt4j.learned.mlp.MlpLopt;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.learned.velo.Velo;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
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

/**
 * One optimizer step over {@code params} floats in 4 tensors (three 2-D {@code [rows, 512]} and one vector), for the
 * learned optimizers and the fused AdamW on the same slabs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class LoptStepBench {
    @Param({"1000000"}) int params;
    @Param({"adamw", "small_fc_lopt4", "small_fc_lopt32", "mlp_lopt", "velo", "l3rs:4"}) String optimizer;

    Slab p, g;
    Stepper<?> stepper;

    @Setup public void setup() {
        Backend b = Backends.best();
        SlabLayout l = layout(params);
        p = random(b, l, 1);
        g = random(b, l, 2);
        stepper = Stepper.of(optimizer(optimizer, b), p);
    }

    /** {@code params} floats in three {@code [rows, 512]} tensors and a vector. */
    static SlabLayout layout(int params) {
        int q = params / 4, rows = q / 512;
        return SlabLayout.of(List.of("a", "b", "c", "d"),
                List.of(Shape.of(rows, 512), Shape.of(rows, 512), Shape.of(rows, 512), Shape.of(params - 3 * rows * 512)));
    }

    /** An F32 slab of standard normals on {@code b}. */
    static Slab random(Backend b, SlabLayout l, int seed) {
        Slab s = Slab.zeros(b, DType.F32, l);
        for (int i = 0; i < l.count(); i++) s.tensor(i).assign(Tensor.random(b, DType.F32, l.shape(i), RandomKey.of(seed).child(i), Op.Dist.NORMAL));
        return s;
    }

    /**
     * The benchmarked optimizer {@code name}, learned ones with θ from their meta-training initialization;
     * {@code l3rs:N} is L3RS for a model of N tensors; also {@code small_fc_lopt4_clip} (with PyLO's weight decay and
     * per-tensor clip) and {@code celo2}.
     */
    static Optimizer<?> optimizer(String name, Backend b) {
        if (name.startsWith("l3rs:")) {
            L3rs l3 = L3rs.of(Integer.parseInt(name.substring(5)));
            return l3.optimizer(l3.initTheta(RandomKey.of(3), b));
        }
        return switch (name) {
            case "adamw" -> AdamW.of(1e-3, 1e-2);
            case "small_fc_lopt4" -> SmallFcLopt.google().optimizer(SmallFcLopt.google().initTheta(RandomKey.of(3), b));
            case "small_fc_lopt32" -> SmallFcLopt.mulo().optimizer(SmallFcLopt.mulo().initTheta(RandomKey.of(3), b));
            case "mlp_lopt" -> MlpLopt.defaults().optimizer(MlpLopt.defaults().initTheta(RandomKey.of(3), b));
            case "velo" -> Velo.velo().optimizer(Velo.velo().initTheta(RandomKey.of(3), b));
            case "small_fc_lopt4_clip" -> SmallFcLopt.google().optimizer(SmallFcLopt.google().initTheta(RandomKey.of(3), b),
                    new org.lopt4j.learned.UpdateOptions(1, 0.01, 1.0));           // PyLO's options: weight decay, per-tensor norm clip
            case "celo2" -> org.lopt4j.learned.celo2.Celo2.celo2().optimizer(org.lopt4j.learned.celo2.Celo2.celo2().initTheta(RandomKey.of(3), b));
            case "muon" -> org.lopt4j.optim.Muon.of(1e-3);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** VeLO reads the loss and the horizon; the others ignore them. */
    final StepInfo info = new StepInfo(2.0, 10_000);

    @Benchmark public OptState<?> step() { return stepper.step(p, g, info); }

    /** An optimizer with its current state (keeps the state type). */
    static final class Stepper<S extends OptState<S>> {
        final Optimizer<S> o;
        S s;

        Stepper(Optimizer<S> o, Slab p) {
            this.o = o;
            this.s = o.init(p);
        }

        static <S extends OptState<S>> Stepper<S> of(Optimizer<S> o, Slab p) { return new Stepper<>(o, p); }

        OptState<?> step(Slab p, Slab g, StepInfo info) { return s = o.update(s, p, g, info); }
    }
}
