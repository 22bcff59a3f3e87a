"""Loads modules of a PyLO checkout (Belilovsky-Lab/pylo, read from disk, not copied into lopt4j) without installing
it: a stub huggingface_hub (PyLO's models subclass its PyTorchModelHubMixin; no weights are downloaded) and empty
pylo packages, so each file is loaded by path. Shared by the bench scripts that time PyLO as a peer."""
import importlib.util
import os
import sys
import types


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


def flat_shapes(n):
    """`n` parameters in LoptStepBench's 4 tensors: three [rows, 512] and the rest as a vector."""
    rows = n // 4 // 512
    return [(rows, 512)] * 3 + [(n - 3 * rows * 512,)]
