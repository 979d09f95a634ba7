#!/usr/bin/env python3
"""Writes pytorch-layers.json: PyTorch reference cases of the layer kinds GenLab added after
the notebooks, for GenLabNNTests/GoldenLayerKindTests.swift. Each case names the layer as an
experiment file writes it (`yaml`), the PyTorch module and its printed text, and holds its
parameters, an input, the output, an output gradient, the input and parameter gradients,
and the buffers after the forward pass, in training or in evaluation mode.

Run in a virtual environment with PyTorch (the tests themselves never need it):
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python Tests/Fixtures/generate_layer_reference.py
"""
import json
import os

import torch
import torch.nn as nn
from torch_reference import Residual, tensor

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)

# (name, GenLab's YAML, module, input shape, input scale, training mode)
CASES = [
    ("elu", "elu", nn.ELU(), (3, 7), 3.0, True),
    ("elu_alpha", "{elu: {alpha: 0.5}}", nn.ELU(alpha=0.5), (2, 3, 4, 4), 3.0, True),
    ("gelu", "gelu", nn.GELU(), (3, 11), 3.0, True),
    ("silu", "silu", nn.SiLU(), (2, 2, 3, 3), 4.0, True),
    ("softplus", "softplus", nn.Softplus(), (3, 9), 4.0, True),
    ("softplus_beta_threshold", "{softplus: {beta: 2, threshold: 5}}", nn.Softplus(beta=2.0, threshold=5.0), (4, 8), 4.0, True),
    ("maxpool2d_k2", "{maxpool2d: {kernel: 2}}", nn.MaxPool2d(2), (2, 3, 6, 6), 1.0, True),
    ("maxpool2d_k3s2p1_odd", "{maxpool2d: {kernel: 3, stride: 2, padding: 1}}", nn.MaxPool2d(3, stride=2, padding=1), (2, 2, 7, 9), 1.0, True),
    ("avgpool2d_k2", "{avgpool2d: {kernel: 2}}", nn.AvgPool2d(2), (2, 3, 6, 6), 1.0, True),
    ("avgpool2d_k3s2p1_odd", "{avgpool2d: {kernel: 3, stride: 2, padding: 1}}", nn.AvgPool2d(3, stride=2, padding=1), (2, 2, 7, 9), 1.0, True),
    ("upsample_nearest2", "{upsample: {scale: 2}}", nn.Upsample(scale_factor=2.0, mode="nearest"), (2, 3, 4, 5), 1.0, True),
    ("upsample_nearest3", "{upsample: {scale: 3, mode: nearest}}", nn.Upsample(scale_factor=3.0, mode="nearest"), (1, 2, 3, 2), 1.0, True),
    ("upsample_bilinear2", "{upsample: {scale: 2, mode: bilinear}}",
     nn.Upsample(scale_factor=2.0, mode="bilinear", align_corners=False), (2, 3, 4, 5), 1.0, True),
    ("upsample_bilinear3", "{upsample: {scale: 3, mode: bilinear}}",
     nn.Upsample(scale_factor=3.0, mode="bilinear", align_corners=False), (1, 2, 3, 4), 1.0, True),
    ("groupnorm_4_8", "{groupnorm: {groups: 4}}", nn.GroupNorm(4, 8), (2, 8, 3, 3), 2.0, True),
    ("groupnorm_1_6_eval", "{groupnorm: {groups: 1}}", nn.GroupNorm(1, 6), (3, 6, 4, 4), 2.0, False),
    ("groupnorm_features", "{groupnorm: {groups: 3}}", nn.GroupNorm(3, 6), (4, 6), 2.0, True),
    ("layernorm_chw", "layernorm", nn.LayerNorm((4, 3, 3)), (2, 4, 3, 3), 2.0, True),
    ("layernorm_features", "layernorm", nn.LayerNorm((10,)), (3, 10), 2.0, True),
    ("residual_nested", "{residual: {body: [{groupnorm: {groups: 2}}, silu, {conv2d: {out: 4, kernel: 3, padding: 1}}, "
     "{residual: {body: [gelu, {conv2d: {out: 4, kernel: 3, padding: 1}}]}}]}}",
     Residual([nn.GroupNorm(2, 4), nn.SiLU(), nn.Conv2d(4, 4, 3, padding=1),
               Residual([nn.GELU(), nn.Conv2d(4, 4, 3, padding=1)])]), (2, 4, 5, 5), 1.0, True),
    ("residual_down_shortcut", "{residual: {body: [{conv2d: {out: 6, kernel: 3, stride: 2, padding: 1}}, elu, "
     "{conv2d: {out: 6, kernel: 3, padding: 1}}], shortcut: [{avgpool2d: {kernel: 2}}, {conv2d: {out: 6, kernel: 1}}]}}",
     Residual([nn.Conv2d(3, 6, 3, stride=2, padding=1), nn.ELU(), nn.Conv2d(6, 6, 3, padding=1)],
              [nn.AvgPool2d(2), nn.Conv2d(3, 6, 1)]), (2, 3, 6, 6), 1.0, True),
    ("residual_up_batchnorm", "{residual: {body: [batchnorm, relu, {upsample: {scale: 2}}, {conv2d: {out: 3, kernel: 3, padding: 1}}], "
     "shortcut: [{upsample: {scale: 2}}, {conv2d: {out: 3, kernel: 1}}]}}",
     Residual([nn.BatchNorm2d(4), nn.ReLU(), nn.Upsample(scale_factor=2.0), nn.Conv2d(4, 3, 3, padding=1)],
              [nn.Upsample(scale_factor=2.0), nn.Conv2d(4, 3, 1)]), (3, 4, 3, 3), 1.0, True),
    # windows side by side that leave the last row and column out, and windows of one pixel
    ("avgpool2d_k2_odd", "{avgpool2d: {kernel: 2}}", nn.AvgPool2d(2), (2, 3, 7, 5), 1.0, True),
    ("avgpool2d_k1", "{avgpool2d: {kernel: 1}}", nn.AvgPool2d(1), (2, 2, 3, 4), 1.0, True),
]


