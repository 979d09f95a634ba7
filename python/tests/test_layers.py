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

from genlab.errors import GenLabError  # noqa: E402
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
        self.assertEqual((len(ALL), len(CASES)), (24, 21))

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


class HostileResidualTest(unittest.TestCase):
    """A damaged description of a residual block is a typed error, not a crash or a
    recursion without end."""

    @staticmethod
    def network(layer):
        return {"name": "encoder", "input_shape": [4], "layers": [layer]}

    def test_nesting_beyond_the_bound_is_damaged(self):
        layer = {"index": 0, "module": "SiLU", "arguments": {}, "text": "SiLU()"}
        for _ in range(1000):
            layer = {"index": 0, "module": "Residual", "arguments": {}, "text": "Residual()", "body": [layer], "shortcut": []}
        with self.assertRaises(GenLabError) as caught:
            NumpyNetwork(self.network(layer), {})
        self.assertEqual(caught.exception.kind, "damaged")
        self.assertIn("32 deep", str(caught.exception))

    def test_a_block_without_its_lists_is_damaged(self):
        for body in (None, "SiLU", [1, 2], {"module": "SiLU"}):
            with self.subTest(body=body):
                layer = {"index": 0, "module": "Residual", "arguments": {}, "text": "Residual()", "body": body, "shortcut": []}
                with self.assertRaises(GenLabError) as caught:
                    NumpyNetwork(self.network(layer), {})
                self.assertEqual(caught.exception.kind, "damaged")

    def test_a_nested_layer_missing_its_weights_is_damaged(self):
        inner = {"index": 0, "module": "Linear", "arguments": {"in_features": 4, "out_features": 4, "bias": True}, "text": "Linear"}
        layer = {"index": 0, "module": "Residual", "arguments": {}, "text": "Residual()", "body": [inner], "shortcut": []}
        with self.assertRaises(GenLabError) as caught:
            NumpyNetwork(self.network(layer), {})
        self.assertIn("0.body.0", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
