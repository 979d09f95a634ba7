#!/usr/bin/env python3
"""The PyTorch side of `genlab bench`: any experiment file's model trained with full steps
(forward, backward, optimizer update) on random inputs of its dataset's shape and batch size,
as `genlab bench` trains it; prints images/s and the process's peak resident memory, each
model in its own process (so one model's peak does not hide another's).

    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy h5py
    /tmp/torch/bin/python scripts/bench_pytorch.py [--model arena-conv-vae | --all] [--seconds 5] [--threads 1] [--precision bf16]

`--precision bf16` runs every step under `torch.autocast("cpu", dtype=torch.bfloat16)`, the one
line a PyTorch user adds for bfloat16 (GenLab's `train.precision: bf16`).

`scripts/bench_side_by_side.py` runs it beside `genlab bench` and prints the ratios.

The networks are not transcribed here: `genlab plan FILE --json` gives the model description
a run file stores (`model_json`: every layer with its resolved arguments, how the networks
compose) and the configuration (batch size, optimizer, loss options), and the Python
package's `fresh_sequential` turns each network into an `nn.Sequential`, initialised by
PyTorch (speed does not depend on the values). The step per kind follows GenLab's trainers:
  - ae / vae / cvae: encode (image, flattened or not, a CVAE's one-hot label; a denoising
    AE's Gaussian corruption), μ and the scale from the described columns (joint or separate
    heads, log σ or log σ², one shared column), z = μ + σ·ε (per sample of z), decode, the
    likelihood (mse, bce, gaussian with a learned σx) with its reduction, + β·KL (closed form);
  - hvae: two levels, KL(q(z2) ‖ N(0, I)) + KL(q(z1 | x) ‖ p(z1 | z2)) from the prior network;
  - gan: one discriminator step on a real and a generated batch, one generator step on the
    same generated batch ('reuse') or a new one ('fresh'); BCE on probabilities or logits,
    the hinge loss or least squares;
  - wgan: a critic step on a real and a generated batch with weight clipping, or with the
    gradient penalty on interpolates (torch.autograd.grad with create_graph=True, as WGAN-GP
    implementations write it), and a generator step every `critic_steps` steps (GenLab's
    steady state), RMSprop or Adam as configured.
"""
import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
GENLAB = os.path.join(REPOSITORY, ".build", "release", "genlab")
sys.path.insert(0, os.path.join(REPOSITORY, "python"))
from genlab.torch_modules import fresh_sequential  # noqa: E402

DEFAULT_MODELS = ["arena-conv-vae", "lab-dcgan"]


def experiment_file(name):
    return name if name.endswith(".yaml") else os.path.join(REPOSITORY, "experiments", f"{name}.yaml")


def describe(name):
    done = subprocess.run([GENLAB, "plan", experiment_file(name), "--json"], capture_output=True, text=True, check=True)
    document = json.loads(done.stdout)
    return document["model"], document["config"]


def optimizer(parameters, train):
    (kind, options), = train["optimizer"].items()
    options = dict(options or {})
    if "betas" in options:
        options["betas"] = tuple(options["betas"])
    return {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop, "sgd": torch.optim.SGD}[kind](parameters, **options)


def reduce(values, reduction, batch):
    """GenLab's reductions of a per-element loss: mean, sum, or the sum over a batch's
    elements divided by the batch size ('batchmean')."""
    if reduction == "sum":
        return values.sum()
    if reduction == "batchmean":
        return values.sum() / batch
    return values.mean()


