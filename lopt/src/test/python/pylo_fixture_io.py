"""What the fixture scripts share: a stand-in for huggingface_hub's PyTorchModelHubMixin (PyLO's models only use its
class keywords; it is not in Debian 12), loading PyLO's modules from a checkout, and a plain safetensors writer."""
import importlib.util
import json
import os
import struct
import sys
import types

import numpy as np


class _PyTorchModelHubMixin:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__()


def install_stubs():
    hub = types.ModuleType("huggingface_hub")
    hub.PyTorchModelHubMixin = _PyTorchModelHubMixin
    sys.modules["huggingface_hub"] = hub
    for pkg in ("pylo", "pylo.models", "pylo.optim"):
        sys.modules.setdefault(pkg, types.ModuleType(pkg))


def load(pylo_dir, name, relative_path):
    """The module `name` from `pylo_dir/relative_path`, registered under its dotted name."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(pylo_dir, relative_path))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def write_safetensors(path, tensors, metadata):
    """float32 tensors in insertion order, the metadata as given."""
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def seeded_velo(rnn_mod, mlp_mod):
    """The small VeLO every VeLO fixture uses: VeLORNN(30, 32, 8) and VeLOMLP(8) with seed 11's weights, the LSTM's
    initial state drawn N(0, 0.1), the MLP bank scaled by 0.1."""
    import torch
    torch.manual_seed(11)
    rnn = rnn_mod.VeLORNN(30, 32, 8)
    with torch.no_grad():
        rnn.lstm_init_state[0].normal_(0, 0.1)
        rnn.lstm_init_state[1].normal_(0, 0.1)
    mlp = mlp_mod.VeLOMLP(param_inits=8)
    with torch.no_grad():
        for p in mlp.parameters():
            p.mul_(0.1)
    return rnn, mlp
