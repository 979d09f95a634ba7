"""The run files' networks as PyTorch modules: the loaded weights and buffers equal the
file's, the modules are in evaluation mode, and they reproduce the stored samples and
latents. Skipped without PyTorch; `scripts/test-python-torch.sh` runs it in a private
environment with PyTorch installed."""

import copy
import unittest

import h5py
import numpy as np

from runs import LATENTS, genlab, run_files, test_images

try:
    import torch
except ImportError:
    torch = None

TOLERANCE = 1e-5


def numpy_function(module):
    def forward(x):
        with torch.no_grad():
            return module(torch.from_numpy(np.asarray(x, dtype=np.float32))).double().numpy()
    return forward


@unittest.skipIf(torch is None, "PyTorch is not installed: scripts/test-python-torch.sh runs these tests with it")
class TorchModulesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.runs = {name: genlab.load(paths[0]) for name, paths in run_files().items()}

    def test_loaded_weights_and_buffers_equal_the_file(self):
        for name, run in self.runs.items():
            modules = run.torch_modules()
            self.assertEqual(list(modules), run.network_names)
            with h5py.File(run.path) as f:
                for network, module in modules.items():
                    with self.subTest(experiment=name, network=network):
                        self.assertFalse(module.training)
                        self.assertTrue(all(not m.training for m in module.modules()))
                        state = module.state_dict()
                        stored = {}
                        for group in ("weights", "buffers"):
                            if network in f.get(group, {}):
                                stored.update({key: f[group][network][key][()] for key in f[group][network]})
                        self.assertEqual(set(state), set(stored))
                        for key, value in stored.items():
                            np.testing.assert_array_equal(state[key].numpy(), value, err_msg=f"{name} {network} {key}")

    def test_modules_reproduce_samples_latents_and_scores(self):
        for name, run in self.runs.items():
            with self.subTest(experiment=name):
                view = run.with_networks({n: numpy_function(m) for n, m in run.torch_modules().items()})
                np.testing.assert_allclose(view.recompute_samples(), run.samples[run.progress["step"]],
                                           rtol=0, atol=TOLERANCE, err_msg=name)
                if "encode" in run.model:
                    latents = run.latents[run.progress["step"]]
                    images, labels = test_images(LATENTS, run.config)
                    mu, logsigma = view.encode(run.from_pixels(images / 255.0), labels)
                    np.testing.assert_allclose(mu, latents.mu, rtol=0, atol=TOLERANCE, err_msg=name)
                    np.testing.assert_allclose(logsigma, latents.logsigma, rtol=0, atol=TOLERANCE, err_msg=name)
                if "discriminator" in run.model:
                    analysis = run.analyses["activation_maximisation"]
                    z = analysis["z_start"]
                    labels = run.generation_labels(len(z))
                    discriminator = view.network(run.model["discriminator"]["network"])
                    output = discriminator(view.opponent_input(view.generate(z, labels), labels))[:, 0]
                    reference = run.network(run.model["discriminator"]["network"])(run.opponent_input(run.generate(z, labels), labels))[:, 0]
                    np.testing.assert_allclose(output, reference, rtol=TOLERANCE, atol=TOLERANCE, err_msg=name)

    def test_a_decoder_is_ready_for_z(self):
        run = self.runs["quickstart"]
        decoder = run.torch_modules()["decoder"]
        images = decoder(torch.zeros(4, run.model["latent"]))
        self.assertEqual(tuple(images.shape), (4, 1, 28, 28))

    def test_hostile_descriptions_are_refused_before_anything_is_built(self):
        """A description naming a module GenLab does not write, an argument it cannot have,
        or layers far larger than the stored weights: an error, not a module and not a
        giant allocation (the shapes are compared on PyTorch's meta device first)."""
        source = self.runs["quickstart"]
        cases = [("Embedding", {"num_embeddings": 10, "embedding_dim": 2}, "unknown_module", "'Embedding'"),
                 ("Linear", {"in_features": 1 << 40, "out_features": 1}, "damaged", "not a number GenLab writes"),
                 ("Linear", {"in_features": "5", "out_features": 1}, "damaged", "not a number GenLab writes"),
                 ("Linear", {"in_features": 1 << 30, "out_features": 1 << 30}, "damaged", "do not fit its described layers")]
        for module, arguments, kind, message in cases:
            with self.subTest(module=module, arguments=arguments):
                run = copy.copy(source)
                run.model = copy.deepcopy(source.model)
                layer = next(layer for layer in run.model["networks"][1]["layers"] if layer["module"] == "Linear")
                layer["module"], layer["arguments"] = module, arguments
                with self.assertRaises(genlab.GenLabError) as caught:
                    run.torch_modules()
                self.assertEqual(caught.exception.kind, kind)
                self.assertIn(message, str(caught.exception))
                self.assertEqual(caught.exception.path, run.path)


if __name__ == "__main__":
    unittest.main()
