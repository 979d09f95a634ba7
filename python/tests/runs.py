"""Short runs of the reference experiments, trained once per test process by the GenLab
binary (``$GENLAB``, default ``.build/release/genlab``), and the Fashion-MNIST test images
they were encoded from. Shared by the numpy and the PyTorch tests."""

import atexit
import functools
import glob
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPOSITORY, "python"))

import genlab  # noqa: E402  (the package of this repository, not an installed one)

GENLAB = os.environ.get("GENLAB", os.path.join(REPOSITORY, ".build", "release", "genlab"))
LATENTS = 64

# Every reference experiment but celeba-dcgan, which needs an image folder (its kind, a
# DCGAN, is covered by lab-dcgan and homework-dcgan-cifar), and the pruned sweeps (their
# networks are another file's, and their rungs need more than three steps). Three steps each,
# a loss every step, 64 latents; the analyses left out, but for the quick start's own (so that
# analyses are read too) and the GANs' activation maximisation (its first scores check the
# discriminator).
EXPERIMENTS = sorted(os.path.basename(path)[:-5] for path in glob.glob(os.path.join(REPOSITORY, "experiments", "*.yaml"))
                     if not path.endswith("celeba-dcgan.yaml") and not re.search(r"^\s*prune:", open(path).read(), re.M))

#: The GANs and WGANs among them (their files say `kind: gan` or `kind: wgan`).
ADVERSARIAL = {name for name in EXPERIMENTS
               if re.search(r"^\s*kind:\s*w?gan\b", open(os.path.join(REPOSITORY, "experiments", f"{name}.yaml")).read(), re.M)}

#: Conditional variants (`classes: 10`) of two of them: a flat generator and critic (the label
#: as columns), a convolutional generator and discriminator (the label as channels).
CONDITIONAL = {"lab-wgan-conditional": "lab-wgan", "lab-dcgan-conditional": "lab-dcgan"}

_results = None


def results():
    """The results folder holding one short run of every experiment (trained on first use)."""
    global _results
    if _results is None:
        folder = tempfile.mkdtemp(prefix="genlab-python-")
        atexit.register(functools.partial(shutil.rmtree, folder, ignore_errors=True))
        for name in EXPERIMENTS + sorted(CONDITIONAL):
            command = [GENLAB, "run", os.path.join(REPOSITORY, "experiments", f"{CONDITIONAL.get(name, name)}.yaml"), "--steps", "3",
                       "--results", folder, "--quiet", "--jobs", "2",
                       "--set", f"record.latents={{every: epoch, count: {LATENTS}}}", "--set", "record.losses_every=1"]
            if name in CONDITIONAL:
                command += ["--set", f"name={name}", "--set", "model.classes=10"]
            if name in ADVERSARIAL or name in CONDITIONAL:  # the discriminator's scores of G(z), to check it too
                command += ["--set", "analysis={activation_maximisation: {count: 4, steps: 1}}"]
            elif name != "quickstart":
                command += ["--set", "analysis={}"]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        _results = folder
    return _results


def run_files():
    """Every run file of `results()`, by experiment (the first point of a sweep first)."""
    files = {}
    for name in EXPERIMENTS + sorted(CONDITIONAL):
        sweep = genlab.load_sweep(os.path.join(results(), name))
        files[name] = [point.path for point in sweep.points]
    return files


def _resize_weights(size, new):
    """torchvision's antialiased bilinear weights from `size` to `new` positions (GenLab's
    ImageResize): a triangle filter widened by the scale when shrinking, normalised."""
    scale = size / new
    support = max(scale, 1.0)
    weights = np.zeros((new, size))
    for o in range(new):
        center = (o + 0.5) * scale
        for i in range(max(0, int(np.floor(center - support))), min(size, int(np.ceil(center + support)))):
            weights[o, i] = max(0.0, 1 - abs((i + 0.5 - center) / support))
        weights[o] /= weights[o].sum()
    return weights


def test_images(count, config):
    """The first `count` Fashion-MNIST test images (uint8, N × C × S × S, as the
    experiment's dataset converts them: grey copied to its channels, resized to its
    image_size) and labels."""
    folder = config["dataset"].get("path", "/usr/share/datasets/fashion-mnist")
    with gzip.open(os.path.join(folder, "t10k-images-idx3-ubyte.gz")) as file:
        images = np.frombuffer(file.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(folder, "t10k-labels-idx1-ubyte.gz")) as file:
        labels = np.frombuffer(file.read(), dtype=np.uint8, offset=8)
    images, labels = images[:count], labels[:count].astype(np.int64)
    size = config["dataset"].get("image_size", 28)
    if size != 28:  # a square image: no crop
        weights = _resize_weights(28, size)
        # as GenLab sums: down the rows first, then along them, taps in source order
        pixels, rows = images.astype(np.float64), np.zeros(images.shape[:2] + (size, 28))
        for o in range(size):
            for i in np.nonzero(weights[o])[0]:
                rows[:, :, o, :] += weights[o, i] * pixels[:, :, i, :]
        resized = np.zeros(images.shape[:2] + (size, size))
        for o in range(size):
            for i in np.nonzero(weights[o])[0]:
                resized[:, :, :, o] += weights[o, i] * rows[:, :, :, i]
        images = np.clip(np.floor(resized + 0.5), 0, 255).astype(np.uint8)  # halves away from zero, as Swift rounds
    channels = config["dataset"].get("channels", 1)
    return np.repeat(images, channels, axis=1), labels
