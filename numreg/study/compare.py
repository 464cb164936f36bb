"""A/B comparisons on identical streams: paired differences over seeds, with confidence intervals.

Two configurations run with the same seed see the same data split, batch
order, augmentation and noise (:mod:`numreg.study.seeds`), so the fair
comparison is per seed: ``d_s = metric(B, s) - metric(A, s)``. Much of the
seed-to-seed spread cancels in ``d_s``, and the interval of its mean is far
narrower than two means' error bars suggest. Two intervals are given:

- paired t: ``mean(d) +- t_{n-1, (1+c)/2} * sd(d) / sqrt(n)``;
- paired bootstrap: the percentile interval of ``mean(d*)`` over
  ``n_boot`` resamples of the seeds with replacement (differences kept paired).
"""
import math
from dataclasses import dataclass

import numpy as np

from .keys import canonical_json
from .stats import t_quantile


@dataclass(frozen=True)
class PairedDifference:
    """The paired difference ``B - A`` of one metric over seeds.

    Attributes
    ----------
    metric : str
    baseline, treatment : dict
        Configurations A and B.
    seeds : tuple of int
        The seeds both have, in increasing order.
    differences : tuple of float
        ``metric(B, s) - metric(A, s)`` per seed.
    n : int
    mean, std : float
        Mean and standard deviation (ddof=1) of the differences.
    confidence : float
    t_interval, bootstrap_interval : (float, float)
        The paired-t and paired-bootstrap intervals of the mean difference.
    """

    metric: str
    baseline: dict
    treatment: dict
    seeds: tuple
    differences: tuple
    n: int
    mean: float
    std: float
    confidence: float
    t_interval: tuple
    bootstrap_interval: tuple


def _check_confidence(confidence, n_boot):
    if not isinstance(confidence, (int, float)) or not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got confidence={confidence!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 100:
        raise ValueError(f"n_boot must be an integer >= 100, got n_boot={n_boot!r}")


def t_interval(d, confidence=0.95):
    """The paired-t interval ``mean(d) +- t_{n-1,(1+c)/2} sd(d) / sqrt(n)``.

    Parameters
    ----------
    d : array_like of float, (n,)
        The paired differences, n >= 2.
    confidence : float, default 0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    (float, float)
    """
    n = len(d)
    half = t_quantile(0.5 + confidence / 2, n - 1) * float(np.std(d, ddof=1)) / math.sqrt(n)
    m = float(np.mean(d))
    return (m - half, m + half)


def bootstrap_interval(d, confidence=0.95, n_boot=10000, seed=0):
    """The percentile interval of ``mean(d*)`` over ``n_boot`` resamples of ``d`` (one matrix, no loop).

    Parameters
    ----------
    d : array_like of float, (n,)
        The paired differences; a resample draws n of them with replacement,
        so each seed's pair stays together.
    confidence : float, default 0.95
        Coverage of the interval, in (0, 1).
    n_boot : int, default 10000
        Resamples.
    seed : int, default 0
        Seed of the resampling.

    Returns
    -------
    (float, float)
    """
    d = np.asarray(d, dtype=float)
    idx = np.random.default_rng(seed).integers(0, len(d), size=(n_boot, len(d)))
    means = d[idx].mean(axis=1)
    lo, hi = np.quantile(means, [0.5 - confidence / 2, 0.5 + confidence / 2])
    return (float(lo), float(hi))


def _values_by_seed(records, config, metric):
    """``{seed: value}`` of ``metric`` over the records of ``config``; a missing or non-finite value raises."""
    want = canonical_json(config)
    out = {}
    for env in records:
        if canonical_json(env["config"]) != want:
            continue
        v = env["record"].get(metric)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"metric {metric!r} must be a finite number in every record, got {v!r} "
                             f"for config={env['config']} seed={env['seed']}")
        out[env["seed"]] = float(v)
    return out


