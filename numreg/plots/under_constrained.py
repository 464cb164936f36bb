"""§7.3: the weight norm of logistic regression on separable classes, with and without weight decay."""
import numpy as np

from ..core import checks
from .style import PALETTE, figure_and_axes


def _trajectory(name, tr):
    """``(norms, losses)`` of a LogisticTrajectory ``tr``: finite float vectors of one length >= 2."""
    if getattr(tr, "norms", None) is None or getattr(tr, "losses", None) is None:
        raise checks.type_error(name, "a LogisticTrajectory (nr.analysis.logistic_trajectory)", tr)
    norms = checks.float_array(f"{name}.norms", tr.norms, ndim=1)
    losses = checks.float_array(f"{name}.losses", tr.losses, ndim=1)
    if len(norms) < 2 or len(losses) != len(norms):
        raise ValueError(f"{name} must record at least steps 0 and 1 (norms and losses of one length), "
                         f"got {name}.norms.shape={norms.shape} and {name}.losses.shape={losses.shape}")
    return norms, losses


def norm_growth(free, decayed, alpha=None, title=None):
    """``||w_t||`` and the loss against the step ``t`` (log axis), without and with weight decay (§7.3).

    Without a penalty, gradient descent on separable classes drives the
    loss to 0 and ``||w_t||`` up for ever, a straight line against
    ``log t``; with ``alpha > 0`` both level off at the regularized minimum.

    Parameters
    ----------
    free, decayed : LogisticTrajectory
        From ``nr.analysis.logistic_trajectory`` with ``alpha = 0`` and ``alpha > 0``
        (``norms`` and ``losses`` per step, from step 0).
    alpha : float or None, default None
        The weight-decay coefficient of ``decayed``, for the legend.
    title : str or None, default None
        Figure title; None: a default one.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: ``||w_t||`` (left) and ``J(w_t)`` on a log scale (right).
    """
    curves = [_trajectory("free", free), _trajectory("decayed", decayed)]
    alpha = checks.optional(checks.nonnegative, "alpha", alpha)
    fig, (left, right) = figure_and_axes(None, title, nrows=1, ncols=2, width=9.0, height=3.6)
    label = "L2, alpha = " + (f"{alpha:g}" if alpha is not None else "> 0")
    for (norms, losses), name, color in zip(curves, ("no penalty", label), (PALETTE[3], PALETTE[0])):
        t = np.arange(1, len(norms))                      # from step 1: a log axis has no 0
        left.semilogx(t, norms[1:], color=color, label=name)
        right.loglog(t, losses[1:], color=color, label=name)
    left.set_xlabel("step t")
    left.set_ylabel(r"$\|w_t\|$")
    left.legend()
    right.set_xlabel("step t")
    right.set_ylabel(r"loss $J(w_t)$ (with the penalty)")
    right.legend()
    fig.suptitle(title or "Logistic regression on separable classes: ||w|| ~ log t without weight decay")
    return fig
