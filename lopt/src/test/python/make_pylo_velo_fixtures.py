"""Writes VeLO conformance fixtures by running PyLO's own plain-PyTorch VeLO_naive (not copied here).

Usage (Debian's torch 1.13, CPU), with a PyLO checkout at d05c6c1 extracted to /tmp/pylo:
    /usr/bin/python3 lopt/src/test/python/make_pylo_velo_fixtures.py /tmp/pylo
A stand-in PyTorchModelHubMixin replaces huggingface_hub; VeLORNN(30, 32, 8) and VeLOMLP(8) get seeded random
weights (small widths keep the fixture small; the code paths are VeLO's). PyLO runs with lr = 1 (Google's VeLO) and
num_steps = 100. Shapes avoid 0-d tensors and tied largest axes (PyLO's limits, velo.md §8, §13).
Output: lopt/src/test/resources/fixtures/pylo_velo.safetensors with rnn/<name>, mlp/<name>, p0/<i>, g/<s>/<i>,
loss/<s> and p/<s>/<i>.
"""
import os
import sys

import numpy as np
import torch

import pylo_fixture_io

PYLO = sys.argv[1]
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "pylo_velo.safetensors")
SHAPES = [(16, 8), (8,), (3, 3, 2, 4), (5, 1)]
LOSSES = [2.30, 2.10, 1.95, 4.60, 1.80]

pylo_fixture_io.install_stubs()


def load(name, path):
    return pylo_fixture_io.load("", name, path)


rnn_mod = load("pylo.models.VeLO_RNN", os.path.join(PYLO, "pylo/models/VeLO_RNN.py"))
mlp_mod = load("pylo.models.VeLO_MLP", os.path.join(PYLO, "pylo/models/VeLO_MLP.py"))
rnn, mlp = pylo_fixture_io.seeded_velo(rnn_mod, mlp_mod)
rnn_mod.VeLORNN.from_pretrained = classmethod(lambda cls, key: rnn)
mlp_mod.VeLOMLP.from_pretrained = classmethod(lambda cls, key: mlp)
naive = load("pylo.optim.Velo_naive", os.path.join(PYLO, "pylo/optim/Velo_naive.py"))


write_safetensors = pylo_fixture_io.write_safetensors


out = {f"rnn/{k}": v.detach().numpy().copy() for k, v in rnn.state_dict().items()}
out.update({f"mlp/{k}": v.detach().numpy().copy() for k, v in mlp.state_dict().items() if k.endswith("_") or "_." in k})
gen = torch.Generator().manual_seed(99)
ps = [torch.randn(s, generator=gen).requires_grad_(True) for s in SHAPES]
out.update({f"p0/{i}": p.detach().numpy().copy() for i, p in enumerate(ps)})
opt = naive.VeLO_naive(ps, lr=1.0, lstm_hidden_size=32, param_inits=8, num_steps=100)
for s, loss in enumerate(LOSSES):
    for i, p in enumerate(ps):
        g = torch.randn(p.shape, generator=gen)
        p.grad = g
        out[f"g/{s}/{i}"] = g.numpy().copy()
    out[f"loss/{s}"] = np.array([loss], dtype=np.float32)
    opt.step(torch.tensor(loss))
    for i, p in enumerate(ps):
        out[f"p/{s}/{i}"] = p.detach().numpy().copy()
write_safetensors(OUT, out, {"pylo": "d05c6c1", "optimizer": "VeLO_naive", "torch": torch.__version__})
print("wrote", OUT, "keys", sorted(k for k in out if k.startswith("mlp/")))
