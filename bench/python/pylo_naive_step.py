"""Times one step of PyLO's plain-PyTorch AdafacLO_naive (small_fc_lopt, μLO width 32) on PyTorch 1.13 CPU, 2 threads,
over 1M parameters in the same 4 tensors as LoptStepBench ([488, 512] x 3 and the rest). PyLO's code is read from a
checkout given as the first argument (see lopt/src/test/python/make_pylo_fixtures.py), not copied here."""
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


meta = load("pylo.models.Meta_MLP", os.path.join(PYLO, "pylo/models/Meta_MLP.py"))
net = meta.MetaMLP(39, 32, 1)
meta.MetaMLP.from_pretrained = classmethod(lambda cls, key: net)
naive = load("pylo.optim.AdafacLO_naive", os.path.join(PYLO, "pylo/optim/AdafacLO_naive.py"))
n = 1_000_000
rows = n // 4 // 512
shapes = [(rows, 512)] * 3 + [(n - 3 * rows * 512,)]
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
