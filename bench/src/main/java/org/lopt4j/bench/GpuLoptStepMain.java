package org.lopt4j.bench;

import java.util.List;
import org.lopt4j.cuda.CudaEventTimer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.BackendProvider;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

/**
 * GPU benchmark of whole optimizer steps (run on a device: {@code bash .device/on-device.sh java
 * org.lopt4j.bench.GpuLoptStepMain [runs]}): the median time of one step of fused AdamW, small_fc_lopt (hidden 4 and
 * 32), MLPLOpt, VeLO, L3RS, Muon and CELO2 (their matrices through the grouped Newton–Schulz pass) over 1M and 10M parameters in 4 tensors and over GPT-2 small's 148 tensors, between CUDA events
 * on the backend's stream with a cold L2 before each run. A step includes the non-finite guard and, for VeLO, its
 * tensor network's launches; no step reads anything back, so the host only queues work. Prints one line per case and
 * optimizer; exits with status 2 when there is no usable GPU. Peers: bench/python/fused_adamw_torch.py,
 * bench/python/pylo_cuda_step.py.
 */
public final class GpuLoptStepMain {
    private GpuLoptStepMain() {}

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        BackendProvider cuda = new org.lopt4j.cuda.CudaBackendProvider();
        java.util.Optional<Backend> found = cuda.probe();
        if (found.isEmpty()) {
            System.err.println("GpuLoptStepMain needs a CUDA GPU and found none (see the CUDA probe's log line)");
            System.exit(2);
        }
        Backend b = found.get();
        System.out.printf("%s, %d timed steps per case (median), cold L2%n", b.name(), runs);
        List<String> optimizers = List.of("adamw", "small_fc_lopt4", "small_fc_lopt32", "mlp_lopt", "velo", "l3rs", "muon", "celo2");
        record Case(String name, SlabLayout layout) {}
        List<Case> cases = List.of(new Case("1M", LoptStepBench.layout(1_000_000)), new Case("10M", LoptStepBench.layout(10_000_000)),
                new Case("gpt2-small", BackendLoptStepBench.gpt2Small()));
        StepInfo info = new StepInfo(2.0, 10_000);
        try (CudaEventTimer timer = new CudaEventTimer(b)) {
            for (Case c : cases) {
                Slab p = LoptStepBench.random(b, c.layout(), 1), g = LoptStepBench.random(b, c.layout(), 2);
                double adamw = Double.NaN;
                for (String name : optimizers) {
                    String which = name.equals("l3rs") ? "l3rs:" + c.layout().count() : name;        // L3RS is made for its model's tensor count
                    LoptStepBench.Stepper<?> stepper = LoptStepBench.Stepper.of(LoptStepBench.optimizer(which, b), p);
                    double ms = timer.medianMillis(() -> stepper.step(p, g, info), 3, runs);
                    if (name.equals("adamw")) adamw = ms;
                    System.out.printf("%-10s %,13d params %4d tensors | %-16s %10.4f ms %8.3f ns/param %7.2f x AdamW%n", c.name(),
                            c.layout().size(), c.layout().count(), name, ms, ms * 1e6 / c.layout().size(), ms / adamw);
                }
            }
        }
    }
}
