#!/usr/bin/env python3
"""Writes pytorch-convolutions.json: PyTorch reference cases of Conv2d and ConvTranspose2d
layers wide enough (16 channels or more on each side) for GenLab's direct oneDNN kernels and
its Winograd F(2×2, 5×5) and F(4×4, 3×3) passes, for GenLabNNTests/GoldenLayerTests.swift. Each case has the layout of pytorch-reference.json's
layer cases: the module, its parameters, an input, the output, an output gradient, and the
input and parameter gradients.

Run in a virtual environment with PyTorch (the tests themselves never need it):
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python Tests/Fixtures/generate_convolution_reference.py
"""
import json
import os

import torch
import torch.nn as nn
from torch_reference import tensor

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)

# (name, module, input shape): strides 1 and 2, padding 0 and 1, odd sizes (an uneven last
# window), output padding, with and without bias
CASES = [
    ("conv2d_16_32_k3s1p1", nn.Conv2d(16, 32, 3, stride=1, padding=1), (2, 16, 7, 7)),
    ("conv2d_16_32_k4s2p1_odd_nobias", nn.Conv2d(16, 32, 4, stride=2, padding=1, bias=False), (3, 16, 9, 9)),
    ("conv2d_32_16_k5s1", nn.Conv2d(32, 16, 5), (2, 32, 8, 8)),
    ("conv_transpose2d_32_16_k4s2p1", nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), (2, 32, 4, 4)),
    ("conv_transpose2d_16_16_k3s2p1op1_nobias",
     nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1, output_padding=1, bias=False), (2, 16, 5, 5)),
    ("conv_transpose2d_32_16_k5s1", nn.ConvTranspose2d(32, 16, 5), (3, 32, 3, 3)),
    ("conv_transpose2d_16_16_k4s2_op1_nobias",
     nn.ConvTranspose2d(16, 16, 4, stride=2, output_padding=1, bias=False), (2, 16, 3, 3)),
    # 5×5 stride 1 where GenLab runs both the forward pass and the input gradient by Winograd's
    # algorithm: odd and uneven sizes (a last row and column of half tiles), channels that are
    # not multiples of its blocks, paddings 1, 2 and 4
    # (one image each and few channels: the fixture stays under 5 MiB)
    ("conv2d_16_17_k5s1p2_uneven", nn.Conv2d(16, 17, 5, padding=2), (1, 16, 9, 7)),
    ("conv2d_16_18_k5s1p4_nobias", nn.Conv2d(16, 18, 5, padding=4, bias=False), (1, 16, 6, 6)),
    ("conv_transpose2d_16_17_k5s1p1_uneven", nn.ConvTranspose2d(16, 17, 5, padding=1), (1, 16, 12, 9)),
    # 3×3 stride 1 by F(4×4, 3×3) (conv2d_16_32_k3s1p1 above runs on it too): a transposed
    # one, uneven sizes (partial tiles), padding 1, without bias
    ("conv_transpose2d_16_17_k3s1p1_uneven_nobias", nn.ConvTranspose2d(16, 17, 3, padding=1, bias=False), (1, 16, 10, 7)),
]


def case(name, module, shape):
    x = torch.randn(shape, requires_grad=True)
    y = module(x)
    g = torch.randn_like(y)
    y.backward(g)
    return {
        "name": name,
        "module": repr(module),
        "train": True,
        "params": {k: tensor(v) for k, v in module.state_dict().items()},
        "input": tensor(x),
        "output": tensor(y),
        "grad_output": tensor(g),
        "grad_input": tensor(x.grad),
        "grad_params": {k: tensor(p.grad) for k, p in module.named_parameters()},
    }


def main():
    cases = [case(*c) for c in CASES]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-convolutions.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
