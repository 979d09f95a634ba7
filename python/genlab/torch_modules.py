"""A run file's networks as PyTorch modules (imported only when asked for: PyTorch is optional)."""

import numpy as np

from .errors import GenLabError

try:
    import torch
    from torch import nn
except ImportError:  # the package works without PyTorch; only this file needs it
    torch = None


def _bias_layer_type():
    class BiasLayer(nn.Module):
        """A learnable bias of the item's shape, y = x + b (CIS-522's module of that name)."""

        def __init__(self, shape):
            super().__init__()
            self.bias = nn.Parameter(torch.zeros(*shape))

        def forward(self, x):
            return x + self.bias

        def extra_repr(self):
            return "×".join(str(d) for d in self.bias.shape)
    return BiasLayer


#: The modules a run file may name (GenLab's layer kinds): nothing else of ``torch.nn`` is
#: ever looked up from a file's word.
ALLOWED = {"Linear", "Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d", "ReLU", "LeakyReLU", "Sigmoid", "Tanh",
           "Flatten", "Unflatten", "AdaptiveAvgPool2d", "BiasLayer", "ELU", "GELU", "SiLU", "Softplus", "MaxPool2d",
           "AvgPool2d", "Upsample", "GroupNorm", "LayerNorm",
           "Dropout", "Dropout2d"}

#: The only words an argument may be (GELU's approximate, Upsample's mode).
WORDS = {"none", "nearest", "bilinear"}


def _argument(value):
    """An argument as a module takes it: numbers, booleans and lists of them, nothing else."""
    if isinstance(value, list):
        return tuple(_argument(item) for item in value)
    if isinstance(value, bool) or isinstance(value, float) or (isinstance(value, int) and abs(value) < 1 << 31):
        return value
    if isinstance(value, str) and value in WORDS:
        return value
    raise ValueError(f"argument {value!r} is not a number GenLab writes")


def _residual_type():
    class Residual(nn.Module):
        """shortcut(x) + body(x), each an ``nn.Sequential`` (an empty shortcut is the identity)."""

        def __init__(self, body, shortcut):
            super().__init__()
            self.body = body
            self.shortcut = shortcut

        def forward(self, x):
            return self.shortcut(x) + self.body(x)
    return Residual


def _module(layer, types, depth=0):
    bias_layer, residual = types
    if layer["module"] == "Residual":
        if depth >= 32:
            raise GenLabError("damaged", "residual blocks nest more than 32 deep (damaged?)")
        return residual(*[nn.Sequential(*[_module(inner, types, depth + 1) for inner in layer[name]])
                          for name in ("body", "shortcut")])
    if layer["module"] not in ALLOWED:
        raise GenLabError("unknown_module", f"layer {layer['index']} is a {layer['module']!r}, not a module GenLab writes")
    arguments = {str(key): _argument(value) for key, value in layer["arguments"].items()}
    if layer["module"] == "BiasLayer":
        return bias_layer(arguments["shape"])
    module = getattr(nn, layer["module"])(**arguments)
    return nn.utils.spectral_norm(module) if layer.get("spectral_norm") else module


def fresh_sequential(network):
    """An ``nn.Sequential`` of one network of a model description (``model_json``'s
    ``networks`` entry), freshly initialised by PyTorch."""
    if torch is None:
        raise GenLabError("no_torch", "building PyTorch modules needs PyTorch (pip install torch)")
    types = (_bias_layer_type(), _residual_type())
    return nn.Sequential(*[_module(layer, types) for layer in network["layers"]])


def build_modules(run):
    """name → ``nn.Sequential`` of ``run``'s stored layers, weights and buffers loaded (every
    key must match: nothing missing, nothing left over), in evaluation mode."""
    if torch is None:
        raise GenLabError("no_torch", "torch_modules() needs PyTorch (pip install torch); run.network(name) "
                          "gives the same networks as numpy functions", run.path)
    modules = {}
    for description in run._description()["networks"]:
        stored = run.state_dict(description["name"])
        # built first without memory ("meta" tensors): its parameters must have the stored
        # arrays' names and shapes before any is allocated
        try:
            with torch.device("meta"):
                shapes = {key: tuple(value.shape) for key, value in fresh_sequential(description).state_dict().items()}
        except GenLabError as error:
            raise GenLabError(error.kind, f"network '{description['name']}': {error.reason}", run.path) from None
        except Exception as error:
            raise GenLabError("damaged", f"network '{description['name']}' cannot be built from its description "
                              f"({type(error).__name__}: {error}) (damaged?)", run.path) from None
        if shapes != {key: tuple(np.shape(value)) for key, value in stored.items()}:
            raise GenLabError("damaged", f"the stored weights of '{description['name']}' do not fit its described layers "
                              "(names or shapes differ) (damaged?)", run.path)
        sequential = fresh_sequential(description)
        state = {key: torch.from_numpy(np.array(value)) for key, value in stored.items()}
        try:
            sequential.load_state_dict(state, strict=True)
        except RuntimeError as error:
            raise GenLabError("damaged", f"the stored weights of '{description['name']}' do not fit its described "
                              f"layers: {error}", run.path) from None
        modules[description["name"]] = sequential.eval()
    return modules
