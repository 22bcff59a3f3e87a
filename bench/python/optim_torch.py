"""PyTorch 1.13 CPU peers (2 threads): fused-AdamW's peer torch.optim.AdamW(foreach=True) over 1M and
10M parameters in 4 tensors, and one Adam training step of the two MLP tasks at batch 128 (data already in memory)."""
import statistics
import time

import torch

torch.set_num_threads(2)


def median_time(fn, reps, rounds=7):
    for _ in range(max(1, reps // 4)):
        fn()
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        out.append((time.perf_counter() - t0) / reps)
    return statistics.median(out)


for n in (1_000_000, 10_000_000):
    q = n // 4
    ps = [torch.randn(q if i < 3 else n - 3 * q, requires_grad=True) for i in range(4)]
    for p in ps:
        p.grad = torch.randn_like(p)
    opt = torch.optim.AdamW(ps, lr=1e-3, weight_decay=1e-2, foreach=True)
    t = median_time(opt.step, 20 if n == 1_000_000 else 3)
    print(f"torch AdamW(foreach=True) {n:>10,d} params: {t * 1e3:.3f} ms/step")

for name, sizes in (("ImageMLP_FashionMnist8_Relu32", [64, 32, 10]), ("ImageMLP_Mnist_128x128x128_Relu", [784, 128, 128, 128, 10])):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
    data = torch.rand(48000, sizes[0])
    labels = torch.randint(0, 10, (48000,))
    state = {"i": 0}

    def step():
        i = state["i"]
        idx = torch.randint(0, 48000, (128,))
        x, y = data[idx], labels[idx]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        state["i"] = i + 1

    t = median_time(step, 200)
    print(f"torch {name}: {t * 1e6:.1f} us/step, {1 / t:.0f} steps/s")
