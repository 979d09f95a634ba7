"""A GenLab network as a numpy function, built from the layer list a run file stores.

Each layer of ``model_json`` names its ``torch.nn`` module and that module's constructor
arguments with every size resolved; this file computes what that module computes in
evaluation mode (BatchNorm with its running statistics, spectral norm with its stored u and
v), in float64. Nothing here knows GenLab's rules for building networks: it reads them.
"""

import math

import numpy as np

from .errors import GenLabError


def _pair(value):
    return tuple(value) if isinstance(value, (list, tuple)) else (value, value)


def _windows(x, kernel, stride):
    """(N, C, H', W', kh, kw) views of a padded batch."""
    view = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=(2, 3))
    return view[:, :, ::stride[0], ::stride[1]]


def _linear(args, state, prefix):
    weight = _weight(state, prefix)
    bias = state[prefix + "bias"] if args["bias"] else None

    def forward(x):
        y = x @ weight.T
        return y + bias if bias is not None else y
    return forward


def _conv2d(args, state, prefix):
    weight = _weight(state, prefix)                    # (out, in, kh, kw)
    bias = state[prefix + "bias"] if args["bias"] else None
    stride, padding = _pair(args["stride"]), _pair(args["padding"])
    kernel = _pair(args["kernel_size"])

    def forward(x):
        x = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
        y = np.einsum("nchwij,ocij->nohw", _windows(x, kernel, stride), weight, optimize=True)
        return y + bias[None, :, None, None] if bias is not None else y
    return forward


def _conv_transpose2d(args, state, prefix):
    weight = _weight(state, prefix)                    # (in, out, kh, kw)
    bias = state[prefix + "bias"] if args["bias"] else None
    stride, padding = _pair(args["stride"]), _pair(args["padding"])
    output_padding = _pair(args["output_padding"])
    kh, kw = _pair(args["kernel_size"])

    def forward(x):
        n, _, h, w = x.shape
        out_h = (h - 1) * stride[0] - 2 * padding[0] + kh + output_padding[0]
        out_w = (w - 1) * stride[1] - 2 * padding[1] + kw + output_padding[1]
        full = np.zeros((n, weight.shape[1], (h - 1) * stride[0] + kh + output_padding[0],
                         (w - 1) * stride[1] + kw + output_padding[1]))
        # every input pixel scatters its kernel-sized patch into the (uncropped) output
        patches = np.einsum("ncij,cokl->noijkl", x, weight, optimize=True)
        for i in range(kh):
            for j in range(kw):
                full[:, :, i:i + stride[0] * h:stride[0], j:j + stride[1] * w:stride[1]] += patches[:, :, :, :, i, j]
        y = full[:, :, padding[0]:padding[0] + out_h, padding[1]:padding[1] + out_w]
        return y + bias[None, :, None, None] if bias is not None else y
    return forward


def _batchnorm(args, state, prefix):
    mean, var = state[prefix + "running_mean"], state[prefix + "running_var"]
    weight, bias = state[prefix + "weight"], state[prefix + "bias"]
    scale = weight / np.sqrt(var + args["eps"])

    def forward(x):
        shape = (1, -1) + (1,) * (x.ndim - 2)
        return (x - mean.reshape(shape)) * scale.reshape(shape) + bias.reshape(shape)
    return forward


def _group_norm(args, state, prefix):
    groups, eps = args["num_groups"], args["eps"]
    weight, bias = state[prefix + "weight"], state[prefix + "bias"]

    def forward(x):
        grouped = x.reshape(x.shape[0], groups, -1)
        grouped = (grouped - grouped.mean(axis=2, keepdims=True)) / np.sqrt(grouped.var(axis=2, keepdims=True) + eps)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        return grouped.reshape(x.shape) * weight.reshape(shape) + bias.reshape(shape)
    return forward


