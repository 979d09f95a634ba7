#!/usr/bin/env python3
"""Successive-halving benchmark: a sweep trained in full and with its `sweep.prune`, in one
run on this machine — steps spent, wall time, and the best point of each by final
validation loss — and, with --slurm, the pruned sweep again as Slurm job arrays on the local
Slurm (scripts/slurm-local.sh), whose decisions must be the local ones.

    python3 scripts/bench_pruning.py [--experiment experiments/arena-vae-halving.yaml] [--jobs 2] [--slurm] [--set KEY=VALUE …]

The full grid is the same experiment without its `prune:` line. Needs a release build
(swift build -c release; or $GENLAB, a copy of it, so that the tree can be rebuilt meanwhile:
its workers run the binary that started them) and h5py. Results go to a temporary folder (--keep names one to
keep them). Prints a Markdown table for docs/performance.md.
"""
import argparse
import datetime
import glob
import json
import os
import re
import subprocess
import tempfile
import time

import h5py
import numpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# a copy of the release build can be timed while the tree is rebuilt: GENLAB=/path/to/genlab
GENLAB = os.environ.get("GENLAB", os.path.join(ROOT, ".build", "release", "genlab"))


def run(arguments, **kwargs):
    return subprocess.run([GENLAB] + arguments, check=True, capture_output=True, text=True, **kwargs)


def points(results, experiment):
    """Per point: run id, status, steps done, final validation.total (NaN when none)."""
    rows = []
    for path in sorted(glob.glob(os.path.join(results, experiment, "*", "run.h5"))):
        with h5py.File(path, "r") as f:
            values = f["history"]["validation.total"][:]
            finite = values[numpy.isfinite(values)]
            rows.append({"run_id": f.attrs["run_id"], "status": f.attrs["status"],
                         "steps": int(f["progress"].attrs["step"]),
                         "final": float(finite[-1]) if len(finite) else float("nan")})
    return rows


def rung_table(results, experiment):
    tables = glob.glob(os.path.join(results, experiment, "rungs-*.json"))
    return json.load(open(tables[0])) if tables else None


def timed(arguments):
    start = time.time()
    run(arguments)
    return time.time() - start


def slurm_sweep(experiment_file, results, jobs, sets):
    subprocess.run([os.path.join(ROOT, "scripts", "slurm-local.sh"), "start"], check=True, capture_output=True)
    start = time.time()
    out = run(["run", experiment_file, "--launcher", "slurm", "--jobs", str(jobs), "--results", results] + sets).stdout
    ids = re.search(r"as Slurm jobs? ([0-9, ]+)", out).group(1).replace(" ", "").split(",")
    while True:
        queue = subprocess.run(["squeue", "-h", "-j", ",".join(ids)], capture_output=True, text=True)
        if queue.returncode == 0 and not queue.stdout.strip():
            return time.time() - start
        time.sleep(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiment", default=os.path.join(ROOT, "experiments", "arena-vae-halving.yaml"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--slurm", action="store_true")
    parser.add_argument("--set", action="append", default=[], dest="sets")
    parser.add_argument("--keep")
    args = parser.parse_args()
    sets = [word for s in args.sets for word in ("--set", s)]
    folder = args.keep or tempfile.mkdtemp(prefix="genlab-bench-pruning-")
    os.makedirs(folder, exist_ok=True)
    text = open(args.experiment).read()
    name = re.search(r"^name: *(\S+)", text, re.M).group(1)
    full_file = os.path.join(folder, "full.yaml")
    with open(full_file, "w") as f:
        f.write("\n".join(line for line in text.split("\n") if not line.strip().startswith("prune:")))

    variants = [("full grid", full_file, os.path.join(folder, "full")),
                ("synchronous successive halving", args.experiment, os.path.join(folder, "pruned"))]
    measured = []
    for label, experiment_file, results in variants:
        seconds = timed(["run", experiment_file, "--jobs", str(args.jobs), "--results", results, "--quiet"] + sets)
        measured.append((label, results, seconds))
    if args.slurm:
        results = os.path.join(folder, "slurm")
        measured.append(("the same on Slurm (local)", results, slurm_sweep(args.experiment, results, args.jobs, sets)))

    version = run(["version"]).stdout.strip().split("\n")
    print(f"{datetime.date.today()} · {' · '.join(version)}")
    print(f"{name}: --jobs {args.jobs}\n")
    print("| sweep | points trained to the end | steps spent | of the full grid's | wall time | best point (final validation.total) |")
    print("|---|---|---|---|---|---|")
    full_steps = None
    summaries = {}
    for label, results, seconds in measured:
        rows = points(results, name)
        steps = sum(r["steps"] for r in rows)
        full_steps = full_steps or steps
        ended = [r for r in rows if r["status"] == "completed"]
        best = min(ended, key=lambda r: r["final"])
        summaries[label] = (rows, best)
        print(f"| {label} | {len(ended)} of {len(rows)} | {steps:,} | {100 * steps / full_steps:.1f} % | {seconds / 60:.1f} min "
              f"| {best['run_id']} ({best['final']:.5f}) |")
    full_rows, full_best = summaries["full grid"]
    ranked = sorted(full_rows, key=lambda r: r["final"])
    pruned_best = summaries["synchronous successive halving"][1]
    place = [r["run_id"] for r in ranked].index(pruned_best["run_id"]) + 1
    top = ", ".join(f"{r['run_id']} {r['final']:.5f}" for r in ranked[:3])
    print(f"\nThe pruned sweep's best point is the full grid's number {place} by final validation.total"
          f" (the full grid's top three: {top}).")
    if args.slurm:
        same = rung_table(os.path.join(folder, "pruned"), name) == rung_table(os.path.join(folder, "slurm"), name)
        print(f"Slurm's rung table {'equals' if same else 'DIFFERS FROM'} the local one.")
    print(f"(results in {folder})")


if __name__ == "__main__":
    main()
