#!/usr/bin/env python3
"""What TensorBoard's event files cost a run: each reference experiment trained for --steps
steps (600 unless EXPERIMENT:STEPS says) with its own record schedule, with `record.tensorboard` on (the default) and off,
alternated, --repeats times each, one point at a time in one process; its analyses left out
(`--set analysis={}`). Prints the median wall time and CPU time (user + system, which other
work on a shared machine disturbs less) of each and their ratios, every run's times, and the
events' size, as a Markdown table for docs/performance.md.

    python3 scripts/bench_tensorboard.py [--repeats 3] [EXPERIMENT[:STEPS] …]

Needs a release build (swift build -c release; or $GENLAB, a copy of it). The wall time is the
whole `genlab run` (dataset loading included, the same both ways).
"""
import argparse
import glob
import os
import resource
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENLAB = os.environ.get("GENLAB", os.path.join(ROOT, ".build", "release", "genlab"))

parser = argparse.ArgumentParser()
parser.add_argument("experiments", nargs="*", default=["arena-conv-vae:600", "homework-mlp-vae:1000", "lab-dcgan:100"])
parser.add_argument("--repeats", type=int, default=3)
args = parser.parse_args()

print(subprocess.run([GENLAB, "version"], capture_output=True, text=True).stdout.strip())
print()
print("| experiment | steps | wall without / with events (s) | ratio | CPU without / with events (s) | ratio | event files |")
print("|---|---|---|---|---|---|---|")
runs = []
with tempfile.TemporaryDirectory() as results:
    for entry in args.experiments:
        name, _, steps = entry.partition(":")
        steps = int(steps or 600)
        times = {True: [], False: []}
        cpu = {True: [], False: []}
        size = 0
        for repeat in range(args.repeats):
            for on in ([True, False] if repeat % 2 == 0 else [False, True]):
                command = [GENLAB, "run", os.path.join(ROOT, "experiments", f"{name}.yaml"), "--steps", str(steps),
                           "--jobs", "1", "--results", results, "--overwrite", "--quiet", "--set", "analysis={}",
                           "--set", "sweep={grid: {seed: [0]}}", "--set", f"record.tensorboard={'true' if on else 'false'}"]
                start, used = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run(command, check=True, capture_output=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                times[on].append(time.time() - start)
                cpu[on].append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
                runs.append(f"{name} {'on ' if on else 'off'} wall {times[on][-1]:.2f} s, CPU {cpu[on][-1]:.2f} s")
                if on:
                    size = sum(os.path.getsize(f) for f in glob.glob(os.path.join(results, "*", "*", "tensorboard", "*")))
        off, on = statistics.median(times[False]), statistics.median(times[True])
        cpu_off, cpu_on = statistics.median(cpu[False]), statistics.median(cpu[True])
        print(f"| {name} | {steps} | {off:.2f} / {on:.2f} | {on / off:.3f} | {cpu_off:.2f} / {cpu_on:.2f} | {cpu_on / cpu_off:.3f} | {size / 1024:.0f} KiB |", flush=True)
print()
print("\n".join(runs))
