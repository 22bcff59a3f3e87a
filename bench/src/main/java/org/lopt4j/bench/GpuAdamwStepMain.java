package org.lopt4j.bench;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.cuda.CudaBackendProvider;
import org.lopt4j.cuda.CudaEventTimer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.FusedOps.Chunks;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * GPU benchmark of the fused AdamW kernel (run on a device:
 * {@code bash .device/on-device.sh java org.lopt4j.bench.GpuAdamwStepMain [runs]}): the median GPU time of one fused
 * AdamW pass over 1M and 10M parameters in 4 tensors and over the 148 tensors of GPT-2 small (124,439,808
 * parameters), timed with CUDA events and a cold L2 ({@link CudaEventTimer}), next to the device-to-device copy
 * bandwidth of the same bytes (the floor a memory-bound step cannot beat). Prints one line per case; exits with
 * status 2 when there is no usable GPU. Peer: bench/python/fused_adamw_torch.py.
 */
public final class GpuAdamwStepMain {
    private GpuAdamwStepMain() {}

    /** A named list of tensor shapes. */
    record Case(String name, List<Shape> shapes) {
        long params() { return shapes.stream().mapToLong(Shape::numel).sum(); }
    }

    /** {@code n} parameters in 4 tensors (the CPU benches' and optim_torch.py's split). */
    static Case flat(String name, int n) {
        int q = n / 4;
        return new Case(name, List.of(Shape.of(q), Shape.of(q), Shape.of(q), Shape.of(n - 3 * q)));
    }

    /** GPT-2 small's 148 parameter shapes (124,439,808 parameters), for the other GPU benchmarks too. */
    static List<Shape> gpt2SmallShapes() { return gpt2Small().shapes(); }

    /** GPT-2 small's parameter shapes (HF order; c_attn/c_fc/c_proj as Conv1D [in, out]). */
    static Case gpt2Small() {
        int d = 768, vocab = 50257, ctx = 1024, layers = 12;
        List<Shape> s = new ArrayList<>(List.of(Shape.of(vocab, d), Shape.of(ctx, d)));
        for (int l = 0; l < layers; l++) {
            s.addAll(List.of(Shape.of(d), Shape.of(d), Shape.of(d, 3 * d), Shape.of(3 * d), Shape.of(d, d), Shape.of(d),
                    Shape.of(d), Shape.of(d), Shape.of(d, 4 * d), Shape.of(4 * d), Shape.of(4 * d, d), Shape.of(d)));
        }
        s.add(Shape.of(d));
        s.add(Shape.of(d));
        return new Case("gpt2-small", s);
    }

    static List<Case> cases() { return List.of(flat("1M", 1_000_000), flat("10M", 10_000_000), gpt2Small()); }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        java.util.Optional<Backend> found = new CudaBackendProvider().probe();
        if (found.isEmpty()) {
            System.err.println("GpuAdamwStepMain needs a CUDA GPU and found none (see the CUDA probe's log line)");
            System.exit(2);
        }
        Backend b = found.get();
        System.out.printf("device %s, %d timed runs per case (median), cold L2%n", b, runs);
        try (CudaEventTimer timer = new CudaEventTimer(b)) {
            for (Case c : cases()) run(b, timer, c, runs);
        }
    }

    private static void run(Backend b, CudaEventTimer timer, Case c, int runs) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < c.shapes().size(); i++) names.add("t" + i);
        SlabLayout layout = SlabLayout.of(names, c.shapes());
        Chunks ch = Chunks.of(layout, b);
        Tensor p = Tensor.full(b, DType.F32, Shape.of(layout.size()), 0.5), g = Tensor.full(b, DType.F32, Shape.of(layout.size()), 1e-3);
        Tensor m = Tensor.zeros(b, DType.F32, Shape.of(layout.size())), v = Tensor.zeros(b, DType.F32, Shape.of(layout.size()));
        FusedOps.AdamwArgs a = new FusedOps.AdamwArgs(p, g, m, v, ch.tensorOf(), ch.startOf(), ch.offsets(), ch.sizes(),
                ch.chunk(), 1e-3, 0.9, 0.999, 1e-8, 0, 0.01, 0.1, 0.001);
        double adamw = timer.medianMillis(() -> b.fused().adamw(a), 3, runs);
        long n = layout.size();
        double copy = timer.copyMillis(m, p, 3, runs);
        double adamwBytes = 28.0 * n, copyBytes = 8.0 * n;   // AdamW reads p, g, m, v and writes p, m, v
        System.out.printf("%-10s %,13d params %4d tensors %6d chunks | fused AdamW %9.4f ms %7.1f GB/s | D2D copy %9.4f ms %7.1f GB/s"
                        + " | AdamW at copy bandwidth %9.4f ms%n",
                c.name(), c.params(), c.shapes().size(), ch.count(), adamw, adamwBytes / adamw / 1e6, copy,
                copyBytes / copy / 1e6, adamwBytes / (copyBytes / copy));
        timer.release(p, g, m, v);
    }
}
