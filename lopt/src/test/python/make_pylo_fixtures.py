"""Writes small_fc_lopt conformance fixtures by running PyLO's own plain-PyTorch AdafacLO_naive (not copied here).

Usage (Debian's torch 1.13, CPU):
    git -C <pylo mirror> archive HEAD pylo | tar -x -C /tmp/pylo      # Belilovsky-Lab/pylo at d05c6c1
    /usr/bin/python3 lopt/src/test/python/make_pylo_fixtures.py /tmp/pylo

huggingface_hub is not needed: a stand-in PyTorchModelHubMixin is injected, and MetaMLP.from_pretrained returns a
MetaMLP(39, 32, 1) with seeded random weights instead of downloading btherien/mulo. Output:
lopt/src/test/resources/fixtures/pylo_adafaclo.safetensors with the MetaMLP weights (PyLO names), p0/<i>, g/<s>/<i>,
p/<s>/<i> for 5 steps (float32), shapes [32,16], [16], [8,3,3,3], [1], [8,8] (tied dims), [1,32]; step-2 gradients
carry outliers (x1000 on a few entries).
"""
import os
import sys

import torch

import pylo_fixture_io

PYLO = sys.argv[1]
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "pylo_adafaclo.safetensors")
SHAPES = [(32, 16), (16,), (8, 3, 3, 3), (1,), (8, 8), (1, 32)]


def load(name, path):
    return pylo_fixture_io.load("", name, path)


pylo_fixture_io.install_stubs()
meta = load("pylo.models.Meta_MLP", os.path.join(PYLO, "pylo/models/Meta_MLP.py"))
torch.manual_seed(7)
net = meta.MetaMLP(39, 32, 1)
meta.MetaMLP.from_pretrained = classmethod(lambda cls, key: net)
naive = load("pylo.optim.AdafacLO_naive", os.path.join(PYLO, "pylo/optim/AdafacLO_naive.py"))


write_safetensors = pylo_fixture_io.write_safetensors


gen = torch.Generator().manual_seed(1234)
ps = [torch.randn(s, generator=gen).requires_grad_(True) for s in SHAPES]
out = {f"theta/{k}": v.detach().numpy().copy() for k, v in net.state_dict().items()}
out.update({f"p0/{i}": p.detach().numpy().copy() for i, p in enumerate(ps)})
opt = naive.AdafacLO_naive(ps, hf_key=None)
for s in range(5):
    for i, p in enumerate(ps):
        g = torch.randn(p.shape, generator=gen)
        if s == 2 and g.numel() > 4:
            g.view(-1)[:2] *= 1000.0
        p.grad = g
        out[f"g/{s}/{i}"] = g.numpy().copy()
    opt.step()
    for i, p in enumerate(ps):
        out[f"p/{s}/{i}"] = p.detach().numpy().copy()
write_safetensors(OUT, out, {"pylo": "d05c6c1", "optimizer": "AdafacLO_naive", "torch": torch.__version__})
print("wrote", OUT)
