"""A run's record: a flat dict of numbers and strings (and the History as lists), checked.

The run function of a study returns one record per run: final and best
metrics, the number of epochs, anything else worth a column, and, if it
wants, the History's per-epoch lists. Everything in it must survive JSON
unchanged, so a record read back from disk equals the record written.
"""
import math

import numpy as np

from .keys import json_scalar


def _scalar(value, name):
    """A JSON scalar from ``value`` (NumPy scalars become Python numbers); a non-finite float raises."""
    return json_scalar(value, f"the record's {name}", "a number, a string, a bool, None or a list of numbers")


def _number_list(value, name):
    """A (nested) list of Python floats/ints; non-finite entries become None (JSON has no NaN).

    A numeric array (or a list that NumPy reads as one, e.g. 10,000 test-set confidences) is
    converted in one vectorized step; anything else (strings, ragged lists) element by element.
    """
    try:
        arr = np.asarray(value)
    except ValueError:                          # ragged nesting
        arr = None
    if arr is not None and arr.dtype.kind in "biuf" and arr.size:
        if arr.dtype.kind == "b" or arr.dtype.kind in "iu" or np.isfinite(arr).all():
            return arr.tolist()
        obj = arr.astype(object)
        obj[~np.isfinite(arr)] = None
        return obj.tolist()
    out = []
    for v in value:
        if isinstance(v, (list, tuple, np.ndarray)):
            out.append(_number_list(v, name))
        elif isinstance(v, (float, np.floating)) and not math.isfinite(v):
            out.append(None)
        else:
            out.append(_scalar(v, name))
    return out


def check_record(record):
    """Check a run function's return value and give it back as plain JSON values.

    Parameters
    ----------
    record : dict
        String keys; values are numbers (finite), strings, booleans, None,
        or lists of numbers (a NaN or an infinity in a list -- a diverged
        epoch -- is stored as None).

    Returns
    -------
    dict
        A new dict of Python values (NumPy scalars and arrays converted).

    Raises
    ------
    TypeError
        ``record`` is not a dict, has a non-string key, or holds another type.
    ValueError
        A scalar is NaN or infinite.
    """
    if not isinstance(record, dict):
        raise TypeError(f"the run function must return a dict, got {type(record).__name__}: {record!r:.200}")
    out = {}
    for key, value in record.items():
        if not isinstance(key, str):
            raise TypeError(f"the record's keys must be strings, got key {key!r}")
        if isinstance(value, (list, tuple, np.ndarray)):
            out[key] = _number_list(value, key)
        else:
            out[key] = _scalar(value, key)
    return out


def _finite_or_none(v):
    return float(v) if v is not None and math.isfinite(v) else None


def history_record(history, prefix="history_"):
    """The record fields of an ``nr.History``: final and best metrics, epochs, and its lists.

    Parameters
    ----------
    history : nr.History
        What ``nr.fit`` returned.
    prefix : str, default "history_"
        Prefix of the per-epoch lists' keys (``history_train_loss`` ...).

    Returns
    -------
    dict
        ``epochs``, ``stop_reason``, ``best_epoch``, ``final_<metric>`` for
        each recorded metric but ``epoch_time``, ``best_valid_loss`` and ``best_valid_accuracy``
        (at ``best_epoch``), and ``<prefix><metric>`` lists. Non-finite
        values (a diverged run) are None.
    """
    d = history.to_dict()
    out = {"epochs": history.epochs, "stop_reason": history.stop_reason, "best_epoch": history.best_epoch}
    for m in history.metrics():
        if m != "epoch_time":                      # wall-clock seconds: a list, not a metric
            out[f"final_{m}"] = _finite_or_none(d[m][-1])
        out[f"{prefix}{m}"] = d[m]
    best = history.best_epoch
    for m in ("valid_loss", "valid_accuracy"):
        if best is not None and d[m]:
            out[f"best_{m}"] = _finite_or_none(d[m][best - 1])
    return out
