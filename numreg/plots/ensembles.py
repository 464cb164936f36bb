"""Figures for §7.6 and §7.11-7.13: k-means centres (cluster-then-label), bagging's error against the
number of members next to v/k + (k-1)c/k, and error under FGSM attack against epsilon."""
import numpy as np

from ..core import checks
from .style import PALETTE, figure_and_axes, new_figure

__all__ = ["cluster_centers", "bagging_curve", "adversarial_curves"]


def cluster_centers(centers, shape=(28, 28), labels=None, ncols=10, title=None):
    """The k-means centres as images, each titled by the label cluster-then-label gave it (§7.6).

    Parameters
    ----------
    centers : ndarray, (k, H*W)
        ``KMeans.cluster_centers_``.
    shape : (int, int), default (28, 28)
        Image shape ``(H, W)`` of a centre.
    labels : ndarray of int (k,) or None, default None
        The label of each cluster (-1: no labeled point reached it, shown as "?").
    ncols : int, default 10
    title : str or None, default None

    Returns
    -------
    matplotlib.figure.Figure
    """
    centers = checks.float_array("centers", centers, min_ndim=2)
    shape = checks.image_shape("shape", shape)
    if int(np.prod(centers.shape[1:])) != shape[0] * shape[1]:
        raise ValueError(f"centers of shape {centers.shape} are not images of shape={shape}")
    k = len(centers)
    if labels is not None:
        lab = checks.numbers_array("labels", labels)
        if lab.shape != (k,) or lab.dtype.kind not in "iu" or (k and lab.min() < -1):
            raise checks.value_error("labels", f"one integer label (-1: none) per center ({k})", labels)
    checks.optional(checks.instance, "title", title, str, "None or a str")
    ncols = max(1, min(checks.count("ncols", ncols), k))
    nrows = -(-k // ncols)
    fig, axes = new_figure(nrows, ncols, width=1.1 * ncols, height=1.25 * nrows + (0.3 if title else 0))
    axes = np.atleast_1d(axes).ravel()
    for j, ax in enumerate(axes):
        ax.set_axis_off()
        if j >= k:
            continue
        ax.imshow(centers[j].reshape(shape), cmap="gray_r", interpolation="nearest")
        if labels is not None:
            ax.set_title("?" if labels[j] < 0 else str(labels[j]), fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def bagging_curve(ks, ensemble_sq_error, v, c, member_sq_error=None, ax=None, title=None):
    """Squared error of a bagged ensemble against its size ``k``, next to the book's v/k + (k-1)c/k (§7.11).

    Parameters
    ----------
    ks : sequence of int
        Ensemble sizes (e.g. 1..K, the first k members).
    ensemble_sq_error : sequence of float
        Measured ``E[||1/k sum_i epsilon_i||^2]`` for each size.
    v, c : float
        ``E[epsilon_i^2]`` and ``E[epsilon_i epsilon_j]`` of the members (``BaggingReport.v`` and ``.c``).
    member_sq_error : sequence of float or None, default None
        Each member's own squared error, drawn as points at k = 1.
    ax : Axes or None, default None
    title : str or None, default None

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = figure_and_axes(ax, title)
    ks = checks.float_array("ks", ks, ndim=1)
    ensemble_sq_error = checks.float_array("ensemble_sq_error", ensemble_sq_error, ndim=1)
    if len(ensemble_sq_error) != len(ks):
        raise ValueError(f"ensemble_sq_error must hold one value per k ({len(ks)}), "
                         f"got ensemble_sq_error.shape={ensemble_sq_error.shape}")
    v, c = checks.nonnegative("v", v), checks.nonnegative("c", c)
    if member_sq_error is not None:
        member_sq_error = checks.float_array("member_sq_error", member_sq_error, ndim=1)
    grid = np.linspace(1, ks.max(), 200)
    ax.plot(grid, v / grid + (grid - 1) * c / grid, color=PALETTE[0], label="v/k + (k-1)c/k (§7.11)")
    ax.plot(ks, ensemble_sq_error, "o", color=PALETTE[1], label="ensemble, measured")
    ax.axhline(c, color=PALETTE[3], linestyle="--", label=f"c = {c:.4f} (the limit k -> inf)")
    if member_sq_error is not None:
        ax.plot(np.ones(len(member_sq_error)), member_sq_error, "x", color=PALETTE[2], label="single members")
    ax.set_xlabel("number of members k")
    ax.set_ylabel("squared error of the probabilities (Brier)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def adversarial_curves(epsilons, errors, ax=None, title=None):
    """Test error on FGSM inputs against epsilon, one line per model (§7.13).

    Parameters
    ----------
    epsilons : sequence of float
        The attack sizes (0: clean inputs).
    errors : dict of str -> sequence of float
        For each model (e.g. "plain", "adversarial training"), its error at each epsilon.
    ax : Axes or None, default None
    title : str or None, default None

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = figure_and_axes(ax, title)
    epsilons = checks.float_array("epsilons", epsilons, ndim=1)
    if not isinstance(errors, dict) or not errors:
        raise checks.type_error("errors", "a non-empty dict {name: errors, one per epsilon}", errors)
    for name, err in errors.items():
        if checks.float_array(f"errors[{name!r}]", err, ndim=1).shape != epsilons.shape:
            raise ValueError(f"errors[{name!r}] must hold one error per epsilon ({len(epsilons)})")
    markers = "osD^v<>"
    for i, (name, err) in enumerate(errors.items()):
        ax.plot(epsilons, err, marker=markers[i % len(markers)], color=PALETTE[i % len(PALETTE)], label=name)
    ax.set_xlabel("epsilon (max-norm of the FGSM step)")
    ax.set_ylabel("test error")
    ax.set_ylim(0, 1)
    ax.grid(True, alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig
