"""The closed forms of §7.8: gradient descent on a quadratic from ``w = 0`` and its equivalence
with L2 regularization (Eq. 7.33-7.45).
"""
import numpy as np

from ...core.checks import positive, hessian, float_vector, step_counts


# ---------------------------------------------------------------------------
# §7.8: early stopping as L2 regularization

def early_stopping_trajectory(H, w_star, epsilon, tau, w0=None):
    """Gradient descent on the quadratic approximation of J, in closed form (Eq. 7.40).

    On ``J^(w) = J(w_star) + 1/2 (w - w_star)^T H (w - w_star)`` (Eq. 7.33)
    the update ``w(t) = w(t-1) - epsilon H (w(t-1) - w_star)`` (Eq. 7.36)
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
    _, lam, Q = hessian(H)
    d = lam.shape[0]
    w_star = float_vector("w_star", w_star, d)
    epsilon = positive("epsilon", epsilon)
    t = step_counts(tau)
    start = np.zeros(d) if w0 is None else float_vector("w0", w0, d)
    c = Q.T @ (start - w_star)                               # (w0 - w*) in the eigenbasis
    decay = (1.0 - epsilon * lam)[None, :] ** t.reshape(-1, 1).astype(np.float64)   # (I - eps Lambda)^tau
    w = w_star + (decay * c) @ Q.T
    return w[0] if t.ndim == 0 else w


def early_stopping_alpha(epsilon, tau, H=None):
    """The L2 weight ``alpha`` that early stopping after ``tau`` steps imitates (Eq. 7.41-7.45).

    Comparing Eq. 7.40 with the L2 solution Eq. 7.41 (``Q (Lambda + alpha I)^-1 Lambda Q^T w_star``),
    the two coincide when ``(I - epsilon Lambda)^tau = (Lambda + alpha I)^-1 alpha`` (Eq. 7.43);
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
        exact per-eigendirection solution of Eq. 7.43,
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
    epsilon = positive("epsilon", epsilon)
    t = step_counts(tau)
    tf = t.astype(np.float64)
    if H is None:
        with np.errstate(divide="ignore"):
            a = 1.0 / (tf * epsilon)
        return float(a) if t.ndim == 0 else a
    _, lam, _ = hessian(H)
    r = (1.0 - epsilon * lam)[None, :] ** tf.reshape(-1, 1)       # (1 - eps lambda_i)^tau
    with np.errstate(divide="ignore", invalid="ignore"):
        a = lam * r / (1.0 - r)
    a = np.where(lam[None, :] > 0, a, np.nan)
    return a[0] if t.ndim == 0 else a
