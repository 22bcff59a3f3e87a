"""What the fixture scripts share: the stand-in for huggingface_hub and the loader of PyLO's modules from a checkout
(bench/python/pylo_modules.py, shared with the bench scripts), and a plain safetensors writer."""
import json
import os
import struct
import sys

import numpy as np


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "bench", "python"))
from pylo_modules import install_stubs, load  # noqa: E402  (one stand-in and loader for the fixtures and the bench scripts)


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
