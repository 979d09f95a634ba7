#!/usr/bin/env python3
"""Writes pytorch-bf16-vae-step.json and pytorch-bf16-gan-step.json (each under 5 MiB): one whole training step of the ARENA conv VAE and one
iteration of the lab DCGAN (at a quarter of its widths, to keep its file small)
under PyTorch's CPU autocast (`torch.autocast("cpu", dtype=torch.bfloat16)` around each
forward pass and loss, as a PyTorch user writes it), for GenLabModelsTests/GoldenBF16StepTests.swift.

The layouts are those of pytorch-resnet-vae.json and pytorch-resnet-gan.json (SGD; the initial
parameters as patterns both sides compute), written by the same helpers
(generate_resnet_reference.py); each case's YAML says `train.precision: bf16`. Each case also
has `float_distances`: per parameter gradient, how far PyTorch's own float step (the same step
without autocast) lies from its autocast one, ‖float − autocast‖ / ‖autocast‖ — the scale of
what bfloat16 rounding does to that gradient (0.2 – 5 % for the VAE; 2 – 38 % for the DCGAN,
whose BatchNorm layers amplify it).

Run in a virtual environment with PyTorch (the tests themselves never need it):
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python Tests/Fixtures/generate_bf16_step_reference.py
"""
import base64
import contextlib
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from generate_resnet_reference import LR, named, start
from torch_reference import packed as tensor

HERE = os.path.dirname(os.path.abspath(__file__))


def autocast():
    return torch.autocast("cpu", dtype=torch.bfloat16)


def arena_vae(latent):
    """experiments/arena-conv-vae.yaml's encoder (with its joint head) and mirrored decoder."""
    encoder = nn.Sequential(nn.Conv2d(1, 16, 4, stride=2, padding=1, bias=False), nn.ReLU(),
                            nn.Conv2d(16, 32, 4, stride=2, padding=1, bias=False), nn.ReLU(), nn.Flatten(),
                            nn.Linear(1568, 100), nn.ReLU(), nn.Linear(100, 2 * latent))
    decoder = nn.Sequential(nn.Linear(latent, 100), nn.ReLU(), nn.Linear(100, 1568), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
                            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1, bias=False), nn.ReLU(),
                            nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1, bias=False))
    return encoder, decoder


