"""Peer of org.lopt4j.bench.GpuAdamwStepMain: torch.optim.AdamW(fused=True) on the GPU over the same cases (1M and 10M
parameters in 4 tensors, the 148 tensors of GPT-2 small), median GPU time of one step from CUDA events over `runs`
timed steps after 3 warm-up steps. Exits with status 2 when torch has no CUDA device (run it on the device machine)."""
import statistics
import sys

import torch


def flat(n):
    q = n // 4
    return [(q,), (q,), (q,), (n - 3 * q,)]


def gpt2_small():
    d, vocab, ctx = 768, 50257, 1024
    shapes = [(vocab, d), (ctx, d)]
    for _ in range(12):
        shapes += [(d,), (d,), (d, 3 * d), (3 * d,), (d, d), (d,), (d,), (d,), (d, 4 * d), (4 * d,), (4 * d, d), (d,)]
    return shapes + [(d,), (d,)]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    if not torch.cuda.is_available():
        print("fused_adamw_torch.py needs a CUDA device; torch sees none", file=sys.stderr)
        sys.exit(2)
    dev = torch.device("cuda")
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}, {runs} timed steps per case (median)")
    for name, shapes in (("1M", flat(1_000_000)), ("10M", flat(10_000_000)), ("gpt2-small", gpt2_small())):
        params = [torch.randn(s, device=dev, requires_grad=True) for s in shapes]
        for p in params:
            p.grad = torch.randn_like(p)
        opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2, fused=True)
        for _ in range(3):
            opt.step()
        times = []
        for _ in range(runs):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            opt.step()
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end))
        n = sum(p.numel() for p in params)
        print(f"{name}: {n:,d} params, {len(shapes)} tensors: median {statistics.median(times):.3f} ms/step")
        del opt, params
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
