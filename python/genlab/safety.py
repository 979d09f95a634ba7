"""Reading files that may be damaged or hostile: nothing is waited on, followed out of the
run's folder, allocated or evaluated on a file's word, and every failure of a damaged file
is a ``GenLabError`` naming it."""

import contextlib
import os
import stat

import h5py

from .errors import GenLabError

#: The most values read from one dataset (2³¹: 8 GiB of floats), as GenLab itself.
MAX_VALUES = 1 << 31
#: The most a stored byte expands to (deflate's largest ratio, 1032 : 1).
MAX_EXPANSION = 1032
#: The largest sweep definition read (as GenLab itself).
MAX_MANIFEST_BYTES = 256 << 20


def check_regular(path):
    """Raises unless ``path`` is a regular file (following links): a FIFO, device, socket or
    folder would block or mislead a reader."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise GenLabError("not_found", "no such file", path) from None
    except OSError as error:
        raise GenLabError("not_a_run", f"cannot read it ({error.strerror})", path) from None
    if not stat.S_ISREG(mode):
        raise GenLabError("not_a_run", "not a regular file (a FIFO, device, socket or folder)", path)


def read_bytes(path, limit):
    """The bytes of the regular file at `path`, checked on the open file itself (a FIFO put
    there after a check is never waited on) and refused beyond `limit` bytes."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise GenLabError("not_found", "no such file", path) from None
    except OSError as error:
        raise GenLabError("not_a_run", f"cannot read it ({error.strerror})", path) from None
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise GenLabError("not_a_run", "not a regular file (a FIFO, device, socket or folder)", path)
        if status.st_size > limit:
            raise GenLabError("not_a_run", f"over {limit >> 20} MiB", path)
        return file.read(limit + 1)


def is_folder_name(name):
    """Whether ``name`` (a run id from a file) names a folder directly inside another."""
    return (isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and len(name.encode()) <= 255
            and not any(ord(c) < 32 or ord(c) == 127 for c in name))


def check_links(f, path):
    """Raises if the open run file ``f`` holds an external link that leaves its folder (an
    absolute name, ``..``) or points to anything but a regular file there; walks the groups
    without following any external link."""
    folder = os.path.dirname(os.path.abspath(path))

    def walk(group, depth):
        if depth > 64:
            raise GenLabError("damaged", "groups nested beyond reason (damaged?)", path)
        for name in group:
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                target = link.filename
                if os.path.isabs(target) or ".." in target.split("/"):
                    raise GenLabError("damaged", f"{group.name}/{name} links outside the run's folder ({target!r})", path)
                try:
                    regular = stat.S_ISREG(os.lstat(os.path.join(folder, target)).st_mode)
                except OSError:
                    regular = False
                if not regular:
                    raise GenLabError("damaged", f"{group.name}/{name} links to {target!r}, which is not a regular file "
                                      "beside the run file", path)
            elif isinstance(link, h5py.HardLink) and isinstance(group[name], h5py.Group):
                walk(group[name], depth + 1)
    walk(f, 0)


def read(dataset, path):
    """The values of ``dataset``, after checking that its shape is plausible: at most
    ``MAX_VALUES`` values, and no more than its stored bytes can hold even compressed."""
    shape = dataset.shape or ()
    count = 1
    for size in shape:
        count *= max(int(size), 1)
    stored = dataset.id.get_storage_size()
    if count > MAX_VALUES or (0 not in shape and count * dataset.dtype.itemsize > stored * MAX_EXPANSION + 65536):
        raise GenLabError("damaged", f"{dataset.name} claims a shape of {list(shape)} but stores {stored} bytes (damaged?)", path)
    return dataset[()]


@contextlib.contextmanager
def damaged_as_error(path, what="the run file", kind="damaged"):
    """Turns whatever a damaged file makes Python raise while it is read (a missing key, a
    wrong type, a nesting too deep, an allocation too large) into a ``GenLabError`` of
    ``kind``."""
    try:
        yield
    except GenLabError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError, MemoryError, OverflowError,
            OSError, UnicodeError) as error:
        raise GenLabError(kind, f"{what} does not read as GenLab writes it ({type(error).__name__}: {error}) (damaged?)",
                          path) from None
    except Exception as error:  # PyYAML's errors, h5py's own
        if type(error).__module__.split(".")[0] in ("yaml", "h5py"):
            raise GenLabError(kind, f"{what} does not read as GenLab writes it ({type(error).__name__}: {error}) "
                              "(damaged?)", path) from None
        raise


def check_description(model, path):
    """Raises unless ``model`` (``model_json``) has the form GenLab writes: networks with a
    name and layers, each layer a module name with its arguments."""
    def bad(what):
        raise GenLabError("damaged", f"model_json {what} (damaged?)", path)
    if not isinstance(model, dict) or not isinstance(model.get("networks"), list):
        bad("has no list of networks")
    for network in model["networks"]:
        if not isinstance(network, dict) or not isinstance(network.get("name"), str) or not isinstance(network.get("layers"), list):
            bad("has a network without a name and a list of layers")
        for layer in network["layers"]:
            if (not isinstance(layer, dict) or not isinstance(layer.get("module"), str)
                    or not isinstance(layer.get("arguments"), dict) or not isinstance(layer.get("index"), int)):
                bad(f"has a layer of '{network['name']}' without a module, its arguments and its index")
