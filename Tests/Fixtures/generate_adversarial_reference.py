#!/usr/bin/env python3
"""Writes pytorch-adversarial.json: PyTorch reference iterations of GenLab's GAN and WGAN
objectives, for GenLabModelsTests/GoldenAdversarialTests.swift.

Each case holds the GenLab experiment (YAML) whose networks the PyTorch modules mirror, the
initial parameters under GenLab's keys (<network>.<state_dict key>), the real batch, the
noise of every fake batch in the order GenLab draws it, the losses of each iteration, the
parameter gradients of the last iteration (the discriminator's taken right after its own
update, before the generator's backward adds to them), and every parameter and buffer
after the last iteration.

Run in a virtual environment with PyTorch (the tests themselves never need it):
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python Tests/Fixtures/generate_adversarial_reference.py
"""
import json
import os

import torch
import torch.nn as nn
from torch_reference import named, tensor

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)
LATENT, BATCH = 4, 6


def parameters(networks):
    return {f"{name}.{key}": p for name, net in networks.items() for key, p in net.named_parameters()}


def generator():
    # no bias before BatchNorm (as in DCGAN): its gradient is exactly zero, so Adam would
    # turn float noise into full-size steps and the reference would be ill-conditioned
    return nn.Sequential(nn.Linear(LATENT, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 16), nn.Tanh(),
                         nn.Unflatten(1, (1, 4, 4)))


GENERATOR_YAML = """
  generator:
    - linear: {out: 8, bias: false}
    - batchnorm
    - relu
    - linear: {out: 16}
    - tanh
    - unflatten: [1, 4, 4]"""


def experiment(kind, body, opponent, train):
    return f"""name: golden-{kind}
dataset: {{name: image-folder, path: unused, image_size: 4, channels: 1, normalize: symmetric}}
model:
  kind: {kind}
  latent: {LATENT}{body}{GENERATOR_YAML}
  {opponent}
train:
  batch_size: {BATCH}
  optimizer: {train}
"""


def hinge(scores, target):
    """StudioGAN's discriminator hinge loss: mean relu(1 − d) on real (target 1), mean
    relu(1 + d) on fakes (target 0)."""
    return torch.relu(1 - scores).mean() if target[0, 0] == 1 else torch.relu(1 + scores).mean()


def least_squares(scores, target):
    """Mao et al.'s ½·mean (d − t)²."""
    return 0.5 * ((scores - target) ** 2).mean()


