"""The genlab package against real run files of every reference experiment: numpy forward
passes built from the stored description reproduce the stored samples and latents; the
history, configuration, sweep values and analyses read back as GenLab wrote them; older
files and damaged ones."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

from runs import GENLAB, LATENTS, REPOSITORY, genlab, results, run_files, test_images

TOLERANCE = 1e-5


class ReferenceRunsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = run_files()

    def each_run(self):
        for name, paths in self.files.items():
            for path in paths[:1]:
                yield name, genlab.load(path)

    def test_every_kind_is_covered(self):
        kinds = {run.model["kind"] for _, run in self.each_run()}
        self.assertEqual(kinds, {"ae", "vae", "cvae", "hvae", "gan", "wgan"})

    def test_numpy_forward_reproduces_the_stored_samples(self):
        for name, run in self.each_run():
            with self.subTest(experiment=name):
                self.assertEqual(run.status, "completed")
                step = run.progress["step"]
                stored = run.samples[step]
                recomputed = run.recompute_samples()
                self.assertEqual(recomputed.shape, stored.shape)
                np.testing.assert_allclose(recomputed, stored, rtol=0, atol=TOLERANCE, err_msg=name)
                # an image that is not all one value (a broken network could give constants)
                self.assertGreater(float(stored.std()), 1e-4, name)

    def test_numpy_forward_reproduces_the_stored_latents(self):
        checked = 0
        for name, run in self.each_run():
            if "encode" not in run.model:
                self.assertEqual(len(run.latents), 0, name)
                continue
            if run.config["dataset"]["name"] == "dsprites":
                # its test images are grid images GenLab draws by PCG32, which this reader
                # does not redraw; the numpy convolutions and linear layers are checked on the
                # other files' latents, and these networks' samples above
                continue
            with self.subTest(experiment=name):
                latents = run.latents[run.progress["step"]]
                images, labels = test_images(LATENTS, run.config)
                np.testing.assert_array_equal(latents.labels, labels)
                x = run.from_pixels(images / 255.0)
                mu, logsigma = run.encode(x, labels)
                np.testing.assert_allclose(mu, latents.mu, rtol=0, atol=TOLERANCE, err_msg=name)
                np.testing.assert_allclose(logsigma, latents.logsigma, rtol=0, atol=TOLERANCE, err_msg=name)
                if run.model["kind"] == "ae":
                    np.testing.assert_array_equal(latents.z, latents.mu)
                else:  # z = μ + σ·ε with a fresh ε: ε is standard normal
                    eps = (latents.z - latents.mu) / np.exp(latents.logsigma)
                    self.assertLess(abs(float(eps.std()) - 1), 0.25, name)
                checked += 1
        self.assertGreaterEqual(checked, 10)

    def test_numpy_discriminators_reproduce_the_stored_scores(self):
        for name, run in self.each_run():
            if "discriminator" not in run.model:
                continue
            with self.subTest(experiment=name):
                analysis = run.analyses["activation_maximisation"]
                z = analysis["z_start"]
                labels = run.generation_labels(len(z))
                inputs = run.opponent_input(run.generate(z, labels), labels)
                output = run.network(run.model["discriminator"]["network"])(inputs)[:, 0]
                # the generator's loss on each image: BCE against "real", or −score for a critic
                loss = {"probability": lambda d: -np.maximum(np.log(d), -100), "logit": lambda d: np.logaddexp(0, -d),
                        "score": lambda d: -d}[run.model["discriminator"]["output"]](output)
                np.testing.assert_allclose(loss, analysis["loss_start_per_image"], rtol=TOLERANCE, atol=TOLERANCE, err_msg=name)

    def test_the_description_lists_every_stored_array(self):
        for name, run in self.each_run():
            with self.subTest(experiment=name):
                for network in run.model["networks"]:
                    state = run.state_dict(network["name"])
                    with h5py.File(run.path) as f:
                        weights = {key: f["weights"][network["name"]][key][()] for key in f["weights"][network["name"]]}
                    counted = sum(value.size for key, value in weights.items())
                    self.assertEqual(counted, network["parameters"], f"{name} {network['name']}")
                    self.assertEqual(sum(layer["parameters"] for layer in network["layers"]), network["parameters"])
                    for key, value in weights.items():
                        np.testing.assert_array_equal(state[key], value)
                    for layer, following in zip(network["layers"], network["layers"][1:]):
                        self.assertEqual(following["index"], layer["index"] + 1)
                    self.assertEqual(network["layers"][-1]["output_shape"], network["output_shape"])

    def test_metadata_history_and_configuration(self):
        for name, run in self.each_run():
            with self.subTest(experiment=name):
                with h5py.File(run.path) as f:
                    self.assertEqual(run.run_id, f.attrs["run_id"])
                    self.assertEqual(run.format_version, 3)
                    for column in f["history"]:
                        np.testing.assert_array_equal(run.history[column], f["history"][column][()])
                self.assertEqual(run.config["name"], name)
                self.assertEqual(run.config["train"]["steps"], 3)
                self.assertEqual(run.total_steps, 3)
                self.assertEqual(run.progress, {"step": 3, "epoch": 0, "batch": 3})
                self.assertIn("total" if run.model["kind"] not in ("gan", "wgan") else "generator", run.history)

    def test_sweep_values(self):
        sweep = genlab.load_sweep(os.path.join(results(), "arena-beta-vae"))
        self.assertEqual(sweep.keys, ["model.beta", "seed"])
        self.assertEqual([p.values for p in sweep.points],
                         [{"model.beta": b, "seed": s} for b in (0, 0.1, 1, 10) for s in (0, 1)])
        for point in sweep.points:
            self.assertEqual(point.status, "completed")
            self.assertEqual(point.run.config["model"]["beta"], point.values["model.beta"])
            self.assertEqual(point.run.config["seed"], point.values["seed"])
        zipped = genlab.load_sweep(os.path.join(results(), "homework-mlp-vae"))
        self.assertEqual([p.values["model.beta"] for p in zipped], [0, 10, 0.105])

    def test_analyses_and_pictures(self):
        run = genlab.load(self.files["quickstart"][0])
        self.assertIn("reconstructions", run.analyses)
        reconstructions = run.analyses["reconstructions"]
        with h5py.File(run.path) as f:
            np.testing.assert_array_equal(reconstructions["holdout_outputs"], f["analysis/reconstructions/holdout_outputs"][()])
            self.assertEqual(reconstructions.attrs["count"], f["analysis/reconstructions"].attrs["count"])
        # the analysis recomputed from the weights agrees with the numpy decoder
        mu, _ = run.encode(run.from_pixels(reconstructions["holdout_inputs"]))
        np.testing.assert_allclose(run.to_pixels(run.decode(mu)), reconstructions["holdout_outputs"], atol=TOLERANCE)
        self.assertIn("reconstructions_holdout.png", run.pictures)
        self.assertTrue(os.path.exists(run.pictures["reconstructions_holdout.png"]))

    def test_pandas_frame_when_pandas_is_present(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            self.skipTest("pandas is not installed")
        run = genlab.load(self.files["quickstart"][0])
        frame = run.history_frame()
        np.testing.assert_array_equal(frame["total"].to_numpy(), run.history["total"])
        sweep = genlab.load_sweep(os.path.join(results(), "arena-beta-vae")).frame()
        self.assertEqual(list(sweep["model.beta"]), [0, 0, 0.1, 0.1, 1, 1, 10, 10])
        self.assertEqual(list(sweep["final.total"]), [p.run.history["total"][-1] for p in genlab.load_sweep(
            os.path.join(results(), "arena-beta-vae"))])


class FilesTest(unittest.TestCase):
    """Older, damaged and foreign files."""

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="genlab-python-files-")
        source = run_files()["arena-conv-vae"][0]
        self.path = os.path.join(self.folder, "arena-conv-vae", os.path.basename(os.path.dirname(source)), "run.h5")
        os.makedirs(os.path.dirname(self.path))
        shutil.copy(source, self.path)

    def tearDown(self):
        shutil.rmtree(self.folder)

    def make_old(self):
        """The file as GenLab wrote it before format 3."""
        with h5py.File(self.path, "r+") as f:
            for name in ("model_json", "config_json", "sweep_point_json"):
                del f.attrs[name]
            del f["sample_inputs"]
            f.attrs["format_version"] = np.int64(2)

    def test_an_older_file_reads_and_gains_its_description_from_an_analysis(self):
        original = genlab.load(self.path)
        self.make_old()
        old = genlab.load(self.path)
        self.assertIsNone(old.model)
        self.assertEqual(old.status, "completed")
        np.testing.assert_array_equal(old.history["total"], original.history["total"])
        with self.assertRaises(genlab.GenLabError) as caught:
            old.network("decoder")
        self.assertEqual(caught.exception.kind, "no_description")
        self.assertIn("genlab analyze", str(caught.exception))
        done = subprocess.run([GENLAB, "analyze", self.path, "--only", "samples"], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        upgraded = genlab.load(self.path)
        self.assertEqual(upgraded.format_version, 3)
        self.assertEqual(upgraded.model, original.model)
        self.assertEqual(upgraded.config, original.config)
        self.assertEqual(upgraded.sweep_values, original.sweep_values)
        x = original.sample_inputs["images"]
        np.testing.assert_array_equal(upgraded.encode(x)[0], original.encode(x)[0])

    def test_format_3_without_its_description_is_damaged(self):
        with h5py.File(self.path, "r+") as f:
            del f.attrs["model_json"]
        with self.assertRaises(genlab.GenLabError) as caught:
            genlab.load(self.path)
        self.assertEqual(caught.exception.kind, "damaged")
        self.assertEqual(caught.exception.path, self.path)

    def test_newer_foreign_and_missing_files(self):
        with h5py.File(self.path, "r+") as f:
            f.attrs["format_version"] = np.int64(4)
        with self.assertRaises(genlab.GenLabError) as caught:
            genlab.load(self.path)
        self.assertEqual(caught.exception.kind, "newer_format")
        foreign = os.path.join(self.folder, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["x"] = np.zeros(3)
        with self.assertRaises(genlab.GenLabError) as caught:
            genlab.load(foreign)
        self.assertEqual(caught.exception.kind, "not_a_run")
        text = os.path.join(self.folder, "text.h5")
        with open(text, "w") as f:
            f.write("not hdf5")
        with self.assertRaises(genlab.GenLabError) as caught:
            genlab.load(text)
        self.assertEqual(caught.exception.kind, "not_a_run")
        with self.assertRaises(genlab.GenLabError) as caught:
            genlab.load(os.path.join(self.folder, "missing.h5"))
        self.assertEqual(caught.exception.kind, "not_found")
        with self.assertRaises(genlab.GenLabError) as caught:
            genlab.load_sweep(os.path.join(self.folder, "missing"))
        self.assertEqual(caught.exception.kind, "not_found")

    def test_a_folder_without_a_sweep_definition_lists_its_runs(self):
        sweep = genlab.load_sweep(os.path.join(self.folder, "arena-conv-vae"))
        self.assertIsNone(sweep.manifest)
        self.assertEqual([p.path for p in sweep], [self.path])

    def test_weights_that_do_not_fit_the_description(self):
        with h5py.File(self.path, "r+") as f:
            del f["weights/decoder/0.bias"]
        run = genlab.load(self.path)
        with self.assertRaises(genlab.GenLabError) as caught:
            run.decode(np.zeros((1, run.model["latent"])))
        self.assertEqual(caught.exception.kind, "damaged")
        self.assertIn("decoder", str(caught.exception))


class InstallTest(unittest.TestCase):
    def test_pip_installs_the_package_from_its_folder(self):
        target = tempfile.mkdtemp(prefix="genlab-pip-")
        work = tempfile.mkdtemp(prefix="genlab-pip-source-")
        try:
            # a copy, so that the build leaves nothing in the repository
            source = os.path.join(work, "python")
            shutil.copytree(os.path.join(REPOSITORY, "python"), source,
                            ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
            done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                                   "--target", target, source], capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stderr)
            probe = subprocess.run([sys.executable, "-c", "import genlab, json; print(genlab.__file__)"],
                                   capture_output=True, text=True, env={**os.environ, "PYTHONPATH": target}, cwd=target)
            self.assertEqual(probe.returncode, 0, probe.stderr)
            self.assertTrue(probe.stdout.strip().startswith(target))
        finally:
            shutil.rmtree(target)
            shutil.rmtree(work)


if __name__ == "__main__":
    unittest.main()
