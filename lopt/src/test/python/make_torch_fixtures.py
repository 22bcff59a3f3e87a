"""Writes 5-step PyTorch optimizer trajectories as safetensors fixtures for lopt4j's tests.

Run with Debian's torch 1.13 (CPU):  /usr/bin/python3 lopt/src/test/python/make_torch_fixtures.py
Each file holds p0/<i> (initial parameters), g/<s>/<i> (gradient fed at step s) and p/<s>/<i> (parameters after
step s), float32, for tensors of shapes [32,16], [16], [8,3,3,3], [1]; tensor 1 has |g| < 1e-3 (eps matters there).
"""
import json
import os
import struct

import numpy as np
import torch

SHAPES = [(32, 16), (16,), (8, 3, 3, 3), (1,)]
STEPS = 5
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures")

CONFIGS = {
    "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
    "momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
    "nesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda ps: torch.optim.Adam(ps, lr=1e-2, betas=(0.9, 0.999), eps=1e-8),
    "adamw": lambda ps: torch.optim.AdamW(ps, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2),
    "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=1e-2, alpha=0.99, eps=1e-8),
}


def write_safetensors(path, tensors, metadata):
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


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, make in CONFIGS.items():
        gen = torch.Generator().manual_seed(1234)
        ps = [torch.randn(s, generator=gen, dtype=torch.float32).requires_grad_(True) for s in SHAPES]
        out = {f"p0/{i}": p.detach().numpy().copy() for i, p in enumerate(ps)}
        opt = make(ps)
        for s in range(STEPS):
            for i, p in enumerate(ps):
                g = torch.randn(p.shape, generator=gen, dtype=torch.float32)
                if i == 1:
                    g = g * 1e-4
                p.grad = g
                out[f"g/{s}/{i}"] = g.numpy().copy()
            opt.step()
            for i, p in enumerate(ps):
                out[f"p/{s}/{i}"] = p.detach().numpy().copy()
        write_safetensors(os.path.join(OUT, f"torch_{name}.safetensors"), out,
                          {"torch": torch.__version__, "optimizer": name, "steps": str(STEPS)})
        print("wrote", name)


if __name__ == "__main__":
    main()
