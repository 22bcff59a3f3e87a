"""Writes CELO2 and ELO-CELO2 conformance fixtures by running PyLO's own CELO2_naive and ELO_CELO2_naive (not copied
here) on Debian's torch 1.13, CPU.

Usage, with a PyLO checkout at d05c6c1 extracted to /tmp/pylo:
    /usr/bin/python3 lopt/src/test/python/make_pylo_celo2_fixtures.py /tmp/pylo
A stand-in PyTorchModelHubMixin replaces huggingface_hub; the network is CELO2MLP() with its own seeded truncated-normal
initialization (hidden 8, two dense layers), passed as `network=`. Output in lopt/src/test/resources/fixtures/:
pylo_celo2.safetensors (CELO2_naive(lr=0.01, weight_decay=0.01)) and pylo_elo_celo2.safetensors (ELO_CELO2_naive(lr=0.01),
its defaults: weight decay 0.1, global-norm clip 1), each with theta/<state-dict name>, p0/<i>, g/<s>/<i> and p/<s>/<i>
for 5 steps on shapes [32,16], [16], [8,3,3,3], [8,8], [4,6,6], [1,32] and a 0-d parameter; step 2 carries a gradient
outlier of 2,500 (past the ±1000 element clip).
"""
import json
import os
import sys

import numpy as np
import torch

import pylo_fixture_io

PYLO = sys.argv[1]
HERE = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures")

pylo_fixture_io.install_stubs()


def load(name, path):
    return pylo_fixture_io.load("", name, path)


write_safetensors = pylo_fixture_io.write_safetensors


mlp = load("pylo.models.CELO2_MLP", os.path.join(PYLO, "pylo/models/CELO2_MLP.py"))
celo2 = load("pylo.optim.CELO2_naive", os.path.join(PYLO, "pylo/optim/CELO2_naive.py"))
elo_celo2 = load("pylo.optim.ELO_CELO2_naive", os.path.join(PYLO, "pylo/optim/ELO_CELO2_naive.py"))
SHAPES = [(32, 16), (16,), (8, 3, 3, 3), (8, 8), (4, 6, 6), (1, 32), ()]

for name, make in (("pylo_celo2", lambda ps, net: celo2.CELO2_naive(ps, lr=0.01, weight_decay=0.01, network=net)),
                   ("pylo_elo_celo2", lambda ps, net: elo_celo2.ELO_CELO2_naive(ps, lr=0.01, network=net))):
    torch.manual_seed(21)
    net = mlp.CELO2MLP()
    gen = torch.Generator().manual_seed(8)
    ps = [torch.randn(s, generator=gen).requires_grad_(True) for s in SHAPES]
    out = {f"theta/{k}": v.detach().numpy().copy() for k, v in net.state_dict().items()}
    out.update({f"p0/{i}": p.detach().numpy().copy() for i, p in enumerate(ps)})
    opt = make(ps, net)
    for s in range(5):
        for i, p in enumerate(ps):
            g = torch.randn(p.shape, generator=gen)
            if s == 2 and i == 0:
                g.view(-1)[0] = 2500.0
            p.grad = g
            out[f"g/{s}/{i}"] = g.numpy().copy()
        opt.step()
        for i, p in enumerate(ps):
            out[f"p/{s}/{i}"] = p.detach().numpy().copy()
    write_safetensors(os.path.join(HERE, name + ".safetensors"), out, {"pylo": "d05c6c1", "optimizer": name, "torch": torch.__version__})
    print("wrote", name, sorted(k for k in out if k.startswith("theta/")))

# ELO_naive (celo2.md §3): AdafacLO's features and MetaMLP(39, 32, 1), raw decays, p -= lr * (dir * exp(mag * exp_mult));
# lr 0.01 so the five steps move the parameters well past the tolerance; shapes without 0-d (PyLO's 0-d normalizer
# differs from learned_optimization's, small_fc_lopt.md "Rank 0").
meta = load("pylo.models.Meta_MLP", os.path.join(PYLO, "pylo/models/Meta_MLP.py"))
sys.modules["pylo.models.Meta_MLP"] = meta
adafac = load("pylo.optim.AdafacLO_naive", os.path.join(PYLO, "pylo/optim/AdafacLO_naive.py"))
elo = load("pylo.optim.ELO_naive", os.path.join(PYLO, "pylo/optim/ELO_naive.py"))
torch.manual_seed(33)
net = meta.MetaMLP(39, 32, 1)
gen = torch.Generator().manual_seed(9)
ps = [torch.randn(s, generator=gen).requires_grad_(True) for s in SHAPES[:-1]]
out = {f"theta/{k}": v.detach().numpy().copy() for k, v in net.state_dict().items()}
out.update({f"p0/{i}": p.detach().numpy().copy() for i, p in enumerate(ps)})
opt = elo.ELO_naive(ps, lr=0.01, network=net)
for s in range(5):
    for i, p in enumerate(ps):
        g = torch.randn(p.shape, generator=gen)
        if s == 2 and i == 0:
            g.view(-1)[0] = 2500.0
        p.grad = g
        out[f"g/{s}/{i}"] = g.numpy().copy()
    opt.step()
    for i, p in enumerate(ps):
        out[f"p/{s}/{i}"] = p.detach().numpy().copy()
write_safetensors(os.path.join(HERE, "pylo_elo.safetensors"), out, {"pylo": "d05c6c1", "optimizer": "ELO_naive", "lr": "0.01",
                                                                   "torch": torch.__version__})
print("wrote pylo_elo")
