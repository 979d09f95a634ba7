"""What the PyTorch reference generators share: tensors and state_dicts as JSON."""


def tensor(t):
    """A tensor as {"shape": […], "data": […]} (row-major)."""
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def named(networks):
    """Every parameter and buffer of each network under GenLab's key <network>.<state_dict
    key> (BatchNorm's num_batches_tracked left out)."""
    return {f"{name}.{key}": tensor(value) for name, net in networks.items() for key, value in net.state_dict().items()
            if not key.endswith("num_batches_tracked")}
