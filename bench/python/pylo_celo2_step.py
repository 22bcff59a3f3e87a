"""Times one step of PyLO's plain-PyTorch CELO2_naive (hidden 8, Newton-Schulz on) on PyTorch 1.13 CPU, 2 threads, over
N parameters (first argument after the checkout; default 1M) in the same 4 tensors as LoptStepBench ([rows, 512] x 3
and a vector, which takes the AdamW branch). PyLO's code is read from a checkout given as the first argument (see
lopt/src/test/python/make_pylo_fixtures.py), not copied here."""
import statistics
import sys
import time

import torch

import pylo_modules

torch.set_num_threads(2)
PYLO = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
pylo_modules.install_stubs()

mlp = pylo_modules.load(PYLO, "pylo.models.CELO2_MLP", "pylo/models/CELO2_MLP.py")
naive = pylo_modules.load(PYLO, "pylo.optim.CELO2_naive", "pylo/optim/CELO2_naive.py")
shapes = pylo_modules.flat_shapes(n)
ps = [torch.randn(s).requires_grad_(True) for s in shapes]
for p in ps:
    p.grad = torch.randn_like(p)
opt = naive.CELO2_naive(ps, network=mlp.CELO2MLP())
opt.step()
times = []
for _ in range(5):
    t0 = time.perf_counter()
    opt.step()
    times.append(time.perf_counter() - t0)
print(f"PyLO CELO2_naive (hidden 8), {n:,d} params, torch {torch.__version__}, 2 threads: median {statistics.median(times) * 1e3:.1f} ms/step")
