#!/usr/bin/env python3
"""Developer benchmark of the decoded-dataset cache (docs/performance.md, "Datasets").

  scripts/bench_dataset.py folder   [--images 200000] [--work DIR]
      Generates (once) a folder of synthetic JPEGs of CelebA's size (178×218) in DIR, then
      trains a small autoencoder on it at 64×64 with `genlab run`: with today's in-memory
      loader (GENLAB_DATASET_CACHE=off) and with the cache (its first build, then a later
      start), one process each, then a 2-worker sweep each way. Prints the wall time, the time
      to the first training step, the peak resident memory of the process (anonymous and file
      pages, from /proc), and the machine's memory in use (MemTotal − MemAvailable, and the
      page cache) at its peak during the sweep, above what was in use before.

  scripts/bench_dataset.py records  [--gigabytes 40] [--steps 1000] [--work DIR]
      Writes (once) a synthetic GenLab record file of 64×64 RGB images of that many GB in DIR
      and trains the same autoencoder from it (`dataset: {name: records}`) for that many
      steps with `shuffle: block` and with the full shuffle, the page cache dropped first
      (root), against an in-memory case: a record file of 100,000 images read once before,
      so that its pages are all in memory. Prints images/s of the training steps.

Nothing here is committed: the data live in DIR (default /var/tmp/genlab-bench-data).
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import Pool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENLAB = os.path.join(ROOT, ".build", "release", "genlab")


def jpeg(args):
    """Writes synthetic JPEG number i: a smooth random colour field with noise, 178×218."""
    path, i = args
    if os.path.exists(path):
        return
    from PIL import Image
    import random
    rng = random.Random(i)
    field = Image.frombytes("RGB", (6, 7), rng.randbytes(6 * 7 * 3)).resize((178, 218), Image.BILINEAR)
    noise = Image.effect_noise((178, 218), 24).convert("RGB")
    Image.blend(field, noise, 0.15).save(path, quality=90)


def make_folder(work, images):
    folder = os.path.join(work, f"celeba-synthetic-{images}")
    faces = os.path.join(folder, "faces")
    os.makedirs(faces, exist_ok=True)
    if len(os.listdir(faces)) < images:
        print(f"writing {images} JPEGs of 178×218 in {faces} (once)", flush=True)
        with Pool(os.cpu_count()) as pool:
            pool.map(jpeg, [(os.path.join(faces, f"{i:06d}.jpg"), i) for i in range(images)], chunksize=500)
    return folder


def experiment(dataset, work, name, sweep=""):
    path = os.path.join(work, f"{name}.yaml")
    with open(path, "w") as f:
        f.write(f"""name: {name}
dataset: {dataset}
model:
  kind: ae
  latent: 16
  encoder: [flatten, {{linear: {{out: 64}}}}, relu]
  decoder: mirror
train: {{batch_size: 64}}
{sweep}
""")
    return path


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def meminfo():
    values = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, value = line.split(":")
            values[key] = int(value.split()[0])
    return values


def genlab_pids():
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[0].endswith(b"/genlab"):
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def run(arguments, environment, batch=64):
    """Runs genlab, sampling memory every 50 ms; returns wall time, time to the first step,
    images/s of the steps, peak RSS (anonymous, file) of one genlab process, and the peak rise
    of the machine's memory in use and page cache."""
    before = meminfo()
    start = time.monotonic()
    # line-buffered (stdbuf), so that each step's line arrives when the step ends
    process = subprocess.Popen(["stdbuf", "-oL", GENLAB] + arguments, env={**os.environ, **environment},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = {"anon": 0, "file": 0, "used": 0, "cached": 0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in genlab_pids():
                anon, file = status_kb(pid, "RssAnon"), status_kb(pid, "RssFile")
                if anon + file > peak["anon"] + peak["file"]:
                    peak["anon"], peak["file"] = anon, file
            now = meminfo()
            used = (now["MemTotal"] - now["MemAvailable"]) - (before["MemTotal"] - before["MemAvailable"])
            peak["used"] = max(peak["used"], used)
            peak["cached"] = max(peak["cached"], now["Cached"] - before["Cached"])
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    steps = []
    output = []
    for line in process.stdout:
        output.append(line)
        match = re.search(r"step (\d+)/", line)
        if match:
            steps.append((int(match.group(1)), time.monotonic() - start))
    process.wait()
    wall = time.monotonic() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit("genlab failed:\n" + "".join(output[-20:]))
    first = steps[0] if steps else (0, wall)
    last = steps[-1] if steps else (0, wall)
    rate = (last[0] - first[0]) * batch / (last[1] - first[1]) if last[1] > first[1] else float("nan")
    return {"wall": wall, "first_step": first[1], "rate": rate, **peak}


def gib(kb):
    return f"{kb / 1048576:.2f} GiB"


def folder_benchmark(args):
    folder = make_folder(args.work, args.images)
    dataset = f"{{name: image-folder, path: {folder}, image_size: 64, channels: 3}}"
    single = experiment(dataset, args.work, "folder")
    sweep = experiment(dataset, args.work, "folder-sweep", "sweep: {grid: {seed: [0, 1]}}")
    cache = tempfile.mkdtemp(prefix="cache-", dir=args.work)
    rows = []
    for label, environment, file, jobs in [
        ("in-memory loader, 1 process", {"GENLAB_DATASET_CACHE": "off"}, single, 1),
        ("cache: first build, 1 process", {"GENLAB_CACHE": cache}, single, 1),
        ("cache: later start, 1 process", {"GENLAB_CACHE": cache}, single, 1),
        ("in-memory loader, 2-worker sweep", {"GENLAB_DATASET_CACHE": "off"}, sweep, 2),
        ("cache: 2-worker sweep", {"GENLAB_CACHE": cache}, sweep, 2),
    ]:
        results = tempfile.mkdtemp(prefix="results-", dir=args.work)
        print(f"{label} …", flush=True)
        r = run(["run", file, "--steps", "20", "--jobs", str(jobs), "--results", results], environment)
        rows.append((label, r))
    print(f"\n{args.images} JPEGs of 178×218 → 64×64×3; {os.cpu_count()} cores")
    print("| | wall s | first step s | peak RSS of one process (anon + file) | machine memory in use, rise | page cache, rise |")
    print("|---|---|---|---|---|---|")
    for label, r in rows:
        print(f"| {label} | {r['wall']:.1f} | {r['first_step']:.2f} | {gib(r['anon'])} + {gib(r['file'])} | {gib(r['used'])} | {gib(r['cached'])} |")


def fnv1a(data, value=0xCBF29CE484222325):
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def write_records(path, count):
    """A GenLab record file (RecordFile.swift's layout) of `count` 64×64×3 images."""
    if os.path.exists(path) and os.path.getsize(path) > count * 12288:
        return
    print(f"writing {count} records ({count * 12288 / 1e9:.1f} GB) to {path} (once)", flush=True)
    key = f"synthetic\nbench_dataset.py {count}".encode()
    names = b"".join(f"{c}\0".encode() for c in range(10))
    labels = b"".join(struct.pack("<i", i % 10) for i in range(count))
    header = b"GLRECORD" + struct.pack("<IIIIQQQII", 1, 3, 64, 64, count, 0, 0, len(key), len(names)) + key
    checksum = fnv1a(labels + names, fnv1a(header))
    header = header[:40] + struct.pack("<Q", checksum) + header[48:]
    offset = (len(header) + 4095) // 4096 * 4096
    chunk = os.urandom(12288 * 4096)
    temporary = path + ".partial"
    with open(temporary, "wb") as f:
        f.write(header + b"\0" * (offset - len(header)))
        written = 0
        while written < count:
            n = min(4096, count - written)
            f.write(chunk[:n * 12288])
            written += n
        f.write(labels + names)
    os.rename(temporary, path)


def drop_page_cache():
    subprocess.run(["sync"])
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def records_benchmark(args):
    large = os.path.join(args.work, f"synthetic-{args.gigabytes}GB.records")
    small = os.path.join(args.work, "synthetic-100k.records")
    count = int(args.gigabytes * 1e9 // 12288)
    write_records(large, count)
    write_records(small, 100_000)
    rows = []
    for label, path, shuffle, steps, cold in [
        ("in memory (100,000 images, pages cached)", small, "full", args.steps, False),
        (f"{args.gigabytes} GB file, shuffle: block", large, "block", args.steps, True),
        (f"{args.gigabytes} GB file, shuffle: full", large, "full", args.steps // 5, True),
    ]:
        file = experiment(f"{{name: records, path: {path}, shuffle: {shuffle}}}", args.work, "records-" + shuffle)
        results = tempfile.mkdtemp(prefix="results-", dir=args.work)
        if cold:
            dropped = drop_page_cache()
        else:
            with open(path, "rb") as f:
                while f.read(1 << 24):
                    pass
            dropped = None
        print(f"{label} …", flush=True)
        r = run(["run", file, "--steps", str(steps), "--jobs", "1", "--results", results], {})
        rows.append((label, steps, dropped, r))
    memory = meminfo()["MemTotal"]
    print(f"\nrecords of 64×64×3 (12,288 bytes); machine memory {gib(memory)}; {os.cpu_count()} cores")
    print("| | steps of 64 | page cache dropped first | images/s | peak RSS (anon + file) |")
    print("|---|---|---|---|---|")
    for label, steps, dropped, r in rows:
        print(f"| {label} | {steps} | {'—' if dropped is None else ('yes' if dropped else 'no (not root)')} | {r['rate']:,.0f} | {gib(r['anon'])} + {gib(r['file'])} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["folder", "records"])
    parser.add_argument("--images", type=int, default=200_000)
    parser.add_argument("--gigabytes", type=int, default=40)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--work", default="/var/tmp/genlab-bench-data")
    args = parser.parse_args()
    if not os.path.exists(GENLAB):
        sys.exit(f"build genlab first (swift build -c release): no {GENLAB}")
    os.makedirs(args.work, exist_ok=True)
    (folder_benchmark if args.what == "folder" else records_benchmark)(args)


if __name__ == "__main__":
    main()
