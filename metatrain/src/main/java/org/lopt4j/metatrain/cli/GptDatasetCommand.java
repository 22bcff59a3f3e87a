package org.lopt4j.metatrain.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.gpt.data.CheckpointDataset;
import org.lopt4j.metatrain.gpt.data.CheckpointRecipe;
import org.lopt4j.metatrain.gpt.data.Checkpoints;
import org.lopt4j.metatrain.gpt.data.PopulationTrainer;
import org.lopt4j.metatrain.gpt.data.TaskData;
import org.lopt4j.metatrain.gpt.data.TaskNet;
import org.lopt4j.metatrain.run.AtomicFiles;
import org.lopt4j.metatrain.run.RunLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lopt4j gpt dataset}: trains the runs of G.pt's MNIST checkpoint dataset as one population and writes it. */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Build G.pt's checkpoint dataset: MNIST MLPs trained with SGD (Nesterov, cosine lr) as one batched population, checkpoints saved on a "
                + "random schedule, cleaned and scaled (gpt_checkpoints.md §1). Default: the nano recipe (14x14, 200 runs x 50 checkpoints, 5 epochs).")
final class GptDatasetCommand implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "200", description = "Training runs (default ${DEFAULT-VALUE}).") int runs;
    @Option(names = "--checkpoints", description = "Checkpoints per run (default 50; 200 at --size 28).") Integer checkpoints;
    @Option(names = "--epochs", description = "Epochs per run (default 5; 25 at --size 28).") Integer epochs;
    @Option(names = "--size", defaultValue = "14", description = "Image size: 14 (nano) or 28 (the paper's recipe; needs --data-dir) (default ${DEFAULT-VALUE}).") int size;
    @Option(names = "--held-out", defaultValue = "40", description = "Last runs kept as the test split (default ${DEFAULT-VALUE}).") int heldOut;
    @Option(names = "--runs-per-shard", defaultValue = "25", description = "Runs per shard file (default ${DEFAULT-VALUE}).") int runsPerShard;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of inits, shuffles, schedules and the σ sample (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--data-dir", description = "Directory with mnist/ (IDX); default: embedded data (14x14).") Path dataDir;
    @Option(names = "--out", defaultValue = "runs/gpt-data", description = "Dataset directory (default ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--force", description = "Replace a complete dataset already in --out.") boolean force;
    @Option(names = "--quiet", description = "No progress bar.") boolean quiet;

    @Override public Integer call() throws Exception {
        if (size != 14 && size != 28) throw new IllegalArgumentException("--size must be 14 (nano) or 28 (the paper's recipe), got " + size);
        TaskNet net = new TaskNet(size, 10);
        CheckpointRecipe r = (size == 14 ? CheckpointRecipe.nano() : CheckpointRecipe.original()).withSeed(seed);
        if (epochs != null) r = r.withEpochs(epochs);
        if (checkpoints != null) r = r.withCheckpoints(checkpoints);
        if (runs < 2 || heldOut < 0 || heldOut >= runs) throw new IllegalArgumentException("--held-out must be between 0 and --runs − 1 (" + heldOut + " of " + runs + ")");
        long values = (long) runs * r.checkpoints() * net.parameters();
        if (values > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(String.format("%d runs x %d checkpoints x %d parameters = %,d values: a dataset is one in-memory array of at most 2^31; use fewer --runs or --checkpoints",
                    runs, r.checkpoints(), net.parameters(), values));
        }
        Files.createDirectories(out);
        try (RunLock lock = RunLock.acquire(out, "gpt dataset")) {
            Path manifest = out.resolve(CheckpointDataset.MANIFEST);
            if (Files.exists(manifest) && !force) {
                throw new IllegalArgumentException(manifest + ": a complete dataset is already there; pass --force to replace it, or choose another --out");
            }
            long t0 = System.nanoTime();
            ImageDataset train = TaskData.train(size, dataDir), test = TaskData.test(size, r.testImages(), dataDir);
            long t1 = System.nanoTime();
            PopulationTrainer trainer = new PopulationTrainer(net, r, train, test, 0, runs);
            System.err.printf("gpt dataset: %d runs of %d updates (%d epochs, batch %d) of the %dx%d MLP (P = %d), %d checkpoints each, test metrics on %d images%n",
                    runs, trainer.totalIters(), r.epochs(), r.batch(), size, size, net.parameters(), r.checkpoints(), r.testImages());
            Checkpoints all;
            try (ProgressBar pb = quiet ? null : new ProgressBarBuilder().setTaskName("gpt dataset").setInitialMax(trainer.totalIters())
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().build()) {
                all = trainer.run(i -> { if (pb != null) pb.stepTo(i); });
            }
            long t2 = System.nanoTime();
            CheckpointDataset.Written w = CheckpointDataset.write(lock, net, r, all, heldOut, runsPerShard, force);
            long t3 = System.nanoTime();
            String summary = summary(w, r, trainer.totalIters(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, CheckpointDataset.bytesOnDisk(out));
            System.out.print(summary);
            AtomicFiles.writeString(out.resolve("summary.txt"), summary);
            plot(w.dataset(), out.resolve("test_loss.png"));
            return 0;
        }
    }

    private String summary(CheckpointDataset.Written w, CheckpointRecipe r, int total, double load, double train, double write, long bytes) {
        CheckpointDataset d = w.dataset();
        int k = d.checkpointsPerRun();
        double initLo = Double.POSITIVE_INFINITY, initHi = Double.NEGATIVE_INFINITY, endLo = initLo, endHi = initHi, best = initLo;
        int bestRun = -1, bestK = -1;
        for (int run = 0; run < d.runs(); run++) {
            initLo = Math.min(initLo, d.testLoss(run, 0));
            initHi = Math.max(initHi, d.testLoss(run, 0));
            endLo = Math.min(endLo, d.testLoss(run, k - 1));
            endHi = Math.max(endHi, d.testLoss(run, k - 1));
            for (int c = 0; c < k; c++) if (d.testLoss(run, c) < best) { best = d.testLoss(run, c); bestRun = run; bestK = c; }
        }
        StringBuilder sb = new StringBuilder(String.format("%n== gpt dataset: %s ==%n", out));
        sb.append(String.format("runs: %d trained, %d dropped, %d stored (%d train, %d test = the last %d), %d checkpoints each over %d updates%n",
                d.runs() + w.cleaning().dropped().size(), w.cleaning().dropped().size(), d.runs(), d.trainRuns().length, d.testRuns().length, d.testRuns().length, k, total));
        for (var x : w.cleaning().dropped()) sb.append(String.format("  dropped run %d: %s%n", x.run(), x.reason()));
        sb.append(String.format("coeff = 0.538 / sigma = 0.538 / %.5f = %.4f (sigma over %d checkpoints)%n", w.cleaning().sigma(), d.coeff(), w.cleaning().sampled()));
        sb.append(String.format("test loss (%d images): init %.4f .. %.4f, final %.4f .. %.4f; best %.4f (run %d, iteration %d, error %.2f %%)%n",
                r.testImages(), initLo, initHi, endLo, endHi, best, bestRun, d.iteration(bestRun, bestK), 100 * d.testErr(bestRun, bestK)));
        sb.append(String.format("time: data %.1f s, training and test metrics %.1f s, writing %.1f s%n", load, train, write));
        sb.append(String.format("size on disk: %.1f MB (manifest.json and shards)%n", bytes / 1e6));
        sb.append("plot: ").append(out.resolve("test_loss.png")).append('\n');
        return sb.toString();
    }

    /** Test loss against iteration for the first four runs of each split. */
    private static void plot(CheckpointDataset d, Path png) throws java.io.IOException {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(4, d.trainRuns().length); i++) shown.add(d.trainRuns()[i]);
        for (int i = 0; i < Math.min(4, d.testRuns().length); i++) shown.add(d.testRuns()[i]);
        for (int run : shown) {
            List<double[]> pts = new ArrayList<>();
            for (int c = 0; c < d.checkpointsPerRun(); c++) pts.add(new double[] {d.iteration(run, c), d.testLoss(run, c)});
            series.put("run " + d.runSeed(run) + (run >= d.runs() - d.testRuns().length ? " (test split)" : ""), pts);
        }
        Plots.curves(png, "G.pt checkpoint dataset: test loss of the saved checkpoints", "test loss", series, true);
    }
}
