"""The numpy forward pass of each layer kind added after the notebooks against PyTorch's
output in the reference cases of Tests/Fixtures/pytorch-layers.json (and, when PyTorch is
installed, the modules `torch_modules` builds from the same descriptions)."""

import json
import os
import sys
import unittest

import numpy as np

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPOSITORY, "python"))

from genlab.numpy_network import NumpyNetwork  # noqa: E402
from genlab import torch_modules  # noqa: E402

with open(os.path.join(REPOSITORY, "Tests", "Fixtures", "pytorch-layers.json")) as file:
    ALL = json.load(file)["cases"]
#: One-module cases (residual blocks, whose descriptions nest, are checked on run files of
#: the ResNet experiments in test_runs.py and test_torch.py).
CASES = [case for case in ALL if case["module_name"] != "Residual"]


def array(value):
    return np.array(value["data"], dtype=np.float64).reshape(value["shape"])


def description(case):
    """A one-layer network description as model_json writes it."""
    return {"name": case["name"], "input_shape": case["input"]["shape"][1:],
            "layers": [{"index": 0, "module": case["module_name"], "arguments": case["arguments"], "text": case["module"]}]}


class LayerKindTest(unittest.TestCase):
    def test_every_case_is_read(self):
        self.assertEqual((len(ALL), len(CASES)), (22, 19))

    def test_numpy_forward_matches_pytorch(self):
        for case in CASES:
            with self.subTest(case=case["name"]):
                state = {f"0.{key}": array(value) for key, value in case["params"].items()}
                output = NumpyNetwork(description(case), state)(array(case["input"]))
                np.testing.assert_allclose(output, array(case["output"]), rtol=1e-4, atol=1e-5)

    @unittest.skipIf(torch_modules.torch is None, "PyTorch is not installed")
    def test_torch_modules_match_pytorch(self):
        torch = torch_modules.torch
        for case in CASES:
            with self.subTest(case=case["name"]):
                module = torch_modules.fresh_sequential(description(case)).eval()
                state = {f"0.{key}": torch.tensor(array(value), dtype=torch.float32) for key, value in case["params"].items()}
                module.load_state_dict(state, strict=True)
                self.assertEqual(repr(module[0]), case["module"])
                with torch.no_grad():
                    output = module(torch.tensor(array(case["input"]), dtype=torch.float32)).numpy()
                np.testing.assert_allclose(output, array(case["output"]), rtol=1e-4, atol=1e-5)


if __name__ == "__main__":
    unittest.main()
