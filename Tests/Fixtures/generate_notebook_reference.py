#!/usr/bin/env python3
"""Writes pytorch-notebooks.json: the notebooks' experiments as PyTorch defines them, for
GenLabModelsTests/NotebookExperimentTests.swift.

1. "experiments": for each file of experiments/ that reproduces a notebook experiment, the
   notebook's networks transcribed from ../shared/seeds (cited by file:line) into PyTorch
   modules, each described layer by layer from the module's own attributes (widths,
   kernels, strides, paddings, biases, slopes) with its parameter count; and the notebook's
   hyperparameters of every point the file trains. The tests build each file with GenLab
   and compare: a changed slope, width, epoch count or learning rate fails.
2. "steps": PyTorch reference training steps of the objectives GenLab learned for the
   notebooks (the per-image "batchmean" reduction of CIS-522's ELBO, the lab VAE's
   inconsistent KL), on small networks, checked like GoldenVAEStepTests.

Run in a virtual environment with PyTorch (the tests themselves never need it):
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python Tests/Fixtures/generate_notebook_reference.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_reference import named, tensor

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)


# ---------------------------------------------------------------- descriptions

class BiasLayer(nn.Module):
    """CIS-522's learned per-pixel offset (003:451-458)."""

    def __init__(self, shape):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(shape))

    def forward(self, x):
        return x + self.bias


