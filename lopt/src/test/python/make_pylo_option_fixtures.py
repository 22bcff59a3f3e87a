"""Writes conformance fixtures for PyLO's optimizer options by running PyLO's own AdafacLO_naive and VeLO_naive (not
copied here) with lr, weight_decay and (AdafacLO) max_grad_norm set.

Usage (Debian's torch 1.13, CPU), with a PyLO checkout at d05c6c1 extracted to /tmp/pylo:
    /usr/bin/python3 lopt/src/test/python/make_pylo_option_fixtures.py /tmp/pylo
A stand-in PyTorchModelHubMixin replaces huggingface_hub; the models get seeded random weights (MetaMLP(39, 32, 1);
VeLORNN(30, 32, 8) and VeLOMLP(8)). Output in lopt/src/test/resources/fixtures/:
- pylo_adafaclo_options.safetensors: AdafacLO_naive(lr=0.5, weight_decay=0.01, max_grad_norm=1.0) for 5 steps on
  shapes with tied dimensions (8x8, 4x6x6, 16x16x3x3, 3x3x5x5), a 0-d parameter and a gradient outlier (2,500);
- pylo_velo_options.safetensors: VeLO_naive(lr=0.3, weight_decay=0.01, num_steps=250) for 5 steps.
Each holds theta/<name> (AdafacLO: the MetaMLP) or rnn/<name> and mlp/<name> (VeLO), p0/<i>, g/<s>/<i> (the gradient
before clipping), loss/<s> (VeLO) and p/<s>/<i>.
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


def run(opt, ps, gen, out, losses=None):
    for s in range(5):
        for i, p in enumerate(ps):
            g = torch.randn(p.shape, generator=gen)
            if s == 2 and i == 0:
                g.view(-1)[0] = 2500.0                   # an outlier the clip must tame
            p.grad = g
            out[f"g/{s}/{i}"] = g.numpy().copy()
        if losses is None:
            opt.step()
        else:
            out[f"loss/{s}"] = np.array([losses[s]], dtype=np.float32)
            opt.step(torch.tensor(losses[s]))
        for i, p in enumerate(ps):
            out[f"p/{s}/{i}"] = p.detach().numpy().copy()


# AdafacLO_naive: tied dimensions, a 0-d parameter, an outlier, lr, weight decay and the per-tensor clip
meta = load("pylo.models.Meta_MLP", os.path.join(PYLO, "pylo/models/Meta_MLP.py"))
torch.manual_seed(7)
net = meta.MetaMLP(39, 32, 1)
meta.MetaMLP.from_pretrained = classmethod(lambda cls, key: net)
adafac = load("pylo.optim.AdafacLO_naive", os.path.join(PYLO, "pylo/optim/AdafacLO_naive.py"))
gen = torch.Generator().manual_seed(4321)
shapes = [(32, 16), (8, 8), (4, 6, 6), (16, 16, 3, 3), (3, 3, 5, 5), (), (16,)]
ps = [torch.randn(s, generator=gen).requires_grad_(True) for s in shapes]
out = {f"theta/{k}": v.detach().numpy().copy() for k, v in net.state_dict().items()}
out.update({f"p0/{i}": p.detach().numpy().copy() for i, p in enumerate(ps)})
run(adafac.AdafacLO_naive(ps, lr=0.5, weight_decay=0.01, max_grad_norm=1.0, hf_key=None), ps, gen, out)
write_safetensors(os.path.join(HERE, "pylo_adafaclo_options.safetensors"), out,
                  {"pylo": "d05c6c1", "optimizer": "AdafacLO_naive", "lr": "0.5", "weight_decay": "0.01", "max_grad_norm": "1.0",
                   "torch": torch.__version__})

# VeLO_naive: lr, weight decay, num_steps other than 100
rnn_mod = load("pylo.models.VeLO_RNN", os.path.join(PYLO, "pylo/models/VeLO_RNN.py"))
mlp_mod = load("pylo.models.VeLO_MLP", os.path.join(PYLO, "pylo/models/VeLO_MLP.py"))
rnn, mlp = pylo_fixture_io.seeded_velo(rnn_mod, mlp_mod)
rnn_mod.VeLORNN.from_pretrained = classmethod(lambda cls, key: rnn)
mlp_mod.VeLOMLP.from_pretrained = classmethod(lambda cls, key: mlp)
velo = load("pylo.optim.Velo_naive", os.path.join(PYLO, "pylo/optim/Velo_naive.py"))
gen = torch.Generator().manual_seed(99)
ps = [torch.randn(s, generator=gen).requires_grad_(True) for s in [(16, 8), (8,), (3, 3, 2, 4), (5, 1)]]
out = {f"rnn/{k}": v.detach().numpy().copy() for k, v in rnn.state_dict().items()}
out.update({f"mlp/{k}": v.detach().numpy().copy() for k, v in mlp.state_dict().items() if k.endswith("_") or "_." in k})
out.update({f"p0/{i}": p.detach().numpy().copy() for i, p in enumerate(ps)})
run(velo.VeLO_naive(ps, lr=0.3, weight_decay=0.01, lstm_hidden_size=32, param_inits=8, num_steps=250), ps, gen, out,
    losses=[2.30, 2.10, 1.95, 4.60, 1.80])
write_safetensors(os.path.join(HERE, "pylo_velo_options.safetensors"), out,
                  {"pylo": "d05c6c1", "optimizer": "VeLO_naive", "lr": "0.3", "weight_decay": "0.01", "num_steps": "250",
                   "torch": torch.__version__})
print("wrote", HERE)

# VeLO_naive at its full size (LSTM 512, bank 256), num_steps 333, weight decay 0.01. The weights are not stored (8 MB):
# entry i of state-dict tensor k (in the order the metadata lists) is ((7919 i + 104729 k) mod 2001 - 1000) / 1000
# times 2^-e, e = round(log2(sqrt(fan_in))), fan_in the tensor's last dimension (1 for vectors), which Java recomputes
# exactly; lstm_init_state gets the same rule.
def formula(shape, k):
    n = int(np.prod(shape)) if len(shape) else 1
    fan = shape[-1] if len(shape) >= 2 else 1
    e = int(round(np.log2(np.sqrt(fan))))
    i = np.arange(n, dtype=np.int64)
    v = (((7919 * i + 104729 * k) % 2001) - 1000) / 1000.0 * 2.0 ** -e
    return torch.tensor(v.astype(np.float32).reshape(shape))


rnn = rnn_mod.VeLORNN(30, 512, 256)
mlp = mlp_mod.VeLOMLP(param_inits=256)
listing = []
with torch.no_grad():
    for prefix, model in (("rnn/", rnn), ("mlp/", mlp)):
        for name, t in model.state_dict().items():
            k = len(listing)
            listing.append([prefix + name, list(t.shape)])
            t.copy_(formula(tuple(t.shape), k))
rnn_mod.VeLORNN.from_pretrained = classmethod(lambda cls, key: rnn)
mlp_mod.VeLOMLP.from_pretrained = classmethod(lambda cls, key: mlp)
gen = torch.Generator().manual_seed(5)
ps = [torch.randn(s, generator=gen).requires_grad_(True) for s in [(16, 8), (8,), (3, 3, 2, 4), (5, 1)]]
out = {f"p0/{i}": p.detach().numpy().copy() for i, p in enumerate(ps)}
run(velo.VeLO_naive(ps, lr=1.0, weight_decay=0.01, lstm_hidden_size=512, param_inits=256, num_steps=333), ps, gen, out,
    losses=[2.30, 2.10, 1.95, 4.60, 1.80])
write_safetensors(os.path.join(HERE, "pylo_velo_full.safetensors"), out,
                  {"pylo": "d05c6c1", "optimizer": "VeLO_naive", "lr": "1.0", "weight_decay": "0.01", "num_steps": "333",
                   "weights": json.dumps(listing), "torch": torch.__version__})
print("wrote full-size VeLO")
