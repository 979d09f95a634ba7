"""What the PyTorch reference generators share: tensors and state_dicts as JSON, and the
Python package's residual block as a module."""

import base64

import torch
import torch.nn as nn


def tensor(t):
    """A tensor as {"shape": […], "data": […]} (row-major)."""
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def packed(t):
    """A tensor as {"shape", "float32": base64 of its little-endian float32 values} (a
    million parameters as decimal text would be 25 MB)."""
    t = t.detach().contiguous().to(torch.float32)
    return {"shape": list(t.shape), "float32": base64.b64encode(t.numpy().astype("<f4").tobytes()).decode()}


def named(networks):
    """Every parameter and buffer of each network under GenLab's key <network>.<state_dict
    key> (BatchNorm's num_batches_tracked left out)."""
    return {f"{name}.{key}": tensor(value) for name, net in networks.items() for key, value in net.state_dict().items()
            if not key.endswith("num_batches_tracked")}


class Residual(nn.Module):
    """The Python package's module: shortcut(x) + body(x) (an empty shortcut: the identity)."""

    def __init__(self, body, shortcut=()):
        super().__init__()
        self.body = nn.Sequential(*body)
        self.shortcut = nn.Sequential(*shortcut)

    def forward(self, x):
        return self.shortcut(x) + self.body(x)
