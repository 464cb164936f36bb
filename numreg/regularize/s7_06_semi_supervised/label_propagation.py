"""Label propagation over a k-nearest-neighbour graph: the seed's "graph-based methods" (§7.6).

Build a graph whose nodes are all the points, labeled and unlabeled, each
joined to its ``k`` nearest neighbours with weight
``w_ij = exp(-||x_i - x_j||^2 / sigma^2)``. Then let the labels flow along
the edges (Zhu & Ghahramani 2002): with ``F`` the ``(n, C)`` matrix of
class distributions, repeat

    F <- D^{-1} W F                  (every node takes the weighted mean of its neighbours)
    F_l <- Y_l                       (the labeled nodes are clamped to their one-hot labels)

until ``F`` stops changing. The fixed point is the harmonic solution
``F_u = (D_uu - W_uu)^{-1} W_ul Y_l``: each unlabeled node's distribution is
the weighted average of its neighbours', and its label the most probable
class. This is the manifold assumption at work: labels travel along the
data's neighbourhoods, not across empty space.
"""

import numpy as np

from ...core import checks
from ._input import check_ssl_data
from .kmeans import squared_distances

__all__ = ["label_propagation", "knn_graph"]


def knn_graph(X, k_neighbors, sigma=None, block=1024):
    """The symmetric k-nearest-neighbour graph of the rows of ``X``, as a sorted edge list.

    Parameters
    ----------
    X : ndarray, (n, d)
    k_neighbors : int
        Neighbours per point, ``1 <= k_neighbors < n``.
    sigma : float or None, default None
        Width of the Gaussian weights ``exp(-d^2 / sigma^2)``. None: the
        median distance from a point to its ``k``-th neighbour (a common
        heuristic that keeps the weights away from 0 and 1).
    block : int, default 1024
        Rows of the distance matrix computed at a time (memory
        ``block * n`` numbers); the search is vectorized inside each block.

    Returns
    -------
    rows, cols : ndarray of int, (E,)
        Edges ``i -> j``, sorted by ``rows``; ``E = 2 n k`` (each kNN edge in
        both directions, so the graph is symmetric; an edge found from both
        ends appears twice, which doubles its weight).
    weights : ndarray of float64, (E,)
        ``w_ij / 2``, so that ``W = (A + A^T) / 2`` for the directed kNN
        adjacency ``A``.
    sigma : float
        The width used.
    """
    n = len(X)
    X_sq = np.einsum("ij,ij->i", X, X)
    nbr = np.empty((n, k_neighbors), dtype=np.intp)
    d2 = np.empty((n, k_neighbors), dtype=np.float64)
    for s in range(0, n, block):
        D = squared_distances(X[s:s + block], X, X_sq[s:s + block], X_sq)
        m = len(D)
        D[np.arange(m), np.arange(s, s + m)] = np.inf  # a point is not its own neighbour
        part = np.argpartition(D, k_neighbors - 1, axis=1)[:, :k_neighbors]
        nbr[s:s + m] = part
        d2[s:s + m] = np.take_along_axis(D, part, axis=1)
    if sigma is None:
        sigma = float(np.sqrt(np.median(d2.max(axis=1))))
        if sigma == 0.0:
            sigma = 1.0
    w = np.exp(-d2 / sigma ** 2).ravel() / 2
    i = np.repeat(np.arange(n), k_neighbors)
    j = nbr.ravel()
    rows = np.concatenate([i, j])
    cols = np.concatenate([j, i])
    weights = np.concatenate([w, w])
    order = np.argsort(rows, kind="stable")
    return rows[order], cols[order], weights[order], sigma


def label_propagation(X_labeled, y_labeled, X_unlabeled, k_neighbors=10, sigma=None, max_iter=1000, tol=1e-6,
                      n_classes=None):
    """Labels for the unlabeled points by propagation over a kNN graph (§7.6; Zhu & Ghahramani 2002).

    Parameters
    ----------
    X_labeled : ndarray, (l, ...)
        Labeled points (images are flattened).
    y_labeled : ndarray of int, (l,)
        Their classes.
    X_unlabeled : ndarray, (u, ...)
        Unlabeled points, of the same width.
    k_neighbors : int, default 10
        Neighbours per node in the graph, ``1 <= k_neighbors < l + u``.
    sigma : float or None, default None
        Width of the edge weights ``exp(-||x_i - x_j||^2 / sigma^2)``; None:
        the median distance to the ``k``-th neighbour.
    max_iter : int, default 1000
        Most propagation sweeps.
    tol : float, default 1e-6
        Converged when no entry of ``F`` changes by more than ``tol`` in a sweep.
    n_classes : int or None, default None
        Number of classes (default ``max(y_labeled) + 1``).

    Returns
    -------
    labels : ndarray of int, (u,)
        ``argmax_c F_uc``; -1 for a point whose connected component holds
        no labeled point (nothing reaches it: its ``F`` row stays 0).
    distribution : ndarray of float64, (u, n_classes)
        ``F_u``: each unlabeled point's class distribution (rows sum to 1,
        or are 0 for unreached points).

    Notes
    -----
    Each sweep is one sparse product ``W F`` over the ``2 n k`` edges
    (``np.add.reduceat`` over the edge list sorted by row): no loop over
    points. Building the graph costs ``O(n^2 d)`` (all distances, by blocks).
    The unlabeled rows of ``F`` start at 0, so unreached components stay 0
    instead of inventing a label.

    References
    ----------
    Zhu & Ghahramani (2002), "Learning from labeled and unlabeled data with
    label propagation", CMU-CALD-02-107.
    Zhu, Ghahramani & Lafferty (2003), "Semi-supervised learning using
    Gaussian fields and harmonic functions", ICML.
    """
    X_l, y, X_u, n_classes = check_ssl_data(X_labeled, y_labeled, X_unlabeled, n_classes)
    n_l = len(X_l)
    n = n_l + len(X_u)
    k_neighbors = checks.count("k_neighbors", k_neighbors)
    if k_neighbors >= n:
        raise ValueError(f"k_neighbors must be below the number of points ({n}), got k_neighbors={k_neighbors}")
    sigma = checks.optional(checks.positive, "sigma", sigma)
    max_iter = checks.count("max_iter", max_iter)
    tol = checks.nonnegative("tol", tol)
    rows, cols, w, _ = knn_graph(np.concatenate([X_l, X_u]), int(k_neighbors), sigma)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])  # every node has >= k edges
    degree = np.add.reduceat(w, starts)
    Y_l = np.zeros((n_l, n_classes))
    Y_l[np.arange(n_l), y] = 1.0
    F = np.zeros((n, n_classes))
    F[:n_l] = Y_l
    for _ in range(int(max_iter)):
        F_new = np.add.reduceat(w[:, None] * F[cols], starts, axis=0)
        F_new /= degree[:, None]
        F_new[:n_l] = Y_l  # clamp
        change = np.max(np.abs(F_new - F))
        F = F_new
        if change <= tol:
            break
    F_u = F[n_l:]
    total = F_u.sum(axis=1, keepdims=True)
    reached = total[:, 0] > 0
    F_u = np.divide(F_u, total, out=np.zeros_like(F_u), where=total > 0)
    labels = np.where(reached, F_u.argmax(axis=1), -1)
    return labels, F_u
