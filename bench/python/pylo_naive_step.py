"""Times one step of PyLO's plain-PyTorch AdafacLO_naive (small_fc_lopt, μLO width 32) on PyTorch 1.13 CPU, 2 threads,
over 1M parameters in the same 4 tensors as LoptStepBench ([488, 512] x 3 and the rest). PyLO's code is read from a
checkout given as the first argument (see lopt/src/test/python/make_pylo_fixtures.py), not copied here."""
import statistics
import sys
import time

import torch

import pylo_modules

torch.set_num_threads(2)
PYLO = sys.argv[1]
pylo_modules.install_stubs()

meta = pylo_modules.load(PYLO, "pylo.models.Meta_MLP", "pylo/models/Meta_MLP.py")
net = meta.MetaMLP(39, 32, 1)
meta.MetaMLP.from_pretrained = classmethod(lambda cls, key: net)
naive = pylo_modules.load(PYLO, "pylo.optim.AdafacLO_naive", "pylo/optim/AdafacLO_naive.py")
n = 1_000_000
shapes = pylo_modules.flat_shapes(n)
ps = [torch.randn(s).requires_grad_(True) for s in shapes]
for p in ps:
    p.grad = torch.randn_like(p)
opt = naive.AdafacLO_naive(ps, hf_key=None)
opt.step()
times = []
for _ in range(5):
    t0 = time.perf_counter()
    opt.step()
    times.append(time.perf_counter() - t0)
print(f"PyLO AdafacLO_naive (width 32), {n:,d} params, torch {torch.__version__}, 2 threads: median {statistics.median(times) * 1e3:.1f} ms/step")
