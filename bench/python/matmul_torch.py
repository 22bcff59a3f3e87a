"""PyTorch 1.13 CPU float32 matmul GFLOP/s with 2 threads, the peer of MatmulBench (run with Debian's /usr/bin/python3)."""
import statistics
import time

import torch

torch.set_num_threads(2)
for n in (256, 1024):
    a = torch.rand(n, n, dtype=torch.float32)
    b = torch.rand(n, n, dtype=torch.float32)
    reps = 200 if n == 256 else 20
    for _ in range(reps // 4):
        torch.mm(a, b)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b)
        times.append((time.perf_counter() - t0) / reps)
    t = statistics.median(times)
    print(f"torch {torch.__version__} threads={torch.get_num_threads()} n={n}: {t * 1e3:.3f} ms, {2 * n ** 3 / t / 1e9:.1f} GFLOP/s")