def describe(m):
    """One layer as GenLab's plan prints it, from the PyTorch module's attributes."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        k, s, p = m.kernel_size[0], m.stride[0], m.padding[0]
        assert m.kernel_size == (k, k) and m.stride == (s, s) and m.padding == (p, p)
        bias = "True" if m.bias is not None else "False"
        if isinstance(m, nn.ConvTranspose2d):
            text = f"ConvTranspose2d({m.in_channels}, {m.out_channels}, kernel_size={k}, stride={s}, padding={p}, " \
                   f"output_padding={m.output_padding[0]}, bias={bias})"
        else:
            text = f"Conv2d({m.in_channels}, {m.out_channels}, kernel_size={k}, stride={s}, padding={p}, bias={bias})"
        return f"spectral_norm({text})" if hasattr(m, "weight_orig") else text
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        assert m.eps == 1e-5 and m.momentum == 0.1 and m.affine
        return f"BatchNorm{2 if isinstance(m, nn.BatchNorm2d) else 1}d({m.num_features})"
    if isinstance(m, nn.Flatten):
        assert m.start_dim == 1 and m.end_dim == -1
        return "Flatten()"
    if isinstance(m, nn.Unflatten):
        return f"Unflatten({m.dim}, {list(m.unflattened_size)})"
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return f"AdaptiveAvgPool2d({m.output_size})"
    if isinstance(m, BiasLayer):
        return "BiasLayer(" + "×".join(str(d) for d in m.bias.shape) + ")"
    if isinstance(m, nn.LeakyReLU):
        return f"LeakyReLU(negative_slope={m.negative_slope})"
    return repr(m)


def network(seq):
    return {"layers": [describe(m) for m in seq], "parameters": sum(p.numel() for p in seq.parameters())}


def settings(kind, latent, epochs, batch_size, optimizer, lr, betas=None, weight_decay=0.0, drop_last=False, **extra):
    """The hyperparameters a test compares, as strings (floats with 6 significant digits)."""
    out = {"kind": kind, "latent": latent, "epochs": epochs, "batch_size": batch_size, "drop_last": drop_last,
           "optimizer": optimizer, "lr": lr, "weight_decay": weight_decay}
    if betas is not None:
        out["betas"] = list(betas)
    out.update(extra)

    def text(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return format(v, ".6g")
        if isinstance(v, list):
            return "[" + ", ".join(text(x) for x in v) + "]"
        return str(v)

    return {k: text(v) for k, v in out.items()}


# ---------------------------------------------------------------- the notebooks' networks

def arena_encoder(hidden, out):
    # 000:229-244 and 000:590-609: ARENA's Conv2d has no bias
    return nn.Sequential(nn.Conv2d(1, 16, 4, stride=2, padding=1, bias=False), nn.ReLU(),
                         nn.Conv2d(16, 32, 4, stride=2, padding=1, bias=False), nn.ReLU(), nn.Flatten(),
                         nn.Linear(7 * 7 * 32, hidden), nn.ReLU(), nn.Linear(hidden, out))


def arena_decoder(latent, hidden):
    # 000:245-254 and 000:611-620: ARENA's ConvTranspose2d has no bias
    return nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 7 * 7 * 32), nn.ReLU(),
                         nn.Unflatten(1, (32, 7, 7)),
                         nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1, bias=False), nn.ReLU(),
                         nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1, bias=False))


def arena_ae():
    enc, dec = arena_encoder(128, 5), arena_decoder(5, 128)
    arena = dict(lr=1e-3, betas=(0.5, 0.999), epochs=10, batch_size=512, optimizer="adam")  # 000:299-315
    return {"file": "arena-conv-ae", "source": "000:229-255, 000:299-430",
            "networks": {"encoder": network(enc), "decoder": network(dec)},
            "points": [settings("ae", 5, likelihood="mse", reduction="mean", samples_every="images 250", samples_count=10,
                                **arena)]}


def arena_vae(file, betas_and_seeds):
    enc, dec = arena_encoder(100, 10), arena_decoder(5, 100)  # VAEArgs(latent 5, hidden 100), 000:742
    points = [settings("vae", 5, likelihood="mse", reduction="mean", beta=b, seed=seed, heads="joint",
                       scale_head="log_sigma", kl_scale_head="log_sigma", samples_every="steps 250", samples_count=10,
                       samples_latent="sample", lr=1e-3, betas=(0.5, 0.999), epochs=10, batch_size=512, optimizer="adam")
              for b, seed in betas_and_seeds]
    return {"file": file, "source": "000:590-633, 000:742-830",
            "networks": {"encoder": network(enc), "decoder": network(dec)}, "points": points}


def lab_dcgan():
    # 001:121-160 (base_width 64, dim_latent 100); nn.LeakyReLU() is slope 0.01
    g = nn.Sequential(nn.ConvTranspose2d(100, 512, 5, bias=False), nn.BatchNorm2d(512), nn.ReLU(),
                      nn.ConvTranspose2d(512, 256, 5, bias=False), nn.BatchNorm2d(256), nn.ReLU(),
                      nn.ConvTranspose2d(256, 128, 5, stride=2, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
                      nn.ConvTranspose2d(128, 64, 5, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                      nn.ConvTranspose2d(64, 1, 4, bias=False), nn.Sigmoid())
    d = nn.Sequential(nn.Conv2d(1, 64, 4, stride=2, padding=1, bias=False), nn.LeakyReLU(),
                      nn.Conv2d(64, 128, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(),
                      nn.Conv2d(128, 256, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, 1), nn.Sigmoid())
    return {"file": "lab-dcgan", "source": "001:109-303",
            "networks": {"generator": network(g), "discriminator": network(d)},
            "points": [settings("gan", 100, init="dcgan", loss="bce", generator_noise="reuse", normalize="unit",
                                lr=2e-4, betas=(0.5, 0.999), epochs=3, batch_size=64, optimizer="adam",
                                samples_every="epoch_steps 25 | epoch", samples_count=24)]}


def lab_wgan():
    # 001:385-406; the notebook reshapes the flat samples to 28×28 (001:474): the Unflatten
    c = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 1))
    g = nn.Sequential(nn.Linear(100, 64), nn.LeakyReLU(), nn.BatchNorm1d(64), nn.Linear(64, 256), nn.LeakyReLU(),
                      nn.BatchNorm1d(256), nn.Linear(256, 512), nn.LeakyReLU(), nn.BatchNorm1d(512),
                      nn.Linear(512, 28 * 28), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    return {"file": "lab-wgan", "source": "001:385-476",
            "networks": {"generator": network(g), "critic": network(c)},
            "points": [settings("wgan", 100, init="pytorch", critic_steps=5, critic_schedule="epoch", clip=0.01,
                                normalize="unit", lr=5e-5, epochs=200, batch_size=64, optimizer="rmsprop",
                                samples_every="epoch", samples_count=24)]}


def lab_bn_vae():
    # 001:574-618, dim_latent 32 (001:663); the decoder's output is compared with flatten(X)
    enc = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.BatchNorm1d(512), nn.Linear(512, 256),
                        nn.ReLU(), nn.BatchNorm1d(256), nn.Linear(256, 128), nn.ReLU(), nn.BatchNorm1d(128))
    dec = nn.Sequential(nn.Linear(32, 128), nn.ReLU(), nn.BatchNorm1d(128), nn.Linear(128, 256), nn.ReLU(),
                        nn.BatchNorm1d(256), nn.Linear(256, 512), nn.ReLU(), nn.BatchNorm1d(512), nn.Linear(512, 784),
                        nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))
    return {"file": "lab-bn-vae", "source": "001:574-669",
            "networks": {"encoder": network(enc), "mu_head": network(nn.Sequential(nn.Linear(128, 32))),
                         "scale_head": network(nn.Sequential(nn.Linear(128, 32))), "decoder": network(dec)},
            "points": [settings("vae", 32, likelihood="bce", reduction="sum", beta=1.0, heads="separate",
                                scale_head="log_variance", kl_scale_head="log_sigma", lr=1e-3, epochs=10,
                                batch_size=64, optimizer="adam")]}


def homework_mlp(latent_out, classes=0):
    # 002:104-160 (nz 32); the CVAE appends the one-hot label to both inputs (002:1558-1654);
    # the decoder's output is reshaped to (N, 1, 784), GenLab's to (N, 1, 28, 28)
    enc = nn.Sequential(nn.Flatten(), nn.Linear(784 + classes, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU(),
                        nn.Linear(64, latent_out))
    dec = nn.Sequential(nn.Linear(32 + classes, 64), nn.ReLU(), nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 784),
                        nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))
    return {"encoder": network(enc), "decoder": network(dec)}


HOMEWORK = dict(lr=1e-3, batch_size=64, drop_last=True, optimizer="adam", likelihood="bce", reduction="mean")


def homework_dcgan():
    # 002:2161-2182 with padding 1 on the transposed convolutions (GenLab's documented
    # change: unpadded, G makes 46×46 images its D cannot take); D of Problem 2-3, 002:2852-2884
    g = nn.Sequential(nn.Linear(64, 4 * 4 * 128), nn.Unflatten(1, (128, 4, 4)), nn.BatchNorm2d(128), nn.LeakyReLU(),
                      nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.BatchNorm2d(64), nn.LeakyReLU(),
                      nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.BatchNorm2d(32), nn.LeakyReLU(),
                      nn.ConvTranspose2d(32, 3, 4, stride=2, padding=1), nn.Sigmoid())
    sn = nn.utils.spectral_norm
    d = nn.Sequential(sn(nn.Conv2d(3, 32, 4, stride=2, padding=1)), nn.LeakyReLU(),
                      sn(nn.Conv2d(32, 64, 4, stride=2, padding=1)), nn.BatchNorm2d(64), nn.LeakyReLU(),
                      sn(nn.Conv2d(64, 128, 4, stride=2, padding=1)), nn.BatchNorm2d(128), nn.LeakyReLU(),
                      nn.Flatten(), nn.Linear(4 * 4 * 128, 1))
    # Adam(betas=…) without lr: PyTorch's default 1e-3 (002:2251-2252)
    return {"file": "homework-dcgan-cifar", "source": "002:2161-2416, 002:2852-2884",
            "networks": {"generator": network(g), "discriminator": network(d)},
            "points": [settings("gan", 64, init="dcgan", loss="bce_logits", generator_noise="fresh", normalize="unit",
                                lr=torch.optim.Adam([nn.Parameter(torch.zeros(1))]).defaults["lr"], betas=(0.5, 0.999),
                                epochs=25, batch_size=128, drop_last=True, optimizer="adam", image="3×32×32")]}


def cis522(k_out):
    # 003:543-593 and 003:1242-1318, K = 20 (003:255), num_filters 32, filter_size 5
    enc = nn.Sequential(BiasLayer((1, 28, 28)), nn.Conv2d(1, 32, 5), nn.ReLU(), nn.Conv2d(32, 32, 5), nn.ReLU(),
                        nn.Flatten(), nn.Linear(32 * 20 * 20, k_out))
    dec = nn.Sequential(nn.Linear(20, 32 * 20 * 20), nn.ReLU(), nn.Unflatten(1, (32, 20, 20)),
                        nn.ConvTranspose2d(32, 32, 5), nn.ReLU(), nn.ConvTranspose2d(32, 1, 5), BiasLayer((1, 28, 28)))
    return {"encoder": network(enc), "decoder": network(dec)}


def experiments():
    cases = [arena_ae(), arena_vae("arena-conv-vae", [(0.1, 0)]),
             arena_vae("arena-beta-vae", [(b, s) for b in (0.0, 0.1, 1.0, 10.0) for s in (0, 1)]),
             lab_dcgan(), lab_wgan(), lab_bn_vae()]
    cases.append({"file": "homework-mlp-ae", "source": "002:104-300", "networks": homework_mlp(32),
                  "points": [settings("ae", 32, epochs=10, **HOMEWORK)]})
    # β = 0 and β = 10 for 5 epochs (002:718-790, 002:943-1026), the tuned 0.105 for 10 (002:1170-1171)
    cases.append({"file": "homework-mlp-vae", "source": "002:577-1239", "networks": homework_mlp(64),
                  "points": [settings("vae", 32, epochs=e, beta=b, heads="joint", **HOMEWORK)
                             for b, e in ((0.0, 5), (10.0, 5), (0.105, 10))]})
    cases.append({"file": "homework-cvae", "source": "002:1546-1810", "networks": homework_mlp(64, classes=10),
                  "points": [settings("cvae", 32, epochs=5, beta=0.105, heads="joint", **HOMEWORK)]})
    cases.append(homework_dcgan())
    lin_enc = nn.Sequential(nn.Flatten(), nn.Linear(784, 20))  # 003:329-346
    lin_dec = nn.Sequential(nn.Linear(20, 784), nn.Unflatten(1, (1, 28, 28)))
    cis_ae = dict(epochs=20, batch_size=250, optimizer="adam", lr=1e-3, weight_decay=1e-5, likelihood="mse",
                  reduction="mean")  # train_autoencoder, 003:348-372
    cases.append({"file": "cis522-linear-ae", "source": "003:329-374",
                  "networks": {"encoder": network(lin_enc), "decoder": network(lin_dec)},
                  "points": [settings("ae", 20, **cis_ae)]})
    cases.append({"file": "cis522-conv-ae", "source": "003:543-598", "networks": cis522(20),
                  "points": [settings("ae", 20, **cis_ae)]})
    vae = {"file": "cis522-conv-vae", "source": "003:1242-1340", "networks": cis522(21),
           "points": [settings("vae", 20, epochs=10, batch_size=100, optimizer="adam", lr=1e-3, weight_decay=1e-6,
                               likelihood="gaussian", reduction="batchmean", beta=1.0, posterior="isotropic",
                               kl="monte_carlo", samples=1, sigma_x="learned")]}
    vae["parameters"] = sum(n["parameters"] for n in vae["networks"].values()) + 1  # + log_sig_x (003:1277)
    cases.append(vae)
    for case in cases:
        case.setdefault("parameters", sum(n["parameters"] for n in case["networks"].values()))
    return cases


# ---------------------------------------------------------------- training steps

def cis522_step():
    """CIS-522's ConvVAE objective on 1×8×8 images: per-pixel bias, isotropic posterior
    φ = [μ | log σ], learned log σx, one Monte-Carlo sample, −log p(x|z) summed over pixels
    and the MC KL summed over latents, both averaged over the batch (003:967-1002), with
    PyTorch's Gaussian log-density (its ½·log 2π included, as GenLab's)."""
    k, n = 3, 5
    enc = nn.Sequential(BiasLayer((1, 8, 8)), nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, k + 1))
    dec = nn.Sequential(nn.Linear(k, 4 * 6 * 6), nn.Unflatten(1, (4, 6, 6)), nn.ReLU(), nn.ConvTranspose2d(4, 1, 3),
                        BiasLayer((1, 8, 8)))
    with torch.no_grad():
        for m in (enc[0], dec[4]):
            m.bias.normal_(0, 0.1)
    log_sig_x = nn.Parameter(torch.tensor(0.2))  # a scalar, as the notebook's (003:1277)
    start = named({"encoder": enc, "decoder": dec})
    start["likelihood.log_sigma_x"] = tensor(log_sig_x)
    x = torch.rand(n, 1, 8, 8)
    eps = torch.randn(1, n, k)
    params = list(enc.parameters()) + list(dec.parameters()) + [log_sig_x]
    opt = torch.optim.Adam(params, lr=1e-3, weight_decay=1e-6)
    opt.zero_grad()
    phi = enc(x)
    mu, log_sig = phi[:, :-1], phi[:, -1:]
    z = mu + log_sig.exp() * eps[0]
    out = dec(z)
    rec = -torch.distributions.Normal(out, log_sig_x.exp()).log_prob(x).sum() / n
    log_q = -0.5 * (z - mu) ** 2 / log_sig.exp() ** 2 - log_sig
    log_p = -0.5 * z ** 2
    kl = (log_q - log_p).sum() / n
    total = rec + kl
    total.backward()
    grads = {f"encoder.{key}": tensor(p.grad) for key, p in enc.named_parameters()}
    grads.update({f"decoder.{key}": tensor(p.grad) for key, p in dec.named_parameters()})
    grads["likelihood.log_sigma_x"] = tensor(log_sig_x.grad)
    opt.step()
    after = named({"encoder": enc, "decoder": dec})
    after["likelihood.log_sigma_x"] = tensor(log_sig_x)
    yaml = """name: cis522-step
