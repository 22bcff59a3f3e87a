package org.lopt4j.metatrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lopt4j.metatrain.data.ImageDataset;
import org.lopt4j.metatrain.gpt.data.CheckpointDataset;
import org.lopt4j.metatrain.gpt.data.TaskNet;
import org.lopt4j.metatrain.gpt.eval.PromptSweep;
import org.lopt4j.metatrain.gpt.train.DatasetPairs;
import org.lopt4j.metatrain.gpt.train.GptTrainConfig;
import org.lopt4j.metatrain.gpt.train.GptTrainer;
import org.lopt4j.metatrain.run.AtomicFiles;
import org.lopt4j.metatrain.run.MetricsLog;
import org.lopt4j.metatrain.run.RunLock;
import org.lopt4j.metatrain.run.StopSignal;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.io.SafeTensors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lopt4j gpt}: G.pt (gpt_checkpoints.md), a diffusion transformer over checkpoints that generates parameters for a prompted loss. */
@Command(name = "gpt", mixinStandardHelpOptions = true,
        subcommands = {GptDatasetCommand.class, GptCommand.Train.class, GptCommand.Eval.class, GptCommand.Sample.class, GptCommand.Nano.class},
        description = "G.pt: build a dataset of MLP checkpoints, train a diffusion transformer on it, and sample parameters for a prompted test loss.")
final class GptCommand implements Runnable {
    @Override public void run() { new CommandLine(this).usage(System.err); }

    private static Backend backend(String device) { return device.equals("auto") ? Backends.best() : Backends.named(device); }

    /** The options of the commands that sample from a trained model: the model, its dataset, and how to run it. */
    static final class ModelOptions {
        @Option(names = "--model", defaultValue = "runs/gpt/gpt.safetensors", description = "gpt.safetensors from `lopt4j gpt train` (default ${DEFAULT-VALUE}).") Path model;
        @Option(names = "--data", defaultValue = "runs/gpt-data", description = "The checkpoint dataset the model was trained on (default ${DEFAULT-VALUE}).") Path data;
        @Option(names = "--data-dir", description = "Directory with mnist/ (IDX), when the dataset was built from it; default: embedded data.") Path dataDir;
        @Option(names = "--raw", description = "Sample with the raw weights instead of their EMA.") boolean raw;
        @Option(names = "--device", defaultValue = "auto", description = "Backend (default ${DEFAULT-VALUE}).") String device;

        CheckpointDataset dataset() throws java.io.IOException { return CheckpointDataset.read(data); }

        GptTrainer load(CheckpointDataset d) throws java.io.IOException { return GptTrainer.load(model, DatasetPairs.layerSizes(d.net()), backend(device)); }
    }

    /** {@code lopt4j gpt train}. */
    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train G.pt on a checkpoint dataset from `lopt4j gpt dataset`.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--data", defaultValue = "runs/gpt-data", description = "Checkpoint dataset directory (default ${DEFAULT-VALUE}).") Path data;
        @Option(names = "--out", defaultValue = "runs/gpt", description = "Directory for gpt.safetensors (checkpoint and model), metrics.jsonl, loss.png, summary.txt (default ${DEFAULT-VALUE}).") Path out;
        @Option(names = "--config", description = "JSON config; fields of GptTrainConfig (omitted ones keep the nano defaults).") Path config;
        @Option(names = "--steps", description = "AdamW steps (default 2000).") Integer steps;
        @Option(names = "--batch", description = "Pairs per step (default 64).") Integer batch;
        @Option(names = "--predict", description = "What the model regresses: x0 (G.pt) or eps (the ablation); default x0.") String predict;
        @Option(names = "--seed", description = "Run seed.") Long seed;
        @Option(names = "--device", defaultValue = "auto", description = "Backend (default ${DEFAULT-VALUE}).") String device;
        @Option(names = "--resume", description = "Continue the checkpoint in --out.") boolean resume;
        @Option(names = "--quiet", description = "No progress bar.") boolean quiet;

