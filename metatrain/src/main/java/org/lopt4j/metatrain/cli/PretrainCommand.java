package org.lopt4j.metatrain.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.metatrain.task.DataCheck;
import org.lopt4j.metatrain.task.FineTuneTask;
import org.lopt4j.metatrain.task.PretrainedConv;
import org.lopt4j.metatrain.train.InnerTrainer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lopt4j pretrain}: makes the fine-tuning tasks' pretrained conv body (the one lopt4j ships) again. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrain the conv body of the FineTune_* tasks on MNIST 8x8 digits 0-4 with Adam and write it as safetensors.",
                "The defaults are the recipe of the body lopt4j ships; the summary compares the held-out loss with a fresh init's."})
final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "" + PretrainedConv.STEPS, description = "Adam steps (default ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--lr", defaultValue = "" + PretrainedConv.LR, description = "Adam learning rate (default ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--seed", defaultValue = "" + PretrainedConv.SEED, description = "Seed of the init and the batches (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--data-dir", description = "Directory with mnist/ (IDX); default: the embedded MNIST 8x8.") Path dataDir;
    @Option(names = "--device", defaultValue = "auto", description = "Backend: auto, simd, scalar, opencl, cuda (default ${DEFAULT-VALUE}).") String device;
    @Option(names = "--out", defaultValue = "runs/pretrain", description = "Output directory for " + PretrainedConv.RESOURCE + " and loss.png (default ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--quiet", description = "No progress bar.") boolean quiet;

    @Override public Integer call() throws Exception {
        if (steps <= 0) throw new IllegalArgumentException("--steps must be positive, got " + steps);
        if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        Backend b = device.equals("auto") ? Backends.best() : Backends.named(device);
        FineTuneTask t = PretrainedConv.source(dataDir);
        DataCheck.require(t);
        try (RunLock lock = RunLock.acquire(out, "pretrain")) {
            return pretrain(t, b);
        }
    }

    private int pretrain(FineTuneTask t, Backend b) throws Exception {
        System.err.printf("%s: %,d parameters, Adam lr %s, %d steps, backend %s%n", t.name(), t.layout().paramCount(), lr, steps, b.name());
        List<double[]> curve = new ArrayList<>();
        Slab net;
        try (ProgressBar pb = quiet ? null : new ProgressBarBuilder().setTaskName("pretrain").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).continuousUpdate().build()) {
            net = PretrainedConv.pretrain(steps, lr, seed, dataDir, b, (s, losses) -> {
                if (pb != null) {
                    pb.stepTo(s + 1);
                    pb.setExtraMessage(String.format("loss %.4f", losses[0]));
                }
                if (s % 10 == 0 || s == steps - 1) curve.add(new double[] {s, losses[0]});
            });
        }
        Map<String, float[]> body = PretrainedConv.bodyOf(net);
        Path file = out.resolve(PretrainedConv.RESOURCE);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("task", t.name());
        meta.put("classes", "0,1,2,3,4");
        meta.put("optimizer", "adam");
        meta.put("lr", Double.toString(lr));
        meta.put("steps", Integer.toString(steps));
        meta.put("seed", Long.toString(seed));
        meta.put("batch", Integer.toString(t.batchSize()));
        PretrainedConv.write(file, body, meta);
        double trained = InnerTrainer.evaluate(t, net, 1, Split.TEST, 20, seed + 1, b)[0];
        double fresh = InnerTrainer.evaluate(t, t.init(RandomKey.of(seed + 7), b, 1), 1, Split.TEST, 20, seed + 1, b)[0];
        System.out.printf("%n== pretrain: %s, Adam lr %s, %d steps ==%n", t.name(), lr, steps);
        System.out.printf("held-out loss (test digits 0-4, 20 batches of %d): %.4f (a fresh init: %.4f)%n", t.batchSize(), trained, fresh);
        System.out.printf("body: %s (%s)%n", file, String.join(", ", body.keySet()));
        Path png = out.resolve("loss.png");
        Plots.losses(png, t.name() + " / adam lr " + lr, Map.of("train loss", curve));
        System.out.printf("plot: %s%n", png);
        return 0;
    }
}