def _layer_norm(args, state, prefix):
    eps = args["eps"]
    weight, bias = state[prefix + "weight"], state[prefix + "bias"]

    def forward(x):
        flat = x.reshape(x.shape[0], -1)
        flat = (flat - flat.mean(axis=1, keepdims=True)) / np.sqrt(flat.var(axis=1, keepdims=True) + eps)
        return flat.reshape(x.shape) * weight[None] + bias[None]
    return forward


def _leaky_relu(args, state, prefix):
    slope = args["negative_slope"]
    return lambda x: np.where(x >= 0, x, slope * x)


def _elu(args, state, prefix):
    alpha = args["alpha"]
    return lambda x: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _softplus(args, state, prefix):
    beta, threshold = args["beta"], args["threshold"]
    return lambda x: np.where(x * beta > threshold, x, np.logaddexp(0, beta * x) / beta)


def _pool(args, reduce, fill):
    """MaxPool2d or AvgPool2d (count_include_pad, no ceil mode): `reduce` over each window of
    the input padded with `fill`."""
    kernel, stride, padding = _pair(args["kernel_size"]), _pair(args["stride"]), _pair(args["padding"])

    def forward(x):
        x = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])), constant_values=fill)
        return reduce(_windows(x, kernel, stride), axis=(4, 5))
    return forward


def _bilinear_taps(size, scale):
    """For each of the size·scale outputs along an axis: the two sources and the second's
    weight (align_corners=False: half-pixel centres, clamped at the first pixel)."""
    source = np.maximum((np.arange(size * scale) + 0.5) / scale - 0.5, 0)
    low = np.minimum(source.astype(np.int64), size - 1)
    return low, np.minimum(low + 1, size - 1), source - low


def _upsample(args, state, prefix):
    scale = int(args["scale_factor"])
    if scale != args["scale_factor"] or scale < 1:
        raise GenLabError("damaged", f"Upsample's scale_factor {args['scale_factor']!r} is not a whole factor GenLab writes")
    if args["mode"] == "nearest":
        return lambda x: x.repeat(scale, axis=2).repeat(scale, axis=3)
    if args["mode"] != "bilinear":
        raise GenLabError("damaged", f"Upsample's mode {args['mode']!r} is not one GenLab writes")

    def forward(x):
        rows, columns = _bilinear_taps(x.shape[2], scale), _bilinear_taps(x.shape[3], scale)
        x = x[:, :, rows[0], :] * (1 - rows[2])[:, None] + x[:, :, rows[1], :] * rows[2][:, None]
        return x[:, :, :, columns[0]] * (1 - columns[2]) + x[:, :, :, columns[1]] * columns[2]
    return forward


def _flatten(args, state, prefix):
    return lambda x: x.reshape(x.shape[0], -1)


def _unflatten(args, state, prefix):
    size = tuple(args["unflattened_size"])
    return lambda x: x.reshape((x.shape[0],) + size)


def _bias_layer(args, state, prefix):
    bias = state[prefix + "bias"]
    return lambda x: x + bias[None]


