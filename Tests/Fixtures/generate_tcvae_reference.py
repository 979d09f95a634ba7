"""β-TCVAE's KL decomposition against Chen et al.'s own code (rtqichen/beta-tcvae,
vae_quant.py: VAE.elbo with tcvae=True, include_mutinfo=True, lamb=0, and
_log_importance_weight_matrix; lib/dist.py: Normal.log_density), transcribed into PyTorch:
writes Tests/Fixtures/tcvae-reference.json, which GenLabNNTests' TotalCorrelationKLTests gives
GenLab's TotalCorrelationKL. Each case fixes μ, the scale head and ε; the reference returns
the three terms reduced as GenLab reduces them (summed over the images, then × 1 for sum,
÷ B for batchmean, ÷ B·K for mean) and the gradients of MI + β·TC + dimension-wise KL with
respect to μ and the scale head (autograd, pathwise through z = μ + σ·ε).

    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python Tests/Fixtures/generate_tcvae_reference.py
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)


def log_density(sample, mu, logsigma):
    """lib/dist.py Normal.log_density."""
    c = torch.tensor([math.log(2 * math.pi)])
    inv_sigma = torch.exp(-logsigma)
    tmp = (sample - mu) * inv_sigma
    return -0.5 * (tmp * tmp + 2 * logsigma + c)


def log_importance_weight_matrix(batch_size, dataset_size):
    """vae_quant.py VAE._log_importance_weight_matrix, verbatim."""
    N = dataset_size
    M = batch_size - 1
    strat_weight = (N - M) / (N * M)
    W = torch.Tensor(batch_size, batch_size).fill_(1 / M)
    W.view(-1)[::M + 1] = 1 / N
    W.view(-1)[1::M + 1] = strat_weight
    W[M - 1, 0] = strat_weight
    return W.log()


def terms(mu, logsigma, eps, dataset_size, mss):
    """VAE.elbo's decomposition (z_dim K, one sample z per image): per image MI, TC, dim-KL."""
    batch_size, z_dim = mu.shape
    zs = mu + torch.exp(logsigma) * eps
    logpz = log_density(zs, torch.zeros_like(zs), torch.zeros_like(zs)).view(batch_size, -1).sum(1)
    logqz_condx = log_density(zs, mu, logsigma).view(batch_size, -1).sum(1)
    _logqz = log_density(zs.view(batch_size, 1, z_dim), mu.view(1, batch_size, z_dim), logsigma.view(1, batch_size, z_dim))
    if not mss:
        logqz_prodmarginals = (torch.logsumexp(_logqz, dim=1, keepdim=False) - math.log(batch_size * dataset_size)).sum(1)
        logqz = torch.logsumexp(_logqz.sum(2), dim=1, keepdim=False) - math.log(batch_size * dataset_size)
    else:
        logiw_matrix = log_importance_weight_matrix(batch_size, dataset_size)
        logqz = torch.logsumexp(logiw_matrix + _logqz.sum(2), dim=1, keepdim=False)
        logqz_prodmarginals = torch.logsumexp(logiw_matrix.view(batch_size, batch_size, 1) + _logqz, dim=1, keepdim=False).sum(1)
    return logqz_condx - logqz, logqz - logqz_prodmarginals, logqz_prodmarginals - logpz


CASES = [
    # name, batch, latent, dataset size, estimator, weight, reduction, head, isotropic
    ("mws_batchmean", 6, 3, 100, "minibatch_weighted", 6.0, "batchmean", "log_sigma", False),
    ("mss_batchmean", 6, 3, 100, "minibatch_stratified", 6.0, "batchmean", "log_sigma", False),
    ("mss_mean_log_variance", 5, 4, 737280, "minibatch_stratified", 0.5, "mean", "log_variance", False),
    ("mws_sum_isotropic", 4, 3, 50, "minibatch_weighted", 3.0, "sum", "log_sigma", True),
    ("mss_two_images", 2, 2, 10, "minibatch_stratified", 4.0, "batchmean", "log_sigma", False),
]

generator = torch.Generator().manual_seed(0)
cases = []
for name, b, k, n, estimator, weight, reduction, head, isotropic in CASES:
    mu = (torch.randn(b, k, generator=generator) * 0.8).requires_grad_()
    scale = (torch.randn(b, 1 if isotropic else k, generator=generator) * 0.4 - 0.3).requires_grad_()
    eps = torch.randn(b, k, generator=generator)
    logsigma = (scale if head == "log_sigma" else 0.5 * scale).expand(b, k)
    mi, tc, dim_kl = terms(mu, logsigma, eps, n, estimator == "minibatch_stratified")
    factor = {"sum": 1.0, "batchmean": 1.0 / b, "mean": 1.0 / (b * k)}[reduction]
    reduced = [t.sum() * factor for t in (mi, tc, dim_kl)]
    objective = reduced[0] + weight * reduced[1] + reduced[2]
    grad_mu, grad_scale = torch.autograd.grad(objective, [mu, scale])
    cases.append({
        "name": name, "batch": b, "latent": k, "dataset_size": n, "estimator": estimator, "weight": weight,
        "reduction": reduction, "head": head, "isotropic": isotropic,
        "mu": mu.detach().flatten().tolist(), "scale": scale.detach().flatten().tolist(), "eps": eps.flatten().tolist(),
        "mutual_information": reduced[0].item(), "total_correlation": reduced[1].item(), "dimension_kl": reduced[2].item(),
        "grad_mu": grad_mu.flatten().tolist(), "grad_scale": grad_scale.flatten().tolist(),
    })
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tcvae-reference.json")
with open(path, "w") as f:
    json.dump({"generator": "generate_tcvae_reference.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
print(path, [(c["name"], round(c["total_correlation"], 5)) for c in cases])
