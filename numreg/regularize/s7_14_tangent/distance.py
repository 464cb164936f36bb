r"""The tangent distance and a nearest-neighbour classifier on it (§7.14; Simard, LeCun & Denker 1993).

The book (§7.14): "the tangent distance algorithm ... is a non-parametric
nearest-neighbor algorithm in which the metric used is not the generic
Euclidean distance but one that is derived from knowledge of the manifolds
near which probability concentrates ... the distance between points x1 and x2
[is] the distance between the manifolds M1 and M2 to which they respectively
belong ... a cheap alternative that makes sense locally is to approximate
M_i by its tangent plane at x_i and measure the distance between the two
tangents". With ``T_x`` the ``(D, T)`` matrix whose columns are the tangent
vectors of ``x`` (``numreg``'s :func:`tangent_vectors`),

.. math::  d_T(x, y)^2 = \min_{a, b} \| (x + T_x a) - (y + T_y b) \|^2
           = \min_c \| (x - y) + L c \|^2,\quad L = [T_x, -T_y],

a linear least-squares problem in the ``2T`` coefficients ``c = (a, b)``:
``L^T L c = -L^T (x - y)``. With the spring constant ``k`` of Simard et al.
(a penalty ``k ||c||^2`` that keeps the points near where the tangent plane
is a good approximation) the normal equations become
``(L^T L + k I) c = -L^T (x - y)``, and the minimum is
``||x - y + L c||^2 + k ||c||^2``. The one-sided distance keeps only ``x``'s
plane (``L = T_x``).

Every pair's ``2T x 2T`` system is solved at once (stacked
``np.linalg.pinv``, which also copes with tangents that are zero or
collinear); the inner products ``T_x^T T_y`` of all pairs are one matrix
product.
"""
import numpy as np

from ...core import checks
from .tangents import TRANSFORMATIONS, as_images, check_transformations, tangent_vectors

__all__ = ["tangent_distance", "pairwise_tangent_distance", "TangentNearestNeighbour"]


def _flat_and_tangents(x, tangents, transformations, sigma, image_shape, name):
    """``(X (n, D) float64, T (n, t, D) float64)``: the images flattened and their tangents."""
    if tangents is None:
        imgs = as_images(x, image_shape, name)
        tangents = tangent_vectors(imgs, transformations, sigma=sigma)
        flat = imgs.reshape(len(imgs), -1)
    else:
        flat = checks.float_array(name, x, min_ndim=1)
        flat = flat.reshape(len(flat), -1)
        tangents = checks.float_array(f"tangents_{name}", tangents)
        if tangents.ndim != 3 or tangents.shape[0] != len(flat) or tangents.shape[2] != flat.shape[1]:
            raise ValueError(f"tangents_{name} must have shape (n, T, D) = ({len(flat)}, T, {flat.shape[1]}), "
                             f"got tangents_{name}.shape={tangents.shape}")
    return flat.astype(np.float64), tangents.astype(np.float64)


def _options(transformations, two_sided, spring, sigma, image_shape, squared):
    """The options shared by the tangent distances, checked by the validation layer."""
    return (check_transformations(transformations), checks.flag("two_sided", two_sided),
            checks.nonnegative("spring", spring), checks.nonnegative("sigma", sigma),
            checks.optional(checks.image_shape, "image_shape", image_shape), checks.flag("squared", squared))


def _coefficients(G, rhs, spring):
    """The minimizer ``c`` of ``||e + L c||^2 + spring ||c||^2`` from ``G = L^T L`` and ``rhs = L^T e``."""
    if spring:
        G = G + spring * np.eye(G.shape[-1])
    return -np.einsum("...ij,...j->...i", np.linalg.pinv(G, hermitian=True), rhs)


def _solve(G, rhs, diff_sq, spring):
    """The minimum ``||e||^2 + c^T L^T e`` of that objective, from ``||e||^2`` (no ``D``-sized residual).

    Cheap for all pairs, but the subtraction loses digits when the minimum is
    near 0: its absolute error is about ``sqrt(eps) ||e||`` after the square root.
    """
    c = _coefficients(G, rhs, spring)
    return np.maximum(diff_sq + np.einsum("...i,...i->...", c, rhs), 0.0)


