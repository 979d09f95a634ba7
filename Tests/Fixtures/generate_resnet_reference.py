#!/usr/bin/env python3
"""Writes pytorch-resnet-vae.json and pytorch-resnet-gan.json: one whole training step of each ResNet reference experiment
(experiments/resnet-vae.yaml, experiments/resnet-gan.yaml) in PyTorch, for
GenLabModelsTests/ResNetStepTests.swift.

The networks are transcribed here from the experiment files by hand: the layers as written,
the latent head GenLab appends to the encoder, and the decoder `mirror` gives (the encoder
backwards, convolutions as stride-1 transposed ones, pooling as nearest upsampling). Each
case holds the experiment file's text with its optimizer replaced by SGD (the step checks the
objective's gradients; Adam would turn the float noise of gradients that are zero in exact
arithmetic, a convolution's bias before a normalisation, into full-size steps), the initial
parameters and buffers under GenLab's keys (<network>.<state_dict key>; the parameters as a
pattern both sides compute, GoldenTensor.Pattern in Golden.swift, so that each file stays
under 5 MiB), the batch, the
noise (ε, or the GAN's z), every loss, every parameter gradient and every parameter and
buffer after the update: the buffers stored (BatchNorm statistics, spectral norm's u and
v), the parameters as SGD leaves them, parameter − lr·gradient (stored once, as the
gradients: a million parameters take 5 MB each time). The VAE case has the layout of pytorch-notebooks.json's steps, the
GAN case that of pytorch-adversarial.json's cases.

Run in a virtual environment with PyTorch (the tests themselves never need it):
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python Tests/Fixtures/generate_resnet_reference.py
"""
import json
import math
import os

import numpy as np

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_reference import Residual
from torch_reference import packed as tensor


def pattern_values(count, seed, scale, offset):
    """GoldenTensor.Pattern's values (Tests/GenLabTestSupport/Golden.swift): offset + scale ·
    (k − 32768) / 32768 in float32, k the top 16 bits of murmur3's 32-bit finaliser of
    (i · 2654435761 + seed · 40503) mod 2³²; scale a power of two, so the product is exact."""
    mask = np.uint64(0xFFFFFFFF)
    h = (np.arange(count, dtype=np.uint64) * np.uint64(2654435761) + np.uint64(seed * 40503)) & mask
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & mask
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & mask
    h ^= h >> np.uint64(16)
    k = h >> np.uint64(16)
    unit = (k.astype(np.int64) - 32768).astype(np.float32) / np.float32(32768)
    return np.float32(offset) + np.float32(scale) * unit


def set_pattern(networks):
    """Sets every parameter to a pattern, in order, and returns the patterns by GenLab key:
    weights and biases within ± the power of two nearest PyTorch's default bound
    1/√fan_in, normalisation weights 1 ± ¼ and their biases ± ¼."""
    patterns = {}
    seed = 0
    for name, net in networks.items():
        norms = {f"{m_name}.{p_name}" for m_name, m in net.named_modules()
                 if isinstance(m, (nn.GroupNorm, nn.BatchNorm2d, nn.LayerNorm)) for p_name, _ in m.named_parameters(recurse=False)}
        for key, p in net.named_parameters():
            seed += 1
            if key in norms:
                scale, offset = 0.25, (1.0 if key.endswith("weight") else 0.0)
            else:
                owner = net.get_submodule(key.rsplit(".", 1)[0])
                weight = getattr(owner, "weight_orig", None)
                weight = owner.weight if weight is None else weight
                fan_in = weight[0].numel()
                scale, offset = 2.0 ** round(math.log2(fan_in ** -0.5)), 0.0
            with torch.no_grad():
                p.copy_(torch.from_numpy(pattern_values(p.numel(), seed, scale, offset).reshape(p.shape)))
            patterns[f"{name}.{key}"] = {"shape": list(p.shape), "pattern": {"seed": seed, "scale": scale, "offset": offset}}
    return patterns


def named(networks, buffers_only=False):
    """Every parameter and buffer of each network under GenLab's key <network>.<state_dict
    key> (BatchNorm's num_batches_tracked left out); only the buffers with `buffers_only`."""
    return {f"{name}.{key}": tensor(value) for name, net in networks.items()
            for key, value in (net.named_buffers() if buffers_only else net.state_dict().items())
            if not key.endswith("num_batches_tracked")}


def start(networks):
    """The initial state: parameters as patterns (set here), buffers as they are."""
    patterns = set_pattern(networks)
    return {**named(networks, buffers_only=True), **patterns}

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)
HERE = os.path.dirname(os.path.abspath(__file__))
EXPERIMENTS = os.path.join(HERE, "..", "..", "experiments")
LR = 0.01


def experiment(name):
    """The experiment file's text, its optimizer replaced by SGD."""
    with open(os.path.join(EXPERIMENTS, f"{name}.yaml")) as file:
        lines = file.read().split("\n")
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("optimizer:"))
    lines[index] = f"  optimizer: {{sgd: {{lr: {LR}}}}}"
    return "\n".join(lines)


def block(width, transposed=False):
    """resnet-vae's residual block: GroupNorm(8), SiLU, 3×3 convolution, twice (mirrored:
    each convolution first, as stride-1 transposed ones)."""
    conv = (lambda: nn.ConvTranspose2d(width, width, 3, padding=1)) if transposed else (lambda: nn.Conv2d(width, width, 3, padding=1))
    if transposed:
        return Residual([conv(), nn.SiLU(), nn.GroupNorm(8, width), conv(), nn.SiLU(), nn.GroupNorm(8, width)])
    return Residual([nn.GroupNorm(8, width), nn.SiLU(), conv(), nn.GroupNorm(8, width), nn.SiLU(), conv()])


