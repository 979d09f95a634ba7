#!/usr/bin/env python3
"""Writes pytorch-classifier.json: PyTorch references for GenLab's evaluation classifier, for
GenLabModelsTests/GoldenClassifierTests.swift.

- cross_entropy: F.cross_entropy of random logits against class indices (mean and sum), with
  the gradient of each with respect to the logits;
- step: the classifier (EvaluationClassifier: Conv2d(1→32, 4, 2, 1), ReLU, Conv2d(32→64, 4,
  2, 1), ReLU, Flatten, Linear(→128), ReLU, Linear(128→10)) for 8×8 images (so the file stays
  small; the layers are those of 28×28) on a batch of 8 images: its
  initial parameters (state_dict keys), the penultimate features and softmax probabilities
  in evaluation mode, then one training step (cross-entropy, Adam lr 1e-3): the loss, every
  parameter gradient and every parameter after the update.

Run in a virtual environment with PyTorch (the tests themselves never need it):
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch
    /tmp/torch/bin/python Tests/Fixtures/generate_classifier_reference.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


def tensor(t):
    """A tensor as {"shape": […], "data": […]}, each float32 value in 9 significant digits
    (exact for float32)."""
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


torch.manual_seed(0)
torch.set_default_dtype(torch.float32)

logits = torch.randn(6, 5, requires_grad=True)
targets = torch.tensor([0, 4, 2, 2, 1, 3])
cross_entropy = {"logits": tensor(logits), "targets": targets.tolist()}
for reduction in ("mean", "sum"):
    loss = F.cross_entropy(logits, targets, reduction=reduction)
    (grad,) = torch.autograd.grad(loss, logits)
    cross_entropy[reduction] = {"loss": float(loss.detach()), "grad": tensor(grad)}

net = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(), nn.Flatten(),
                    nn.Linear(64 * 2 * 2, 128), nn.ReLU(), nn.Linear(128, 10))
images = torch.rand(8, 1, 8, 8)
labels = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6])
initial = {k: tensor(v) for k, v in net.state_dict().items()}
net.eval()
with torch.no_grad():
    features = net[:7](images)
    probabilities = F.softmax(net[7](features), dim=1)
net.train()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
optimizer.zero_grad()
loss = F.cross_entropy(net(images), labels)
loss.backward()
gradients = {k: tensor(p.grad) for k, p in net.named_parameters()}
optimizer.step()
step = {"initial": initial, "images": tensor(images), "labels": labels.tolist(), "features": tensor(features),
        "probabilities": tensor(probabilities), "loss": float(loss.detach()), "gradients": gradients,
        "after": {k: tensor(v) for k, v in net.state_dict().items()}}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-classifier.json")
with open(out, "w") as f:
    json.dump({"generated_by": f"torch {torch.__version__}, {os.path.basename(__file__)}",
               "cross_entropy": cross_entropy, "step": step}, f)
print(out)