        @Override public Integer call() throws Exception {
            GptTrainConfig c = config != null ? GptTrainConfig.read(config) : GptTrainConfig.nano();
            if (predict != null && !predict.equals("x0") && !predict.equals("eps")) throw new IllegalArgumentException("--predict must be x0 or eps, got " + predict);
            c = new ConfigOverrides().put("steps", "--steps", steps).put("batch", "--batch", batch).put("seed", "--seed", seed)
                    .put("predictX0", "--predict", predict == null ? null : predict.equals("x0")).applyTo(c::with);
            CheckpointDataset d = CheckpointDataset.read(data);
            DatasetPairs pairs = new DatasetPairs(d, c.augment());
            GptTrainer t = new GptTrainer(c, pairs.layerSizes(), backend(device));
            Path ckpt = out.resolve(GptTrainer.FILE), metrics = out.resolve("metrics.jsonl");
            try (RunLock lock = RunLock.acquire(out, "gpt train")) {
                if (!resume && Files.exists(ckpt)) throw new IllegalArgumentException(ckpt + " exists: pass --resume to continue it, or choose another --out");
                if (resume) t.read(ckpt);
                System.err.printf("gpt train: %,d-parameter model (width %d, %d blocks, %d heads, %d tokens), %s-prediction, %d steps of %d pairs from %d training runs%s%n",
                        t.gpt().parameterCount(), c.dim(), c.layers(), c.heads(), t.gpt().tokens(), c.predictX0() ? "x0" : "eps", c.steps(), c.batch(),
                        d.trainRuns().length, resume ? ", resuming at step " + t.step() : "");
                long t0 = System.nanoTime();
                try (StopSignal stop = StopSignal.install(); MetricsLog log = resume ? MetricsLog.resume(metrics, t.step()) : MetricsLog.create(metrics);
                     ProgressBar pb = quiet ? null : new ProgressBarBuilder().setTaskName("gpt").setInitialMax(c.steps()).setStyle(ProgressBarStyle.ASCII)
                             .setUpdateIntervalMillis(500).continuousUpdate().startsFrom(t.step(), java.time.Duration.ZERO).build()) {
                    try {
                        t.run(pairs, -1, stop::requested, ckpt, r -> {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("step", r.step());
                            row.put("loss", r.loss());
                            row.put("no_change", r.noChange());
                            row.put("lr", r.lr());
                            row.put("seconds", r.seconds());
                            log.append(row);
                            if (pb != null) {
                                pb.stepTo(r.step() + 1);
                                pb.setExtraMessage(String.format("loss %.4f", r.loss()));
                            }
                        });
                    } catch (GptTrainer.DivergedException e) {
                        System.err.printf("%n%s: stopped; the last checkpoint is %s%n", e.getMessage(), ckpt);
                        return TrainCommand.DIVERGED;
                    }
                    if (stop.requested()) {
                        System.err.printf("%nstopped at step %d: checkpoint %s; continue with --resume%n", t.step(), ckpt);
                        return 130;
                    }
                }
                List<double[]> loss = new ArrayList<>(), noChange = new ArrayList<>();
                ObjectMapper json = new ObjectMapper();
                for (String line : Files.readAllLines(metrics)) {
                    var row = json.readTree(line);
                    loss.add(new double[] {row.get("step").asDouble(), row.get("loss").asDouble()});
                    noChange.add(new double[] {row.get("step").asDouble(), row.get("no_change").asDouble()});
                }
                int n = loss.size(), tail = Math.max(1, n / 10);
                double end = 0, base = 0;
                for (int i = n - tail; i < n; i++) { end += loss.get(i)[1] / tail; base += noChange.get(i)[1] / tail; }
                StringBuilder sb = new StringBuilder(String.format("%n== gpt train: %d steps, %s-prediction, %.1f min ==%n", t.step(), c.predictX0() ? "x0" : "eps",
                        (System.nanoTime() - t0) / 6e10));
                sb.append(String.format("training loss over the last %d steps: %.5f%s%n", tail, end,
                        c.predictX0() ? String.format("; the \"no change\" loss mean((x_prev - x0)^2) of the same batches: %.5f (ratio %.3f)", base, end / base) : " (on the noise)"));
                sb.append("model: ").append(ckpt).append(" (evaluate with `lopt4j gpt eval --model ").append(ckpt).append(" --data ").append(data).append("`)\n");
                sb.append("plot: ").append(out.resolve("loss.png")).append('\n');
                System.out.print(sb);
                AtomicFiles.writeString(out.resolve("summary.txt"), sb.toString());
                Map<String, List<double[]>> series = new LinkedHashMap<>();
                series.put("G.pt training loss", smooth(loss, Math.max(1, n / 100)));
                if (c.predictX0()) series.put("no change: mean((x_prev - x0)^2)", smooth(noChange, Math.max(1, n / 100)));
                Plots.curves(out.resolve("loss.png"), "G.pt training loss (mean of " + Math.max(1, n / 100) + " steps)", "loss", series, false);
                return 0;
            }
        }

