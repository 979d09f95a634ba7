#!/usr/bin/env python3
"""Checks that two genlab binaries write the same files: every reference experiment (but
celeba-dcgan, which needs an image folder, and files the first binary cannot read) trained for a few steps by each (the quick start
with the analyses of its `analysis:` section, run after training as `genlab run` does), then
`genlab analyze` of six on the quick start; every run file's datasets and attributes,
and every sweep definition, compared value for value, times and durations aside.

    scripts/same-files.py BEFORE_BINARY AFTER_BINARY [--steps N]

Prints each difference and exits 1 when there is one (a refactoring must leave none)."""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
#: attributes that record when or how long, not what
TIMES = {"started_at", "finished_at", "train_seconds", "seconds", "created_at", "genlab_version"}


def experiments(before):
    """The experiment files both binaries can train: all but celeba-dcgan (it needs an image
    folder) and those the BEFORE binary does not read (newer layer kinds)."""
    paths = []
    for path in sorted(glob.glob(os.path.join(REPOSITORY, "experiments", "*.yaml"))):
        if path.endswith("celeba-dcgan.yaml"):
            continue
        if subprocess.run([before, "validate", path], capture_output=True).returncode != 0:
            print(f"left out: {os.path.basename(path)} (the first binary does not read it)")
            continue
        paths.append(path)
    return paths


def train(binary, results, steps, paths):
    for path in paths:
        # the quick start keeps its analyses; the others' (some train a classifier) are left out
        analyses = [] if path.endswith("quickstart.yaml") else ["--set", "analysis={}"]
        done = subprocess.run([binary, "run", path, "--steps", str(steps), "--results", results, "--quiet", "--jobs", "1"]
                              + analyses, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{binary} run {path} failed:\n{done.stdout}{done.stderr}")
    quickstart = glob.glob(os.path.join(results, "quickstart", "*", "run.h5"))[0]
    done = subprocess.run([binary, "analyze", quickstart, "--only",
                           "reconstructions,samples,latent_scatter,latent_grid,traversal,interpolation"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{binary} analyze failed:\n{done.stdout}{done.stderr}")


def flatten(path):
    """name → value of every dataset and attribute of the HDF5 file at `path`."""
    values = {}
    with h5py.File(path, "r") as f:
        def visit(name, item):
            for key, value in item.attrs.items():
                if key not in TIMES:
                    values[f"{name}@{key}"] = value
            if isinstance(item, h5py.Dataset):
                values[name] = item[()]
        for key, value in f.attrs.items():
            if key not in TIMES:
                values[f"/@{key}"] = value
        f.visititems(visit)
    return values


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--steps", type=int, default=3)
    options = parser.parse_args()
    folders = [tempfile.mkdtemp(prefix="genlab-same-") for _ in range(2)]
    paths = experiments(os.path.abspath(options.before))
    for binary, folder in zip((options.before, options.after), folders):
        train(os.path.abspath(binary), folder, options.steps, paths)
    differences, files = 0, 0
    names = sorted({os.path.relpath(p, folders[0]) for p in glob.glob(os.path.join(folders[0], "**", "*"), recursive=True)
                    if p.endswith((".h5", ".json"))})
    after = sorted({os.path.relpath(p, folders[1]) for p in glob.glob(os.path.join(folders[1], "**", "*"), recursive=True)
                    if p.endswith((".h5", ".json"))})
    if names != after:
        print("different files:", sorted(set(names) ^ set(after)))
        differences += 1
    for name in names:
        paths = [os.path.join(folder, name) for folder in folders]
        if not os.path.exists(paths[1]):
            continue
        files += 1
        if name.endswith(".json"):
            texts = [json.load(open(p)) for p in paths]
            for text in texts:
                text.pop("genlab_version", None)
            if texts[0] != texts[1]:
                print(f"{name}: the sweep definitions differ")
                differences += 1
            continue
        values = [flatten(p) for p in paths]
        for key in sorted(set(values[0]) | set(values[1])):
            if key not in values[0] or key not in values[1] or not same(values[0][key], values[1][key]):
                print(f"{name}: {key} differs")
                differences += 1
    print(f"{files} files compared, {differences} differences")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
