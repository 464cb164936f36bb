"""A study's tidy table: one row per configuration, mean +- standard deviation and n over seeds."""
import csv
import io
import json
import math

import numpy as np

from ..files import atomic_write

from .keys import canonical_json


def _is_number(v):
    return not isinstance(v, bool) and isinstance(v, (int, float))


def numeric_fields(records):
    """The record fields that are a number (or None) in every record, in first-seen order."""
    names = []
    for env in records:
        names += [k for k in env["record"] if k not in names]
    return [k for k in names
            if all(_is_number(e["record"].get(k)) or e["record"].get(k) is None for e in records)
            and any(_is_number(e["record"].get(k)) for e in records)]


def _group(records):
    groups = {}
    for env in records:
        groups.setdefault(canonical_json(env["config"]), []).append(env)
    return list(groups.values())


def aggregate(records, metrics=None):
    """One row per configuration: its values, ``n`` (seeds), and each metric's mean and std.

    Parameters
    ----------
    records : list of dict
        Run envelopes (``StudyResult.records``).
    metrics : sequence of str or None, default None
        The record fields to summarize; None: every numeric field.

    Returns
    -------
    list of dict
        Keys: the configuration's keys, ``n``, ``<metric>_mean`` and
        ``<metric>_std`` (ddof=1; 0.0 for one seed). A None value (e.g. the
        loss of a diverged run) is left out of that metric's mean, and
        ``<metric>_n`` says how many values the mean has when it is not ``n``.

    Raises
    ------
    ValueError
        No records, or a metric that is not a number in the records.
    """
    if not records:
        raise ValueError("records must hold at least one run, got records=[]")
    metrics = numeric_fields(records) if metrics is None else list(metrics)
    rows = []
    for group in _group(records):
        row = {**group[0]["config"], "n": len(group)}
        for m in metrics:
            row.update(_summary(group, m))
        rows.append(row)
    return rows


def _summary(group, m):
    values = [e["record"].get(m) for e in group]
    bad = [v for v in values if v is not None and (not _is_number(v) or not math.isfinite(v))]
    if bad:
        raise ValueError(f"metric {m!r} must be a finite number, got {bad[0]!r} for config={group[0]['config']}")
    x = np.array([v for v in values if v is not None], dtype=float)
    out = {f"{m}_mean": float(x.mean()) if len(x) else None,
           f"{m}_std": float(x.std(ddof=1)) if len(x) > 1 else (0.0 if len(x) else None)}
    if len(x) != len(values):
        out[f"{m}_n"] = len(x)
    return out


def _number(v, digits):
    """``v`` with ``digits`` decimals, or in scientific notation if that would show only zeros."""
    if v != 0 and abs(v) < 0.5 * 10.0 ** -digits:
        return f"{v:.1e}"
    return f"{v:.{digits}f}"


def _cell(v, digits):
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def config_columns(rows):
    """The configuration keys of the rows (every key but ``n`` and the metrics' summaries)."""
    summary = lambda k, r: k.endswith(("_mean", "_std")) or (k.endswith("_n") and k[:-2] + "_mean" in r)  # noqa: E731
    keys = []
    for r in rows:
        keys += [k for k in r if k != "n" and not summary(k, r) and k not in keys]
    return keys


def constant_columns(rows):
    """``{key: value}`` of the configuration keys that have one value in all the rows."""
    return {k: rows[0].get(k) for k in config_columns(rows) if all(r.get(k) == rows[0].get(k) for r in rows)}


def format_table(rows, metrics, digits=4, columns=None):
    """The rows as aligned text: configuration columns, ``n``, and ``mean ± std`` per metric.

    Parameters
    ----------
    rows : list of dict
        From :func:`aggregate`.
    metrics : sequence of str
        The metrics shown, one column each (``mean ± std``; ``-`` if no value).
    digits : int, default 4
        Decimals of the metrics (significant digits of float configuration values).
    columns : sequence of str or None, default None
        The configuration columns shown (None: all).
    """
    keys = config_columns(rows) if columns is None else list(columns)
    head = keys + ["n"] + list(metrics)
    body = []
    for r in rows:
        cells = [_cell(r.get(k), digits) for k in keys] + [str(r["n"])]
        for m in metrics:
            mean, std = r.get(f"{m}_mean"), r.get(f"{m}_std")
            cells.append("-" if mean is None else f"{_number(mean, digits)} ± {_number(std, digits)}")
        body.append(cells)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    fmt = lambda cells: "  ".join(str(c).rjust(w) for c, w in zip(cells, widths))   # noqa: E731
    return [fmt(head), "-" * len(fmt(head))] + [fmt(c) for c in body]


def write_table(rows, stem):
    """Write the rows to ``<stem>.csv`` and ``<stem>.json``, atomically; returns both paths."""
    fields = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in r.items()} for r in rows)
    paths = (f"{stem}.csv", f"{stem}.json")
    atomic_write(paths[0], lambda f: f.write(buf.getvalue()), mode="w")
    atomic_write(paths[1], lambda f: f.write(json.dumps(rows, indent=1)), mode="w")
    return paths