        static List<double[]> smooth(List<double[]> pts, int w) {
            List<double[]> out = new ArrayList<>();
            for (int i = 0; i + w <= pts.size(); i += w) {
                double s = 0;
                for (int j = i; j < i + w; j++) s += pts.get(j)[1] / w;
                out.add(new double[] {pts.get(i + w - 1)[0], s});
            }
            return out;
        }
    }

    /** {@code lopt4j gpt eval}: prompt alignment (gpt_checkpoints.md §6) on training-split and held-out nets. */
    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Prompt a trained G.pt from random-init checkpoints with a sweep of test losses (the dataset's best to 0.9 x the start), measure the losses reached, and report R^2 and the one-step best against SGD.")
    static final class Eval implements Callable<Integer> {
        @CommandLine.Mixin ModelOptions m;
        @Option(names = "--nets", defaultValue = "10", description = "Nets of each split (default ${DEFAULT-VALUE}).") int nets;
        @Option(names = "--prompts", defaultValue = "20", description = "Prompts per net (default ${DEFAULT-VALUE}).") int prompts;
        @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--out", defaultValue = "runs/gpt-eval", description = "Directory for eval.json, alignment.png, summary.txt (default ${DEFAULT-VALUE}).") Path out;

        @Override public Integer call() throws Exception {
            if (nets < 1) throw new IllegalArgumentException("--nets must be positive");
            CheckpointDataset d = m.dataset();
            GptTrainer model = m.load(d);
            ImageDataset test = d.testImages(m.dataDir);
            try (RunLock lock = RunLock.acquire(out, "gpt eval")) {
                System.err.printf("gpt eval: %d training-split and %d held-out nets x %d prompts, %d sampling steps%n", nets, nets, prompts, model.config().samplingSteps());
                long t0 = System.nanoTime();
                PromptSweep.Result r = PromptSweep.run(model, !m.raw, d, test, nets, prompts, seed);
                StringBuilder sb = new StringBuilder(String.format("%n== gpt eval: %s, step %d, %s weights, %.1f s ==%n", m.model, model.step(), m.raw ? "raw" : "EMA", (System.nanoTime() - t0) / 1e9));
                sb.append(String.format("prompts: %d from the dataset's best test loss %.4f to 0.9 x each net's starting loss%n", prompts, r.best()));
                sb.append(String.format("prompt alignment R^2 (mean over nets): training-split %.3f, held-out %.3f; correlation of reached and prompted loss: %.3f, %.3f%n",
                        r.meanR2Train(), r.meanR2HeldOut(), r.meanCorrelationTrain(), r.meanCorrelationHeldOut()));
                sb.append(String.format("%-6s %-9s %9s %9s %7s %14s %s%n", "run", "split", "init", "R^2", "corr", "best prompt ->", "SGD iterations of the same run to that loss"));
                for (PromptSweep.Net n : r.nets()) {
                    sb.append(String.format("%-6d %-9s %9.4f %9.3f %7.3f %14.4f %s%n", n.run(), n.heldOut() ? "held-out" : "train", n.initLoss(), n.r2(), n.correlation(),
                            n.bestObserved(), !n.improved() ? "(no better than the init)" : n.sgdReached() ? n.sgdIterations() + " of " + n.sgdTotal() : "not reached in " + n.sgdTotal()));
                }
                sb.append("plot: ").append(out.resolve("alignment.png")).append('\n');
                System.out.print(sb);
                AtomicFiles.writeString(out.resolve("summary.txt"), sb.toString());
                byte[] json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(r);
                AtomicFiles.write(out.resolve("eval.json"), o -> o.write(json));
                Map<String, List<double[]>> points = new LinkedHashMap<>(), means = new LinkedHashMap<>();
                for (boolean held : new boolean[] {false, true}) {
                    String name = held ? "held-out" : "training-split";
                    List<double[]> pts = new ArrayList<>(), mean = new ArrayList<>();
                    List<PromptSweep.Net> split = r.nets().stream().filter(n -> n.heldOut() == held).toList();
                    for (PromptSweep.Net n : split) for (int j = 0; j < n.prompts().length; j++) pts.add(new double[] {n.prompts()[j], n.observed()[j]});
                    for (int j = 0; j < prompts && !split.isEmpty(); j++) {
                        double x = 0, y = 0;
                        for (PromptSweep.Net n : split) { x += n.prompts()[j] / split.size(); y += n.observed()[j] / split.size(); }
                        mean.add(new double[] {x, y});
                    }
                    points.put(name + " nets", pts);
                    means.put(name + String.format(" mean (R^2 %.2f)", held ? r.meanR2HeldOut() : r.meanR2Train()), mean);
                }
                Plots.alignment(out.resolve("alignment.png"), "G.pt: test loss reached in one step against the prompt", "test loss", points, means);
            }
            return 0;
        }
    }

    /** {@code lopt4j gpt sample}: one network for a prompted loss, from a dataset checkpoint, a saved net or a fresh init. */
    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = "Generate task-net parameters for a prompted test loss in one G.pt update (or several, --recursive), and write them as safetensors.")
    static final class Sample implements Callable<Integer> {
        @CommandLine.Mixin ModelOptions m;
        @Option(names = "--prompt-loss", required = true, description = "The test loss to ask for.") double prompt;
        @Option(names = "--from", defaultValue = "init", description = "Starting parameters: init (a fresh PyTorch-default init, --seed), run:R (run R's first checkpoint in the dataset), or a .safetensors net (default ${DEFAULT-VALUE}).") String from;
        @Option(names = "--recursive", defaultValue = "1", description = "Updates in a row, each from the last one's parameters and measured loss (default ${DEFAULT-VALUE}).") int recursive;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the init and of the sampling (default ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--out", defaultValue = "runs/gpt-sample/net.safetensors", description = "The generated net, PyTorch state-dict names (default ${DEFAULT-VALUE}).") Path out;

        @Override public Integer call() throws Exception {
            if (recursive < 1) throw new IllegalArgumentException("--recursive must be at least 1");
            CheckpointDataset d = m.dataset();
            TaskNet net = d.net();
            GptTrainer model = m.load(d);
            ImageDataset test = d.testImages(m.dataDir);
            float[] theta = start(d, net);
            double loss = net.evaluate(new float[][] {theta}, test).loss()[0];
            StringBuilder sb = new StringBuilder(String.format("== gpt sample: prompt test loss %.4f, from %s (test loss %.4f) ==%n", prompt, from, loss));
            for (int i = 0; i < recursive; i++) {
                float[] x = theta.clone();
                for (int j = 0; j < x.length; j++) x[j] = (float) (x[j] * d.coeff());
                float[] next = model.sample(!m.raw, new float[][] {x}, new double[] {prompt}, new double[] {loss}, seed + 1 + i)[0];
                for (int j = 0; j < next.length; j++) next[j] = (float) (next[j] / d.coeff());
                theta = next;
                TaskNet.Metrics met = net.evaluate(new float[][] {theta}, test);
                loss = met.loss()[0];
                sb.append(String.format("update %d: test loss %.4f, error %.2f %%%n", i + 1, loss, 100 * met.err()[0]));
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (TaskNet.Layer l : net.layers()) {
                tensors.put(l.name(), Tensor.of(Backends.scalar(), java.util.Arrays.copyOfRange(theta, l.offset(), l.offset() + l.length()), l.shape()));
            }
            if (out.getParent() != null) Files.createDirectories(out.getParent());
            SafeTensors.write(out, tensors, Map.of("prompt_loss", Double.toString(prompt), "test_loss", Double.toString(loss)));
            sb.append("net: ").append(out).append('\n');
            System.out.print(sb);
            return 0;
        }

        private float[] start(CheckpointDataset d, TaskNet net) throws java.io.IOException {
            if (from.equals("init")) return net.init(new SplittableRandom(seed));
            if (from.startsWith("run:")) {
                int run = Integer.parseInt(from.substring(4));
                if (run < 0 || run >= d.runs()) throw new IllegalArgumentException("--from " + from + ": the dataset has runs 0 to " + (d.runs() - 1));
                return d.theta(run, 0);
            }
            Path file = Path.of(from);
            var c = SafeTensors.read(file, Backends.scalar());
            float[] theta = new float[net.parameters()];
            for (TaskNet.Layer l : net.layers()) {
                Tensor t = c.tensors().get(l.name());
                if (t == null || !t.shape().equals(Shape.of(l.shape()))) {
                    throw new java.io.IOException(file + ": expected " + l.name() + " " + java.util.Arrays.toString(l.shape()) + ", found " + (t == null ? "none" : t.shape()));
                }
                System.arraycopy(t.toFloatArray(), 0, theta, l.offset(), l.length());
            }
            return theta;
        }
    }

    /** {@code lopt4j gpt nano}: the whole G.pt-nano pipeline with its defaults. */
    @Command(name = "nano", mixinStandardHelpOptions = true,
            description = "Run G.pt-nano end to end with the defaults: `gpt dataset`, `gpt train`, `gpt eval` into --out/{data,model,eval}.")
    static final class Nano implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "runs/gpt-nano", description = "Directory of the three stages (default ${DEFAULT-VALUE}).") Path out;
        @Option(names = "--quiet", description = "No progress bars.") boolean quiet;

        @Override public Integer call() {
            String data = out.resolve("data").toString(), model = out.resolve("model").toString();
            List<String[]> stages = List.of(
                    new String[] {"dataset", "--out", data},
                    new String[] {"train", "--data", data, "--out", model},
                    new String[] {"eval", "--data", data, "--model", out.resolve("model").resolve(GptTrainer.FILE).toString(), "--out", out.resolve("eval").toString()});
            for (String[] s : stages) {
                String[] args = quiet && !s[0].equals("eval") ? concat(s, "--quiet") : s;
                long t0 = System.nanoTime();
                int rc = Main.run(concat(new String[] {"gpt"}, args));
                System.err.printf("gpt nano: stage %s took %.1f min%n", s[0], (System.nanoTime() - t0) / 6e10);
                if (rc != 0) return rc;
            }
            return 0;
        }

        private static String[] concat(String[] a, String... b) {
            String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }
}
