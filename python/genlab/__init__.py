"""Read GenLab's run files from Python.

    import genlab
    run = genlab.load("results/quickstart/base-1234abcd/run.h5")
    run.config, run.status, run.sweep_values, run.history, run.latents, run.samples, run.analyses
    decoder = run.torch_modules()["decoder"]        # with PyTorch installed
    images = run.decode(z)                          # numpy, without PyTorch
    sweep = genlab.load_sweep("results/arena-beta-vae")

Everything comes from the file: the networks are rebuilt from the layer list GenLab stores
in it (``model_json``), never from GenLab's rules.
"""

from .errors import GenLabError
from .run import Run, load
from .sweep import Sweep, SweepPoint, load_sweep

__all__ = ["GenLabError", "Run", "load", "Sweep", "SweepPoint", "load_sweep"]
__version__ = "0.1.0"
