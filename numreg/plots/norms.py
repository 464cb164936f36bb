"""Figures of §7.1-7.2: Figure 7.1 for L2 and L1, regularization paths, weight histograms.

Every figure is computed from :mod:`numreg.analysis` (or from a trained
model), never drawn by hand; each function returns a
``matplotlib.figure.Figure`` and never calls ``show()``.
"""
import numpy as np

from ..core import checks
from .. import analysis
from ..core.checks import float_vector, hessian, nonnegative, regression_data
from ..core.module import Module
from ..core.parameter import Parameter
from .style import PALETTE, new_figure

KINDS = ("L2", "L1")


def figure_7_1(H=((0.5, 0.0), (0.0, 4.0)), w_star=(2.0, 1.5), alpha=1.0, kinds=KINDS, n_levels=6):
    """The book's Figure 7.1, for L2 and for L1: where the regularized minimum ``w~`` lands.

    Solid ellipses: contours of the quadratic approximation
    ``J^(w) = 1/2 (w - w_star)^T H (w - w_star)`` around the unregularized
    minimum ``w_star``. Dashed: contours of ``Omega`` (circles for
    ``1/2 ||w||^2``, diamonds for ``||w||_1``), the one through ``w~``
    drawn thicker. ``w~`` is where a J-contour touches an Omega-contour:

    - L2: ``w~ = Q (Lambda + alpha I)^-1 Lambda Q^T w_star`` (Eq. 7.13,
      :func:`numreg.analysis.l2_shrinkage`). Along ``w_1`` (low curvature,
      ``H_11 = 0.5`` by default) the weight shrinks a lot; along ``w_2``
      (high curvature) little.
    - L1: ``w~_i = sign(w*_i) max(|w*_i| - alpha / H_ii, 0)`` (Eq. 7.23) for a
      diagonal ``H`` (:func:`numreg.analysis.l1_quadratic` for any ``H``): the
      contour touches the diamond at a corner, ``w~_1 = 0`` -- sparsity.

    Parameters
    ----------
    H : array_like, (2, 2), default ((0.5, 0), (0, 4))
        Hessian of J at ``w_star``, symmetric positive definite.
    w_star : array_like, (2,), default (2.0, 1.5)
    alpha : float, default 1.0
        Penalty weight, >= 0.
    kinds : sequence of {"L2", "L1"}, default ("L2", "L1")
        One panel per entry.
    n_levels : int, default 6
        Number of J contours.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel's ``w~`` marker is a line labelled ``"w~"`` whose data is
        the computed point (tests read it back).
    """
    Hm, lam, _ = hessian(H)
    if Hm.shape != (2, 2):
        raise ValueError(f"figure_7_1 draws a 2-D picture: H must be 2x2, got H.shape={Hm.shape}")
    if lam.min() <= 0:
        raise ValueError(f"H must be positive definite for closed contours, got eigenvalues {lam}")
    w_star = float_vector("w_star", w_star, 2)
    alpha = nonnegative("alpha", alpha)
    kinds = [checks.choice(f"kinds[{i}]", k, KINDS) for i, k in enumerate(checks.sequence("kinds", kinds))]
    n_levels = checks.count("n_levels", n_levels)
    if not kinds:
        raise ValueError("kinds is empty: nothing to draw")
    fig, axes = new_figure(1, len(kinds), width=5.2 * len(kinds), height=5.0)
    axes = np.atleast_1d(axes)
    for ax, kind in zip(axes, kinds):
        if kind == "L2":
            w_t = analysis.l2_shrinkage(Hm, w_star, alpha)
            omega = lambda a, b: 0.5 * (a * a + b * b)
            title = r"$L^2$: $\tilde w = Q(\Lambda+\alpha I)^{-1}\Lambda Q^\top w^*$ (Eq. 7.13)"
        else:
            w_t = analysis.l1_quadratic(Hm, w_star, alpha)
            omega = lambda a, b: np.abs(a) + np.abs(b)
            if Hm[0, 1] == 0:
                title = r"$L^1$: $\tilde w_i = \mathrm{sign}(w^*_i)\max(|w^*_i| - \alpha/H_{ii}, 0)$ (Eq. 7.23)"
            else:
                title = r"$L^1$, non-diagonal $H$: $\tilde w$ by coordinate descent (no closed form)"
        _draw_panel(ax, Hm, w_star, w_t, omega, n_levels)
        ax.set_title(title, fontsize=10)
        ax.text(0.02, 0.02, rf"$\alpha$ = {alpha:g}, $\tilde w$ = ({w_t[0]:.3g}, {w_t[1]:.3g})",
                transform=ax.transAxes, fontsize=9, va="bottom")
    return fig


