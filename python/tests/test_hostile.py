"""The Python reader on damaged and hostile files: the run-file damages of
``Tests/Fixtures/hostile/python-reader/damages.json`` and the sweep definitions of
``Tests/Fixtures/hostile/manifest/``, each read in a child process under a 4 GiB address-space
limit and a 60 s timeout, end in a ``GenLabError`` of the expected kind naming the file, never
another exception, a hang or a giant allocation; one damaged point does not hide the others."""

import glob
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

from runs import REPOSITORY, run_files

FIXTURES = os.path.join(REPOSITORY, "Tests", "Fixtures", "hostile")

# what the child process does with the damaged file; prints "ok" or "<kind>|<path>|<message>"
READER = """
import sys
sys.path.insert(0, sys.argv[1])
import genlab
path, action = sys.argv[2], sys.argv[3]
try:
    if action == "sweep":
        sweep = genlab.load_sweep(path)
        print("ok", *[f"{p.run_id}:{p.status.replace(' ', '_')}" for p in sweep])
        sys.exit(0)
    run = genlab.load(path)
    if action == "decoder":
        run.network("decoder")
    elif action == "latents":
        [run.latents[step] for step in run.latents]
    elif action == "samples":
        [run.samples[step] for step in run.samples]
    elif action == "log_sigma_x":
        run.log_sigma_x
    elif action == "recompute":
        run.recompute_samples()
    elif action == "opponent":
        import numpy
        labels = run.generation_labels(2)
        noise = numpy.zeros([2] + run.model["generator"]["noise_shape"])
        run.opponent_input(run.generate(noise, labels), labels)
    print("ok")
except genlab.GenLabError as error:
    print(f"{error.kind}|{error.path}|{error.reason}")
"""


