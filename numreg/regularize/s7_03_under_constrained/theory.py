r"""§7.3 Regularization and under-constrained problems, in float64 with the book's symbols.

Two problems that have no unique answer without regularization:

- *Linear regression with more features than examples* (``X: (n, d)``, ``d > n``):
  ``X^T X`` is singular, so the normal equations have infinitely many
  solutions. Weight decay makes the matrix invertible, and its limit is the
  Moore-Penrose pseudo-inverse (Eq. 7.29):

      X^+ = lim_{alpha -> 0} (X^T X + alpha I)^{-1} X^T.

  :func:`weight_decay_inverse`, :func:`pseudo_inverse_limit`; and
  :func:`min_norm_gradient_descent`, gradient descent from ``w = 0``, which
  finds the same minimum-norm solution ``X^+ y`` without any penalty.
- *Logistic regression on linearly separable classes*: if ``w`` separates
  them, so does ``2 w``, with a smaller loss, so gradient descent increases
  ``||w||`` for ever (as ``log t``, Soudry et al. 2018) and never converges;
  with weight decay the iterates converge (:func:`logistic_trajectory`,
  :func:`separable_classes`).

References
----------
Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.3, Eq. 7.29.
Soudry, Hoffer, Nacson, Gunasekar & Srebro (2018), "The implicit bias of
gradient descent on separable data", JMLR 19.
"""
from collections import namedtuple

import numpy as np

from ...core import checks
from ...core.checks import nonnegative, positive, regression_data


# ---------------------------------------------------------------------------
# Under-determined linear regression: the pseudo-inverse (Eq. 7.29)

def _matrix(X):
    """``X`` as a non-empty finite float64 matrix ``(n, d)``."""
    return checks.float_array("X", X, ndim=2, dtype=np.float64)


def weight_decay_inverse(X, alpha):
    """The regularized inverse ``(X^T X + alpha I)^{-1} X^T`` of Eq. 7.29, shape ``(d, n)``.

    It maps targets to the weights of ridge regression in the book's form,
    ``w = (X^T X + alpha I)^{-1} X^T y`` (Eq. 7.17). For ``alpha > 0`` the
    matrix ``X^T X + alpha I`` is invertible even when ``X^T X`` is not
    (``d > n``): weight decay makes an under-determined problem well posed.

    Computed from the SVD ``X = U diag(s) V^T`` as ``V diag(s / (s^2 + alpha)) U^T``,
    the same matrix without forming ``X^T X`` (whose condition number, up to
    ``s_max^2 / alpha``, would cost ``log10(s_max^2 / alpha)`` digits).

    Parameters
    ----------
    X : array_like, (n, d)
        Design matrix, one example per row.
    alpha : float
        Weight-decay coefficient ``alpha > 0``.

    Returns
    -------
    ndarray, (d, n)
    """
    X = _matrix(X)
    alpha = positive("alpha", alpha)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    return (Vt.T * (s / (s * s + alpha))) @ U.T


PseudoInverseLimit = namedtuple("PseudoInverseLimit", ["alphas", "inverses", "errors", "rate"])
PseudoInverseLimit.__doc__ = """What :func:`pseudo_inverse_limit` measured.

alphas : (k,) the coefficients; inverses : (k, d, n) ``(X^T X + alpha I)^{-1} X^T`` for each;
errors : (k,) Frobenius norms ``||(X^T X + alpha I)^{-1} X^T - X^+||_F``;
rate : float, ``sqrt(sum_i s_i^-6)`` over the non-zero singular values: ``errors ~ rate * alpha`` as ``alpha -> 0``.
"""


