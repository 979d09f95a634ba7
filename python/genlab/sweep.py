"""A sweep's results folder (``results/<experiment>``) read into Python."""

import glob
import json
import os

import numpy

from . import safety
from .errors import GenLabError
from .run import Run

#: The newest sweep definition format this package reads (``format_version``).
SWEEP_FORMAT = 1


class SweepPoint:
    """One point: its ``index`` in the sweep, ``run_id``, swept ``values`` (key → value),
    ``path`` of its run file, ``run`` (a ``Run``, or None when it has not started or cannot be
    read) and ``error`` (the ``GenLabError`` of a run file that cannot be read, else None)."""

    def __init__(self, index, run_id, values, path, run, error=None):
        self.index, self.run_id, self.values, self.path, self.run, self.error = index, run_id, values, path, run, error

    @property
    def status(self):
        """The run file's status, "unreadable" (see ``error``) or "not started"."""
        if self.error is not None:
            return "unreadable"
        return self.run.status if self.run is not None else "not started"

    def __repr__(self):
        return f"<point {self.index} {self.run_id}: {self.status}>"


class Sweep:
    """Every point of a sweep (``points``, in the sweep's order), its swept ``keys``, the
    definition it was read from (``manifest``, None for a folder of run files without one)."""

    def __init__(self, folder, keys, points, manifest):
        self.folder, self.keys, self.points, self.manifest = folder, keys, points, manifest

    def __iter__(self):
        return iter(self.points)

    def __len__(self):
        return len(self.points)

    @property
    def runs(self):
        """The points' runs that have a run file."""
        return [point.run for point in self.points if point.run is not None]

    def frame(self):
        """A pandas DataFrame: one row per point, its swept values, status and the last value
        finite value of every loss (validation columns hold NaN where no validation ran)."""
        import pandas
        rows = []
        for point in self.points:
            row = {"index": point.index, "run_id": point.run_id, **point.values, "status": point.status}
            if point.run is not None:
                for name, values in point.run.history.items():
                    finite = values[numpy.isfinite(values)] if name not in ("step", "epoch") else []
                    if len(finite):
                        row[f"final.{name}"] = finite[-1]
            rows.append(row)
        return pandas.DataFrame(rows)


def _value(text):
    """A swept value as the sweep's definition writes it (YAML flow text): JSON when it reads
    as JSON, else the text (a bare word such as `mean`)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _read(path):
    """The run at ``path`` and None, or None and the error that keeps it from being read (one
    damaged point does not hide the others)."""
    try:
        return Run(path), None
    except GenLabError as error:
        return None, error


def load_sweep(folder, sweep_id=None):
    """The sweep whose results are in ``folder`` (``results/<experiment>``): every point from
    the sweep's definition (``sweep-<id>.json``; the newest when there are several, or the one
    of ``sweep_id``), each with its run when it has one; a folder without a definition gives
    the run files it holds."""
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise GenLabError("not_found", "no such folder", folder)
    manifests = sorted(glob.glob(os.path.join(folder, "sweep-*.json")), key=os.path.getmtime)
    if sweep_id is not None:
        manifests = [path for path in manifests if os.path.basename(path) == f"sweep-{sweep_id}.json"]
        if not manifests:
            raise GenLabError("not_a_sweep", f"no sweep-{sweep_id}.json here", folder)
    if not manifests:
        paths = sorted(glob.glob(os.path.join(folder, "*", "run.h5")))
        if not paths:
            raise GenLabError("not_a_sweep", "neither a sweep definition (sweep-<id>.json) nor run files "
                              "(<run id>/run.h5): give a results/<experiment> folder", folder)
        points = []
        for i, path in enumerate(paths):
            run, error = _read(path)
            points.append(SweepPoint(i, run.run_id if run else os.path.basename(os.path.dirname(path)),
                                     run.sweep_values if run else {}, path, run, error))
        keys = list(dict.fromkeys(key for point in points for key in point.values))
        return Sweep(folder, keys, points, None)
    path = manifests[-1]
    try:
        text = safety.read_bytes(path, safety.MAX_MANIFEST_BYTES)
    except GenLabError as error:
        raise GenLabError("not_a_sweep", f"not a readable sweep definition: {error.reason}", path) from None
    with safety.damaged_as_error(path, "the sweep definition", "not_a_sweep"):
        manifest = json.loads(text.decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != "genlab-sweep":
            raise GenLabError("not_a_sweep", "not a GenLab sweep definition (no format \"genlab-sweep\")", path)
        version = manifest.get("format_version")
        if type(version) is not int or version < 1:
            raise GenLabError("not_a_sweep", "a sweep definition without a valid format_version (damaged?)", path)
        if version > SWEEP_FORMAT:
            raise GenLabError("not_a_sweep", f"written by a newer GenLab (sweep format {version}); this package reads "
                              f"format {SWEEP_FORMAT}: upgrade it", path)
        if not isinstance(manifest.get("points"), list) or not isinstance(manifest.get("swept_keys"), list):
            raise GenLabError("not_a_sweep", "a sweep definition without its points and swept keys (damaged?)", path)
        points = []
        for i, point in enumerate(manifest["points"]):
            if not isinstance(point, dict) or not safety.is_folder_name(point.get("run_id")) or point.get("index") != i:
                raise GenLabError("not_a_sweep", f"point {i} has no index {i} and run id naming a folder inside the results "
                                  "(damaged?)", path)
            run_file = os.path.join(folder, point["run_id"], "run.h5")
            run, error = _read(run_file) if os.path.lexists(run_file) else (None, None)
            values = run.sweep_values if run is not None else {o["key"]: _value(o["value"]) for o in point["overrides"]}
            points.append(SweepPoint(point["index"], point["run_id"], values, run_file, run, error))
    return Sweep(folder, manifest["swept_keys"], points, manifest)
