"""§7.3: the weight norm of logistic regression on separable classes, with and without weight decay."""
import numpy as np

from .style import PALETTE, new_figure


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
    fig, (left, right) = new_figure(1, 2, width=9.0, height=3.6)
    label = "L2, alpha = " + (f"{alpha:g}" if alpha is not None else "> 0")
    for tr, name, color in ((free, "no penalty", PALETTE[3]), (decayed, label, PALETTE[0])):
        t = np.arange(1, len(tr.norms))                   # from step 1: a log axis has no 0
        left.semilogx(t, tr.norms[1:], color=color, label=name)
        right.loglog(t, tr.losses[1:], color=color, label=name)
    left.set_xlabel("step t")
    left.set_ylabel(r"$\|w_t\|$")
    left.legend()
    right.set_xlabel("step t")
    right.set_ylabel(r"loss $J(w_t)$ (with the penalty)")
    right.legend()
    fig.suptitle(title or "Logistic regression on separable classes: ||w|| ~ log t without weight decay")
    return fig
