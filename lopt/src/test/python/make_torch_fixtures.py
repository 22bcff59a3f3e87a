"""Writes 5-step PyTorch optimizer trajectories as safetensors fixtures for lopt4j's TorchTrajectoryTest.

Run with Debian's torch 1.13 (CPU):  /usr/bin/python3 lopt/src/test/python/make_torch_fixtures.py
Each file holds p0/<i> (initial parameters), g/<s>/<i> (gradient fed at step s) and p/<s>/<i> (parameters after
step s), float32, for tensors of shapes [32,16], [16], [8,3,3,3], [1]; tensor 1 has |g| < 1e-3 (there eps matters).
The metadata names the torch version, the optimizer and its hyperparameters (JSON). The safetensors writer below is
the whole format: an 8-byte little-endian header length, a JSON header, the raw little-endian data.
"""
import json
import os
import struct

import torch

SHAPES = [(32, 16), (16,), (8, 3, 3, 3), (1,)]
STEPS = 5
TINY = 1  # this tensor's gradients are scaled by 1e-4
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures")

# name -> (torch class, hyperparameters); the Java test builds the matching lopt4j optimizer from the same values.
CONFIGS = {
    "sgd": (torch.optim.SGD, dict(lr=0.1)),
    "momentum": (torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    "nesterov": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    "adam": (torch.optim.Adam, dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8)),
    "adamw": (torch.optim.AdamW, dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)),
    "rmsprop": (torch.optim.RMSprop, dict(lr=1e-2, alpha=0.99, eps=1e-8)),
    "rmsprop_centered_momentum": (torch.optim.RMSprop, dict(lr=1e-2, alpha=0.9, eps=1e-8, centered=True, momentum=0.5)),
}


def f32_bytes(t):
    flat = t.detach().to(torch.float32).contiguous().view(-1).tolist()
    return struct.pack("<%df" % len(flat), *flat)


def write_safetensors(path, tensors, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, t in tensors.items():
        data = f32_bytes(t)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def trajectory(cls, hyper):
    gen = torch.Generator().manual_seed(1234)
    ps = [torch.randn(s, generator=gen, dtype=torch.float32).requires_grad_(True) for s in SHAPES]
    out = {f"p0/{i}": p.detach().clone() for i, p in enumerate(ps)}
    opt = cls(ps, **hyper)
    for s in range(STEPS):
        for i, p in enumerate(ps):
            g = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            p.grad = g * 1e-4 if i == TINY else g
            out[f"g/{s}/{i}"] = p.grad.clone()
        opt.step()
        for i, p in enumerate(ps):
            out[f"p/{s}/{i}"] = p.detach().clone()
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (cls, hyper) in CONFIGS.items():
        meta = {"torch": torch.__version__, "optimizer": cls.__name__, "hyperparameters": json.dumps(hyper),
                "steps": str(STEPS)}
        write_safetensors(os.path.join(OUT, f"torch_{name}.safetensors"), trajectory(cls, hyper), meta)
        print("wrote", name, hyper)


if __name__ == "__main__":
    main()
