"""What the PyTorch reference generators share: tensors and state_dicts as JSON, and the
Python package's residual block as a module."""

import torch.nn as nn


def tensor(t):
    """A tensor as {"shape": […], "data": […]} (row-major)."""
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


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
