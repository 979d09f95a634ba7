"""The quick start's run from Python: its loss curves and the decoder over a grid of two
latent dimensions. Run from the repository after `scripts/quickstart.sh`:

    python3 python/examples/quickstart_plot.py [RUN_FILE] [OUT.png]
"""

import glob
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import genlab

path = sys.argv[1] if len(sys.argv) > 1 else sorted(glob.glob("results/quickstart/*/run.h5"))[-1]
out = sys.argv[2] if len(sys.argv) > 2 else "quickstart-python.png"
run = genlab.load(path)
print(run, run.sweep_values, run.config["train"])

fig, (losses, grid) = plt.subplots(1, 2, figsize=(11, 4.6), gridspec_kw={"width_ratios": [1.2, 1]})
for name in ("total", "reconstruction", "kl"):
    losses.plot(run.history["step"], run.history[name], label=name)
losses.set_xlabel("step")
losses.set_yscale("log")
losses.legend()
losses.set_title(f"{run.experiment}: losses")

# z over [-3, 3]² in latent dimensions 0 and 1, the others 0, decoded by the stored decoder
points = np.linspace(-3, 3, 10)
z = np.zeros((100, run.model["latent"]))
z[:, 0] = np.tile(points, 10)
z[:, 1] = np.repeat(points, 10)
images = run.to_pixels(run.decode(z))              # or: run.torch_modules()["decoder"](torch.tensor(z))
tiles = images[:, 0].reshape(10, 10, 28, 28).transpose(0, 2, 1, 3).reshape(280, 280)
grid.imshow(tiles, cmap="gray", vmin=0, vmax=1, extent=(-3, 3, 3, -3))
grid.set_xlabel("z[0]")
grid.set_ylabel("z[1]")
grid.set_title("decoder over a latent grid")
fig.tight_layout()
fig.savefig(out, dpi=80)
print("wrote", out)