def _draw_panel(ax, H, w_star, w_t, omega, n_levels):
    r = 1.25 * max(np.abs(w_star).max(), 1.0)
    lo = min(-0.35 * r, w_star.min() - 0.6 * r)
    hi = max(1.35 * r, w_star.max() + 0.6 * r)
    g = np.linspace(lo, hi, 400)
    A, B = np.meshgrid(g, g)
    D1, D2 = A - w_star[0], B - w_star[1]
    J = 0.5 * (H[0, 0] * D1 * D1 + 2 * H[0, 1] * D1 * D2 + H[1, 1] * D2 * D2)
    d = w_t - w_star
    j_t = 0.5 * d @ H @ d
    levels = np.unique(np.concatenate([j_t * np.array([0.15, 0.45]), j_t * np.geomspace(2, 8, max(n_levels - 3, 1))]))
    ax.contour(A, B, J, levels=levels[levels > 0], colors=PALETTE[0], linewidths=0.8, alpha=0.7)
    if j_t > 0:
        ax.contour(A, B, J, levels=[j_t], colors=PALETTE[0], linewidths=2.0)
    O = omega(A, B)
    o_t = float(omega(w_t[0], w_t[1]))
    olev = o_t * np.array([0.25, 0.5, 2.0, 3.0]) if o_t > 0 else np.array([0.1, 0.3]) * omega(r, r)
    ax.contour(A, B, O, levels=np.unique(olev), colors=PALETTE[1], linestyles="--", linewidths=0.8)
    if o_t > 0:
        ax.contour(A, B, O, levels=[o_t], colors=PALETTE[1], linestyles="--", linewidths=2.0)
    ax.axhline(0, color="0.6", linewidth=0.6)
    ax.axvline(0, color="0.6", linewidth=0.6)
    ax.plot([w_star[0]], [w_star[1]], "o", color=PALETTE[0], markersize=7, label=r"$w^*$ (minimum of $J$)")
    ax.plot([w_t[0]], [w_t[1]], "s", color=PALETTE[3], markersize=7, label="w~")
    ax.plot([], [], color=PALETTE[0], label=r"contours of $J$")
    ax.plot([], [], color=PALETTE[1], linestyle="--", label=r"contours of $\Omega$")
    handles, labels = ax.get_legend_handles_labels()
    labels = [r"$\tilde w$ (regularized minimum)" if lab == "w~" else lab for lab in labels]
    ax.legend(handles, labels, loc="upper left", fontsize=8)
    ax.set_xlabel(r"$w_1$")
    ax.set_ylabel(r"$w_2$")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")


def regularization_path(X=None, y=None, alphas=None, w_true=None, n_alphas=60):
    """Coefficients against ``alpha`` for the lasso (L1) and ridge (L2), side by side.

    Each coefficient of :func:`numreg.analysis.lasso` and
    :func:`numreg.analysis.ridge` (the exact minimizers of
    ``(Xw - y)^T (Xw - y) + alpha Omega(w)``) is drawn against ``alpha``
    on a log axis. L1 sets coefficients to exactly 0 one by one as
    ``alpha`` grows -- and with correlated features it keeps one of a
    correlated pair and drops the other -- while L2 shrinks all of them
    smoothly and zeroes none (§7.1.1-7.1.2).

    Parameters
    ----------
    X : array_like, (n, d), or None, default None
        Features. None: :func:`numreg.analysis.make_correlated_regression`
        (d = 8, neighbouring features correlated 0.8, Tibshirani's ``w_true``).
    y : array_like, (n,), or None, default None
    alphas : array_like or None, default None
        The alphas for both panels. None: for the lasso, ``n_alphas`` values
        from ``alpha_max = max|2 X^T y|`` (above which every coefficient is 0)
        down to ``1e-3 alpha_max``; for ridge, from ``1e-3`` to ``1e3`` times
        the largest eigenvalue of ``2 X^T X``.
    w_true : array_like, (d,), or None, default None
        If given, the truly-zero coefficients are drawn dashed.
    n_alphas : int, default 60

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (lasso, ridge), each titled with the fraction of the
        path's coefficients that are exactly 0.
    """
    n_alphas = checks.count("n_alphas", n_alphas, low=2)
    if X is None:
        if y is not None or w_true is not None:
            raise ValueError("y and w_true go with X: give X too, or none of them")
        X, y, w_true = analysis.make_correlated_regression(n=100, d=8, rho=0.8, seed=0)
    X, y = regression_data(X, y)
    d = X.shape[1]
    if w_true is not None:
        w_true = float_vector("w_true", w_true, d, "X's columns")
    if alphas is None:
        a_max = float(np.max(np.abs(2 * X.T @ y)))
        a_l1 = np.geomspace(a_max, 1e-3 * a_max, n_alphas)
        lam_max = float(np.linalg.eigvalsh(2 * X.T @ X).max())
        a_l2 = np.geomspace(1e3 * lam_max, 1e-3 * lam_max, n_alphas)
    else:
        a_l1 = a_l2 = checks.float_array("alphas", alphas, ndim=1, dtype=np.float64)
        if a_l1.ndim != 1 or a_l1.size == 0 or np.any(~np.isfinite(a_l1)) or np.any(a_l1 <= 0):
            raise ValueError(f"alphas must be a non-empty vector of positive numbers (log axis), got alphas={alphas!r}")
    paths = {"L1 (lasso)": np.array([analysis.lasso(X, y, a) for a in a_l1]),
             "L2 (ridge)": np.array([analysis.ridge(X, y, a) for a in a_l2])}
    fig, axes = new_figure(1, 2, width=11.0, height=4.4)
    for ax, (name, a, W) in zip(axes, [("L1 (lasso)", a_l1, paths["L1 (lasso)"]),
                                       ("L2 (ridge)", a_l2, paths["L2 (ridge)"])]):
        for j in range(d):
            dashed = w_true is not None and w_true[j] == 0
            lab = f"$w_{{{j + 1}}}$" + (f" (true {w_true[j]:g})" if w_true is not None else "")
            ax.plot(a, W[:, j], color=PALETTE[j % len(PALETTE)], linestyle="--" if dashed else "-", label=lab)
        ax.set_xscale("log")
        ax.axhline(0, color="0.5", linewidth=0.6)
        ax.set_xlabel(r"$\alpha$ (log scale; regularization grows to the right)")
        ax.set_ylabel("coefficient")
        zeros = np.mean(W == 0)
        ax.set_title(f"{name}: {100 * zeros:.0f}% of the path's coefficients are exactly 0", fontsize=10)
        ax.grid(True, alpha=0.3)
    if d <= 10:                                      # beyond that a legend hides the paths
        axes[1].legend(fontsize=8, loc="upper right", ncol=2)
    return fig


