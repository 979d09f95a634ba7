#!/usr/bin/env python3
"""Writes pytorch-bf16.json: Conv2d, ConvTranspose2d and Linear layers run under PyTorch's
CPU autocast (`torch.autocast("cpu", dtype=torch.bfloat16)`), for
GenLabNNTests/GoldenBF16Tests.swift: each case has the module, its float32 parameters, an
input, the output (bfloat16, stored as float32), an output gradient, and the input and
parameter gradients autocast's backward gives (float32 for the float32 input and
parameters). The layers are those whose passes take GenLab's different paths in bf16:
oneDNN's bfloat16 kernels, thin layers (its float kernels on rounded operands), im2col onto a
small grid or from a 1×1 input, and matrix products on AMX tiles.

Run in a virtual environment with PyTorch (the tests themselves never need it):
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python Tests/Fixtures/generate_bf16_reference.py
"""
import json
import os

import torch
import torch.nn as nn
from torch_reference import packed

torch.manual_seed(0)

# (name, module, input shape); small enough to keep the file under 5 MiB (float32 in base64)
CASES = [
    ("conv2d_32_64_k4s2p1_nobias", nn.Conv2d(32, 64, 4, stride=2, padding=1, bias=False), (4, 32, 14, 14)),
    ("conv_transpose2d_64_32_k5s2", nn.ConvTranspose2d(64, 32, 5, stride=2), (2, 64, 9, 9)),
    ("conv2d_1_16_k4s2p1", nn.Conv2d(1, 16, 4, stride=2, padding=1), (8, 1, 28, 28)),
    ("conv_transpose2d_16_1_k4s2p1", nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1), (8, 16, 14, 14)),
    ("conv2d_128_128_k2s2_nobias", nn.Conv2d(128, 128, 2, stride=2, bias=False), (4, 128, 4, 4)),
    ("conv_transpose2d_32_128_k4_nobias", nn.ConvTranspose2d(32, 128, 4, bias=False), (16, 32, 1, 1)),
    ("linear_784_64", nn.Linear(784, 64), (16, 784)),
    ("linear_100_10_nobias", nn.Linear(100, 10, bias=False), (64, 100)),
]


def case(name, module, shape):
    x = torch.randn(shape, requires_grad=True)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = module(x)
    assert y.dtype == torch.bfloat16, f"{name}: autocast gave {y.dtype}"
    g = torch.randn(y.shape)
    y.backward(g.to(torch.bfloat16))
    return {
        "name": name,
        "module": repr(module),
        "train": True,
        "params": {k: packed(v) for k, v in module.state_dict().items()},
        "input": packed(x),
        "output": packed(y),
        "grad_output": packed(g),
        "grad_input": packed(x.grad),
        "grad_params": {k: packed(p.grad) for k, p in module.named_parameters()},
    }


def main():
    cases = [case(*c) for c in CASES]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-bf16.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