def tangent_distance(x, y, tangents_x=None, tangents_y=None, transformations=TRANSFORMATIONS, two_sided=True,
                     spring=0.0, sigma=0.0, image_shape=None, squared=False):
    """Tangent distance between paired images ``x[i]`` and ``y[i]`` (Simard et al. 1993; §7.14).

    Parameters
    ----------
    x, y : ndarray, (n, H, W), or (n, H*W) with ``image_shape``, or one image (H, W) each
        The pairs. A 2-D array without ``image_shape`` and without tangents
        is one image. With explicit tangents any ``(n, D)`` vectors do.
    tangents_x, tangents_y : ndarray, (n, T, D), or None, default None
        Tangent vectors (columns of ``T_x``, ``T_y``); None computes them
        with :func:`tangent_vectors` (``transformations``, ``sigma``).
    transformations : sequence of str, default all five
        Used when the tangents are computed.
    two_sided : bool, default True
        Minimize over both tangent planes; False: only over ``x``'s.
    spring : float, default 0.0
        Simard's spring constant ``k >= 0`` (ridge on the coefficients).
    sigma : float, default 0.0
        Blur before the tangents are computed.
    image_shape : (int, int) or None, default None
        ``(H, W)`` of flat images when the tangents are computed.
    squared : bool, default False
        Return ``d_T^2``.

    Returns
    -------
    ndarray, (n,), float64 (a float for single images)
        ``d_T(x_i, y_i) <= ||x_i - y_i||``.
    """
    x, y = checks.numbers_array("x", x), checks.numbers_array("y", y)
    transformations, two_sided, spring, sigma, image_shape, squared = _options(
        transformations, two_sided, spring, sigma, image_shape, squared)
    single = x.ndim == 2 and tangents_x is None and image_shape is None     # one (H, W) image each
    if single:
        if y.ndim != 2:
            raise ValueError(f"y must be one image (H, W) as x is (x.shape={x.shape}), got y.shape={y.shape}")
        x, y = x[None], y[None]
    if x.ndim == 0 or y.ndim == 0:
        bad = "x" if x.ndim == 0 else "y"
        raise ValueError(f"{bad} must be images (n, H, W) or vectors (n, D), got {bad}.shape=()")
    if np.shape(x)[0] != np.shape(y)[0]:
        raise ValueError(f"x and y must hold the same number of images, got {np.shape(x)[0]} and {np.shape(y)[0]}")
    X, Tx = _flat_and_tangents(x, tangents_x, transformations, sigma, image_shape, "x")
    Y, Ty = _flat_and_tangents(y, tangents_y, transformations, sigma, image_shape, "y")
    if X.shape != Y.shape:
        raise ValueError(f"x and y must have the same size, got {X.shape} and {Y.shape}")
    e = X - Y
    L = np.concatenate([Tx, -Ty], axis=1) if two_sided else Tx          # (n, t, D): the rows of L^T
    c = _coefficients(L @ L.transpose(0, 2, 1), np.einsum("ntd,nd->nt", L, e), spring)
    r = e + np.einsum("ntd,nt->nd", L, c)                   # the residual between the two best points
    d2 = np.einsum("nd,nd->n", r, r) + spring * np.einsum("nt,nt->n", c, c)
    d = d2 if squared else np.sqrt(d2)
    return float(d[0]) if single else d


