#!/usr/bin/env python3
"""The PyTorch side of `genlab bench`: the same two default models, the same full training
steps (forward, backward, optimizer update) on random inputs of the same batch sizes, on one
thread; prints images/s and the process's peak resident memory for each model, each in its
own process (so one model's peak does not hide another's).

    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python scripts/bench_pytorch.py [--seconds 5] [--threads 1]

`scripts/bench_side_by_side.py` runs it beside `genlab bench` and prints the ratios.

The networks are those `genlab plan experiments/arena-conv-vae.yaml` and
`genlab plan experiments/lab-dcgan.yaml` print.
"""
import argparse
import resource
import subprocess
import sys
import time

import torch
import torch.nn as nn


def arena_conv_vae():
    encoder = nn.Sequential(
        nn.Conv2d(1, 16, 4, 2, 1, bias=False), nn.ReLU(), nn.Conv2d(16, 32, 4, 2, 1, bias=False), nn.ReLU(),
        nn.Flatten(), nn.Linear(1568, 100), nn.ReLU(), nn.Linear(100, 10))
    decoder = nn.Sequential(
        nn.Linear(5, 100), nn.ReLU(), nn.Linear(100, 1568), nn.Unflatten(1, (32, 7, 7)), nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 4, 2, 1, bias=False), nn.ReLU(), nn.ConvTranspose2d(16, 1, 4, 2, 1, bias=False))
    optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3, betas=(0.5, 0.999))
    batch = 512
    x = torch.rand(batch, 1, 28, 28)

    def step():
        optimizer.zero_grad()
        h = encoder(x)
        mu, logsigma = h[:, :5], h[:, 5:]
        z = mu + logsigma.exp() * torch.randn_like(mu)
        reconstruction = nn.functional.mse_loss(decoder(z), x)
        kl = (0.5 * (mu ** 2 + (2 * logsigma).exp() - 1) - logsigma).mean()
        (reconstruction + 0.1 * kl).backward()
        optimizer.step()
    return batch, step


def lab_dcgan():
    g = nn.Sequential(
        nn.ConvTranspose2d(100, 512, 5, bias=False), nn.BatchNorm2d(512), nn.ReLU(),
        nn.ConvTranspose2d(512, 256, 5, bias=False), nn.BatchNorm2d(256), nn.ReLU(),
        nn.ConvTranspose2d(256, 128, 5, 2, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 5, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, bias=False), nn.Sigmoid())
    d = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1, bias=False), nn.LeakyReLU(0.01),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.01),
        nn.Conv2d(128, 256, 4, 2, 1, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(0.01),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, 1), nn.Sigmoid())
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    criterion = nn.BCELoss()
    batch = 64
    real = torch.rand(batch, 1, 28, 28)
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def step():
        opt_d.zero_grad()
        criterion(d(real), ones).backward()
        fake = g(torch.randn(batch, 100, 1, 1))
        criterion(d(fake.detach()), zeros).backward()
        opt_d.step()
        opt_g.zero_grad()
        criterion(d(fake), ones).backward()
        opt_g.step()
    return batch, step


MODELS = {"arena-conv-vae": arena_conv_vae, "lab-dcgan": lab_dcgan}


def measure(name, seconds, warmup, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    batch, step = MODELS[name]()
    for _ in range(warmup):
        step()
    start, steps = time.perf_counter(), 0
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name:28s}  {batch:5d} {steps:7d} {steps * batch / elapsed:10.1f} {peak:10.0f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model", choices=list(MODELS))
    args = parser.parse_args()
    if args.model:
        measure(args.model, args.seconds, args.warmup, args.threads)
        return
    print(f"PyTorch {torch.__version__}, {args.threads} thread(s), {torch.backends.cpu.get_cpu_capability()}")
    print(f"{'model':28s}  batch   steps   images/s   peak MiB")
    for name in MODELS:
        subprocess.run([sys.executable, __file__, "--model", name, "--seconds", str(args.seconds),
                        "--warmup", str(args.warmup), "--threads", str(args.threads)], check=True)


if __name__ == "__main__":
    main()