def gan_case(loss, fresh=False):
    """The lab's DCGAN iteration, or with fresh=True the homework's (002:2371): G's update
    draws a new noise batch instead of reusing D's fake batch."""
    sigmoid = loss == "bce"
    g = generator()
    criterion = {"bce": nn.BCELoss(), "bce_logits": nn.BCEWithLogitsLoss(), "hinge": hinge,
                 "least_squares": least_squares}[loss]
    layers = [nn.Flatten(), nn.Linear(16, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1)] + ([nn.Sigmoid()] if sigmoid else [])
    d = nn.Sequential(*layers)
    nets = {"generator": g, "discriminator": d}
    start = named(nets)
    real = torch.rand(BATCH, 1, 4, 4) * 2 - 1
    noise = torch.randn(BATCH, LATENT)
    # the hinge loss's gradients of D's biases cancel exactly while every margin is positive:
    # Adam would turn their float noise into full-size steps, so its case takes SGD
    sgd = loss == "hinge"
    make = (lambda ps: torch.optim.SGD(ps, lr=0.01)) if sgd else (lambda ps: torch.optim.Adam(ps, lr=2e-4, betas=(0.5, 0.999)))
    opt_g, opt_d = make(g.parameters()), make(d.parameters())
    ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)
    # the lab's DCGAN iteration: D on real (1) and on a detached fake batch (0), then G
    # through the updated D with the targets flipped to 1, on the same fake batch
    opt_d.zero_grad()
    d_real = criterion(d(real), ones)
    d_real.backward()
    fake = g(noise)
    d_fake = criterion(d(fake.detach()), zeros)
    d_fake.backward()
    opt_d.step()
    grads = {f"discriminator.{k}": tensor(p.grad) for k, p in d.named_parameters()}
    opt_g.zero_grad()
    noises = [noise]
    if fresh:
        noises.append(torch.randn(BATCH, LATENT))
        fake = g(noises[-1])
    g_loss = -d(fake).mean() if loss == "hinge" else criterion(d(fake), ones)
    g_loss.backward()
    opt_g.step()
    grads.update({f"generator.{k}": tensor(p.grad) for k, p in g.named_parameters()})
    discriminator = "\n".join(["discriminator:", "    - flatten", "    - linear: {out: 8}", "    - leaky_relu: {slope: 0.2}",
                               "    - linear: {out: 1}"] + (["    - sigmoid"] if sigmoid else []))
    return {
        "name": f"gan_{loss}" + ("_fresh" if fresh else ""), "kind": "gan",
        "yaml": experiment("gan", f"\n  loss: {loss}" + ("\n  generator_noise: fresh" if fresh else ""), discriminator,
                           "{sgd: {lr: 0.01}}" if sgd else "{adam: {lr: 2.0e-4, betas: [0.5, 0.999]}}"),
        "params": start, "real": tensor(real), "noise": [tensor(n) for n in noises],
        "losses": [{"d_real": d_real.item(), "d_fake": d_fake.item(), "generator": g_loss.item()}],
        "grads": grads, **({"after": {k: v for k, v in named(nets).items() if "running" in k}, "lr": 0.01} if sgd
                           else {"after": named(nets)}),
    }


def wgan_case(per_epoch=False):
    """Three iterations with the generator every critic_steps = 2 iterations of the run; or
    with per_epoch=True five iterations in epochs of three batches, the generator when the
    batch index within the epoch is a multiple of 2 (the lab's `i % n_critic`, 001:466):
    iterations 0, 2 and 3 instead of 0, 2 and 4."""
    g = generator()
    # no biases: −mean f(x) + mean f(G(z)) does not depend on the output bias, nor on a hidden
    # unit's bias while that unit stays on one side of its LeakyReLU for both batches (an
    # exactly zero gradient, which RMSprop would turn into a full-size step of float noise)
    c = nn.Sequential(nn.Flatten(), nn.Linear(16, 8, bias=False), nn.LeakyReLU(0.2), nn.Linear(8, 1, bias=False))
    nets = {"generator": g, "critic": c}
    start = named(nets)
    real = torch.rand(BATCH, 1, 4, 4) * 2 - 1
    clip, lr, critic_steps = 0.05, 0.01, 2
    opt_g = torch.optim.RMSprop(g.parameters(), lr=lr)
    opt_c = torch.optim.RMSprop(c.parameters(), lr=lr)
    noises, losses, grads = [], [], {}
    generator_loss = 0.0
    iterations, batches_per_epoch = (5, 3) if per_epoch else (3, None)
    counts = []
    for iteration in range(iterations):
        # one critic update with clipping; the generator every critic_steps iterations
        # (the first included), on fresh noise
        z = torch.randn(BATCH, LATENT)
        noises.append(z)
        opt_c.zero_grad()
        critic_loss = -c(real).mean() + c(g(z).detach()).mean()
        critic_loss.backward()
        opt_c.step()
        for p in c.parameters():
            p.data.clamp_(-clip, clip)
        grads = {f"critic.{k}": tensor(p.grad) for k, p in c.named_parameters()}
        counted = iteration % batches_per_epoch if per_epoch else iteration
        counts.append(2 if counted % critic_steps == 0 else 1)
        if counted % critic_steps == 0:
            z = torch.randn(BATCH, LATENT)
            noises.append(z)
            opt_g.zero_grad()
            g_loss = -c(g(z)).mean()
            g_loss.backward()
            opt_g.step()
            generator_loss = g_loss.item()
            grads.update({f"generator.{k}": tensor(p.grad) for k, p in g.named_parameters()})
        losses.append({"critic": critic_loss.item(), "generator": generator_loss})
    critic = "\n".join(["critic:", "    - flatten", "    - linear: {out: 8, bias: false}", "    - leaky_relu: {slope: 0.2}", "    - linear: {out: 1, bias: false}"])
    schedule = "\n  critic_schedule: epoch" if per_epoch else ""
    return {
        "name": "wgan_clip" + ("_per_epoch" if per_epoch else ""), "kind": "wgan",
        "yaml": experiment("wgan", f"\n  critic_steps: {critic_steps}{schedule}\n  clip: {clip}", critic,
                           f"{{rmsprop: {{lr: {lr}}}}}"),
        "params": start, "real": tensor(real), "noise": [tensor(n) for n in noises],
        "losses": losses, "grads": grads, "after": named(nets),
        "iterations": iterations, "noise_per_iteration": counts, "batches_per_epoch": batches_per_epoch or 100,
    }