def vae_step():
    latent, n, beta = 16, 4, 0.1
    encoder = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), block(32), nn.AvgPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                            block(64), nn.AvgPool2d(2), nn.GroupNorm(8, 64), nn.SiLU(), nn.Flatten(),
                            nn.Linear(4096, 2 * latent))
    decoder = nn.Sequential(nn.Linear(latent, 4096), nn.Unflatten(1, (64, 8, 8)), nn.SiLU(), nn.GroupNorm(8, 64),
                            nn.Upsample(scale_factor=2.0), block(64, transposed=True),
                            nn.ConvTranspose2d(64, 32, 3, padding=1), nn.Upsample(scale_factor=2.0),
                            block(32, transposed=True), nn.ConvTranspose2d(32, 1, 3, padding=1))
    groups = {"encoder": encoder, "decoder": decoder}
    initial = start(groups)
    x = torch.randn(n, 1, 32, 32)
    eps = torch.randn(1, n, latent)
    params = [p for net in groups.values() for p in net.parameters()]
    opt = torch.optim.SGD(params, lr=LR)
    opt.zero_grad()
    head = encoder(x)
    mu, log_sigma = head[:, :latent], head[:, latent:]
    z = mu + log_sigma.exp() * eps[0]
    out = decoder(z)
    rec = F.mse_loss(out, x)
    kl = (0.5 * (log_sigma.exp() ** 2 + mu ** 2 - 1) - log_sigma).mean()
    total = rec + beta * kl
    total.backward()
    grads = {f"{name}.{key}": tensor(p.grad) for name, net in groups.items() for key, p in net.named_parameters()}
    opt.step()
    return {"name": "resnet_vae", "yaml": experiment("resnet-vae"), "params": initial, "input": tensor(x), "labels": [],
            "eps": tensor(eps), "losses": {"reconstruction": rec.item(), "kl": kl.item(), "total": total.item()},
            "output": tensor(out), "grads": grads, "after": named(groups, buffers_only=True), "lr": LR}


def gan_step():
    latent, width, n = 128, 64, 4
    sn = nn.utils.spectral_norm

    def up():
        return Residual([nn.BatchNorm2d(width), nn.ReLU(), nn.Upsample(scale_factor=2.0), nn.Conv2d(width, width, 3, padding=1),
                         nn.BatchNorm2d(width), nn.ReLU(), nn.Conv2d(width, width, 3, padding=1)],
                        [nn.Upsample(scale_factor=2.0), nn.Conv2d(width, width, 1)])

    def conv(i, k):
        return sn(nn.Conv2d(i, width, k, padding=k // 2))

    generator = nn.Sequential(nn.Linear(latent, width * 16), nn.Unflatten(1, (width, 4, 4)), up(), up(), up(),
                              nn.BatchNorm2d(width), nn.ReLU(), nn.Conv2d(width, 3, 3, padding=1), nn.Tanh())
    discriminator = nn.Sequential(
        Residual([conv(3, 3), nn.ReLU(), conv(width, 3), nn.AvgPool2d(2)], [nn.AvgPool2d(2), conv(3, 1)]),
        Residual([nn.ReLU(), conv(width, 3), nn.ReLU(), conv(width, 3), nn.AvgPool2d(2)], [conv(width, 1), nn.AvgPool2d(2)]),
        Residual([nn.ReLU(), conv(width, 3), nn.ReLU(), conv(width, 3)]),
        Residual([nn.ReLU(), conv(width, 3), nn.ReLU(), conv(width, 3)]),
        nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), sn(nn.Linear(width, 1)))
    nets = {"generator": generator, "discriminator": discriminator}
    initial = start(nets)
    real = torch.rand(n, 3, 32, 32) * 2 - 1
    noise = torch.randn(n, latent)
    criterion = nn.BCEWithLogitsLoss()
    opt_g = torch.optim.SGD(generator.parameters(), lr=LR)
    opt_d = torch.optim.SGD(discriminator.parameters(), lr=LR)
    ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
    # GenLab's GAN iteration: D on real (1) and on a detached fake batch (0), then G through
    # the updated D with the targets flipped to 1, on the same fake batch
    opt_d.zero_grad()
    d_real = criterion(discriminator(real), ones)
    d_real.backward()
    fake = generator(noise)
    d_fake = criterion(discriminator(fake.detach()), zeros)
    d_fake.backward()
    opt_d.step()
    grads = {f"discriminator.{k}": tensor(p.grad) for k, p in discriminator.named_parameters()}
    opt_g.zero_grad()
    g_loss = criterion(discriminator(fake), ones)
    g_loss.backward()
    opt_g.step()
    grads.update({f"generator.{k}": tensor(p.grad) for k, p in generator.named_parameters()})
    return {"name": "resnet_gan", "kind": "gan", "yaml": experiment("resnet-gan"), "params": initial, "real": tensor(real),
            "noise": [tensor(noise)], "losses": [{"d_real": d_real.item(), "d_fake": d_fake.item(), "generator": g_loss.item()}],
            "grads": grads, "after": named(nets, buffers_only=True), "lr": LR}


def main():
    for name, case in (("vae", vae_step), ("gan", gan_step)):
        path = os.path.join(HERE, f"pytorch-resnet-{name}.json")
        with open(path, "w") as f:
            json.dump({"generated_by": f"torch {torch.__version__}, {os.path.basename(__file__)}", name: case()}, f)
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
