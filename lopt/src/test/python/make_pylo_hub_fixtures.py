"""Writes PyLO checkpoints in the Hugging Face hub layout (config.json + model.safetensors per model) from PyLO's own
model classes, as `PyTorchModelHubMixin.save_pretrained` lays them out (huggingface_hub and safetensors are not in
Debian 12: a stand-in mixin and a plain safetensors writer stand in for them; config.json holds the __init__ arguments).

Usage (Debian's torch 1.13, CPU), with a PyLO checkout at d05c6c1 extracted to /tmp/pylo:
    /usr/bin/python3 lopt/src/test/python/make_pylo_hub_fixtures.py /tmp/pylo
The weights are seeded exactly as make_pylo_fixtures.py (MetaMLP(39, 32, 1), seed 7) and make_pylo_velo_fixtures.py
(VeLORNN(30, 32, 8), VeLOMLP(8), seed 11) make theirs, so a θ read from these directories must equal the θ those
fixtures hold. Output under lopt/src/test/resources/fixtures/pylo_hub/: mulo/, velo/VeLO_RNN/, velo/VeLO_MLP/, celo2/.
"""
import json
import os
import sys

import torch

import pylo_fixture_io

PYLO = sys.argv[1]
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "pylo_hub")

pylo_fixture_io.install_stubs()


def load(name, path):
    return pylo_fixture_io.load("", name, path)


def save_pretrained(model, config, directory):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    pylo_fixture_io.write_safetensors(os.path.join(directory, "model.safetensors"),
                                      {name: t.detach().numpy() for name, t in sorted(model.state_dict().items())}, {"format": "pt"})


meta = load("pylo.models.Meta_MLP", os.path.join(PYLO, "pylo/models/Meta_MLP.py"))
torch.manual_seed(7)
save_pretrained(meta.MetaMLP(39, 32, 1), {"input_size": 39, "hidden_size": 32, "hidden_layers": 1}, os.path.join(OUT, "mulo"))

rnn_mod = load("pylo.models.VeLO_RNN", os.path.join(PYLO, "pylo/models/VeLO_RNN.py"))
mlp_mod = load("pylo.models.VeLO_MLP", os.path.join(PYLO, "pylo/models/VeLO_MLP.py"))
rnn, mlp = pylo_fixture_io.seeded_velo(rnn_mod, mlp_mod)
save_pretrained(rnn, {"input_size": 30, "lstm_hidden_size": 32, "param_inits": 8, "mix_layers": True}, os.path.join(OUT, "velo", "VeLO_RNN"))
save_pretrained(mlp, {"param_inits": 8, "input_size": 30, "hidden_size": 4, "hidden_layers": 1, "output_size": 3},
                os.path.join(OUT, "velo", "VeLO_MLP"))

celo2 = load("pylo.models.CELO2_MLP", os.path.join(PYLO, "pylo/models/CELO2_MLP.py"))
torch.manual_seed(3)
c = celo2.CELO2MLP()
save_pretrained(c, {"feature_dims": list(c.feature_dims), "hidden_size": c.hidden_size, "hidden_layers": c.hidden_layers,
                    "output_size": c.output_size, "activation": c.activation}, os.path.join(OUT, "celo2"))
print("wrote", OUT)
