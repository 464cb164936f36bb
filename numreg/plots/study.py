"""Figures of a study (``numreg.study``): a metric against a hyper-parameter with error bars, and
paired differences with their confidence intervals (the A/B comparison).

These take the study's plain results -- the rows of ``numreg.study.aggregate`` and the
``PairedDifference`` objects of ``numreg.study.paired_differences`` -- and import nothing of
``numreg.study`` (figures sit below the study runner).
"""
import numpy as np

from ..core import checks
from .style import PALETTE, figure_and_axes

__all__ = ["study_curve", "paired_intervals"]


def _groups(rows, group):
    """``{value of group: rows}`` in first-seen order (one group of all rows if ``group`` is None)."""
    out = {}
    for r in rows:
        out.setdefault(None if group is None else r.get(group), []).append(r)
    return out


def study_curve(rows, parameter, metric, group=None, ax=None, title=None, logx=False):
    """``metric`` (mean +- standard deviation over seeds) against ``parameter``, one line per ``group``.

    Parameters
    ----------
    rows : list of dict
        ``numreg.study.aggregate(records)``: each row has ``parameter``,
        ``<metric>_mean``, ``<metric>_std`` and ``n``.
    parameter : str
        The configuration key on the x axis (numeric values).
    metric : str
        The metric on the y axis, e.g. ``"test_accuracy"``.
    group : str or None, default None
        A configuration key whose values get one line each (e.g. ``"dropout"``);
        None: all rows on one line.
    ax : matplotlib Axes or None, default None
        Draw here; None: a new figure.
    title : str or None, default None
    logx : bool, default False
        Logarithmic x axis (for weight decay, learning rates).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        No rows, or rows without ``parameter`` or ``<metric>_mean``.
    """
    rows = checks.sequence("rows", rows, "a list of the rows (dicts) of numreg.study.aggregate")
    if not rows:
        raise ValueError("rows must hold at least one row, got rows=[]")
    for i, r in enumerate(rows):
        checks.instance(f"rows[{i}]", r, dict, "a row (dict) of numreg.study.aggregate")
    parameter = checks.instance("parameter", parameter, str, "a configuration key (str)")
    metric = checks.instance("metric", metric, str, "a metric name (str)")
    group = checks.optional(checks.instance, "group", group, str, "None or a configuration key (str)")
    logx = checks.flag("logx", logx)
    missing = [k for k in (parameter, f"{metric}_mean") if k not in rows[0]]
    if missing:
        raise ValueError(f"the rows have no {missing[0]!r}: parameter={parameter!r}, metric={metric!r}")
    if group is not None and group not in rows[0]:
        raise ValueError(f"group must be a configuration key of the rows, got group={group!r}")
    fig, ax = figure_and_axes(ax, title)
    for i, (value, rs) in enumerate(_groups(rows, group).items()):
        rs = sorted(rs, key=lambda r: r[parameter])
        x = np.array([r[parameter] for r in rs], dtype=float)
        m = np.array([np.nan if r[f"{metric}_mean"] is None else r[f"{metric}_mean"] for r in rs], dtype=float)
        s = np.array([np.nan if r[f"{metric}_std"] is None else r[f"{metric}_std"] for r in rs], dtype=float)
        label = None if group is None else f"{group} = {value}"
        ax.errorbar(x, m, yerr=s, marker="o", capsize=3, color=PALETTE[i % len(PALETTE)], label=label)
    if logx:
        ax.set_xscale("log")
    ns = sorted({r["n"] for r in rows})
    ax.set_xlabel(parameter)
    ax.set_ylabel(f"{metric} (mean ± sd over {'/'.join(map(str, ns))} seeds)")
    if group is not None:
        ax.legend()
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return fig


def _label(d, context):
    """What the treatment changed, and (below) the context keys that tell the comparisons apart."""
    changed = [k for k, v in d.treatment.items() if d.baseline.get(k) != v]
    text = ", ".join(f"{k}={d.treatment[k]}" for k in changed)
    where = ", ".join(f"{k}={d.baseline.get(k)}" for k in context if k not in changed)
    return text + (f"\n({where})" if where else "")


def _context(diffs):
    """The configuration keys whose value differs between the baselines of ``diffs``."""
    keys = []
    for d in diffs:
        keys += [k for k in d.baseline if k not in keys]
    return [k for k in keys if len({repr(d.baseline.get(k)) for d in diffs}) > 1]


_PAIRED = ("metric", "baseline", "treatment", "n", "mean", "t_interval", "bootstrap_interval", "confidence")


def paired_intervals(diffs, ax=None, title=None):
    """Paired differences ``B - A`` with their paired-t and bootstrap intervals, one row each.

    Parameters
    ----------
    diffs : sequence of PairedDifference
        From ``numreg.study.paired_differences`` (or ``paired_difference``).
    ax : matplotlib Axes or None, default None
    title : str or None, default None

    Returns
    -------
    matplotlib.figure.Figure
        The mean difference as a point, the paired-t interval as a thick bar,
        the bootstrap interval as a thin one, and a line at 0 (no effect).

    Raises
    ------
    ValueError
        ``diffs`` is empty.
    """
    diffs = checks.sequence("diffs", diffs, "a list of PairedDifference (numreg.study.paired_differences)")
    if not diffs:
        raise ValueError("diffs must hold at least one paired difference, got diffs=[]")
    for i, d in enumerate(diffs):
        if any(not hasattr(d, a) for a in _PAIRED):
            raise checks.type_error(f"diffs[{i}]", "a PairedDifference (numreg.study.paired_differences)", d)
    fig, ax = figure_and_axes(ax, title, width=8.0, height=1.2 + 0.6 * len(diffs))
    context = _context(diffs)
    y = np.arange(len(diffs))[::-1]
    for yi, d in zip(y, diffs):
        ax.plot(d.t_interval, [yi + 0.08] * 2, color=PALETTE[0], lw=4, solid_capstyle="butt")
        ax.plot(d.bootstrap_interval, [yi - 0.08] * 2, color=PALETTE[1], lw=1.5)
        ax.plot([d.mean], [yi], "o", color="black")
    ax.plot([], [], color=PALETTE[0], lw=4, label=f"paired t {diffs[0].confidence:.0%}")
    ax.plot([], [], color=PALETTE[1], lw=1.5, label="paired bootstrap")
    ax.axvline(0.0, color="gray", lw=1, ls="--")
    ax.set_yticks(y, [_label(d, context) for d in diffs], fontsize=8)
    ax.set_xlabel(f"{diffs[0].metric}: treatment − baseline (n = {'/'.join(sorted({str(d.n) for d in diffs}))} "
                  f"paired seeds)")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig
