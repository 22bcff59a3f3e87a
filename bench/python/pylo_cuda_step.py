"""Times PyLO's CUDA small_fc_lopt (AdafacLO_CUDA, MetaMLP width 32) and VeLO (VeLO_CUDA, LSTM 512, bank 256) with
random weights on the GPU, over the shapes of BackendLoptStepBench (1M and 10M parameters in 4 tensors) and GPT-2
small's 148 tensors: median GPU time of one step from CUDA events. PyLO's code is read from a checkout given as the
first argument (a `git archive` of Belilovsky-Lab/pylo, carried to the device; not copied into lopt4j); its two CUDA
extensions (pylo/csrc/learned_optimizer.cu -> cuda_lo, velo_kernel.cu -> velo_cuda_kernel) are built there with
torch's extension builder into a build directory (second argument, default /tmp/pylo_build). Exits with status 2
without a CUDA device."""
import os
import statistics
import sys

import torch

import pylo_modules

if not torch.cuda.is_available():
    print("pylo_cuda_step.py needs a CUDA device; torch sees none", file=sys.stderr)
    sys.exit(2)
PYLO = sys.argv[1]
BUILD = sys.argv[2] if len(sys.argv) > 2 else "/tmp/pylo_build"
RUNS = 11


def build_extensions():
    from setuptools import setup
    from torch.utils.cpp_extension import BuildExtension, CUDAExtension

    os.makedirs(BUILD, exist_ok=True)
    exts = [CUDAExtension(name="cuda_lo", sources=[os.path.join(PYLO, "pylo/csrc/learned_optimizer.cu")]),
            CUDAExtension(name="velo_cuda_kernel", sources=[os.path.join(PYLO, "pylo/csrc/velo_kernel.cu")])]
    setup(name="pylo_peer", ext_modules=exts, cmdclass={"build_ext": BuildExtension.with_options(use_ninja=False)},
          script_args=["build_ext", "--build-lib", BUILD, "--build-temp", os.path.join(BUILD, "tmp")])
    sys.path.insert(0, BUILD)


pylo_modules.install_stubs()

def flat(n):
    return pylo_modules.flat_shapes(n)


def gpt2_small():
    d, vocab, ctx = 768, 50257, 1024
    shapes = [(vocab, d), (ctx, d)]
    for _ in range(12):
        shapes += [(d,), (d,), (d, 3 * d), (3 * d,), (d, d), (d,), (d,), (d,), (d, 4 * d), (4 * d,), (4 * d, d), (d,)]
    return shapes + [(d,), (d,)]


def time_steps(make, step, shapes):
    ps = [torch.randn(s, device="cuda").requires_grad_(True) for s in shapes]
    for p in ps:
        p.grad = torch.randn_like(p)
    opt = make(ps)
    for _ in range(3):
        step(opt)
    times = []
    for _ in range(RUNS):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step(opt)
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sum(p.numel() for p in ps), statistics.median(times)


def main():
    build_extensions()
    meta = pylo_modules.load(PYLO, "pylo.models.Meta_MLP", "pylo/models/Meta_MLP.py")
    net = meta.MetaMLP(39, 32, 1)
    meta.MetaMLP.from_pretrained = classmethod(lambda cls, key: net)
    rnn_mod = pylo_modules.load(PYLO, "pylo.models.VeLO_RNN", "pylo/models/VeLO_RNN.py")
    mlp_mod = pylo_modules.load(PYLO, "pylo.models.VeLO_MLP", "pylo/models/VeLO_MLP.py")
    rnn, mlp = rnn_mod.VeLORNN(30, 512, 256), mlp_mod.VeLOMLP(param_inits=256)
    rnn_mod.VeLORNN.from_pretrained = classmethod(lambda cls, key: rnn)
    mlp_mod.VeLOMLP.from_pretrained = classmethod(lambda cls, key: mlp)
    adafac = pylo_modules.load(PYLO, "pylo.optim.AdafacLO_cuda", "pylo/optim/AdafacLO_cuda.py")
    velo = pylo_modules.load(PYLO, "pylo.optim.velo_cuda", "pylo/optim/velo_cuda.py")
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}, {RUNS} timed steps per case (median)")
    for name, shapes in (("1M", flat(1_000_000)), ("10M", flat(10_000_000)), ("gpt2-small", gpt2_small())):
        n, ms = time_steps(lambda ps: adafac.AdafacLO_CUDA(ps, hf_key=None), lambda o: o.step(), shapes)
        print(f"PyLO AdafacLO_CUDA (width 32), {name}: {n:,d} params: median {ms:.3f} ms/step")
        n, ms = time_steps(lambda ps: velo.VeLO_CUDA(ps, lr=1.0, num_steps=10000),
                           lambda o: o.step(torch.tensor(2.0, device="cuda")), shapes)
        print(f"PyLO VeLO_CUDA (512/256), {name}: {n:,d} params: median {ms:.3f} ms/step")


if __name__ == "__main__":
    main()
