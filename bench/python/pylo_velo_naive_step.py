"""Times one step of PyLO's plain-PyTorch VeLO_naive (LSTM 512, bank 256, random weights) on PyTorch 1.13 CPU,
2 threads, over 1M parameters in the same 4 tensors as LoptStepBench. PyLO's code is read from a checkout given as
the first argument (see lopt/src/test/python/make_pylo_velo_fixtures.py), not copied here."""
import statistics
import sys
import time

import torch

import pylo_modules

torch.set_num_threads(2)
PYLO = sys.argv[1]
pylo_modules.install_stubs()

rnn_mod = pylo_modules.load(PYLO, "pylo.models.VeLO_RNN", "pylo/models/VeLO_RNN.py")
mlp_mod = pylo_modules.load(PYLO, "pylo.models.VeLO_MLP", "pylo/models/VeLO_MLP.py")
rnn, mlp = rnn_mod.VeLORNN(30, 512, 256), mlp_mod.VeLOMLP(param_inits=256)
rnn_mod.VeLORNN.from_pretrained = classmethod(lambda cls, key: rnn)
mlp_mod.VeLOMLP.from_pretrained = classmethod(lambda cls, key: mlp)
naive = pylo_modules.load(PYLO, "pylo.optim.Velo_naive", "pylo/optim/Velo_naive.py")
n = 1_000_000
shapes = pylo_modules.flat_shapes(n)
ps = [torch.randn(s).requires_grad_(True) for s in shapes]
for p in ps:
    p.grad = torch.randn_like(p)
opt = naive.VeLO_naive(ps, lr=1.0, num_steps=10000)
opt.step(torch.tensor(2.0))
times = []
for _ in range(5):
    t0 = time.perf_counter()
    opt.step(torch.tensor(2.0))
    times.append(time.perf_counter() - t0)
print(f"PyLO VeLO_naive (512/256), {n:,d} params, torch {torch.__version__}, 2 threads: median {statistics.median(times) * 1e3:.1f} ms/step")
