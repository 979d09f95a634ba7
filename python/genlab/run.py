"""One GenLab run file (``results/<experiment>/<run id>/run.h5``) read into Python."""

import copy
import json
import os
from collections.abc import Mapping
from typing import NamedTuple

import h5py
import numpy as np

from . import safety
from .errors import GenLabError
from .numpy_network import NumpyNetwork

FORMAT = "genlab-run"
#: The newest run-file format this package reads (3: the networks described in ``model_json``).
NEWEST_FORMAT = 3


def load(path):
    """The run file at ``path`` (or the ``run.h5`` in the folder ``path``)."""
    return Run(path)


class Latents(NamedTuple):
    """μ, log σ and z of the first test images after a step (``/latents/step_<n>``)."""
    step: int
    epoch: int
    mu: np.ndarray
    logsigma: np.ndarray
    z: np.ndarray
    labels: np.ndarray


class _Group(Mapping):
    """The datasets below one HDF5 group, read when asked for (the file is opened each time,
    so GenLab may commit a new version of it meanwhile)."""

    def __init__(self, path, group, names, read):
        self._path, self._group, self._names, self._read = path, group, names, read

    def __getitem__(self, key):
        if key not in self._names:
            raise KeyError(key)
        with _open(self._path) as f, safety.damaged_as_error(self._path):
            return self._read(f, self._names[key])

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def __repr__(self):
        return f"<{self._group} of {self._path}: {list(self._names)}>"


class Analysis:
    """``/analysis/<name>/``: its attributes (parameters and numbers) and its arrays, read when
    indexed (``analysis["mu"]``)."""

    def __init__(self, name, attrs, arrays):
        self.name, self.attrs, self.arrays = name, attrs, arrays

    def __getitem__(self, key):
        return self.arrays[key]

    def __repr__(self):
        return f"<analysis {self.name}: attrs {sorted(self.attrs)}, arrays {sorted(self.arrays)}>"


def _open(path):
    """The HDF5 file at ``path``, opened for reading once it is known to be a regular file
    whose external links stay beside it."""
    safety.check_regular(path)
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise GenLabError("not_a_run", f"not a readable HDF5 file ({error})", path) from None
    try:
        with safety.damaged_as_error(path):
            safety.check_links(f, path)
    except GenLabError:
        f.close()
        raise
    return f


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def _step(name, prefix):
    return int(name[len(prefix):]) if name.startswith(prefix) and name[len(prefix):].isdigit() else None


