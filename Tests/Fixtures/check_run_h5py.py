#!/usr/bin/env python3
"""Opens a GenLab run file with h5py and checks what a Python user relies on: attributes
come back as str, weights follow PyTorch's layouts, history columns have equal lengths.
Usage: check_run_h5py.py RUN_FILE NETWORK KEY EXPECTED_SHAPE (e.g. 32,16,4,4)."""
import sys

import h5py
import numpy as np

path, network, key, shape = sys.argv[1], sys.argv[2], sys.argv[3], tuple(int(s) for s in sys.argv[4].split(","))
with h5py.File(path, "r") as f:
    for name in ["format", "experiment", "run_id", "status", "config_yaml", "sweep_point", "genlab_version", "started_at"]:
        value = f.attrs[name]
        assert isinstance(value, str), f"attribute {name} is {type(value).__name__}, not str"
    assert f.attrs["format"] == "genlab-run", f.attrs["format"]
    assert int(f.attrs["format_version"]) >= 1
    weight = f[f"weights/{network}/{key}"]
    assert weight.dtype == np.float32, weight.dtype
    assert weight.shape == shape, f"{network}/{key} has shape {weight.shape}, expected {shape}"
    history = f["history"]
    lengths = {name: history[name].shape[0] for name in history}
    assert len(set(lengths.values())) == 1, f"history columns differ in length: {lengths}"
    assert history["step"].dtype == np.int64
    assert history["step"].maxshape == (None,), "history columns must be appendable"
    print(f"ok: {len(lengths)} history columns of {next(iter(lengths.values()))} rows; {network}/{key} {weight.shape}")