_MODULES = {
    "Linear": _linear,
    "Conv2d": _conv2d,
    "ConvTranspose2d": _conv_transpose2d,
    "BatchNorm1d": _batchnorm,
    "BatchNorm2d": _batchnorm,
    "ReLU": lambda args, state, prefix: (lambda x: np.maximum(x, 0)),
    "LeakyReLU": _leaky_relu,
    "Sigmoid": lambda args, state, prefix: (lambda x: 1 / (1 + np.exp(-x))),
    "Tanh": lambda args, state, prefix: np.tanh,
    "Dropout": lambda args, state, prefix: (lambda x: x),  # evaluation mode
    "Dropout2d": lambda args, state, prefix: (lambda x: x),
    "GroupNorm": _group_norm,
    "LayerNorm": _layer_norm,
    "ELU": _elu,
    "GELU": lambda args, state, prefix: (lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    "SiLU": lambda args, state, prefix: (lambda x: x / (1 + np.exp(-x))),
    "Softplus": _softplus,
    "MaxPool2d": lambda args, state, prefix: _pool(args, np.max, -np.inf),
    "AvgPool2d": lambda args, state, prefix: _pool(args, np.mean, 0.0),
    "Upsample": _upsample,
    "Flatten": _flatten,
    "Unflatten": _unflatten,
    "AdaptiveAvgPool2d": lambda args, state, prefix: (lambda x: x.mean(axis=(2, 3), keepdims=True)),
    "BiasLayer": _bias_layer,
}


def _weight(state, prefix):
    """The weight the layer computes with: ``weight``, or for a spectral-normed layer
    ``weight_orig / σ`` with σ = uᵀ W_orig v from the stored u and v (PyTorch's evaluation
    mode, which does no power iteration)."""
    if prefix + "weight_orig" not in state:
        return state[prefix + "weight"]
    original = state[prefix + "weight_orig"]
    u, v = state[prefix + "weight_u"], state[prefix + "weight_v"]
    sigma = u @ (original.reshape(original.shape[0], -1) @ v)
    return original / sigma


#: How deep residual blocks may nest in a description (GenLab's files stay far below).
MAX_NESTING = 32


def _forward(layer, state, prefix, network, path, depth=0):
    """The numpy function of one described layer whose parameters are keyed `prefix`…; a
    residual block's body and shortcut are built the same way, one level down."""
    if layer.get("module") == "Residual":
        if depth >= MAX_NESTING:
            raise GenLabError("damaged", f"network '{network}' nests residual blocks more than {MAX_NESTING} deep (damaged?)", path)
        blocks = []
        for name in ("body", "shortcut"):
            if not isinstance(layer.get(name), list) or not all(isinstance(inner, dict) for inner in layer[name]):
                raise GenLabError("damaged", f"network '{network}' has a residual block ({prefix[:-1]}) without its {name} list (damaged?)", path)
            blocks.append([_forward(inner, state, f"{prefix}{name}.{inner.get('index')}.", network, path, depth + 1)
                           for inner in layer[name]])
        body, shortcut = blocks

        def residual(x):
            y, s = x, x
            for forward in body:
                y = forward(y)
            for forward in shortcut:
                s = forward(s)
            return y + s
        return residual
    build = _MODULES.get(layer.get("module"))
    if build is None:
        raise GenLabError("unknown_module", f"network '{network}' layer {prefix[:-1]} is a {layer.get('module')}, "
                          "which this genlab package does not know (a newer GenLab?)", path)
    try:
        return build(layer["arguments"], state, prefix)
    except KeyError as missing:
        raise GenLabError("damaged", f"network '{network}' layer {prefix[:-1]} ({layer.get('text')}) has no "
                          f"stored {missing} (damaged?)", path) from None


class NumpyNetwork:
    """One stored network as a function of numpy arrays (batch first), in evaluation mode.

    ``network(x)`` runs every layer; ``network.layers`` lists the stored layer descriptions.
    """

    def __init__(self, description, state, path=""):
        self.name = description["name"]
        self.description = description
        self.layers = description["layers"]
        state = {key: np.asarray(value, dtype=np.float64) for key, value in state.items()}
        self._forwards = [_forward(layer, state, f"{layer['index']}.", self.name, path) for layer in self.layers]

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float64)
        expected = tuple(self.description["input_shape"])
        if x.shape[1:] != expected:
            raise ValueError(f"{self.name} takes items of shape {expected}, got a batch of shape {x.shape}")
        for forward in self._forwards:
            x = forward(x)
        return x

    def __repr__(self):
        lines = [f"{self.name}: {tuple(self.description['input_shape'])} -> {tuple(self.description['output_shape'])}"]
        lines += [f"  ({layer['index']}): {layer['text']}" for layer in self.layers]
        return "\n".join(lines)
