"""The key of a run: a content hash of its configuration and seed, in canonical JSON.

Two runs with the same configuration and seed get the same key on every
machine and in every Python process, so a study's folder can say which runs
are done: ``<key>.json`` exists. The key does not depend on the order in
which the configuration's entries were written, on tuples against lists, or
on NumPy scalars against Python numbers.
"""
import hashlib
import json
import math

import numpy as np

KEY_LENGTH = 20   # hexadecimal digits of SHA-256 kept: 80 bits, no collision in any study's lifetime


def _plain(value, name):
    """``value`` as JSON-ready Python values (tuples as lists, NumPy scalars as numbers); checks finiteness."""
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str):
                raise TypeError(f"{name} keys must be strings, got key {k!r} in {name}")
        return {k: _plain(v, f"{name}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{name}[{i}]") for i, v in enumerate(value)]
    return json_scalar(value, name, "strings, numbers, booleans, None, lists and dicts")


def json_scalar(value, name, allowed="a number, a string, a bool or None"):
    """``value`` as a JSON scalar (NumPy scalars become Python numbers); a non-finite float or another type raises.

    Parameters
    ----------
    value : object
    name : str
        How the error messages call it.
    allowed : str, default "a number, a string, a bool or None"
        What the ``TypeError`` says is allowed.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {name}={value!r}")
        return value
    raise TypeError(f"{name} must be {allowed}, got {name}={value!r} of type {type(value).__name__}")


def canonical_json(value, name="config"):
    """The canonical JSON text of ``value``: keys sorted, no spaces, ASCII only.

    Parameters
    ----------
    value : dict, list, str, int, float, bool or None
        Nested as deep as wanted; tuples are written as lists and NumPy
        scalars as Python numbers.
    name : str, default "config"
        The argument's name, used in error messages.

    Raises
    ------
    TypeError
        A value JSON cannot hold (an object, a set, an array) or a non-string key.
    ValueError
        A NaN or an infinity (JSON has neither).
    """
    return json.dumps(_plain(value, name), sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)


def check_seed(seed, name="seed"):
    """``seed`` as an int if it is a non-negative integer (not a bool); else ``ValueError``/``TypeError``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be a non-negative integer, got {name}={seed!r}")
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {name}={seed!r}")
    return int(seed)


def run_key(config, seed):
    """The key of the run of ``config`` with ``seed``: the first 20 hex digits of a SHA-256.

    Parameters
    ----------
    config : dict
        The run's configuration (see :func:`canonical_json`).
    seed : int
        The run's seed, >= 0.

    Returns
    -------
    str
        20 lowercase hexadecimal digits, the same in every process.
    """
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict, got config={config!r}")
    text = canonical_json({"config": config, "seed": check_seed(seed)})
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:KEY_LENGTH]