def paired_difference(records, metric, baseline, treatment, confidence=0.95, n_boot=10000, seed=0):
    """The paired difference ``treatment - baseline`` of ``metric``, matched on seeds.

    Parameters
    ----------
    records : list of dict
        Run envelopes (``StudyResult.records``).
    metric : str
        A numeric field of the records, e.g. ``"test_accuracy"``.
    baseline, treatment : dict
        The two configurations (A and B), each exactly as in the study's grid.
    confidence : float, default 0.95
        Coverage of both intervals, in (0, 1).
    n_boot : int, default 10000
        Bootstrap resamples (>= 100).
    seed : int, default 0
        Seed of the bootstrap's resampling (the result is deterministic).

    Returns
    -------
    PairedDifference

    Raises
    ------
    ValueError
        Fewer than 2 seeds in common, a missing or non-finite metric, bad ``confidence`` or ``n_boot``.
    """
    _check_confidence(confidence, n_boot)
    a, b = _values_by_seed(records, baseline, metric), _values_by_seed(records, treatment, metric)
    seeds = tuple(sorted(set(a) & set(b)))
    if len(seeds) < 2:
        raise ValueError(f"a paired comparison needs at least 2 seeds run with both configurations, got "
                         f"{len(seeds)} for baseline={baseline} and treatment={treatment}")
    d = np.array([b[s] - a[s] for s in seeds])
    return PairedDifference(metric, dict(baseline), dict(treatment), seeds, tuple(d.tolist()), len(d),
                            float(d.mean()), float(d.std(ddof=1)), confidence, t_interval(d, confidence),
                            bootstrap_interval(d, confidence, n_boot, seed))


def paired_differences(records, metric, factor, baseline, **kwargs):
    """Every configuration against its twin that differs only in ``factor = baseline``.

    Parameters
    ----------
    records : list of dict
        Run envelopes.
    metric : str
        The metric compared.
    factor : str
        The configuration key of the technique under study (e.g. ``"dropout"``).
    baseline : object
        The value of ``factor`` that is the reference (e.g. ``0.0``).
    **kwargs
        ``confidence``, ``n_boot``, ``seed`` of :func:`paired_difference`.

    Returns
    -------
    list of PairedDifference
        One per configuration whose ``factor`` is not ``baseline`` and whose twin exists, in the study's order.
    """
    configs = []
    for env in records:
        if env["config"] not in configs:
            configs.append(env["config"])
    if not any(factor in c for c in configs):
        raise ValueError(f"factor must be a key of the configurations, got factor={factor!r}")
    out = []
    for c in configs:
        twin = {**c, factor: baseline}
        if c.get(factor) != baseline and twin in configs:
            out.append(paired_difference(records, metric, twin, c, **kwargs))
    return out


def _varying(configs):
    """The keys whose value is not the same in all ``configs``."""
    keys = {k for c in configs for k in c}
    return [k for k in sorted(keys) if len({canonical_json(c.get(k)) for c in configs}) > 1]


def format_differences(diffs, digits=4):
    """Text lines, one per paired difference: what changed, the mean difference, both intervals, n.

    Each line reads ``metric: B vs A [context]: mean (paired t [lo, hi], bootstrap [lo, hi], n)``,
    where B and A show only the keys in which the two configurations differ, and the context the
    keys that tell the baselines of ``diffs`` apart.
    """
    context = _varying([p.baseline for p in diffs])
    lines = []
    for p in diffs:
        changed = [k for k in p.treatment if p.baseline.get(k) != p.treatment[k]]
        b = ", ".join(f"{k}={p.treatment[k]}" for k in changed)
        a = ", ".join(f"{k}={p.baseline.get(k)}" for k in changed)
        where = ", ".join(f"{k}={p.baseline.get(k)}" for k in context if k not in changed)
        (tl, th), (bl, bh) = p.t_interval, p.bootstrap_interval
        lines.append(f"{p.metric}: {b} vs {a}{f' [{where}]' if where else ''}: {p.mean:+.{digits}f} "
                     f"(paired t {p.confidence:.0%} [{tl:+.{digits}f}, {th:+.{digits}f}], "
                     f"bootstrap [{bl:+.{digits}f}, {bh:+.{digits}f}], n={p.n})")
    return lines
