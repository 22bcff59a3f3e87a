package org.lopt4j.bench;

import java.util.concurrent.TimeUnit;
import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.BatchStream;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.task.Task;
import org.lopt4j.metatrain.task.Tasks;
import org.lopt4j.optim.Adam;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
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
 * One inner training step (batch gather, forward, backward, Adam update) with batch 128. MNIST tasks read the IDX files
 * from {@code -Dlopt4j.data.dir} (default ../shared/data).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 7, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class InnerStepBench {
    @Param({"ImageMLP_FashionMnist8_Relu32", "ImageMLP_Mnist_128x128x128_Relu"}) String task;

    Task t;
    Backend b;
    Slab params, grads;
    Adam.State s;
    Adam adam = Adam.lo(1e-3);
    BatchStream stream;

    @Setup public void setup() {
        b = Backends.best();
        t = Tasks.byName(task, java.nio.file.Path.of(System.getProperty("lopt4j.data.dir", "../shared/data")));
        params = t.init(RandomKey.of(0), b, 1);
        grads = params.zerosLike();
        s = adam.init(params);
        stream = new BatchStream(t.examples(Split.TRAIN), 128, RandomKey.of(1));
    }

    @Benchmark public Adam.State step() {
        Batch batch = t.batch(b, Split.TRAIN, new int[][] {stream.next()});
        double[] l = t.lossAndGrad(params, 1, batch, grads);
        return s = adam.update(s, params, grads, new StepInfo(l[0], 0));
    }
}