def arguments(module):
    """The constructor's keyword arguments as GenLab's model_json writes them."""
    kind = type(module).__name__
    if kind == "ELU":
        return {"alpha": module.alpha}
    if kind == "GELU":
        return {"approximate": module.approximate}
    if kind == "Softplus":
        return {"beta": float(module.beta), "threshold": float(module.threshold)}
    if kind in ("MaxPool2d", "AvgPool2d"):
        return {"kernel_size": module.kernel_size, "stride": module.stride, "padding": module.padding}
    if kind == "GroupNorm":
        return {"num_groups": module.num_groups, "num_channels": module.num_channels, "eps": module.eps, "affine": True}
    if kind == "LayerNorm":
        return {"normalized_shape": list(module.normalized_shape), "eps": module.eps, "elementwise_affine": True}
    if kind == "Upsample":
        extra = {"align_corners": False} if module.mode == "bilinear" else {}
        return {"scale_factor": module.scale_factor, "mode": module.mode, **extra}
    return {}


def case(name, yaml, module, shape, scale, train):
    module.train(train)
    with torch.no_grad():  # weights other than PyTorch's initial ones, so that each reaches the output
        if type(module).__name__ in ("GroupNorm", "LayerNorm"):
            for p in module.parameters():
                p.copy_(torch.randn_like(p) * 0.5 + (1 if p is module.weight else 0))
    before = {k: tensor(v) for k, v in module.state_dict().items()}
    x = (torch.randn(shape) * scale).requires_grad_(True)
    y = module(x)
    g = torch.randn_like(y)
    y.backward(g)
    return {
        "name": name,
        "yaml": yaml,
        "module": repr(module),
        "module_name": type(module).__name__,
        "arguments": arguments(module),
        "train": train,
        "params": before,
        "input": tensor(x),
        "output": tensor(y),
        "grad_output": tensor(g),
        "grad_input": tensor(x.grad),
        "grad_params": {k: tensor(p.grad) for k, p in module.named_parameters()},
        "state_after": {k: tensor(v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")},
    }


def main():
    cases = [case(*c) for c in CASES]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-layers.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
