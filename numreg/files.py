"""Atomic ``.npz`` files: a crash mid-write never leaves a half-written file.

Every file is written to a temporary file in the same folder, flushed to
disk, then renamed over the target (``os.replace`` is atomic on POSIX and
Windows). Files are read back with ``allow_pickle=False``.
"""
import json
import os
import tempfile

import numpy as np

from .core import checks


def _temporary_prefix(path):
    """The name every temporary file of ``path`` starts with: ``.<name>.`` (they end with ``.tmp``)."""
    return "." + os.path.basename(path) + "."


def atomic_write(path, write, mode="wb"):
    """Call ``write(file)`` on a temporary file, then rename it to ``path``.

    On any exception the temporary file is removed and ``path`` is left as
    it was.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (its folder is created if needed).
    write : callable
        ``write(file)`` writes the content to the open temporary file.
    mode : {"wb", "w"}, default "wb"
        Binary or text.
    """
    path = checks.path("path", path)
    checks.function("write", write, "a function write(file)")
    mode = checks.choice("mode", mode, ("wb", "w"))
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, mode) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; data and checkpoints are not
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def temporary_files(path):
    """The temporary files ``atomic_write`` leaves beside ``path`` if a process is killed mid-write."""
    path = checks.path("path", path)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = _temporary_prefix(path)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names if n.startswith(prefix) and n.endswith(".tmp")]


def prepare_output(path, name="path"):
    """Check, before any work, that ``path`` can be written; remove stale temporary files of it.

    Raises ``ValueError`` naming ``name`` and the path if it is empty, a
    folder, or in a folder where no file can be created. Temporary files
    that an earlier, killed writer left beside ``path`` are deleted (one
    run writes one path at a time).
    """
    name = checks.instance("name", name, str, "the argument's name (a str)")
    path = checks.path(name, path)
    if os.path.isdir(path):
        raise ValueError(f"{name} is a folder, not a file: {name}={path!r}")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise ValueError(f"{name} cannot be written: {name}={path!r} ({e.strerror or e})") from None
    for stale in temporary_files(path):
        try:
            os.unlink(stale)
        except OSError:
            pass
    return path


def save_npz(path, arrays):
    """Write a dict of arrays to ``path`` as an uncompressed ``.npz``, atomically.

    ``arrays`` maps names (str) to arrays of numbers or strings (not objects:
    ``load_npz`` reads without pickle).
    """
    path = checks.path("path", path)
    if not isinstance(arrays, dict):
        raise checks.type_error("arrays", "a dict {name: array}", arrays)
    for k, a in arrays.items():
        if not isinstance(k, str) or np.asarray(a).dtype.kind == "O":
            raise checks.type_error(f"arrays[{k!r}]", "an array of numbers or strings under a str name", a)
    atomic_write(path, lambda f: np.savez(f, **arrays))


def load_npz(path):
    """Read an ``.npz`` written by :func:`save_npz` into a dict (``allow_pickle=False``).

    Raises ``ValueError`` naming the path if the file is not a readable ``.npz``.
    """
    path = checks.path("path", path)
    with open(path, "rb") as f:               # FileNotFoundError as it is
        magic = f.read(4)
    if magic != b"PK\x03\x04":                # an .npz is a zip archive; anything else is not one
        raise ValueError(f"cannot read checkpoint {path!r}: not an .npz file (it does not start as a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise
    except Exception as e:  # zipfile.BadZipFile, EOFError, OSError, ValueError...
        raise ValueError(f"cannot read checkpoint {path!r}: {type(e).__name__}: {e}") from None


def save_json(path, obj):
    """Write ``obj`` (dicts, lists, strings, numbers, None) as indented JSON to ``path``, atomically."""
    try:
        text = json.dumps(obj, indent=2)       # before the file is touched
    except (TypeError, ValueError) as e:
        raise checks.type_error("obj", f"JSON-ready data ({e})", obj) from None
    atomic_write(path, lambda f: f.write(text), mode="w")