def autoencoder_step(model, config, networks, batch):
    kind, encode, likelihood = model["kind"], model["encode"], model["likelihood"]
    settings = config["model"]
    shape = model["image_shape"]
    scale = torch.tensor(model["pixels"]["scale"]).view(1, -1, 1, 1)
    offset = torch.tensor(model["pixels"]["offset"]).view(1, -1, 1, 1)
    pixels = torch.rand(batch, *shape)
    x = pixels * scale + offset
    classes = model.get("classes") or 10
    labels = torch.randint(0, classes, (batch,))
    one_hot = F.one_hot(labels, classes).float()
    samples = settings.get("samples", 1)
    corruption = (settings.get("corruption") or {}).get("gaussian")
    reduction = likelihood.get("reduction", "mean")
    log_sigma_x = nn.Parameter(torch.zeros(1)) if likelihood.get("log_sigma_x") else None
    parameters = [p for network in networks.values() for p in network.parameters()] + ([log_sigma_x] if log_sigma_x is not None else [])
    opt = optimizer(parameters, config["train"])
    beta = model.get("beta", 0) or 0

    def parts(level, values):
        inputs = []
        for part in level["input"]:
            if part["source"] == "image":
                image = x + corruption * torch.randn_like(x) if corruption else x
                inputs.append(image.flatten(1) if part.get("flatten") else image)
            elif part["source"] == "label":
                inputs.append(one_hot)
            else:
                inputs.append(values[part["source"]])
        return inputs[0] if len(inputs) == 1 else torch.cat([t.flatten(1) for t in inputs], 1)

    def columns(outputs, head):
        return outputs[head["network"]][:, head["columns"][0]:head["columns"][1]]

    def posterior(level, values):
        outputs = {level["network"]: networks[level["network"]](parts(level, values))}
        for head in (level["mu"], level["scale"]):
            if head and head["network"] not in outputs:
                outputs[head["network"]] = networks[head["network"]](outputs[level["network"]])
        mu = columns(outputs, level["mu"])
        if level["scale"] is None:
            return mu, None
        log_sigma = level["log_sigma_factor"] * columns(outputs, level["scale"])
        return mu, log_sigma.expand_as(mu)

    def sample(mu, log_sigma):
        return mu if log_sigma is None else mu + log_sigma.exp() * torch.randn_like(mu)

    def kl(mu, log_sigma, prior_mu=None, prior_log_sigma=None):
        if prior_mu is None:
            terms = 0.5 * (mu ** 2 + (2 * log_sigma).exp() - 1) - log_sigma
        else:
            terms = prior_log_sigma - log_sigma + ((2 * log_sigma).exp() + (mu - prior_mu) ** 2) / (2 * (2 * prior_log_sigma).exp()) - 0.5
        return reduce(terms, reduction, batch)

    def reconstruction(output):
        target = x if likelihood["kind"] in ("mse", "gaussian") else pixels
        output = output.view_as(target)
        if likelihood["kind"] == "bce":
            return reduce(F.binary_cross_entropy(output, target, reduction="none"), reduction, batch)
        if likelihood["kind"] == "gaussian":
            return reduce(0.5 * ((target - output) / log_sigma_x.exp()) ** 2 + log_sigma_x, reduction, batch)
        return reduce((output - target) ** 2, reduction, batch)

    def step():
        opt.zero_grad()
        mu, log_sigma = posterior(encode[0], {})
        if kind == "hvae":
            mu2, log_sigma2 = posterior(encode[1], {"mu": mu})
            z1, z2 = sample(mu, log_sigma), sample(mu2, log_sigma2)
            prior = networks[model["decode"][1]["through"]["network"]](z2)
            half = prior.shape[1] // 2
            loss = reconstruction(networks[model["decode"][0]["network"]](z1)) + beta * (
                kl(mu2, log_sigma2) + kl(mu, log_sigma, prior[:, :half], prior[:, half:]))
        else:
            repeat = samples if log_sigma is not None else 1
            z = sample(mu.repeat(repeat, 1), None if log_sigma is None else log_sigma.repeat(repeat, 1))
            decoder_input = torch.cat([z, one_hot.repeat(repeat, 1)], 1) if kind == "cvae" else z
            output = networks[model["decode"][0]["network"]](decoder_input)
            loss = reconstruction(output.view(repeat, batch, -1).mean(0) if repeat > 1 else output)
            if log_sigma is not None:
                loss = loss + beta * kl(mu, log_sigma)
        loss.backward()
        opt.step()
    return step


