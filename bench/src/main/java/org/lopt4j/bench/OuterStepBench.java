package org.lopt4j.bench;

import java.util.concurrent.TimeUnit;
import org.lopt4j.metatrain.outer.MetaConfig;
import org.lopt4j.metatrain.outer.MetaState;
import org.lopt4j.metatrain.outer.MetaTrainer;
import org.lopt4j.metatrain.outer.Recipe;
import org.lopt4j.metatrain.outer.ThreadPoolUnitExecutor;
import org.lopt4j.tensor.Backends;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One outer step of the default meta-training recipe (`lopt4j metatrain`: small_fc_lopt, PES, FashionMnist8, 8
 * estimators on a thread pool over all cores), varying the problems per estimator (population = 2 × problems) and
 * the truncation length. Outer steps per second = 1 / the score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OuterStepBench {
    @Param({"1", "4", "16"}) int problems;
    @Param({"10", "30", "100"}) int trunc;

    ThreadPoolUnitExecutor ex;
    MetaTrainer trainer;
    MetaState s;

    @Setup public void setup() throws Exception {
        MetaConfig c = MetaConfig.defaults().with(java.util.Map.of("truncLength", trunc, "problems", problems, "outerSteps", Integer.MAX_VALUE));
        ex = ThreadPoolUnitExecutor.perCore();
        trainer = new MetaTrainer(Recipe.of(c, null, Backends.best()), ex, null);
        s = trainer.fresh();
    }

    @Benchmark public MetaState outerStep() throws Exception { return s = trainer.run(s, 1, null); }

    @TearDown public void close() { ex.close(); }
}
