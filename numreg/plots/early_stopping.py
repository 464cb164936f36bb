"""The book's Figure 7.4: early stopping against L2 regularization on a quadratic (§7.8, Eq. 7.40-7.45)."""
import numpy as np

from ..core import checks
from .. import analysis
from .style import PALETTE, figure_and_axes, new_figure

#: The default problem: a Hessian with one steep and one shallow direction, rotated,
#: and the unregularized minimum up and to the right of the origin, as in the book's figure.
_ANGLE = np.deg2rad(25.0)
_R = np.array([[np.cos(_ANGLE), -np.sin(_ANGLE)], [np.sin(_ANGLE), np.cos(_ANGLE)]])
DEFAULT_H = _R @ np.diag([1.0, 0.12]) @ _R.T
DEFAULT_W_STAR = np.array([2.0, 1.6])


def early_stopping_vs_l2(H=None, w_star=None, epsilon=0.1, tau=10, ax=None):
    """Gradient descent stopped after ``tau`` steps next to the L2 solution with ``alpha = 1/(tau epsilon)``.

    The book's Figure 7.4, on ``J^(w) = 1/2 (w - w_star)^T H (w - w_star)``:

    - left, early stopping: the contours of ``J^``, the gradient-descent
      trajectory from ``w(0) = 0`` (Eq. 7.40, computed exactly in the
      eigenbasis of ``H`` by ``nr.analysis.early_stopping_trajectory``),
      stopped at ``w(tau)`` instead of reaching ``w_star``;
    - right, L2 regularization: the same contours, the circles of the
      penalty ``1/2 ||w||^2``, the path of L2 solutions ``w~(alpha)``
      (Eq. 7.13, ``nr.analysis.l2_shrinkage``) and ``w~`` at the matching
      ``alpha = 1 / (tau epsilon)`` (Eq. 7.45, ``nr.analysis.early_stopping_alpha``).

    Both points appear in both panels, so the reader sees how close the
    equivalence of Eq. 7.43 is.

    Parameters
    ----------
    H : array_like, (2, 2), or None, default None
        Hessian of ``J`` at ``w_star``, symmetric positive definite. None:
        eigenvalues 1 and 0.12 on axes rotated by 25 degrees.
    w_star : array_like, (2,), or None, default None
        The unregularized minimum; None: ``(2.0, 1.6)``.
    epsilon : float, default 0.1
        Learning rate, > 0 (``epsilon * lambda_max < 1`` for a monotone path).
    tau : int, default 10
        Number of gradient steps, >= 1.
    ax : sequence of two Axes or None, default None
        Draw into these; None makes a new figure with two panels.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.8, Figure 7.4, Eq. 7.40-7.45.
    """
    H = DEFAULT_H if H is None else checks.float_array("H", H, dtype=np.float64)
    w_star = DEFAULT_W_STAR if w_star is None else checks.float_array("w_star", w_star, dtype=np.float64)
    if H.shape != (2, 2) or w_star.shape != (2,):
        raise ValueError(f"the figure is drawn in 2-D: H must be (2, 2) and w_star (2,), "
                         f"got H.shape={H.shape}, w_star.shape={w_star.shape}")
    tau = checks.count("tau", tau)
    path = analysis.early_stopping_trajectory(H, w_star, epsilon, np.arange(tau + 1))   # (tau+1, 2)
    alpha = analysis.early_stopping_alpha(epsilon, tau)
    w_tilde = analysis.l2_shrinkage(H, w_star, alpha)
    alphas = np.geomspace(1e3, 1e-3, 200) * max(np.linalg.eigvalsh(H))
    l2_path = np.array([np.zeros(2)] + [analysis.l2_shrinkage(H, w_star, a) for a in alphas] + [w_star])
    w_tau = path[-1]

    if ax is None:
        fig, axes = new_figure(1, 2, width=10.0, height=4.6, sharex=True, sharey=True)
    else:
        axes = checks.sequence("ax", ax, "None or two matplotlib Axes")
        if len(axes) != 2:
            raise checks.value_error("ax", "None or two matplotlib Axes", ax)
        fig, _ = figure_and_axes(axes[0], None)
        figure_and_axes(axes[1], None)
    pad = 0.6
    lo = np.minimum(0.0, w_star.min()) - pad
    hi = np.maximum(0.0, w_star.max()) + pad
    g = np.linspace(lo, hi, 160)
    W1, W2 = np.meshgrid(g, g)
    D = np.stack([W1 - w_star[0], W2 - w_star[1]], axis=-1)
    J = 0.5 * np.einsum("...i,ij,...j->...", D, H, D)
    levels = np.quantile(J, [0.005, 0.02, 0.06, 0.13, 0.25, 0.45, 0.7])
    for a in axes:
        a.contour(W1, W2, J, levels=levels, colors=[PALETTE[0]], linewidths=1.0)
        a.axhline(0, color="0.75", linewidth=0.8)
        a.axvline(0, color="0.75", linewidth=0.8)
        a.plot(*w_star, marker="*", markersize=13, color=PALETTE[0], linestyle="none", label=r"$w^*$ (minimum of $J$)")
        a.set_xlabel(r"$w_1$")
        a.set_aspect("equal")
        a.set_xlim(lo, hi)
        a.set_ylim(lo, hi)
    axes[0].set_ylabel(r"$w_2$")

    left, right = axes[0], axes[1]
    rest = analysis.early_stopping_trajectory(H, w_star, epsilon, np.arange(tau, 20 * tau + 1))
    left.plot(rest[:, 0], rest[:, 1], linestyle=":", color="0.5", linewidth=1.2,
              label=r"where gradient descent would go on, towards $w^*$")
    left.plot(path[:, 0], path[:, 1], linestyle="--", marker="o", markersize=3.5, color=PALETTE[3],
              label=fr"gradient descent from $w^{{(0)}} = 0$, $\epsilon$ = {epsilon:g}")
    left.plot(*w_tau, marker="o", markersize=9, color=PALETTE[3], linestyle="none",
              label=fr"$w^{{(\tau)}}$, stopped at $\tau$ = {tau}")
    left.plot(*w_tilde, marker="s", markersize=7, markerfacecolor="none", color=PALETTE[2], linestyle="none",
              label=fr"$\tilde w$ of L2 with $\alpha = 1/(\tau\epsilon)$ = {alpha:.3g}")
    left.set_title("early stopping")
    left.legend(loc="upper left", fontsize=8)

    r = np.hypot(W1, W2)
    right.contour(W1, W2, r, levels=np.linspace(0.25, hi * 1.4, 7), colors=[PALETTE[2]], linestyles="dashed",
                  linewidths=0.9)
    right.plot(l2_path[:, 0], l2_path[:, 1], color=PALETTE[2], linewidth=1.5,
               label=r"L2 solutions $\tilde w(\alpha)$, $\alpha$ from $\infty$ to 0")
    right.plot(*w_tilde, marker="s", markersize=8, color=PALETTE[2], linestyle="none",
               label=fr"$\tilde w$ at $\alpha$ = {alpha:.3g}")
    right.plot(*w_tau, marker="o", markersize=8, markerfacecolor="none", color=PALETTE[3], linestyle="none",
               label=fr"$w^{{(\tau)}}$ (early stopping, $\tau$ = {tau})")
    right.plot([], [], color=PALETTE[2], linestyle="dashed", label=r"contours of $\frac{1}{2}\|w\|^2$")
    right.set_title(r"$L^2$ regularization")
    right.legend(loc="upper left", fontsize=8)
    fig.suptitle(fr"Figure 7.4: early stopping after $\tau$ steps $\approx$ $L^2$ with $\alpha = 1/(\tau\epsilon)$;"
                 fr" $\|w^{{(\tau)}} - \tilde w\|$ = {np.linalg.norm(w_tau - w_tilde):.3f}", fontsize=10)
    return fig