def pseudo_inverse_limit(X, alphas):
    """Eq. 7.29 numerically: ``(X^T X + alpha I)^{-1} X^T -> X^+`` as ``alpha -> 0``, and how fast.

    Along each singular direction (singular value ``s > 0``) the regularized
    inverse has ``s / (s^2 + alpha)`` where the pseudo-inverse has ``1 / s``;
    the difference is ``-alpha / (s (s^2 + alpha))``, about ``-alpha / s^3``
    for small ``alpha``. Hence the error is proportional to ``alpha``:

        ||(X^T X + alpha I)^{-1} X^T - X^+||_F ~ alpha * sqrt(sum_i s_i^-6).

    (Along a zero singular value both give 0.) ``X^+`` is ``np.linalg.pinv(X)``.

    Parameters
    ----------
    X : array_like, (n, d)
    alphas : array_like of float, (k,)
        Coefficients ``alpha > 0``, e.g. ``np.logspace(2, -8, 11)``.

    Returns
    -------
    PseudoInverseLimit
        ``(alphas, inverses, errors, rate)``, see its docstring.
    """
    X = _matrix(X)
    alphas = np.atleast_1d(checks.float_array("alphas", alphas, ndim=(0, 1), dtype=np.float64))   # a number: one
    for a in alphas:
        positive("alphas", float(a))
    pinv = np.linalg.pinv(X)
    inverses = np.stack([weight_decay_inverse(X, a) for a in alphas])
    errors = np.linalg.norm(inverses - pinv, axis=(1, 2))
    s = np.linalg.svd(X, compute_uv=False)
    s = s[s > s.max() * max(X.shape) * np.finfo(float).eps]
    return PseudoInverseLimit(alphas, inverses, errors, float(np.sqrt(np.sum(s ** -6.0))))


def min_norm_gradient_descent(X, y, epsilon=None, steps=1000, return_path=False):
    """Gradient descent on ``J(w) = 1/2 ||X w - y||^2`` from ``w = 0``: the minimum-norm solution ``X^+ y``.

    With ``d > n`` every ``w`` with ``X w = y`` minimizes ``J``; which one
    gradient descent returns is decided by where it starts. Each step
    ``w <- w - epsilon X^T (X w - y)`` adds a vector of the row space of
    ``X`` (a combination of the examples), so from ``w = 0`` the iterates
    never leave that space, and the one solution in it is the one of
    smallest norm, ``X^+ y``: gradient descent is implicitly regularized
    (the limit ``alpha -> 0`` of weight decay, Eq. 7.29). In the SVD basis
    the ``t``-th iterate is

        w_t = V diag((1 - (1 - epsilon s^2)^t) / s) U^T y,

    which tends to ``V diag(1 / s) U^T y = X^+ y`` when ``0 < epsilon < 2 / s_max^2``.

    Parameters
    ----------
    X : array_like, (n, d)
    y : array_like, (n,)
    epsilon : float or None, default None
        Learning rate, ``0 < epsilon < 2 / s_max^2`` (``s_max`` the largest
        singular value of ``X``; a larger one diverges). None: ``1 / s_max^2``.
    steps : int, default 1000
        Number of steps.
    return_path : bool, default False
        Also return every iterate.

    Returns
    -------
    w : ndarray, (d,)
    path : ndarray, (steps + 1, d)
        Only with ``return_path``: ``w_0 = 0, w_1, ..., w_steps``.
    """
    X, y = regression_data(X, y)
    steps = checks.count("steps", steps)
    return_path = checks.flag("return_path", return_path)
    s_max = float(np.linalg.norm(X, 2))
    if s_max == 0:
        raise ValueError("X must not be all zeros")
    limit = 2.0 / s_max ** 2
    epsilon = 1.0 / s_max ** 2 if epsilon is None else positive("epsilon", epsilon)
    if epsilon >= limit:
        raise ValueError(f"epsilon must be below 2 / s_max^2 = {limit:.6g} (larger steps diverge), got epsilon={epsilon!r}")
    w = np.zeros(X.shape[1])
    path = [w.copy()] if return_path else None
    for _ in range(steps):
        w -= epsilon * (X.T @ (X @ w - y))
        if return_path:
            path.append(w.copy())
    return (w, np.array(path)) if return_path else w


# ---------------------------------------------------------------------------
# Logistic regression on separable classes: ||w|| grows without weight decay

def separable_classes(n=40, d=2, margin=1.0, seed=0):
    """Two linearly separable classes, separated through the origin with a margin: ``(X (n, d), y (n,) in {-1, +1})``.

    Points are drawn from a standard normal; each is labeled by the side of
    the hyperplane ``x_1 = 0`` it falls on and then pushed ``margin / 2``
    away from it, so the classes are separated by a gap ``margin`` along
    the first axis (no bias is needed).

    Parameters
    ----------
    n : int, default 40
    d : int, default 2
    margin : float, default 1.0
        Width of the gap between the classes, > 0.
    seed : int or None, default 0
    """
    n, d = checks.count("n", n), checks.count("d", d)
    checks.allocation("n" if n >= d else "d", n if n >= d else d, n, d)
    margin = positive("margin", margin)
    rng = checks.generator("seed", seed)
    X = rng.standard_normal((n, d))
    y = np.where(X[:, 0] >= 0, 1.0, -1.0)
    X[:, 0] += y * margin / 2
    return X, y