class Run:
    """A run file: its configuration, status and sweep values, history, latents, samples and
    analyses, and its networks (``network``, ``encode``, ``decode``, ``generate`` in numpy;
    ``torch_modules`` in PyTorch).

    Attributes read from the file: ``path``, ``experiment``, ``run_id``, ``status``
    (running, completed, failed, interrupted, pruned), ``failure``, ``stopped`` (why training
    stopped before its length: "pruned at step S: …", "stopped early at step S, best at step
    B"; None otherwise), ``validation_images`` (what the history's ``validation.<term>``
    columns, NaN where no validation ran, are computed on; None without), ``precision`` ("fp32"
    or "bf16": what the last training session multiplied in; None in older files), ``format_version``,
    ``genlab_version``, ``started_at``, ``finished_at``, ``total_steps``, ``config_yaml``,
    ``config`` (a dict), ``sweep_values`` (swept key → value), ``progress`` (step, epoch and
    batch of the last checkpoint, or None), ``model`` (the stored description of the networks,
    a dict; None in files written before format 3), ``history`` (name → array, with ``step``
    and ``epoch``), ``latents`` (step → ``Latents``), ``samples`` (step → images on the pixel
    scale), ``sample_inputs``, ``analyses`` (name → ``Analysis``), ``pictures`` (file name →
    path of the analysis pictures beside the run file).
    """

    def __init__(self, path):
        path = os.fspath(path)
        if os.path.isdir(path):
            path = os.path.join(path, "run.h5")
        self.path = path
        with _open(path) as f, safety.damaged_as_error(path):
            attrs = {key: f.attrs[key] for key in f.attrs}
            if _text(attrs.get("format", "")) != FORMAT:
                raise GenLabError("not_a_run", f'an HDF5 file, but not a GenLab run (no format="{FORMAT}" attribute)', path)
            self.format_version = int(attrs.get("format_version", 0))
            if self.format_version < 1:
                raise GenLabError("damaged", "a GenLab run without a valid format_version attribute (damaged?)", path)
            if self.format_version > NEWEST_FORMAT:
                raise GenLabError("newer_format", f"written by a newer GenLab (run format {self.format_version}); this "
                                  f"package reads format {NEWEST_FORMAT} and older: upgrade it", path)
            self._read_metadata(attrs)
            self.progress = ({key: int(f["progress"].attrs[key]) for key in ("step", "epoch", "batch")}
                             if "progress" in f else None)
            self.history = {name: safety.read(f["history"][name], path) for name in f["history"]} if "history" in f else {}
            self._read_records(f)
        self._networks = {}

    def _read_metadata(self, attrs):
        def text(name, required=True):
            if name not in attrs:
                if required:
                    raise GenLabError("damaged", f"the run file has no '{name}' attribute (damaged?)", self.path)
                return None
            return _text(attrs[name])
        self.experiment, self.run_id, self.status = text("experiment"), text("run_id"), text("status")
        self.config_yaml, self.genlab_version = text("config_yaml"), text("genlab_version")
        self.started_at, self.finished_at, self.failure = text("started_at"), text("finished_at", False), text("failure", False)
        self.analysis_yaml = text("analysis_yaml", False)
        self.stopped, self.validation_images = text("stopped", False), text("validation_images", False)
        self.precision = text("precision", False)
        self.total_steps = int(attrs["total_steps"]) if "total_steps" in attrs else None
        described = [text(name, False) for name in ("model_json", "config_json", "sweep_point_json")]
        if self.format_version >= 3 and None in described:
            raise GenLabError("damaged", "a run file of format 3 without model_json, config_json or sweep_point_json (damaged?)", self.path)
        try:
            self.model, config, values = [json.loads(value) if value is not None else None for value in described]
        except ValueError as error:
            raise GenLabError("damaged", f"a JSON attribute does not parse ({error}) (damaged?)", self.path) from None
        if self.model is not None:
            safety.check_description(self.model, self.path)
        self.config = config if config is not None else self._parse_yaml(self.config_yaml)
        if values is None:
            values = {}
            for line in text("sweep_point").splitlines():
                key, _, value = line.partition("=")
                values[key] = self._parse_yaml(value)
        self.sweep_values = values

    def _parse_yaml(self, text):
        """Older files keep the configuration as YAML only: read with PyYAML when present."""
        try:
            import yaml
        except ImportError:
            raise GenLabError("no_description", "this run file (format < 3) keeps its configuration as YAML only: "
                              "install PyYAML to read it, or run `genlab analyze` on it once to add the JSON", self.path) from None
        with safety.damaged_as_error(self.path, "the stored configuration"):
            return yaml.safe_load(text)

    def _read_records(self, f):
        latents = {}
        for name in f["latents"] if "latents" in f else []:
            step = _step(name, "step_")
            if step is not None:
                latents[step] = f"latents/{name}"
        self.latents = _Group(self.path, "/latents", dict(sorted(latents.items())), self._read_latents)
        samples = {}
        for name in f["samples"] if "samples" in f else []:
            step = _step(name, "step_")
            if step is not None:
                samples[step] = f"samples/{name}"
        self.samples = _Group(self.path, "/samples", dict(sorted(samples.items())), lambda f, p: safety.read(f[p], self.path))
        self.sample_inputs = ({name: safety.read(f["sample_inputs"][name], self.path) for name in f["sample_inputs"]}
                              if "sample_inputs" in f else {})
        self.analyses = {}
        for name in f["analysis"] if "analysis" in f else []:
            group = f["analysis"][name]
            attrs = {key: _text(value) if isinstance(value, (bytes, str)) else value.item() if hasattr(value, "item") else value
                     for key, value in group.attrs.items()}
            arrays = {key: f"analysis/{name}/{key}" for key in group}
            self.analyses[name] = Analysis(name, attrs, _Group(self.path, f"/analysis/{name}", arrays,
                                                               lambda f, p: safety.read(f[p], self.path)))
        folder = os.path.join(os.path.dirname(self.path), "analysis")
        self.pictures = ({name: os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".png")}
                         if os.path.isdir(folder) else {})

    def _read_latents(self, f, path):
        group = f[path]
        return Latents(int(path.rsplit("_", 1)[1]), int(group.attrs["epoch"]), *(safety.read(group[name], self.path)
                                                                               for name in ("mu", "logsigma", "z", "labels")))

    def __repr__(self):
        return f"<genlab run {self.run_id} of {self.experiment}: {self.status}, {self.path}>"

    # ---- history -----------------------------------------------------------------------

    def history_frame(self):
        """The history as a pandas DataFrame (one row per recorded step)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("history_frame() needs pandas (pip install pandas); run.history holds the same arrays") from None
        return pandas.DataFrame(self.history)

    # ---- networks ----------------------------------------------------------------------

    def _description(self):
        if self.model is None:
            raise GenLabError("no_description", "this run file (format < 3) does not describe its networks: run "
                              "`genlab analyze` on it once (any analysis), which adds the description", self.path)
        return self.model

    @property
    def network_names(self):
        """The stored networks, in order (encoder, decoder; generator, discriminator; …)."""
        return [network["name"] for network in self._description()["networks"]]

    def state_dict(self, network):
        """The weights and buffers of ``network`` by PyTorch ``state_dict`` key (numpy arrays)."""
        with _open(self.path) as f, safety.damaged_as_error(self.path):
            if "weights" not in f or network not in f["weights"]:
                raise GenLabError("no_checkpoint", f"no weights of network '{network}' (the run has no checkpoint yet?)", self.path)
            state = {}
            for group in ("weights", "buffers"):
                if group in f and network in f[group]:
                    f[group][network].visititems(
                        lambda key, item: state.__setitem__(key, safety.read(item, self.path)) if isinstance(item, h5py.Dataset) else None)
        return state

    @property
    def log_sigma_x(self):
        """log σx of a Gaussian likelihood with learned σx, else None."""
        likelihood = self._description().get("likelihood", {})
        if "log_sigma_x" not in likelihood:
            return None
        with _open(self.path) as f, safety.damaged_as_error(self.path):
            return float(safety.read(f[likelihood["log_sigma_x"]], self.path))

    def network(self, name):
        """The stored network ``name`` as a numpy function (evaluation mode, float64)."""
        if name not in self._networks:
            described = {network["name"]: network for network in self._description()["networks"]}
            if name not in described:
                raise KeyError(f"no network '{name}'; this run has {list(described)}")
            with safety.damaged_as_error(self.path, "the stored network"):
                self._networks[name] = NumpyNetwork(described[name], self.state_dict(name), self.path)
        return self._networks[name]

    def with_networks(self, functions):
        """This run with its networks replaced by ``functions`` (name → function of a numpy
        batch), for ``encode``, ``decode``, ``generate`` and ``recompute_samples``: e.g. the
        PyTorch modules of ``torch_modules`` wrapped to take and give numpy arrays."""
        view = copy.copy(self)
        view._networks = dict(functions)
        return view

    def _parts(self, parts, level_inputs):
        """The input of a network: the described parts side by side (feature axis)."""
        arrays = []
        for part in parts:
            value = level_inputs[part["source"]] if part["source"] != "mu" else self.encode(
                level_inputs["image"], level_inputs.get("label"), level=part["level"])[0]
            if part["source"] == "label":
                if value is None:
                    raise ValueError("this model is conditioned on labels: pass labels=")
                value = self._one_hot(value, part["one_hot"])
            elif part.get("flatten"):
                value = np.asarray(value).reshape(len(value), -1)
            arrays.append(np.asarray(value, dtype=np.float64))
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=1)

    def _label_classes(self, classes):
        """A described label count: GenLab writes 2 … 1000; any other is a damaged description,
        refused before anything is allocated."""
        if not isinstance(classes, int) or isinstance(classes, bool) or not 2 <= classes <= 1000:
            raise GenLabError("damaged", f"model_json gives {classes!r} label classes, not 2 … 1000 (damaged?)", self.path)
        return classes

    def _one_hot(self, labels, classes):
        """One-hot rows of ``labels`` for ``classes`` classes (checked by ``_label_classes``)."""
        classes = self._label_classes(classes)
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(f"labels must lie in 0 … {classes - 1}")
        one_hot = np.zeros((labels.size, classes))
        one_hot[np.arange(labels.size), labels] = 1
        return one_hot

    def _columns(self, spec, output, computed):
        """Columns [a, b) of a network's output; a head network takes ``output``."""
        if spec["network"] not in computed:
            computed[spec["network"]] = self.network(spec["network"])(output)
        a, b = spec["columns"]
        return computed[spec["network"]][:, a:b]

    def encode(self, images, labels=None, level=0):
        """μ and log σ of q(z | x) at latent ``level`` for normalised ``images`` (see
        ``from_pixels``); ``labels`` for a CVAE."""
        spec = self._description()["encode"][level]
        x = self._parts(spec["input"], {"image": images, "label": labels})
        output = self.network(spec["network"])(x)
        computed = {spec["network"]: output}
        mu = self._columns(spec["mu"], output, computed)
        if spec["scale"] is None:
            return mu, np.zeros_like(mu)
        s = self._columns(spec["scale"], output, computed)
        return mu, np.broadcast_to(spec["log_sigma_factor"] * s, mu.shape).copy()

    def decode(self, z, labels=None, level=0):
        """Images (normalised space) decoded from latents ``z`` of ``level`` (``labels`` for a
        CVAE)."""
        spec = self._description()["decode"][level]
        x = self._parts(spec["input"], {"z": z, "label": labels})
        if "through" in spec:
            x = self._columns(spec["through"], x, {})
        return self.network(spec["network"])(x)

    def generate(self, noise, labels=None):
        """A GAN's images (normalised space) of ``noise`` (N × latent); ``labels`` for a
        conditional GAN, whose one-hot label follows the noise along axis 1."""
        spec = self._description()["generator"]
        noise = np.asarray(noise, dtype=np.float64).reshape([len(noise)] + spec["noise_shape"])
        if "classes" in spec:
            if labels is None:
                raise ValueError("this GAN is conditioned on labels: pass labels=")
            one_hot = self._one_hot(labels, spec["classes"])
            noise = np.concatenate([noise, one_hot.reshape(one_hot.shape + (1,) * (noise.ndim - 2))], axis=1)
        return self.network(spec["network"])(noise)

    def generation_labels(self, count):
        """The labels GenLab's samples and analyses generate ``count`` images with: 0, 1, …,
        classes − 1, 0, … for a conditional GAN, None otherwise."""
        classes = self._description()["generator"].get("classes")
        return None if classes is None else np.arange(count) % self._label_classes(classes)

    def opponent_input(self, images, labels=None):
        """What a GAN's discriminator or critic takes for normalised ``images``: the images, or
        for a conditional one the flattened images with the one-hot ``labels`` after them
        (``labels: columns``) or the images with them as constant channels (``channels``)."""
        spec = self._description()["discriminator"]
        images = np.asarray(images, dtype=np.float64)
        if "classes" not in spec:
            return images
        if labels is None:
            raise ValueError("this GAN is conditioned on labels: pass labels=")
        if spec.get("labels") not in ("columns", "channels"):
            raise GenLabError("damaged", f"model_json puts the discriminator's labels as {spec.get('labels')!r}, not columns or "
                              "channels (damaged?)", self.path)
        one_hot = self._one_hot(labels, spec["classes"])
        if spec["labels"] == "columns":
            return np.concatenate([images.reshape(len(images), -1), one_hot], axis=1)
        planes = np.broadcast_to(one_hot[:, :, None, None], one_hot.shape + images.shape[2:])
        return np.concatenate([images, planes], axis=1)

    def _pixels(self):
        pixels = self._description()["pixels"]
        shape = (1, -1, 1, 1)
        return np.asarray(pixels["scale"]).reshape(shape), np.asarray(pixels["offset"]).reshape(shape)

    def to_pixels(self, images):
        """Normalised images (N × C × H × W) back on the pixel scale [0, 1]."""
        scale, offset = self._pixels()
        return (np.asarray(images, dtype=np.float64) - offset) / scale

    def from_pixels(self, images):
        """Images on the pixel scale [0, 1] (N × C × H × W) as the networks take them."""
        scale, offset = self._pixels()
        return np.asarray(images, dtype=np.float64) * scale + offset

    def recompute_samples(self):
        """The recorded samples computed again from the stored weights and ``sample_inputs``, as
        the description's ``samples.from`` says, on the pixel scale: equal to the samples of
        the checkpoint's step (``samples[progress["step"]]``)."""
        how = self._description()["samples"]
        if how is None:
            raise GenLabError("no_description", "this run records no samples", self.path)
        inputs = self.sample_inputs
        if how["from"] == "noise" and "generator" in self.model:
            return self.to_pixels(self.generate(inputs["noise"], inputs.get("labels")))
        if how["from"] == "noise":
            return self.to_pixels(self.decode(inputs["noise"], inputs["labels"]))
        mu, logsigma = self.encode(inputs["images"], inputs.get("labels"))
        z = mu if how["from"] == "holdout_mean" else mu + np.exp(logsigma) * inputs["noise"][:len(mu)]
        return self.to_pixels(self.decode(z))

    def torch_modules(self):
        """Every network as a ``torch.nn.Sequential`` with the stored weights and buffers
        loaded, in evaluation mode, by name ("encoder", "decoder", "generator", …)."""
        from .torch_modules import build_modules
        return build_modules(self)
