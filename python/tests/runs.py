"""Short runs of the reference experiments, trained once per test process by the GenLab
binary (``$GENLAB``, default ``.build/release/genlab``), and the Fashion-MNIST test images
they were encoded from. Shared by the numpy and the PyTorch tests."""

import atexit
import functools
import glob
import gzip
import os
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
# DCGAN, is covered by lab-dcgan and homework-dcgan-cifar). Three steps each, a loss every
# step, 64 latents; the analyses left out, but for the quick start's own (so that analyses are
# read too) and the GANs' activation maximisation (its first scores check the discriminator).
EXPERIMENTS = sorted(os.path.basename(path)[:-5] for path in glob.glob(os.path.join(REPOSITORY, "experiments", "*.yaml"))
                     if not path.endswith("celeba-dcgan.yaml"))

#: The GANs and WGANs among them.
ADVERSARIAL = {"lab-dcgan", "lab-wgan", "homework-dcgan-cifar"}

_results = None


def results():
    """The results folder holding one short run of every experiment (trained on first use)."""
    global _results
    if _results is None:
        folder = tempfile.mkdtemp(prefix="genlab-python-")
        atexit.register(functools.partial(shutil.rmtree, folder, ignore_errors=True))
        for name in EXPERIMENTS:
            command = [GENLAB, "run", os.path.join(REPOSITORY, "experiments", f"{name}.yaml"), "--steps", "3",
                       "--results", folder, "--quiet", "--jobs", "2",
                       "--set", f"record.latents={{every: epoch, count: {LATENTS}}}", "--set", "record.losses_every=1"]
            if name in ADVERSARIAL:  # the discriminator's scores of G(z), to check it too
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
    for name in EXPERIMENTS:
        sweep = genlab.load_sweep(os.path.join(results(), name))
        files[name] = [point.path for point in sweep.points]
    return files


def test_images(count, config):
    """The first `count` Fashion-MNIST test images (uint8, N × 1 × 28 × 28) and labels."""
    folder = config["dataset"].get("path", "/usr/share/datasets/fashion-mnist")
    with gzip.open(os.path.join(folder, "t10k-images-idx3-ubyte.gz")) as file:
        images = np.frombuffer(file.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(folder, "t10k-labels-idx1-ubyte.gz")) as file:
        labels = np.frombuffer(file.read(), dtype=np.uint8, offset=8)
    return images[:count], labels[:count].astype(np.int64)