def pairwise_tangent_distance(X, Y, tangents_X=None, tangents_Y=None, transformations=TRANSFORMATIONS,
                              two_sided=True, spring=0.0, sigma=0.0, image_shape=None, squared=False,
                              chunk=64):
    """Tangent distances between every ``X[i]`` and every ``Y[j]``: ``(m, N)``.

    Same arguments as :func:`tangent_distance`, with ``chunk`` (default 64)
    rows of ``X`` at a time (memory ``~ chunk * N * (2T)^2`` floats). The
    cross products ``T_x^T T_y``, ``T_x^T y`` and ``x^T T_y`` of all pairs
    are matrix products of the stacked tangents, and the minimum is
    ``||x - y||^2 + c^T L^T (x - y)`` (no residual of size ``D`` per pair), so
    a distance near 0 is accurate only to about ``sqrt(eps) ||x - y||``
    (1e-8 relative in float64; :func:`tangent_distance` forms the residual
    and has no such loss).
    """
    transformations, two_sided, spring, sigma, image_shape, squared = _options(
        transformations, two_sided, spring, sigma, image_shape, squared)
    chunk = checks.count("chunk", chunk)
    X, Tx = _flat_and_tangents(X, tangents_X, transformations, sigma, image_shape, "X")
    Y, Ty = _flat_and_tangents(Y, tangents_Y, transformations, sigma, image_shape, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have the same size per example, got {X.shape[1]} and {Y.shape[1]}")
    N, t = len(Y), Ty.shape[1]
    yy = np.einsum("nd,nd->n", Y, Y)
    TyTy = Ty @ Ty.transpose(0, 2, 1)                          # (N, t, t)
    Tyy = np.einsum("ntd,nd->nt", Ty, Y)                       # T_y^T y
    out = np.empty((len(X), N))
    for s in range(0, len(X), chunk):
        x, tx = X[s:s + chunk], Tx[s:s + chunk]
        m, u = len(x), tx.shape[1]
        e2 = np.einsum("md,md->m", x, x)[:, None] - 2 * x @ Y.T + yy[None]         # ||x - y||^2
        Txe = (np.einsum("mtd,md->mt", tx, x)[:, None, :] - np.einsum("mtd,nd->mnt", tx, Y))  # T_x^T (x - y)
        if not two_sided:
            G = np.broadcast_to((tx @ tx.transpose(0, 2, 1))[:, None], (m, N, u, u))
            out[s:s + m] = _solve(G, Txe, e2, spring)
            continue
        Tye = (Ty @ x.T).transpose(2, 0, 1) - Tyy[None]                              # T_y^T (x - y)
        cross = (tx.reshape(m * u, -1) @ Ty.reshape(N * t, -1).T).reshape(m, u, N, t).transpose(0, 2, 1, 3)
        G = np.empty((m, N, u + t, u + t))
        G[:, :, :u, :u] = (tx @ tx.transpose(0, 2, 1))[:, None]
        G[:, :, u:, u:] = TyTy[None]
        G[:, :, :u, u:] = -cross
        G[:, :, u:, :u] = -cross.transpose(0, 1, 3, 2)
        rhs = np.concatenate([Txe, -Tye], axis=2)
        out[s:s + m] = _solve(G, rhs, e2, spring)
    return out if squared else np.sqrt(out)


class TangentNearestNeighbour:
    """Nearest-neighbour classification with the tangent distance (§7.14).

    Parameters
    ----------
    transformations : sequence of str, default all five
        The tangent directions of both images.
    two_sided : bool, default True
    spring : float, default 0.0
    sigma : float, default 0.0
        Blur before the tangents are computed.
    chunk : int, default 64
        Test images per block of distances.

    Attributes
    ----------
    X_, y_, tangents_ : the stored training images (flat, float64), labels and tangents.

    Examples
    --------
    >>> knn = TangentNearestNeighbour(("translate_x", "translate_y")).fit(X_train, y_train)  # doctest: +SKIP
    >>> accuracy = np.mean(knn.predict(X_test) == y_test)                                   # doctest: +SKIP
    """

    def __init__(self, transformations=TRANSFORMATIONS, two_sided=True, spring=0.0, sigma=0.0, chunk=64):
        self.transformations, self.two_sided, self.spring, self.sigma, _, _ = _options(
            transformations, two_sided, spring, sigma, None, False)
        self.chunk = checks.count("chunk", chunk)

    def fit(self, X, y, image_shape=None):
        """Store the training images and labels, and compute their tangents.

        Parameters
        ----------
        X : ndarray, (N, H, W), or (N, H*W) with ``image_shape`` (or square)
        y : array_like, (N,)
            Their labels.
        image_shape : (int, int) or None, default None
            ``(H, W)`` of flat images.

        Returns
        -------
        self
        """
        imgs = as_images(X, image_shape, "X")
        y = checks.numbers_array("y", y)
        if y.shape != (len(imgs),):
            raise ValueError(f"y must have shape ({len(imgs)},), one label per image of X "
                             f"(X.shape={np.shape(X)}), got y.shape={y.shape}")
        y = checks.labels("y", y, n=len(imgs))
        self.image_shape_ = imgs.shape[1:]
        self.tangents_ = tangent_vectors(imgs, self.transformations, sigma=self.sigma)
        self.X_, self.y_ = imgs.reshape(len(imgs), -1), y
        return self

    def distances(self, X):
        """Tangent distances from each image of ``X`` to every training image: ``(m, N)``."""
        imgs = as_images(X, self.image_shape_, "X")
        T = tangent_vectors(imgs, self.transformations, sigma=self.sigma)
        return pairwise_tangent_distance(imgs.reshape(len(imgs), -1), self.X_, T, self.tangents_,
                                         two_sided=self.two_sided, spring=self.spring, chunk=self.chunk)

    def predict(self, X):
        """Label of the nearest training image for each image of ``X``: ``(m,)``."""
        return self.y_[np.argmin(self.distances(X), axis=1)]