def adversarial_step(model, config, networks):
    settings, train = config["model"], config["train"]
    batch = train["batch_size"]
    generator = networks[model["generator"]["network"]]
    critic = networks[model["discriminator"]["network"]]
    noise_shape = model["generator"]["noise_shape"]
    real = torch.rand(batch, *model["image_shape"]) * 2 - 1
    opt_g, opt_d = optimizer(generator.parameters(), train), optimizer(critic.parameters(), train)
    output = model["discriminator"]["output"]

    def noise():
        return torch.randn(batch, *noise_shape)

    if model["kind"] == "wgan":
        penalty, every = settings.get("penalty"), settings.get("critic_steps", 5)
        clip = settings.get("clip", None if penalty else 0.01)
        clip = None if clip == "none" else clip
        state = {"iteration": 0}

        def gradient_penalty(fake):
            eps = torch.rand(batch, *([1] * (real.dim() - 1)))
            mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
            gradients, = torch.autograd.grad(critic(mix).sum(), mix, create_graph=True)
            norms = gradients.flatten(1).norm(dim=1)
            return penalty["gradient"] * ((norms - penalty.get("target", 1)) ** 2).mean()

        def wgan_step():
            opt_d.zero_grad()
            (-critic(real).mean()).backward()
            with torch.no_grad():
                fake = generator(noise())
            critic(fake).mean().backward()
            if penalty:
                gradient_penalty(fake).backward()
            opt_d.step()
            if clip is not None:
                with torch.no_grad():
                    for p in critic.parameters():
                        p.clamp_(-clip, clip)
            if state["iteration"] % every == every - 1:
                opt_g.zero_grad()
                (-critic(generator(noise())).mean()).backward()
                opt_g.step()
            state["iteration"] += 1
        return wgan_step

    loss = settings.get("loss", "bce")
    bce = nn.BCEWithLogitsLoss() if output == "logit" else nn.BCELoss()
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    fresh = settings.get("generator_noise") == "fresh"

    def criterion(scores, target, generator_side=False):
        """The discriminator's loss for a target of 1 (real) or 0 (fake), or the generator's."""
        if loss == "hinge":
            return -scores.mean() if generator_side else F.relu(1 - scores if target[0, 0] == 1 else 1 + scores).mean()
        if loss == "least_squares":
            return 0.5 * ((scores - target) ** 2).mean()
        return bce(scores, target)

    def gan_step():
        opt_d.zero_grad()
        criterion(critic(real).view(batch, 1), ones).backward()
        fake = generator(noise())
        criterion(critic(fake.detach()).view(batch, 1), zeros).backward()
        opt_d.step()
        opt_g.zero_grad()
        if fresh:
            fake = generator(noise())
        criterion(critic(fake).view(batch, 1), ones, generator_side=True).backward()
        opt_g.step()
    return gan_step


def build(name):
    model, config = describe(name)
    networks = {network["name"]: fresh_sequential(network).train() for network in model["networks"]}
    batch = config["train"]["batch_size"]
    if model["kind"] in ("gan", "wgan"):
        return batch, adversarial_step(model, config, networks)
    return batch, autoencoder_step(model, config, networks, batch)


def measure(name, seconds, warmup, threads, precision):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    batch, plain_step = build(name)

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16) if precision == "bf16" else contextlib.nullcontext():
            plain_step()

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
    label = os.path.splitext(os.path.basename(name))[0]
    print(f"{label:28s}  {batch:5d} {steps:7d} {steps * batch / elapsed:10.1f} {peak:10.0f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model", help="an experiment name in experiments/ or an experiment file")
    parser.add_argument("--all", action="store_true", help="every experiment in experiments/")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32", help="bf16: under torch.autocast")
    args = parser.parse_args()
    if args.model:
        measure(args.model, args.seconds, args.warmup, args.threads, args.precision)
        return
    names = sorted(f[:-5] for f in os.listdir(os.path.join(REPOSITORY, "experiments")) if f.endswith(".yaml")) if args.all else DEFAULT_MODELS
    print(f"PyTorch {torch.__version__}, {args.threads} thread(s), {torch.backends.cpu.get_cpu_capability()}, {args.precision}")
    print(f"{'model':28s}  batch   steps   images/s   peak MiB")
    for name in names:
        subprocess.run([sys.executable, __file__, "--model", name, "--seconds", str(args.seconds),
                        "--warmup", str(args.warmup), "--threads", str(args.threads), "--precision", args.precision], check=True)


if __name__ == "__main__":
    main()
