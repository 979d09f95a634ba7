#!/usr/bin/env python3
"""Sweep benchmark: wall time and peak memory of a sweep trained with --jobs 1 (one point
after another in one process, every core for BLAS), with --jobs 1 --threads 1 (GenLab
before parallel sweeps) and with --jobs N (worker processes), in one run on this machine.

    python3 scripts/bench_sweep.py [--steps 120] [--jobs 2] [--rounds 1] [--experiment experiments/arena-beta-vae.yaml] [--where KEY=VALUE …] [--set KEY=VALUE …]

`--where model.beta=0` keeps the two seeds of the default experiment: a two-point sweep;
`--set 'analysis={}' --set 'record={losses_every: 10}'` leaves out its analyses and records
but the losses, to time training alone. The
last line says how many points' worth of one point's throughput (alone, one thread) the
sweep with --jobs N reaches: points × (one point's time) / (the sweep's time). The machine
is shared and moves by ±15 % from one minute to the next, so with `--rounds R` every variant
runs R times, one round after another (each round runs them all, one point alone and
--jobs N first, back to back): the table
gives each variant's median time, and the last line the median of the rounds' own ratios
and their range, then the ratio of the two variants' fastest rounds (each one's least
disturbed run, as `timeit` reports its best). Each round also starts N single points at once,
each its own `genlab run` on one thread: the throughput they reach is what this machine
allows the sweep (its cores' shared caches, memory and host), without GenLab's workers.

Peak memory is the largest sum of resident memory (VmRSS) over the `genlab` process and its
workers, sampled every 20 ms; "one point" is the peak of a single point trained alone with
one thread. Needs a release build (swift build -c release). Results go to a temporary folder.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENLAB = os.path.join(ROOT, ".build", "release", "genlab")
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid):
    """Resident memory (bytes) of `pid` and all its descendants, found through the children
    lists of their threads (not a scan of /proc, which took 1.4 ms of CPU a sample: 7 % of
    the core a worker of the sweep then lost to this monitor)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(child) for child in f.read().split()]
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError):
            pass
    return total


def measure(*runs):
    """Runs genlab once per argument list in `runs`, all at once; returns (seconds until the
    last ends, peak bytes over their process trees together)."""
    start = time.monotonic()
    processes = [subprocess.Popen([GENLAB] + arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for arguments in runs]
    peak = 0
    while any(process.poll() is None for process in processes):
        peak = max(peak, sum(tree_rss(process.pid) for process in processes if process.poll() is None))
        time.sleep(0.02)
    seconds = time.monotonic() - start
    for arguments, process in zip(runs, processes):
        if process.returncode != 0:
            raise SystemExit(f"genlab {' '.join(arguments)} failed ({process.returncode}): {process.stderr.read().decode()}")
    return seconds, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiment", default=os.path.join(ROOT, "experiments", "arena-beta-vae.yaml"))
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--where", action="append", default=[], help="select points, as genlab run --where (repeatable)")
    parser.add_argument("--set", action="append", default=[], help="change the configuration, as genlab run --set (repeatable)")
    args = parser.parse_args()
    changes = [argument for change in args.set for argument in ("--set", change)]
    points_selected = [argument for condition in args.where for argument in ("--where", condition)] + changes
    with open("/proc/cpuinfo") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    kernel = subprocess.run([GENLAB, "version", "--coretype"], capture_output=True, text=True).stdout.strip()
    plan = subprocess.run([GENLAB, "plan", args.experiment, "--steps", str(args.steps)] + points_selected, capture_output=True, text=True).stdout
    points = sum(1 for line in plan.splitlines() if line.startswith("  ") and "-" in line.split()[0])
    print(f"{os.path.basename(args.experiment)}: {points} points × {args.steps} steps; CPU {cpu}, {os.cpu_count()} cores; OpenBLAS kernels {kernel}")
    names = ["one point alone, 1 thread", "one point alone, every core", "--jobs 1 --threads 1", "--jobs 1",
             f"--jobs {args.jobs}", f"{args.jobs} single points at once"]
    rounds = []
    with tempfile.TemporaryDirectory() as results:
        def arguments(name, extra):
            folder = os.path.join(results, name)
            shutil.rmtree(folder, ignore_errors=True)
            return ["run", args.experiment, "--steps", str(args.steps), "--results", folder, "--quiet"] + extra

        def run(name, extra):
            return measure(arguments(name, extra))
        ids = [line.split()[0] for line in plan.splitlines() if line.startswith("  ") and "-" in line.split()[0]]
        point = ids[0]
        for _ in range(args.rounds):
            # the two runs the throughput compares, one right after the other
            one = run("one", ["--point", point, "--threads", "1"] + changes)
            parallel = run("parallel", ["--jobs", str(args.jobs)] + points_selected)
            # what the machine allows: as many single points, each its own `genlab run` on one
            # thread, started at once (no sweep, no workers), back to back with the two above
            alone = measure(*(arguments(f"alone{i}", ["--point", ids[i % len(ids)], "--threads", "1"] + changes)
                              for i in range(args.jobs)))
            rounds.append([one, run("one-all", ["--point", point] + changes), run("serial1", ["--jobs", "1", "--threads", "1"] + points_selected),
                           run("serial", ["--jobs", "1"] + points_selected), parallel, alone])
    times = [statistics.median(r[i][0] for r in rounds) for i in range(len(names))]
    peaks = [max(r[i][1] for r in rounds) for i in range(len(names))]
    for name, seconds, peak in zip(names, times, peaks):
        print(f"  {name:<30} {seconds:7.1f} s   peak {peak / 2**20:6.0f} MiB")
    one, every, serial1, serial, parallel, alone = times
    print(f"  --jobs {args.jobs} / --jobs 1: {parallel / serial:.2f}; / --jobs 1 --threads 1: {parallel / serial1:.2f}; "
          f"one point on every core / on one thread: {every / one:.2f}")
    print(f"  peak of --jobs {args.jobs}: {peaks[4] / 2**20:.0f} MiB; {args.jobs} × one point + 100 MB: "
          f"{(args.jobs * peaks[0] + 100e6) / 2**20:.0f} MiB")
    ratios = sorted(points * r[0][0] / r[4][0] for r in rounds)
    spread = f" (rounds: {', '.join(f'{x:.2f}' for x in ratios)})" if len(ratios) > 1 else ""
    print(f"  throughput of --jobs {args.jobs}: {statistics.median(ratios):.2f} × one point's (alone, one thread){spread}")
    ceilings = sorted(args.jobs * r[0][0] / r[5][0] for r in rounds)
    print(f"  throughput of {args.jobs} single points at once: {statistics.median(ceilings):.2f} × one point's "
          f"(rounds: {', '.join(f'{x:.2f}' for x in ceilings)}): the machine's own limit for the sweep, "
          f"which reaches {statistics.median(r[5][0] / r[4][0] for r in rounds):.2f} of it")
    if len(rounds) > 1:
        # each variant's least disturbed run: what the machine gives without its neighbours
        fastest_one, fastest_parallel = (min(r[i][0] for r in rounds) for i in (0, 4))
        print(f"  from each variant's fastest round (one point {fastest_one:.1f} s, --jobs {args.jobs} "
              f"{fastest_parallel:.1f} s): {points * fastest_one / fastest_parallel:.2f} × one point's")

if __name__ == "__main__":
    main()
