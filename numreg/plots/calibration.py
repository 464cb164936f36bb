"""Reliability diagram: accuracy against confidence, the picture behind the expected calibration error."""

from ..core import checks
from .style import PALETTE, figure_and_axes

_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def reliability_diagram(probs, y, n_bins=15, ax=None, title=None):
    """Accuracy in each confidence bin against the bin's confidence, with the diagonal of perfect calibration.

    A calibrated classifier's points lie on the diagonal: of the examples
    predicted with confidence 0.8, 80% are right. Points below it mean
    over-confidence (usual for networks trained on hard targets), above it
    under-confidence (what strong label smoothing, §7.5.1, can produce).

    Parameters
    ----------
    probs : ndarray (n, k), or dict of str -> ndarray (n, k)
        Predicted probabilities of one model, or of several to overlay
        (e.g. ``{"epsilon = 0": p0, "epsilon = 0.1": p1}``).
    y : array_like of int, (n,)
        The labels.
    n_bins : int, default 15
        Equal-width confidence bins, as :func:`numreg.metrics.expected_calibration_error`.
    ax : matplotlib Axes or None, default None
        Draw the diagram into these axes; None makes a new figure with the
        diagram on top and, below it, the number of examples per bin.
    title : str or None, default None

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    One model: bars of the accuracy per bin, and hatched gaps up or down to
    the bin's mean confidence. Several: one line with markers per model
    (colour, marker and dash differ). The legend gives each model's ECE.
    """
    from ..metrics import expected_calibration_error, reliability

    many = isinstance(probs, dict)
    models = probs if many else {"model": probs}
    if not models:
        raise ValueError("probs must hold at least one array of probabilities")
    n_bins = checks.count("n_bins", n_bins)
    new = ax is None
    fig, ax = figure_and_axes(ax, title, nrows=2, ncols=1, width=5.2, height=5.6, sharex=True,
                              gridspec_kw={"height_ratios": [3, 1]})
    ax, ax_count = ax if new else (ax, None)
    ax.plot([0, 1], [0, 1], color="0.4", linestyle=":", label="perfect calibration")
    width = 1.0 / n_bins
    for j, (name, p) in enumerate(models.items()):
        r = reliability(p, y, n_bins)
        ece = expected_calibration_error(p, y, n_bins)
        full = r["count"] > 0
        centres = r["edges"][:-1] + width / 2
        colour = PALETTE[j % len(PALETTE)]
        label = f"{name}: ECE = {ece:.4f}" if many else f"accuracy (ECE = {ece:.4f})"
        if many:
            ax.plot(r["confidence"][full], r["accuracy"][full], color=colour, marker=_MARKERS[j % 8],
                    linestyle=["-", "--", "-.", ":"][j % 4], label=label)
        else:
            ax.bar(centres[full], r["accuracy"][full], width=width, color=colour, edgecolor="white",
                   alpha=0.85, label=label)
            gap = r["confidence"][full] - r["accuracy"][full]
            ax.bar(centres[full], gap, bottom=r["accuracy"][full], width=width, color="none",
                   edgecolor=PALETTE[3], hatch="//", label="gap to the mean confidence")
        if ax_count is not None:
            m = len(models)                       # several models: side by side within each bin
            x = centres - width / 2 + (j + 0.5) * width / m
            ax_count.bar(x, r["count"], width=width / m, color=colour, alpha=0.85, label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    if ax_count is not None:
        ax_count.set_xlabel("confidence (largest predicted probability)")
        ax_count.set_ylabel("examples")
        ax_count.set_yscale("log")
        ax_count.grid(True, alpha=0.3)
    else:
        ax.set_xlabel("confidence (largest predicted probability)")
    if title:
        ax.set_title(title)
    return fig
