"""Cluster-then-label: the seed's slide on semi-supervised learning (§7.6).

Cluster all the data, labeled and unlabeled together; give each cluster
the majority label of the labeled points that fell in it; label every
unlabeled point by its cluster. It is the cluster assumption -- points of
one cluster (one region of the data's manifold) share a class -- made
into an algorithm.
"""

import numpy as np

from ...core import checks
from ._input import check_ssl_data
from .kmeans import KMeans, squared_distances

__all__ = ["cluster_then_label", "majority_labels"]

FILL = ("nearest", None)


def majority_labels(clusters, y, k, n_classes):
    """Majority label of each cluster, and which clusters hold no labeled point.

    Parameters
    ----------
    clusters : ndarray of int, (l,)
        Cluster of each labeled point, in ``[0, k)``.
    y : ndarray of int, (l,)
        Label of each labeled point, in ``[0, n_classes)``.
    k : int
        Number of clusters.
    n_classes : int

    Returns
    -------
    cluster_label : ndarray of int, (k,)
        The most frequent label in each cluster (ties go to the smaller
        label); -1 for a cluster without labeled points.
    votes : ndarray of int, (k, n_classes)
        ``votes[j, c]`` = labeled points of class ``c`` in cluster ``j``.

    Examples
    --------
    Cluster 0 holds labels 1, 1, 2; cluster 1 none; cluster 2 holds 0::

        >>> majority_labels(np.array([0, 0, 0, 2]), np.array([1, 1, 2, 0]), 3, 3)[0]
        array([ 1, -1,  0])
    """
    votes = np.bincount(clusters * n_classes + y, minlength=k * n_classes).reshape(k, n_classes)
    cluster_label = votes.argmax(axis=1)
    cluster_label[votes.sum(axis=1) == 0] = -1
    return cluster_label, votes


def cluster_then_label(X_labeled, y_labeled, X_unlabeled, k, seed=None, fill="nearest", n_classes=None,
                       max_iter=100, n_init=1):
    """Label unlabeled points by the majority label of their k-means cluster (§7.6).

    Parameters
    ----------
    X_labeled : ndarray, (l, ...)
        The labeled points (images are flattened).
    y_labeled : ndarray of int, (l,)
        Their classes, ``>= 0``.
    X_unlabeled : ndarray, (u, ...)
        The unlabeled points, of the same width as ``X_labeled``.
    k : int
        Number of clusters, ``1 <= k <= l + u``. More clusters than classes
        usually helps (each class may be several clusters), as long as most
        clusters still receive a labeled point.
    seed : int or None, default None
        Seed of k-means++.
    fill : {"nearest", None}, default "nearest"
        What unlabeled points of a cluster that no labeled point reached get:
        ``"nearest"``, the label of the nearest centre that was reached;
        None, the label -1.
    n_classes : int or None, default None
        Number of classes (default: ``max(y_labeled) + 1``).
    max_iter : int, default 100
        Lloyd iterations at most (see :class:`KMeans`).
    n_init : int, default 1
        k-means++ restarts (see :class:`KMeans`).

    Returns
    -------
    labels : ndarray of int, (u,)
        A label for each unlabeled point (-1 only with ``fill=None``).
    unreached : ndarray of int
        The clusters that no labeled point reached.

    Notes
    -----
    The clustering sees ``X_labeled`` and ``X_unlabeled`` stacked (one
    copy of the data), so the unlabeled points shape the clusters -- the
    point of semi-supervised learning. With ``k`` equal to the number of
    points every point is its own cluster and the labels spread nowhere.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.6.
    Chapelle, Schölkopf & Zien (eds.) (2006), *Semi-Supervised Learning*, MIT Press, ch. 1.
    """
    X_l, y, X_u, n_classes = check_ssl_data(X_labeled, y_labeled, X_unlabeled, n_classes)
    fill = checks.choice("fill", fill, FILL)
    n = len(X_l) + len(X_u)
    k = checks.count("k", k)
    if k > n:
        raise ValueError(f"k must be at most the number of points ({n}, labeled and unlabeled), got k={k}")
    km = KMeans(k, seed=seed, max_iter=max_iter, n_init=n_init).fit(np.concatenate([X_l, X_u]))
    clusters = km.labels_
    cluster_label, _ = majority_labels(clusters[:len(X_l)], y, k, n_classes)
    unreached = np.flatnonzero(cluster_label < 0)
    if fill == "nearest" and unreached.size:
        reached = np.flatnonzero(cluster_label >= 0)
        C = km.cluster_centers_
        nearest = reached[squared_distances(C[unreached], C[reached]).argmin(axis=1)]
        cluster_label = cluster_label.copy()
        cluster_label[unreached] = cluster_label[nearest]
    return cluster_label[clusters[len(X_l):]], unreached
