"""The closed-form results of §7.1-7.2, §7.5 and §7.8, to hold training against theory.

Everything here is computed in float64 from the book's formulas, with the
book's symbols: ``H`` the Hessian of the unregularized objective at its
minimum ``w_star``, ``alpha`` the penalty weight of
``J~(w) = J(w) + alpha * Omega(w)`` (Eq. 7.1), ``epsilon`` the learning
rate, ``tau`` the number of gradient steps, ``eta`` the variance of weight
noise. Write ``H = Q Lambda Q^T`` (eigen-decomposition, ``Lambda = diag(lambda_i)``).

- :func:`early_stopping_trajectory`, :func:`early_stopping_alpha`: gradient
  descent on a quadratic from ``w = 0`` and its equivalence with L2
  (Eq. 7.40-7.45).
"""
import numbers

import numpy as np


# ---------------------------------------------------------------------------
# validation helpers

def _check_nonneg(name, v):
    """A finite real number >= 0, as float; ValueError naming ``name`` otherwise."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {name}={v!r}")
    return float(v)


def _check_pos(name, v):
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {name}={v!r}")
    return float(v)


def _check_H(H, name="H", psd=True):
    """``H`` as a float64 square symmetric (and, if ``psd``, positive semi-definite) matrix.

    Returns ``(H, lam, Q)`` with ``H = Q diag(lam) Q^T``; tiny negative
    eigenvalues from round-off (``>= -1e-10 * max|lam|``) are set to 0.
    """
    A = np.asarray(H, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got {name}.shape={np.shape(H)}")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} must hold finite numbers, got a non-finite entry in {name}")
    scale = max(float(np.max(np.abs(A))), 1e-300)
    asym = float(np.max(np.abs(A - A.T)))
    if asym > 1e-8 * scale:
        raise ValueError(f"{name} must be symmetric (a Hessian), got max|{name} - {name}^T| = {asym:.3g}")
    A = 0.5 * (A + A.T)
    lam, Q = np.linalg.eigh(A)
    tol = 1e-10 * max(float(np.max(np.abs(lam))), 1e-300)
    if psd:
        if lam[0] < -tol:
            raise ValueError(f"{name} must be positive semi-definite, got smallest eigenvalue {lam[0]:.6g}")
        lam = np.where(lam < tol, np.maximum(lam, 0.0), lam)
    return A, lam, Q


def _check_vector(name, v, d=None, dname="H"):
    a = np.asarray(v, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a vector (1-D), got {name}.shape={np.shape(v)}")
    if d is not None and a.shape[0] != d:
        raise ValueError(f"{name} has {a.shape[0]} entries but {dname} is {d}x{d}: "
                         f"got {name}.shape={a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must hold finite numbers")
    return a


def _check_tau(tau):
    t = np.asarray(tau)
    if t.dtype == bool or not np.issubdtype(t.dtype, np.integer):
        if t.dtype.kind == "f" and np.all(np.isfinite(t)) and np.all(t == np.round(t)):
            t = t.astype(np.int64)
        else:
            raise ValueError(f"tau must be an integer number of steps >= 0 (or an array of them), got tau={tau!r}")
    if t.size and t.min() < 0:
        raise ValueError(f"tau must be >= 0, got tau={tau!r}")
    return t


# ---------------------------------------------------------------------------
# §7.8: early stopping as L2 regularization

def early_stopping_trajectory(H, w_star, epsilon, tau, w0=None):
    """Gradient descent on the quadratic approximation of J, in closed form (Eq. 7.40).

    On ``J^(w) = J(w_star) + 1/2 (w - w_star)^T H (w - w_star)`` (Eq. 7.33)
    the update ``w(t) = w(t-1) - epsilon H (w(t-1) - w_star)`` (Eq. 7.35)
    gives ``w(t) - w_star = (I - epsilon H)^t (w(0) - w_star)``; from
    ``w(0) = 0``,

        w(tau) = Q [I - (I - epsilon Lambda)^tau] Q^T w_star.      (Eq. 7.40)

    Parameters
    ----------
    H : array_like, (d, d)
        Hessian of J at ``w_star``: symmetric positive semi-definite.
    w_star : array_like, (d,)
        The unregularized minimum.
    epsilon : float
        Learning rate, > 0. The book's analysis assumes ``epsilon * lambda_i << 1``;
        the formula holds for any ``epsilon`` (it diverges when
        ``epsilon * lambda_max > 2``, as gradient descent does).
    tau : int or array_like of int
        Number of steps, >= 0. An array gives the whole trajectory.
    w0 : array_like, (d,), or None, default None
        Starting point; None is the book's ``w(0) = 0``. In general
        ``w(tau) = w_star + Q (I - epsilon Lambda)^tau Q^T (w0 - w_star)``.

    Returns
    -------
    ndarray
        ``(d,)`` for a scalar ``tau``; ``(len(tau), d)`` for an array, one row per step count.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.8, Eq. 7.33-7.40.
    """
    _, lam, Q = _check_H(H)
    d = lam.shape[0]
    w_star = _check_vector("w_star", w_star, d)
    epsilon = _check_pos("epsilon", epsilon)
    t = _check_tau(tau)
    start = np.zeros(d) if w0 is None else _check_vector("w0", w0, d)
    c = Q.T @ (start - w_star)                               # (w0 - w*) in the eigenbasis
    decay = (1.0 - epsilon * lam)[None, :] ** t.reshape(-1, 1).astype(np.float64)   # (I - eps Lambda)^tau
    w = w_star + (decay * c) @ Q.T
    return w[0] if t.ndim == 0 else w


def early_stopping_alpha(epsilon, tau, H=None):
    """The L2 weight ``alpha`` that early stopping after ``tau`` steps imitates (Eq. 7.41-7.45).

    Comparing Eq. 7.40 with the L2 solution Eq. 7.41 (``Q (Lambda + alpha I)^-1 Lambda Q^T w_star``),
    the two coincide when ``(I - epsilon Lambda)^tau = (Lambda + alpha I)^-1 alpha`` (Eq. 7.42);
    for small ``epsilon lambda_i`` and ``lambda_i / alpha``, taking logarithms gives

        tau ~ 1 / (epsilon alpha),     alpha ~ 1 / (tau epsilon).     (Eq. 7.44-7.45)

    Parameters
    ----------
    epsilon : float
        Learning rate, > 0.
    tau : int or array_like of int
        Number of training steps, >= 0 (``tau = 0`` gives ``alpha = inf``: no training).
    H : array_like, (d, d), or None, default None
        None: the book's approximation ``1 / (tau epsilon)``. A Hessian: the
        exact per-eigendirection solution of Eq. 7.42,
        ``alpha_i = lambda_i (1 - epsilon lambda_i)^tau / (1 - (1 - epsilon lambda_i)^tau)``,
        for ``0 < epsilon lambda_i < 1`` (NaN for ``lambda_i = 0``, where any alpha matches).

    Returns
    -------
    float or ndarray
        A float for scalar ``tau`` without ``H``; with ``H``, an array
        ``(d,)`` (or ``(len(tau), d)``) ordered as ``numpy.linalg.eigh``'s eigenvalues.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.8, Eq. 7.42-7.45.
    Bishop (1995), "Regularization and complexity control in feed-forward networks".
    """
    epsilon = _check_pos("epsilon", epsilon)
    t = _check_tau(tau)
    tf = t.astype(np.float64)
    if H is None:
        with np.errstate(divide="ignore"):
            a = 1.0 / (tf * epsilon)
        return float(a) if t.ndim == 0 else a
    _, lam, _ = _check_H(H)
    r = (1.0 - epsilon * lam)[None, :] ** tf.reshape(-1, 1)       # (1 - eps lambda_i)^tau
    with np.errstate(divide="ignore", invalid="ignore"):
        a = lam * r / (1.0 - r)
    a = np.where(lam[None, :] > 0, a, np.nan)
    return a[0] if t.ndim == 0 else a
