"""Accuracy against the strength of each corruption, one line per model (Tang & Eliasmith's comparison)."""
import numpy as np

from ..core import checks

from .style import PALETTE, new_figure

_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
_STYLES = ["-", "--", "-.", ":"]
_UNITS = {"occlude": "block side (pixels)", "gaussian": "noise std", "salt": "fraction of pixels",
          "border": "frame width (pixels)"}


def robustness_curves(results, title=None, ncols=None):
    """One panel per corruption: accuracy against its level, a line per model, the clean accuracy at level 0.

    Parameters
    ----------
    results : RobustnessTable or dict of str -> RobustnessTable
        What :func:`numreg.robustness` returned, for one model or several
        (``{"dense": t1, "local sparse": t2}``).
    title : str or None, default None
        Figure title.
    ncols : int or None, default None
        Panels per row; None: all in one row up to 4.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Lines differ by colour (Okabe-Ito palette), marker and dash, so they
    stay apart in grey print and for colour-blind readers.
    """
    from ..robust.tables import RobustnessTable

    if isinstance(results, RobustnessTable):
        results = {"model": results}
    if not isinstance(results, dict) or not results:
        raise checks.type_error("results", "a RobustnessTable or a non-empty dict {name: RobustnessTable}", results)
    for name, table in results.items():
        checks.instance(f"results[{name!r}]", table, RobustnessTable, "a RobustnessTable")
    checks.optional(checks.instance, "title", title, str, "None or a str")
    names = list(results)
    corruptions = [c for c in results[names[0]] if c != "clean"]
    if not corruptions:
        raise ValueError("results has no corruption besides 'clean'")
    k = len(corruptions)
    ncols = min(k, 4) if ncols is None else checks.count("ncols", ncols)
    nrows = -(-k // ncols)
    fig, axes = new_figure(nrows, ncols, width=3.2 * ncols + 0.4, height=2.9 * nrows + 0.6, sharey=True)
    axes = np.asarray(axes).reshape(nrows, ncols)       # new_figure squeezes a single panel
    for i, c in enumerate(corruptions):
        ax = axes.flat[i]
        for j, name in enumerate(names):
            t = results[name]
            levels = [0] + list(t[c])
            acc = [t["clean"][0]] + list(t[c].values())
            ax.plot(levels, acc, color=PALETTE[j % len(PALETTE)], marker=_MARKERS[j % len(_MARKERS)],
                    linestyle=_STYLES[j % len(_STYLES)], label=name)
        ax.set_title(c)
        ax.set_xlabel(_UNITS.get(c, "level"))
        ax.grid(True, alpha=0.3)
        ax.set_ylim(0, 1.02)
        if i % ncols == 0:
            ax.set_ylabel("test accuracy")
    for ax in list(axes.flat)[k:]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="lower left", fontsize="small")
    if title:
        fig.suptitle(title)
    return fig
