"""Times one step of PyLO's plain-PyTorch VeLO_naive (LSTM 512, bank 256, random weights) on PyTorch 1.13 CPU,
2 threads, over 1M parameters in the same 4 tensors as LoptStepBench. PyLO's code is read from a checkout given as
the first argument (see lopt/src/test/python/make_pylo_velo_fixtures.py), not copied here."""
import importlib.util
import os
import statistics
import sys
import time
import types

import torch

torch.set_num_threads(2)
PYLO = sys.argv[1]
hub = types.ModuleType("huggingface_hub")


class PyTorchModelHubMixin:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__()


hub.PyTorchModelHubMixin = PyTorchModelHubMixin
sys.modules["huggingface_hub"] = hub
for pkg in ("pylo", "pylo.models", "pylo.optim"):
    sys.modules[pkg] = types.ModuleType(pkg)


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


rnn_mod = load("pylo.models.VeLO_RNN", os.path.join(PYLO, "pylo/models/VeLO_RNN.py"))
mlp_mod = load("pylo.models.VeLO_MLP", os.path.join(PYLO, "pylo/models/VeLO_MLP.py"))
rnn, mlp = rnn_mod.VeLORNN(30, 512, 256), mlp_mod.VeLOMLP(param_inits=256)
rnn_mod.VeLORNN.from_pretrained = classmethod(lambda cls, key: rnn)
mlp_mod.VeLOMLP.from_pretrained = classmethod(lambda cls, key: mlp)
naive = load("pylo.optim.Velo_naive", os.path.join(PYLO, "pylo/optim/Velo_naive.py"))
n = 1_000_000
rows = n // 4 // 512
shapes = [(rows, 512)] * 3 + [(n - 3 * rows * 512,)]
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