dataset: {name: image-folder, path: unused, image_size: 8, channels: 1}
model:
  kind: vae
  latent: 3
  encoder:
    - bias
    - conv2d: {out: 4, kernel: 3}
    - relu
    - flatten
  decoder: mirror
  posterior: isotropic
  likelihood: gaussian
  sigma_x: learned
  kl: monte_carlo
  samples: 1
  reduction: batchmean
  beta: 1
train:
  optimizer: {adam: {lr: 1.0e-3, weight_decay: 1.0e-6}}
"""
    return {"name": "cis522_batchmean", "yaml": yaml, "params": start, "input": tensor(x), "labels": [],
            "eps": tensor(eps), "losses": {"reconstruction": rec.item(), "kl": kl.item(), "total": total.item()},
            "output": tensor(out), "grads": grads, "after": after}


def lab_vae_step():
    """The lab VAE's objective as written (001:626-655): BatchNorm MLP, two heads, z = μ +
    exp(s/2)·ε but KL = ½(e^{2s} + μ² − 1) − s, BCE and KL summed; on 1×4×4 images."""
    k, n = 3, 6
    enc = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.BatchNorm1d(8))
    mu_head, scale_head = nn.Sequential(nn.Linear(8, k)), nn.Sequential(nn.Linear(8, k))
    dec = nn.Sequential(nn.Linear(k, 8), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 16), nn.Sigmoid(),
                        nn.Unflatten(1, (1, 4, 4)))
    groups = {"encoder": enc, "mu_head": mu_head, "scale_head": scale_head, "decoder": dec}
    start = named(groups)
    x = torch.rand(n, 1, 4, 4)
    eps = torch.randn(1, n, k)
    params = [p for net in groups.values() for p in net.parameters()]
    # SGD: the step checks the objective's gradients; Adam would turn the float noise of
    # near-zero gradients (biases feeding BatchNorm) into full-size steps
    opt = torch.optim.SGD(params, lr=0.05)
    opt.zero_grad()
    h = enc(x)
    mu, log_sigma = mu_head(h), scale_head(h)
    z = mu + (log_sigma / 2).exp() * eps[0]
    out = dec(z)
    rec = F.binary_cross_entropy(out, x, reduction="sum")
    kl = (.5 * (log_sigma.exp() ** 2 + mu ** 2 - 1) - log_sigma).sum()
    total = rec + kl
    total.backward()
    grads = {f"{name}.{key}": tensor(p.grad) for name, net in groups.items() for key, p in net.named_parameters()}
    opt.step()
    yaml = """name: lab-vae-step
dataset: {name: image-folder, path: unused, image_size: 4, channels: 1}
model:
  kind: vae
  latent: 3
  encoder:
    - flatten
    - linear: {out: 8}
    - relu
    - batchnorm
  heads: separate
  scale_head: {sample: log_variance, kl: log_sigma}
  decoder:
    - linear: {out: 8}
    - relu
    - batchnorm
    - linear: {out: 16}
    - sigmoid
    - unflatten: [1, 4, 4]
  likelihood: bce
  reduction: sum
  beta: 1
train:
  optimizer: {sgd: {lr: 0.05}}
"""
    return {"name": "lab_inconsistent_kl", "yaml": yaml, "params": start, "input": tensor(x), "labels": [],
            "eps": tensor(eps), "losses": {"reconstruction": rec.item(), "kl": kl.item(), "total": total.item()},
            "output": tensor(out), "grads": grads, "after": named(groups)}


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-notebooks.json")
with open(out, "w") as f:
    json.dump({"generated_by": f"torch {torch.__version__}, {os.path.basename(__file__)}",
               "experiments": experiments(), "steps": [cis522_step(), lab_vae_step()]}, f, ensure_ascii=False)
print(f"wrote {out}")
