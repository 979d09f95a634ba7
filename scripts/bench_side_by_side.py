#!/usr/bin/env python3
"""GenLab against PyTorch on the same machine, in one run: `genlab bench` and
`scripts/bench_pytorch.py` (the same networks, batch sizes, optimizers and random inputs)
alternated model by model and round by round, so both see the same machine state; prints,
per model, GenLab's and PyTorch's images/s (the range over the rounds), the ratio (the median
of the rounds' ratios), both peak resident memories, the machine (CPU model and vector flags,
OpenBLAS kernel, PyTorch's CPU capability) and the date. A developer tool, not a test.

    scripts/bench_side_by_side.py [--seconds 5] [--rounds 3] [--threads 1] [--precision bf16] [--all | --models A B …]

`--precision bf16`: GenLab's bf16 against PyTorch under `torch.autocast("cpu", dtype=torch.bfloat16)`.

By default the ARENA conv VAE and the lab DCGAN; `--all` takes every file in experiments/.

PyTorch is installed into a private virtual environment ($GENLAB_TORCH_VENV, default
~/.cache/genlab/venv-torch) the first time; GenLab is built in release mode.
"""
import argparse
import datetime
import os
import statistics
import subprocess
import sys

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
GENLAB = os.path.join(REPOSITORY, ".build", "release", "genlab")
DEFAULT_MODELS = ["arena-conv-vae", "lab-dcgan"]


def venv():
    home = os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache"))
    folder = os.environ.get("GENLAB_TORCH_VENV", os.path.join(home, "genlab", "venv-torch"))
    python = os.path.join(folder, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", folder], check=True)
    # the PyTorch side imports the genlab package, which reads run files with h5py and numpy
    if subprocess.run([python, "-c", "import torch, numpy, h5py"], capture_output=True).returncode != 0:
        print(f"installing PyTorch, NumPy and h5py into {folder}", file=sys.stderr)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "torch", "numpy", "h5py"], check=True)
    return python


def row(output, name):
    """(images/s, peak MiB) from the line of `name` in a bench table."""
    for line in output.splitlines():
        fields = line.split()
        if fields and fields[0] == name:
            return float(fields[3]), float(fields[4])
    raise RuntimeError(f"no line for {name} in:\n{output}")


def run(command, environment=None):
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def machine(python, environment):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "unknown CPU")
    flags = next((line.split(":", 1)[1].split() for line in open("/proc/cpuinfo") if line.startswith("flags")), [])
    wide = [f for f in flags if f.startswith("avx512") or f in ("avx2", "fma", "amx_tile")]
    kernel = run([GENLAB, "version", "--coretype"], environment).strip()
    version = run([GENLAB, "version"], environment).splitlines()
    convolutions = next((line.split(" ", 1)[1] for line in version if line.startswith("Convolutions ")), "unknown")
    bf16 = next((line for line in version if line.startswith("bf16: ")), "bf16: unknown")
    torch = run([python, "-c", "import torch; print(torch.__version__, torch.backends.cpu.get_cpu_capability())"]).strip()
    return (f"{cpu}, {os.cpu_count()} cores; {' '.join(wide)}; OpenBLAS kernel {kernel}; convolutions {convolutions}; "
            f"{bf16}; PyTorch {torch}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS, help="experiment names in experiments/")
    parser.add_argument("--all", action="store_true", help="every experiment in experiments/")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    args = parser.parse_args()
    models = args.models
    if args.all:
        models = sorted(f[:-5] for f in os.listdir(os.path.join(REPOSITORY, "experiments")) if f.endswith(".yaml"))
    subprocess.run(["swift", "build", "-c", "release"], cwd=REPOSITORY, check=True, stdout=subprocess.DEVNULL)
    python = venv()
    # the benchmark runs on the kernels GenLab picks; a sandbox's OPENBLAS_CORETYPE is left out
    environment = {key: value for key, value in os.environ.items() if key != "OPENBLAS_CORETYPE"}
    results = {name: {"genlab": [], "pytorch": []} for name in models}
    for _ in range(args.rounds):
        for name in models:
            experiment = os.path.join(REPOSITORY, "experiments", f"{name}.yaml")
            results[name]["genlab"].append(row(run([GENLAB, "bench", "--experiments", experiment, "--seconds", str(args.seconds),
                                                    "--threads", str(args.threads), "--precision", args.precision], environment), name))
            results[name]["pytorch"].append(row(run([python, os.path.join(REPOSITORY, "scripts", "bench_pytorch.py"), "--model", name,
                                                     "--seconds", str(args.seconds), "--threads", str(args.threads),
                                                     "--precision", args.precision]), name))
    print(f"{datetime.date.today()}: {machine(python, environment)}")
    print(f"{args.precision} ({'autocast' if args.precision == 'bf16' else 'no autocast'} in PyTorch), {args.threads} thread(s) each, {args.rounds} alternating rounds of at least {args.seconds:g} s per model\n")
    print("| model | GenLab images/s | PyTorch images/s | ratio (median) | GenLab peak MiB | PyTorch peak MiB |")
    print("|---|---|---|---|---|---|")
    for name in models:
        ours, theirs = results[name]["genlab"], results[name]["pytorch"]
        ratio = statistics.median(o[0] / t[0] for o, t in zip(ours, theirs))
        span = lambda values: f"{min(values):,.0f} – {max(values):,.0f}" if min(values) >= 100 else f"{min(values):.1f} – {max(values):.1f}"
        print(f"| {name} | {span([o[0] for o in ours])} | {span([t[0] for t in theirs])} | {ratio:.2f}× | "
              f"{max(o[1] for o in ours):.0f} | {max(t[1] for t in theirs):.0f} |")


if __name__ == "__main__":
    main()
