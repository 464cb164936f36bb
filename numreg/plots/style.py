"""Shared look of numreg's figures: a colour-blind-safe palette and a figure factory.

Figures are made with ``matplotlib.figure.Figure`` directly (not pyplot), so
plotting never needs a display and never calls ``show()``; in a notebook the
returned figure displays itself.
"""
from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color universal design": distinguishable with any colour vision.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def new_figure(nrows=1, ncols=1, width=6.4, height=4.0, **kw):
    """A ``Figure`` with a grid of axes and numreg's palette; returns ``(fig, axes)``."""
    fig = Figure(figsize=(width, height), layout="constrained")
    kw.setdefault("squeeze", True)
    axes = fig.subplots(nrows, ncols, **kw)
    for ax in (axes.flat if hasattr(axes, "flat") else [axes]):
        ax.set_prop_cycle(color=PALETTE)
    return fig, axes


def figure_and_axes(ax=None, **kw):
    """``(fig, ax)``: a new figure (``new_figure(**kw)``) when ``ax`` is None, else ``ax`` and its figure."""
    if ax is None:
        return new_figure(**kw)
    return ax.figure, ax