def read_in_child(path, action):
    """What ``READER`` prints for ``path``, under 4 GiB of address space and 60 s."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    done = subprocess.run([sys.executable, "-c", READER, os.path.join(REPOSITORY, "python"), path, action],
                          capture_output=True, text=True, timeout=60, preexec_fn=limit)
    if done.returncode != 0:
        raise AssertionError(f"the reader ended with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


class HostileRunFileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(FIXTURES, "python-reader", "damages.json")) as file:
            cls.damages = json.load(file)
        cls.source = run_files()["quickstart"][0]

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="genlab-python-hostile-")

    def tearDown(self):
        shutil.rmtree(self.folder)

    def copy(self):
        """A copy of the quick start's run file in a results folder of its own."""
        path = os.path.join(self.folder, "quickstart", os.path.basename(os.path.dirname(self.source)), "run.h5")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copy(self.source, path)
        return path

    def test_the_corpus_is_there(self):
        self.assertGreaterEqual(len(self.damages), 19)

    def test_the_undamaged_copy_reads(self):
        path = self.copy()
        for action in ("load", "decoder", "latents", "samples", "log_sigma_x"):
            self.assertEqual(read_in_child(path, action), "ok", action)

    def test_each_damage_is_a_genlab_error_naming_the_file(self):
        for damage in self.damages:
            with self.subTest(damage["name"]):
                path = self.copy()
                with h5py.File(path, "r+") as f:
                    exec(damage["damage"], {"f": f, "h5py": h5py, "np": np, "json": json, "os": os})
                kind, named, message = (read_in_child(path, damage["action"]).split("|", 2) + ["", ""])[:3]
                self.assertEqual(kind, damage["kind"], f"{named} {message}")
                self.assertEqual(named, path)
                self.assertIn(damage.get("message", ""), message)
                shutil.rmtree(os.path.join(self.folder, "quickstart"))

    def test_damaged_labels_are_refused(self):
        """A description giving a CVAE's or a conditional GAN's one-hot label 10⁹ or 0 classes,
        or the discriminator's labels a place that is neither columns nor channels: refused
        before a one-hot array is allocated."""
        def cvae(model):
            for part in model["decode"][0]["input"]:
                if "one_hot" in part:
                    part["one_hot"] = 10 ** 9

        def gan(model):
            model["generator"]["classes"] = 10 ** 9

        def no_classes(model):
            model["generator"]["classes"] = 0

        def sideways(model):
            model["discriminator"]["labels"] = "sideways"
        cases = (("homework-cvae", cvae, "recompute"), ("lab-wgan-conditional", gan, "recompute"),
                 ("lab-wgan-conditional", no_classes, "opponent"), ("lab-wgan-conditional", sideways, "opponent"))
        for name, damage, action in cases:
            with self.subTest(f"{name} {damage.__name__}"):
                path = os.path.join(self.folder, name, damage.__name__, "run.h5")
                os.makedirs(os.path.dirname(path))
                shutil.copy(run_files()[name][0], path)
                with h5py.File(path, "r+") as f:
                    model = json.loads(f.attrs["model_json"])
                    damage(model)
                    f.attrs["model_json"] = json.dumps(model)
                self.assertEqual(read_in_child(path, action).split("|")[:2], ["damaged", path])

    def test_a_fifo_is_refused_without_waiting(self):
        path = os.path.join(self.folder, "run.h5")
        os.mkfifo(path)
        self.assertEqual(read_in_child(path, "load").split("|")[:2], ["not_a_run", path])
        sweep = os.path.join(self.folder, "quickstart")
        os.makedirs(sweep)
        os.mkfifo(os.path.join(sweep, "sweep-00000000.json"))
        self.assertEqual(read_in_child(sweep, "sweep").split("|")[:2], ["not_a_sweep", os.path.join(sweep, "sweep-00000000.json")])

    def test_a_damaged_point_leaves_the_others_readable(self):
        sweep = os.path.join(self.folder, "arena-beta-vae")
        shutil.copytree(os.path.dirname(os.path.dirname(run_files()["arena-beta-vae"][0])), sweep)
        first, *others = sorted(glob.glob(os.path.join(sweep, "*", "run.h5")))
        with open(first, "r+b") as file:
            file.write(b"\0" * 512)
        first_id = os.path.basename(os.path.dirname(first))
        printed = read_in_child(sweep, "sweep").split()
        self.assertEqual(printed[0], "ok")
        statuses = dict(entry.rsplit(":", 1) for entry in printed[1:])
        self.assertEqual(statuses.pop(first_id), "unreadable")
        self.assertEqual(statuses, {os.path.basename(os.path.dirname(p)): "completed" for p in others})
        # the run files alone, without the sweep's definition
        for manifest in glob.glob(os.path.join(sweep, "sweep-*.json")):
            os.remove(manifest)
        printed = read_in_child(sweep, "sweep").split()
        self.assertEqual(len(printed), 1 + 1 + len(others))
        self.assertIn(f"{first_id}:unreadable", printed)


class HostileManifestTest(unittest.TestCase):
    """The tampered sweep definitions GenLab's own tests use: each is read or refused as
    "not_a_sweep" naming it, and no run id takes the reader out of the results folder."""

    def test_each_definition_is_read_or_refused(self):
        manifests = sorted(glob.glob(os.path.join(FIXTURES, "manifest", "*.json")))
        self.assertGreaterEqual(len(manifests), 19)
        refused = {"run-id-absolute", "run-id-up", "format-newer", "version-huge", "index-negative", "nested"}
        for manifest in manifests:
            name = os.path.basename(manifest)[:-5]
            with self.subTest(name):
                folder = tempfile.mkdtemp(prefix="genlab-python-manifest-")
                try:
                    sweep = os.path.join(folder, "results", "quickstart")
                    os.makedirs(sweep)
                    shutil.copy(manifest, os.path.join(sweep, "sweep-00000000.json"))
                    # a run file where a run id leaving the folder would lead
                    os.makedirs(os.path.join(folder, "results", "escaped"))
                    shutil.copy(run_files()["quickstart"][0], os.path.join(folder, "results", "escaped", "run.h5"))
                    printed = read_in_child(sweep, "sweep")
                    if printed.startswith("ok"):
                        self.assertNotIn(name, refused, printed)
                        self.assertTrue(all(entry.endswith(":not_started") for entry in printed.split()[1:]), printed)
                    else:
                        kind, path, _ = printed.split("|", 2)
                        self.assertEqual((kind, path), ("not_a_sweep", os.path.join(sweep, "sweep-00000000.json")))
                finally:
                    shutil.rmtree(folder)


if __name__ == "__main__":
    unittest.main()