def _weights_of(obj, name):
    """Concatenate the regularized weights of a model, or a list of Parameters/arrays, into one vector."""
    if isinstance(obj, Module):
        arrays = [p.data for p in obj.parameters() if p.regularized]
    elif isinstance(obj, np.ndarray):
        arrays = [obj]
    else:
        try:
            arrays = [p.data if isinstance(p, Parameter) else np.asarray(p) for p in obj]
        except TypeError:
            raise ValueError(f"weights[{name!r}] must be a model, an array or a list of them, got {obj!r}") from None
    if not arrays:
        raise ValueError(f"weights[{name!r}] holds no weights")
    return np.concatenate([np.ravel(a) for a in arrays])


def weight_histograms(weights, bins=101, range=None, log=True):
    """Histograms of trained weights, one panel per model, with the fraction of exact zeros.

    Compares e.g. no penalty, L2, L1 (prox) and max-norm on the same
    network: L2 shrinks the weights towards 0 but leaves none at 0; L1 with
    the proximal step puts a spike of *exact* zeros at 0 (§7.1.2); max-norm
    bounds each unit's incoming vector and otherwise leaves the shape alone.

    Parameters
    ----------
    weights : dict
        ``{name: model or list of Parameter/ndarray or ndarray}``; for a
        model, its parameters with ``regularized=True`` (the ``W``, not the
        biases).
    bins : int, default 101
        Odd, so that one bin is centred on 0.
    range : (float, float) or None, default None
        Common x-range; None: symmetric, from the largest |w| of all models.
    log : bool, default True
        Logarithmic counts, so the tails and the spike at 0 are both visible.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per entry, titled ``"<name>: <z>% exact zeros"``.
    """
    if not isinstance(weights, dict) or not weights:
        raise ValueError(f"weights must be a non-empty dict name -> model or arrays, got {type(weights).__name__}")
    bins = checks.count("bins", bins)
    log = checks.flag("log", log)
    range = checks.optional(checks.interval, "range", range)
    flat = {name: _weights_of(obj, name) for name, obj in weights.items()}
    if range is None:
        m = max(float(np.max(np.abs(v))) for v in flat.values()) or 1.0
        range = (-m, m)
    n = len(flat)
    ncols = min(n, 3)
    nrows = -(-n // ncols)
    fig, axes = new_figure(nrows, ncols, width=4.0 * ncols, height=3.2 * nrows, sharex=True)
    axes = np.atleast_1d(axes).ravel()
    for i, (ax, (name, v)) in enumerate(zip(axes, flat.items())):
        zeros = np.count_nonzero(v == 0) / v.size
        ax.hist(v, bins=bins, range=range, color=PALETTE[i % len(PALETTE)], log=log)
        ax.set_title(f"{name}: {100 * zeros:.1f}% exact zeros", fontsize=9)
        ax.tick_params(labelbottom=True)
        ax.set_xlabel("weight value")
        ax.set_ylabel("count" + (" (log)" if log else ""))
        ax.grid(True, alpha=0.3)
        ax.text(0.97, 0.95, f"n = {v.size}\nmax |w| = {np.max(np.abs(v)):.3g}", transform=ax.transAxes,
                ha="right", va="top", fontsize=8)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig
