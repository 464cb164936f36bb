"""Shared look of numreg's figures: a colour-blind-safe palette and a figure factory.

Figures are made with ``matplotlib.figure.Figure`` directly (not pyplot), so
plotting never needs a display and never calls ``show()``; in a notebook the
returned figure displays itself.
"""
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..core import checks

# Okabe & Ito (2008), "Color universal design": distinguishable with any colour vision.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def new_figure(nrows=1, ncols=1, width=6.4, height=4.0, **kw):
    """A ``Figure`` with a grid of axes and numreg's palette; returns ``(fig, axes)``.

    Parameters
    ----------
    nrows, ncols : int, default 1
        The grid of axes.
    width, height : float, default 6.4, 4.0
        The figure's size in inches, > 0.
    **kw
        Passed to ``Figure.subplots`` (``sharex``, ``gridspec_kw``, ...).
    """
    nrows, ncols = checks.count("nrows", nrows), checks.count("ncols", ncols)
    width, height = checks.positive("width", width), checks.positive("height", height)
    fig = Figure(figsize=(width, height), layout="constrained")
    kw.setdefault("squeeze", True)
    axes = fig.subplots(nrows, ncols, **kw)
    for ax in (axes.flat if hasattr(axes, "flat") else [axes]):
        ax.set_prop_cycle(color=PALETTE)
    return fig, axes


def figure_and_axes(ax=None, title=None, **new):
    """``(fig, ax)``: ``ax`` and its figure, or a :func:`new_figure` (``**new``) if ``ax`` is None; checks ``title``.

    Parameters
    ----------
    ax : matplotlib Axes or None, default None
        Where to draw; None draws on a new figure.
    title : str or None, default None
        The title the caller will set (checked here: None or a str).
    **new
        Arguments of :func:`new_figure` for a new figure.
    """
    checks.optional(checks.instance, "title", title, str, "None or a str")
    if ax is None:
        return new_figure(**new)
    return checks.instance("ax", ax, Axes, "None or a matplotlib Axes").figure, ax