def wgan_gp_case(convolutional):
    """One WGAN-GP iteration (Gulrajani et al., Algorithm 1) with SGD: the critic's loss
    −mean f(x) + mean f(G(z)) + λ·mean (‖∇x̂ f(x̂)‖₂ − t)² on x̂ = ε·x + (1 − ε)·G(z), the
    penalty's gradient through torch.autograd.grad(..., create_graph=True); then the
    generator's update on fresh noise. GenLab draws z, then ε (one uniform per image), then
    the generator's z. An MLP critic with LeakyReLU and Tanh (λ = 10, t = 1), or a
    convolutional one with LeakyReLU and LayerNorm (λ = 5, t = 0.5)."""
    g = generator()
    if convolutional:
        c = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.LeakyReLU(0.2), nn.LayerNorm([4, 4, 4]),
                          nn.Conv2d(4, 4, 4, stride=2, padding=1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(16, 1))
        with torch.no_grad():  # LayerNorm's weight away from 1 and bias away from 0
            c[2].weight.uniform_(0.5, 1.5)
            c[2].bias.uniform_(-0.5, 0.5)
        critic = ["critic:", "    - conv2d: {out: 4, kernel: 3, padding: 1}", "    - leaky_relu: {slope: 0.2}", "    - layernorm",
                  "    - conv2d: {out: 4, kernel: 4, stride: 2, padding: 1}", "    - leaky_relu: {slope: 0.2}", "    - flatten",
                  "    - linear: {out: 1}"]
        weight, target = 5.0, 0.5
    else:
        c = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.LeakyReLU(0.2), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))
        critic = ["critic:", "    - flatten", "    - linear: {out: 8}", "    - leaky_relu: {slope: 0.2}", "    - linear: {out: 8}",
                  "    - tanh", "    - linear: {out: 1}"]
        weight, target = 10.0, 1.0
    nets = {"generator": g, "critic": c}
    start = named(nets)
    real = torch.rand(BATCH, 1, 4, 4) * 2 - 1
    lr = 0.01
    opt_g = torch.optim.SGD(g.parameters(), lr=lr)
    opt_c = torch.optim.SGD(c.parameters(), lr=lr)
    z = torch.randn(BATCH, LATENT)
    eps = torch.rand(BATCH)
    opt_c.zero_grad()
    fake = g(z).detach()
    wasserstein = -c(real).mean() + c(fake).mean()
    mix = eps.view(BATCH, 1, 1, 1)
    xhat = (mix * real + (1 - mix) * fake).requires_grad_(True)
    gradients, = torch.autograd.grad(c(xhat).sum(), xhat, create_graph=True)
    penalty = weight * ((gradients.flatten(1).norm(dim=1) - target) ** 2).mean()
    critic_loss = wasserstein + penalty
    critic_loss.backward()
    opt_c.step()
    grads = {f"critic.{k}": tensor(p.grad) for k, p in c.named_parameters()}
    z2 = torch.randn(BATCH, LATENT)
    opt_g.zero_grad()
    g_loss = -c(g(z2)).mean()
    g_loss.backward()
    opt_g.step()
    grads.update({f"generator.{k}": tensor(p.grad) for k, p in g.named_parameters()})
    return {
        "name": "wgan_gp_" + ("conv" if convolutional else "mlp"), "kind": "wgan",
        "yaml": experiment("wgan", f"\n  critic_steps: 1\n  penalty: {{gradient: {weight}, target: {target}}}", "\n".join(critic),
                           f"{{sgd: {{lr: {lr}}}}}"),
        "params": start, "real": tensor(real), "noise": [tensor(z), tensor(eps), tensor(z2)],
        "losses": [{"critic": critic_loss.item(), "generator": g_loss.item(), "penalty": penalty.item()}],
        "grads": grads, "after": {k: v for k, v in named(nets).items() if "running" in k}, "lr": lr,
    }


def conditional_gan_case():
    """One conditional GAN iteration (BCE with logits, Adam): G takes [z | one_hot(y)], D an
    image with its label as 3 constant channels; the fakes take the real batch's labels y."""
    classes = 3
    g = nn.Sequential(nn.Linear(LATENT + classes, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 16), nn.Tanh(),
                      nn.Unflatten(1, (1, 4, 4)))
    d = nn.Sequential(nn.Conv2d(1 + classes, 4, 3, padding=1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(64, 1))
    nets = {"generator": g, "discriminator": d}
    start = named(nets)
    real = torch.rand(BATCH, 1, 4, 4) * 2 - 1
    labels = torch.randint(0, classes, (BATCH,))
    one_hot = nn.functional.one_hot(labels, classes).float()
    planes = one_hot[:, :, None, None].expand(-1, -1, 4, 4)
    noise = torch.randn(BATCH, LATENT)
    criterion = nn.BCEWithLogitsLoss()
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)
    opt_d.zero_grad()
    d_real = criterion(d(torch.cat([real, planes], 1)), ones)
    d_real.backward()
    fake = g(torch.cat([noise, one_hot], 1))
    d_fake = criterion(d(torch.cat([fake.detach(), planes], 1)), zeros)
    d_fake.backward()
    opt_d.step()
    grads = {f"discriminator.{k}": tensor(p.grad) for k, p in d.named_parameters()}
    opt_g.zero_grad()
    g_loss = criterion(d(torch.cat([fake, planes], 1)), ones)
    g_loss.backward()
    opt_g.step()
    grads.update({f"generator.{k}": tensor(p.grad) for k, p in g.named_parameters()})
    generator_yaml = "\n".join(["", "  classes: 3", "  loss: bce_logits"])
    discriminator = "\n".join(["discriminator:", "    - conv2d: {out: 4, kernel: 3, padding: 1}", "    - leaky_relu: {slope: 0.2}",
                               "    - flatten", "    - linear: {out: 1}"])
    return {
        "name": "gan_conditional", "kind": "gan",
        "yaml": experiment("gan", generator_yaml, discriminator, "{adam: {lr: 2.0e-4, betas: [0.5, 0.999]}}"),
        "params": start, "real": tensor(real), "labels": labels.tolist(), "noise": [tensor(noise)],
        "losses": [{"d_real": d_real.item(), "d_fake": d_fake.item(), "generator": g_loss.item()}],
        "grads": grads, "after": named(nets),
    }


cases = [gan_case("bce"), gan_case("bce_logits"), wgan_case(), gan_case("bce_logits", fresh=True), wgan_case(per_epoch=True),
         wgan_gp_case(False), wgan_gp_case(True), gan_case("hinge"), gan_case("least_squares"), conditional_gan_case()]
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-adversarial.json")
with open(out, "w") as f:
    json.dump({"generated_by": f"torch {torch.__version__}, {os.path.basename(__file__)}", "cases": cases}, f)
print(f"wrote {out}: {len(cases)} cases")
