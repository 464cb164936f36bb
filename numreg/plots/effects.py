"""Figures of a regularizer's effect over seeds: train/test curves with and without it, the sweep of its
strength, and the paired effect in numbers.

The notebooks of chapter 7 show each technique the way the chapter defines regularization, "any
modification we make to a learning algorithm that is intended to reduce its generalization error but
not its training error": training and test error per epoch, both runs (``train_test_curves``), and test
error against the technique's strength, from under- to over-regularized (``strength_sweep``), each as
the mean over seeds with its standard error. ``paired_effect`` measures a difference seed by seed
(same data and batch order per seed, only the technique changed) and says, in a sentence, whether it
exceeds twice its standard error.
"""
import numpy as np
from matplotlib.ticker import NullFormatter

from ..core import checks
from .style import PALETTE, figure_and_axes

__all__ = ["mean_se", "paired_effect", "train_test_curves", "strength_sweep"]


def mean_se(values, axis=0):
    """Mean and standard error of the mean (``std(ddof=1) / sqrt(n)``) along ``axis`` (the seeds).

    With a single value along ``axis`` the standard error is 0 (nothing to estimate it from).
    """
    values = checks.float_array("values", values, dtype=np.float64)
    axis = checks.integer("axis", axis, low=-max(values.ndim, 1), high=max(values.ndim, 1) - 1)
    if values.ndim == 0:
        raise ValueError(f"values must have an axis of seeds, got a scalar values={values!r}")
    n = values.shape[axis]
    if n == 0:
        raise ValueError("values must hold at least one seed along axis, got none")
    mean = values.mean(axis=axis)
    se = values.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(mean)
    return mean, se


def paired_effect(baseline, treated, name="the technique", metric="test error", digits=3):
    """The paired difference ``baseline - treated`` over seeds: ``(mean, se, sentence)``.

    ``baseline[i]`` and ``treated[i]`` come from the same seed (same data, initialization and batch
    order), so the seed-to-seed variation cancels in the difference. Positive means the technique
    lowered ``metric``. The sentence says whether the mean difference exceeds twice its standard error.
    """
    baseline = checks.float_array("baseline", baseline, ndim=1, dtype=np.float64)
    treated = checks.float_array("treated", treated, ndim=1, dtype=np.float64)
    name = checks.instance("name", name, str, "a str")
    metric = checks.instance("metric", metric, str, "a str")
    digits = checks.integer("digits", digits, low=0, high=12)
    if baseline.shape != treated.shape or baseline.ndim != 1:
        raise ValueError(f"baseline and treated must be 1-d arrays of the same length (one value per seed), "
                         f"got shapes {baseline.shape} and {treated.shape}")
    d = baseline - treated
    mean, se = mean_se(d)
    mean, se = float(mean), float(se)
    n = len(d)
    direction = "lowers" if mean > 0 else "raises"
    if abs(mean) > 2 * se:
        verdict = f"the effect exceeds twice its standard error ({abs(mean) / se:.2f} SE)" if se > 0 else \
            "the same difference on every seed"
    else:
        verdict = (f"this is NOT more than twice its standard error: with {n} seeds the notebook cannot "
                   f"tell the difference from seed-to-seed noise")
    lower = int(np.sum(d > 0))
    sentence = (f"Over {n} paired seeds, {name} {direction} the {metric} by {abs(mean):.{digits}f} "
                f"± {se:.{digits}f} (mean ± standard error of the paired differences; lower on {lower} of {n} "
                f"seeds); {verdict}.")
    return mean, se, sentence


def _band(ax, x, values, color, label, linestyle="-"):
    mean, se = mean_se(values)
    ax.plot(x, mean, color=color, linestyle=linestyle, label=label)
    if values.shape[0] > 1:
        ax.fill_between(x, mean - se, mean + se, color=color, alpha=0.2, linewidth=0)


def train_test_curves(runs, x=None, ax=None, xlabel="epoch", ylabel="error", title=None, logy=False):
    """Training (dashed) and test (solid) curves per epoch, mean ± standard error over seeds, one colour a run.

    Parameters
    ----------
    runs : dict
        ``{name: (train, test)}``, each an array of shape ``(seeds, epochs)`` (curves of equal length).
    x : array or None
        The epochs (or steps) the curves were recorded at; None: 1, 2, ...
    ax : matplotlib Axes or None
        Draw here; None: a new figure.
    xlabel, ylabel, title : str
    logy : bool, default False

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(runs, dict) or not runs:
        raise checks.type_error("runs", "a non-empty dict {name: (train, test)}", runs)
    logy = checks.flag("logy", logy)
    xlabel, ylabel = (checks.instance(n, v, str, "a str") for n, v in (("xlabel", xlabel), ("ylabel", ylabel)))
    fig, ax = figure_and_axes(ax, title)
    for (name, (train, test)), color in zip(runs.items(), PALETTE):
        train = np.atleast_2d(checks.float_array(f"runs[{name!r}][0]", train))
        test = np.atleast_2d(checks.float_array(f"runs[{name!r}][1]", test))
        if train.shape != test.shape:
            raise ValueError(f"run {name!r}: train and test curves differ in shape, {train.shape} and {test.shape}")
        xs = np.arange(1, train.shape[1] + 1) if x is None else checks.float_array("x", x, ndim=1)
        if len(xs) != train.shape[1]:
            raise ValueError(f"run {name!r}: {train.shape[1]} points per curve but {len(xs)} x values")
        _band(ax, xs, train, color, f"{name}: training", linestyle="--")
        _band(ax, xs, test, color, f"{name}: test")
    return _finish(fig, ax, xlabel, ylabel, title, logy)


def strength_sweep(strengths, test, train=None, baseline=None, best=None, ax=None, xlabel="strength",
                   ylabel="error", title=None, label="test", color=None, logy=False):
    """Test (and training) error against a technique's strength on a log axis, mean ± standard error.

    Parameters
    ----------
    strengths : sequence of float, all > 0
        The x values (log scale).
    test : array (seeds, len(strengths))
    train : array (seeds, len(strengths)) or None
        Drawn dashed, in the same colour.
    baseline : array (seeds,) or None
        Test error without the technique: a horizontal line with its standard-error band.
    best : float or None
        A strength to mark with a vertical dotted line (the sweet spot).
    ax, xlabel, ylabel, title, label, color, logy
        ``label`` names the curve (e.g. ``"L2"``); call again on the same ``ax``, with another ``color``
        (default ``PALETTE[0]``) and ``baseline=None``, to add a second technique.

    Returns
    -------
    matplotlib.figure.Figure
    """
    strengths = checks.float_array("strengths", strengths, ndim=1, dtype=np.float64)
    logy = checks.flag("logy", logy)
    xlabel, ylabel, label = (checks.instance(n, v, str, "a str")
                             for n, v in (("xlabel", xlabel), ("ylabel", ylabel), ("label", label)))
    if len(strengths) < 2 or np.any(strengths <= 0):
        raise ValueError(f"strengths must be at least two values > 0 (a log axis), got {strengths.tolist()}")
    test = np.atleast_2d(checks.float_array("test", test))
    if test.ndim != 2 or test.shape[1] != len(strengths):
        raise ValueError(f"test must have one column per strength ({len(strengths)}), got shape {test.shape}")
    fig, ax = figure_and_axes(ax, title)
    color = color or PALETTE[0]
    mean, se = mean_se(test)
    ax.errorbar(strengths, mean, yerr=se, color=color, marker="o", capsize=3, label=f"{label}: test")
    if train is not None:
        train = np.atleast_2d(checks.float_array("train", train))
        tmean, tse = mean_se(train)
        ax.errorbar(strengths, tmean, yerr=tse, color=color, marker=".", linestyle="--", capsize=2,
                    alpha=0.8, label=f"{label}: training")
    if baseline is not None:
        bmean, bse = mean_se(checks.float_array("baseline", baseline, dtype=np.float64).ravel())
        ax.axhline(bmean, color="grey", linewidth=1, label="without: test")
        ax.axhspan(bmean - bse, bmean + bse, color="grey", alpha=0.15, linewidth=0)
    if best is not None:
        best = checks.positive("best", best)
        ax.axvline(best, color=color, linestyle=":", linewidth=1)
    ax.set_xscale("log")
    # one labelled tick per strength swept (those of earlier calls on the same axes too), no minor labels
    # (a strength within 30% of one already labelled gets no label of its own: the labels would overlap)
    ticks = list(getattr(ax, "_numreg_strengths", ()))
    for t in strengths.tolist():
        if all(abs(np.log(t / u)) > np.log(1.3) for u in ticks):
            ticks.append(t)
    ticks.sort()
    ax._numreg_strengths = ticks
    ax.set_xticks(ticks, [f"{t:.3g}" for t in ticks], rotation=45 if len(ticks) > 6 else 0)
    ax.xaxis.set_minor_formatter(NullFormatter())
    return _finish(fig, ax, xlabel, ylabel, title, logy)


def _finish(fig, ax, xlabel, ylabel, title, logy):
    """The common end of the effect figures: scale, labels, title, grid and legend; returns ``fig``."""
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return fig