def quarter_dcgan():
    """experiments/lab-dcgan.yaml's generator and discriminator at a quarter of their widths."""
    generator = nn.Sequential(
        nn.ConvTranspose2d(100, 128, 5, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 5, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 32, 5, stride=2, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 5, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 4, bias=False), nn.Sigmoid())
    discriminator = nn.Sequential(
        nn.Conv2d(1, 16, 4, stride=2, padding=1, bias=False), nn.LeakyReLU(0.01),
        nn.Conv2d(16, 32, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(32), nn.LeakyReLU(0.01),
        nn.Conv2d(32, 64, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.LeakyReLU(0.01),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 1), nn.Sigmoid())
    return generator, discriminator


VAE_YAML = f"""name: arena-conv-vae-bf16
dataset: {{name: fashion-mnist}}
model:
  kind: vae
  latent: 5
  beta: 0.1
  encoder:
    - conv2d: {{out: 16, kernel: 4, stride: 2, padding: 1, bias: false}}
    - relu
    - conv2d: {{out: 32, kernel: 4, stride: 2, padding: 1, bias: false}}
    - relu
    - flatten
    - linear: {{out: 100}}
    - relu
  decoder: mirror
  likelihood: mse
  reduction: mean
  heads: joint
  scale_head: log_sigma
train:
  batch_size: 32
  precision: bf16
  optimizer: {{sgd: {{lr: {LR}}}}}
"""


def vae_step():
    """experiments/arena-conv-vae.yaml's networks (the mirror as GenLab builds it)."""
    latent, n, beta = 5, 32, 0.1
    encoder, decoder = arena_vae(latent)
    groups = {"encoder": encoder, "decoder": decoder}
    initial = start(groups)
    x = torch.rand(n, 1, 28, 28)
    eps = torch.randn(1, n, latent)
    params = [p for net in groups.values() for p in net.parameters()]
    opt = torch.optim.SGD(params, lr=LR)
    opt.zero_grad()
    with autocast():
        head = encoder(x)
        mu, log_sigma = head[:, :latent].float(), head[:, latent:].float()
        z = mu + log_sigma.exp() * eps[0]
        out = decoder(z)
        rec = F.mse_loss(out.float(), x)
        kl = (0.5 * (log_sigma.exp() ** 2 + mu ** 2 - 1) - log_sigma).mean()
        total = rec + beta * kl
    total.backward()
    grads = {f"{name}.{key}": tensor(p.grad) for name, net in groups.items() for key, p in net.named_parameters()}
    opt.step()
    return {"name": "arena_conv_vae_bf16", "yaml": VAE_YAML, "params": initial, "input": tensor(x), "labels": [],
            "eps": tensor(eps), "losses": {"reconstruction": rec.item(), "kl": kl.item(), "total": total.item()},
            "output": tensor(out.float()), "grads": grads, "after": named(groups, buffers_only=True), "lr": LR}


GAN_YAML = f"""name: lab-dcgan-quarter-bf16
dataset: {{name: fashion-mnist}}
model:
  kind: gan
  latent: 100
  loss: bce
  generator_noise: reuse
  generator:
    - conv_transpose2d: {{out: 128, kernel: 5, bias: false}}
    - batchnorm
    - relu
    - conv_transpose2d: {{out: 64, kernel: 5, bias: false}}
    - batchnorm
    - relu
    - conv_transpose2d: {{out: 32, kernel: 5, stride: 2, bias: false}}
    - batchnorm
    - relu
    - conv_transpose2d: {{out: 16, kernel: 5, bias: false}}
    - batchnorm
    - relu
    - conv_transpose2d: {{out: 1, kernel: 4, bias: false}}
    - sigmoid
  discriminator:
    - conv2d: {{out: 16, kernel: 4, stride: 2, padding: 1, bias: false}}
    - leaky_relu: {{slope: 0.01}}
    - conv2d: {{out: 32, kernel: 4, stride: 2, padding: 1, bias: false}}
    - batchnorm
    - leaky_relu: {{slope: 0.01}}
    - conv2d: {{out: 64, kernel: 4, stride: 2, padding: 1, bias: false}}
    - batchnorm
    - leaky_relu: {{slope: 0.01}}
    - avgpool
    - flatten
    - linear: {{out: 1}}
    - sigmoid
train:
  batch_size: 16
  precision: bf16
  optimizer: {{sgd: {{lr: {LR}}}}}
"""


def gan_step():
    """experiments/lab-dcgan.yaml's networks at a quarter of their widths: one iteration."""
    n = 16
    generator, discriminator = quarter_dcgan()
    nets = {"generator": generator, "discriminator": discriminator}
    initial = start(nets)
    real = torch.rand(n, 1, 28, 28)
    noise = torch.randn(n, 100, 1, 1)
    criterion = nn.BCELoss()
    opt_g = torch.optim.SGD(generator.parameters(), lr=LR)
    opt_d = torch.optim.SGD(discriminator.parameters(), lr=LR)
    ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
    # GenLab's GAN iteration: D on real (1) and on a detached fake batch (0), then G through
    # the updated D with the targets flipped to 1, on the same fake batch
    opt_d.zero_grad()
    with autocast():
        d_real = criterion(discriminator(real).float(), ones)
    d_real.backward()
    with autocast():
        fake = generator(noise)
        d_fake = criterion(discriminator(fake.detach()).float(), zeros)
    d_fake.backward()
    opt_d.step()
    grads = {f"discriminator.{k}": tensor(p.grad) for k, p in discriminator.named_parameters()}
    opt_g.zero_grad()
    with autocast():
        g_loss = criterion(discriminator(fake).float(), ones)
    g_loss.backward()
    opt_g.step()
    grads.update({f"generator.{k}": tensor(p.grad) for k, p in generator.named_parameters()})
    return {"name": "lab_dcgan_quarter_bf16", "kind": "gan", "yaml": GAN_YAML, "params": initial, "real": tensor(real),
            "noise": [tensor(noise)], "losses": [{"d_real": d_real.item(), "d_fake": d_fake.item(), "generator": g_loss.item()}],
            "grads": grads, "after": named(nets, buffers_only=True), "lr": LR}


def float_distances(step):
    """‖float − autocast‖ / ‖autocast‖ of each parameter gradient of `step`: the same step run
    again without autocast (the same seed, so the same weights, batch and noise)."""
    global autocast
    torch.manual_seed(0)
    with_autocast = step()
    kept, autocast = autocast, contextlib.nullcontext
    torch.manual_seed(0)
    without = step()
    autocast = kept

    def values(t):
        return torch.frombuffer(bytearray(base64.b64decode(t["float32"])), dtype=torch.float32).double()
    distances = {}
    for key, grad in with_autocast["grads"].items():
        a, b = values(grad), values(without["grads"][key])
        distances[key] = ((b - a).norm() / a.norm()).item()
    return with_autocast, distances


def main():
    for name, step in (("vae", vae_step), ("gan", gan_step)):
        case, distances = float_distances(step)
        case["float_distances"] = distances
        path = os.path.join(HERE, f"pytorch-bf16-{name}-step.json")
        with open(path, "w") as f:
            json.dump({"generated_by": f"torch {torch.__version__}, {os.path.basename(__file__)}", name: case}, f)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