def logistic_loss(w, X, y, alpha=0.0):
    """``J(w) = (1/n) sum_i log(1 + exp(-y_i w^T x_i)) + alpha/2 ||w||^2`` and its gradient.

    Computed without overflow (``logaddexp``). The gradient is
    ``-(1/n) sum_i y_i sigma(-y_i w^T x_i) x_i + alpha w``.

    Parameters
    ----------
    w : ndarray, (d,)
        Weights (no bias: append a column of ones to ``X`` for one).
    X : ndarray, (n, d)
    y : ndarray, (n,)
        Labels in ``{-1, +1}`` (not checked here; :func:`logistic_trajectory` checks them).
    alpha : float, default 0.0
        Weight-decay coefficient.

    Returns
    -------
    loss : float
    grad : ndarray, (d,)
    """
    z = y * (X @ w)                                      # margins y_i w^T x_i
    loss = float(np.mean(np.logaddexp(0.0, -z))) + 0.5 * alpha * float(w @ w)
    e = np.exp(-np.abs(z))
    sig_neg = np.where(z >= 0, e / (1 + e), 1 / (1 + e))  # sigma(-z) = 1 / (1 + exp(z)), stably
    grad = -(X.T @ (y * sig_neg)) / X.shape[0] + alpha * w
    return loss, grad


LogisticTrajectory = namedtuple("LogisticTrajectory", ["w", "norms", "losses", "grad_norms"])
LogisticTrajectory.__doc__ = """What :func:`logistic_trajectory` recorded.

w : (d,) the last iterate; norms, losses, grad_norms : (steps + 1,) ``||w_t||``, ``J(w_t)`` (with the
penalty) and ``||grad J(w_t)||`` at ``t = 0, ..., steps``.
"""


def logistic_trajectory(X, y, alpha=0.0, epsilon=None, steps=10000):
    """Gradient descent on logistic regression from ``w = 0``, recording ``||w||`` and the loss at every step (§7.3).

    Minimizes ``J(w) = (1/n) sum_i log(1 + exp(-y_i w^T x_i)) + alpha/2 ||w||^2``.
    On separable classes with ``alpha = 0`` the loss has no minimum: it
    tends to 0 as the margins ``y_i w^T x_i`` grow, so ``||w_t||`` grows
    without bound, like ``log t`` (the direction converges to the
    max-margin separator, Soudry et al. 2018). With ``alpha > 0`` the
    objective is strongly convex, its minimum is unique, and the iterates
    converge to it: weight decay makes the under-determined problem well
    posed.

    Parameters
    ----------
    X : array_like, (n, d)
    y : array_like, (n,)
        Labels in ``{-1, +1}``.
    alpha : float, default 0.0
        Weight-decay coefficient, >= 0.
    epsilon : float or None, default None
        Learning rate; None: ``1 / L`` with ``L = s_max^2 / (4 n) + alpha``,
        the Lipschitz constant of the gradient (a safe, convergent step).
    steps : int, default 10000

    Returns
    -------
    LogisticTrajectory
        ``(w, norms, losses, grad_norms)``.
    """
    X, y = regression_data(X, y)
    if not np.all(np.abs(y) == 1):
        raise ValueError(f"y must hold labels -1 and +1, got values {np.unique(y)[:5].tolist()}")
    alpha = nonnegative("alpha", alpha)
    lipschitz = float(np.linalg.norm(X, 2)) ** 2 / (4 * X.shape[0]) + alpha
    epsilon = 1.0 / lipschitz if epsilon is None else positive("epsilon", epsilon)
    steps = checks.count("steps", steps)
    w = np.zeros(X.shape[1])
    norms, losses, grad_norms = np.empty(steps + 1), np.empty(steps + 1), np.empty(steps + 1)
    for t in range(steps + 1):
        loss, grad = logistic_loss(w, X, y, alpha)
        norms[t], losses[t], grad_norms[t] = np.linalg.norm(w), loss, np.linalg.norm(grad)
        if t < steps:
            w = w - epsilon * grad
    return LogisticTrajectory(w, norms, losses, grad_norms)
