"""A study's folder: one JSON file per finished run, written atomically, read back with checks.

Layout of ``<out>/``::

    study.json            the study's description (name, run function, configurations, seeds)
    runs/<key>.json       a finished run: its configuration, seed, attempts, wall time and record
    failed/<key>.json     a run that failed after its retries: its errors (removed once it succeeds)
    runs/<key>.json.malformed   a run file that could not be read, set aside (the run is redone)

Every file is written to a temporary file and renamed over its name, so a
study killed at any moment leaves each file either whole or absent; the
temporary files a killed runner leaves (``.<name>.<random>.tmp``) are
removed when the folder is opened again. One runner writes a folder at a
time (the workers, local or on a cluster, write nothing: they return records
to the runner).
"""
import json
import os
import warnings

from ..files import atomic_write

from .keys import KEY_LENGTH, run_key

FORMAT = "numreg.study run"
VERSION = 1


class MalformedRecordWarning(UserWarning):
    """A run file that could not be read (it is set aside and the run redone)."""


def _write_json(path, obj):
    atomic_write(path, lambda f: f.write(json.dumps(obj, indent=1, sort_keys=True)), mode="w")


class RunStore:
    """The folder of one study (see the module docstring for its layout).

    Parameters
    ----------
    folder : str or path-like
        Created if missing. Must not be an existing file.

    Raises
    ------
    ValueError
        ``folder`` is empty or is a file.
    """

    def __init__(self, folder):
        if folder is None or os.fspath(folder) == "":
            raise ValueError(f"out must be a folder path, got out={folder!r}")
        self.folder = os.fspath(folder)
        if os.path.exists(self.folder) and not os.path.isdir(self.folder):
            raise ValueError(f"out must be a folder, got a file: out={self.folder!r}")
        for sub in ("runs", "failed"):
            os.makedirs(os.path.join(self.folder, sub), exist_ok=True)
        self.removed_temporaries = self._remove_temporaries()

    def _remove_temporaries(self):
        """Delete the temporary files of writes a killed runner left half done; returns their number."""
        n = 0
        for sub in ("", "runs", "failed"):
            folder = os.path.join(self.folder, sub)
            for name in os.listdir(folder):
                if name.startswith(".") and name.endswith(".tmp"):
                    os.unlink(os.path.join(folder, name))
                    n += 1
        return n

    def path(self, key, kind="runs"):
        """The file of run ``key`` (``kind``: ``"runs"`` or ``"failed"``)."""
        return os.path.join(self.folder, kind, f"{key}.json")

    def write_study(self, description):
        """Write ``study.json`` (the study's description), atomically."""
        _write_json(os.path.join(self.folder, "study.json"), description)

    def save(self, envelope):
        """Write a finished run's envelope to ``runs/<key>.json`` and drop its ``failed`` file."""
        _write_json(self.path(envelope["key"]), envelope)
        try:
            os.unlink(self.path(envelope["key"], "failed"))
        except FileNotFoundError:
            pass

    def save_failure(self, envelope):
        """Write a failed run's envelope (its errors) to ``failed/<key>.json``."""
        _write_json(self.path(envelope["key"], "failed"), envelope)

    def load(self, key):
        """Read finished run ``key`` back, checked.

        Parameters
        ----------
        key : str
            The run's key (:func:`numreg.study.run_key`).

        Returns
        -------
        (dict or None, str or None)
            ``(envelope, None)`` for a finished run; ``(None, None)`` if the
            run is not done; ``(None, reason)`` if its file is not a
            readable, consistent run file (truncated, edited, of another
            run): the file is then reported with a ``MalformedRecordWarning``,
            renamed ``<key>.json.malformed`` and the run counts as not done.
        """
        path = self.path(key)
        if not os.path.exists(path):
            return None, None
        try:
            with open(path, encoding="utf-8") as f:
                envelope = json.load(f)
            _check_envelope(envelope, key)
        except (OSError, ValueError, TypeError, KeyError) as e:
            reason = f"{type(e).__name__}: {e}"
            os.replace(path, path + ".malformed")
            warnings.warn(f"malformed run file {path} ({reason}); set aside as {path}.malformed, the run is redone",
                          MalformedRecordWarning, stacklevel=2)
            return None, reason
        return envelope, None


def _check_envelope(envelope, key):
    """Raise ``ValueError`` unless ``envelope`` is a well-formed finished run whose key is ``key``."""
    if not isinstance(envelope, dict):
        raise ValueError(f"not a JSON object but {type(envelope).__name__}")
    if envelope.get("format") != FORMAT or envelope.get("version") != VERSION:
        raise ValueError(f"not a {FORMAT!r} file of version {VERSION}")
    if envelope.get("status") != "ok" or not isinstance(envelope.get("record"), dict):
        raise ValueError("no record of a finished run")
    if len(key) != KEY_LENGTH or envelope.get("key") != key or run_key(envelope["config"], envelope["seed"]) != key:
        raise ValueError("its configuration and seed do not give its key")


def envelope(key, config, seed, record, attempts, wall_time):
    """The JSON object stored for a finished run."""
    return {"format": FORMAT, "version": VERSION, "key": key, "config": config, "seed": seed, "status": "ok",
            "attempts": attempts, "wall_time": wall_time, "record": record}


def failure(key, config, seed, errors):
    """The JSON object stored for a run that failed every attempt."""
    return {"format": FORMAT, "version": VERSION, "key": key, "config": config, "seed": seed,
            "status": "failed", "attempts": len(errors), "errors": errors}
