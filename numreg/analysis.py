"""The closed-form results of §7.1-7.2, §7.5 and §7.8, to hold training against theory.

Everything here is computed in float64 from the book's formulas, with the
book's symbols: ``H`` the Hessian of the unregularized objective at its
minimum ``w_star``, ``alpha`` the penalty weight of
``J~(w) = J(w) + alpha * Omega(w)`` (Eq. 7.1), ``epsilon`` the learning
rate, ``tau`` the number of gradient steps, ``eta`` the variance of weight
noise. Write ``H = Q Lambda Q^T`` (eigen-decomposition, ``Lambda = diag(lambda_i)``).

- :func:`ridge`, :func:`lasso`: the exact minimizers of the seed's linear
  regression ``J(w) = (Xw - y)^T (Xw - y)`` plus ``alpha * Omega`` (§7.1.1-7.1.2).
- :func:`l2_shrinkage`: the L2-regularized minimum of a quadratic (Eq. 7.13).
- :func:`l1_solution`: the L1-regularized minimum for a diagonal Hessian
  (Eq. 7.23); :func:`l1_quadratic` for any Hessian.
- :func:`constrained_alpha`: the KKT multiplier ``alpha*`` of the constraint
  ``||w||_2 <= k`` (§7.2, Eq. 7.25-7.27).
- :func:`early_stopping_trajectory`, :func:`early_stopping_alpha`: gradient
  descent on a quadratic from ``w = 0`` and its equivalence with L2
  (Eq. 7.33-7.45).
- :func:`weight_noise_penalty`: the regularizer ``eta E||grad_W y^(x)||^2``
  that noise on the weights amounts to (§7.5).
- :func:`make_correlated_regression`: a regression problem with correlated
  features, for regularization paths.

A note on the factor 2 in the seed's linear regression. With
``J(w) = (Xw - y)^T (Xw - y)`` (no 1/2), the Hessian is ``H = 2 X^T X``
(the seed writes ``X^T X``), and the minimizer of ``J + alpha/2 ||w||^2``
is ``(X^T X + alpha/2 I)^-1 X^T y``. The book's ``(X^T X + alpha I)^-1 X^T y``
(Eq. 7.17) is the minimizer of ``1/2 J + alpha/2 ||w||^2``. The functions
here are exact for the objective as stated, with ``H = 2 X^T X``: so
``ridge(X, y, alpha) == l2_shrinkage(2 X^T X, w_star, alpha)``, and the
book's Eq. 7.17 is ``ridge(X, y, 2 * alpha)``.
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


# ---------------------------------------------------------------------------
# §7.1.1: L2 regularization

def l2_shrinkage(H, w_star, alpha, return_factors=False):
    """The L2-regularized minimum of the quadratic approximation of J (Eq. 7.13).

    Minimizing ``J^(w) + alpha/2 ||w||^2`` with
    ``J^(w) = J(w_star) + 1/2 (w - w_star)^T H (w - w_star)`` (Eq. 7.6) gives

        w~ = (H + alpha I)^-1 H w_star = Q (Lambda + alpha I)^-1 Lambda Q^T w_star,   (Eq. 7.10, 7.13)

    i.e. the component of ``w_star`` along the i-th eigenvector of ``H`` is
    multiplied by ``lambda_i / (lambda_i + alpha)``: directions of large
    curvature are kept, those with ``lambda_i << alpha`` shrink to 0.

    Parameters
    ----------
    H : array_like, (d, d)
        Hessian of J at ``w_star``, symmetric positive semi-definite.
    w_star : array_like, (d,)
        The unregularized minimum.
    alpha : float
        Penalty weight, >= 0.
    return_factors : bool, default False
        Also return the shrinkage factors and the eigenvectors.

    Returns
    -------
    w_tilde : ndarray, (d,)
    factors : ndarray, (d,)
        Only with ``return_factors``: ``lambda_i / (lambda_i + alpha)`` in the
        order of ``numpy.linalg.eigh`` (ascending ``lambda_i``); 1 where
        ``lambda_i + alpha = 0`` (no curvature, no penalty: w~ = w*).
    Q : ndarray, (d, d)
        Only with ``return_factors``: the eigenvectors, as columns.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.1.1, Eq. 7.6-7.13.
    """
    _, lam, Q = _check_H(H)
    w_star = _check_vector("w_star", w_star, lam.shape[0])
    alpha = _check_nonneg("alpha", alpha)
    den = lam + alpha
    factors = np.where(den > 0, lam / np.where(den > 0, den, 1.0), 1.0)
    w = Q @ (factors * (Q.T @ w_star))
    return (w, factors, Q) if return_factors else w


def _check_regression(X, y):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a matrix (n, d), got X.shape={X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must be a vector with one entry per row of X ({X.shape[0]},), got y.shape={y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must hold finite numbers")
    return X, y


def ridge(X, y, alpha):
    """Ridge regression: the minimizer of ``(Xw - y)^T (Xw - y) + alpha * 1/2 ||w||^2`` (§7.1.1).

    Setting the gradient ``2 X^T (Xw - y) + alpha w`` to 0 gives

        w = (X^T X + alpha/2 I)^-1 X^T y,

    computed from the SVD ``X = U S V^T`` as ``V diag(s / (s^2 + alpha/2)) U^T y``
    (stable; for ``alpha = 0`` the minimum-norm least-squares solution). No
    intercept: center ``X`` and ``y`` first if needed. See the module
    docstring for the factor 2 relative to the book's Eq. 7.17.

    Parameters
    ----------
    X : array_like, (n, d)
    y : array_like, (n,)
    alpha : float
        Penalty weight, >= 0.

    Returns
    -------
    ndarray, (d,)
    """
    X, y = _check_regression(X, y)
    alpha = _check_nonneg("alpha", alpha)
    U, sv, Vt = np.linalg.svd(X, full_matrices=False)
    tol = sv.max(initial=0.0) * max(X.shape) * np.finfo(float).eps
    den = sv * sv + alpha / 2
    f = np.where(sv > tol, sv / np.where(den > 0, den, 1.0), 0.0)
    return Vt.T @ (f * (U.T @ y))


# ---------------------------------------------------------------------------
# §7.1.2: L1 regularization

def l1_solution(H_diag, w_star, alpha):
    """The L1-regularized minimum for a diagonal Hessian (Eq. 7.22-7.23).

    With ``H = diag(H_11, ..., H_dd)``, ``H_ii > 0`` (uncorrelated
    features), ``J^(w) + alpha ||w||_1`` separates into one problem per
    coordinate (Eq. 7.22), solved by soft thresholding:

        w_i = sign(w*_i) max(|w*_i| - alpha / H_ii, 0).            (Eq. 7.23)

    Every ``w*_i`` with ``|w*_i| <= alpha / H_ii`` becomes exactly 0: sparsity.

    Parameters
    ----------
    H_diag : array_like, (d,) or (d, d)
        The diagonal entries ``H_ii > 0``, or a diagonal matrix (a matrix
        with off-diagonal entries raises ValueError: use :func:`l1_quadratic`).
    w_star : array_like, (d,)
    alpha : float
        Penalty weight, >= 0.

    Returns
    -------
    ndarray, (d,)

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.1.2, Eq. 7.20-7.23.
    """
    h = np.asarray(H_diag, dtype=np.float64)
    if h.ndim == 2:
        if h.shape[0] != h.shape[1]:
            raise ValueError(f"H_diag must be a vector or a square diagonal matrix, got H_diag.shape={h.shape}")
        off = h - np.diag(np.diag(h))
        if np.any(off != 0):
            raise ValueError("H_diag must be diagonal for Eq. 7.23 (uncorrelated features); "
                             f"got a matrix with max off-diagonal |H_ij| = {np.max(np.abs(off)):.3g}; "
                             "use l1_quadratic for a general H")
        h = np.diag(h)
    h = _check_vector("H_diag", h)
    if np.any(h <= 0):
        raise ValueError(f"H_diag must hold positive curvatures H_ii > 0, got min(H_diag)={h.min():.6g}")
    w_star = _check_vector("w_star", w_star, h.shape[0], "H_diag")
    alpha = _check_nonneg("alpha", alpha)
    return np.sign(w_star) * np.maximum(np.abs(w_star) - alpha / h, 0.0)


def _l1_coordinate_descent(A, b, alpha, tol=1e-13, max_sweeps=100000, w0=None):
    """Minimize ``1/2 w^T A w - b^T w + alpha ||w||_1`` for PSD ``A`` (float64).

    Cyclic coordinate descent (each coordinate's exact minimizer is a soft
    threshold, Eq. 7.23 in one dimension), then an exact solve on the
    support found, kept if it satisfies the optimality conditions
    (``|b_i - (A w)_i| <= alpha`` off the support, signs unchanged on it).
    """
    d = b.shape[0]
    diag = np.diag(A).copy()
    w = np.zeros(d) if w0 is None else np.array(w0, dtype=np.float64)
    g = A @ w                                            # A w, kept up to date
    for _ in range(max_sweeps):
        big = 0.0
        for i in range(d):                               # coordinates, not samples: d is small
            if diag[i] <= 0:
                continue                                 # a zero row of a PSD A: w_i stays 0
            old = w[i]
            r = b[i] - (g[i] - diag[i] * old)            # b_i - sum_{j != i} A_ij w_j
            new = np.sign(r) * max(abs(r) - alpha, 0.0) / diag[i]
            if new != old:
                g += A[:, i] * (new - old)
                w[i] = new
                big = max(big, abs(new - old))
        if big <= tol * max(1.0, np.max(np.abs(w))):
            break
    # polish: exact solve on the support with the signs found
    S = w != 0
    if S.any():
        s = np.sign(w[S])
        try:
            wS = np.linalg.solve(A[np.ix_(S, S)], b[S] - alpha * s)
        except np.linalg.LinAlgError:
            return w
        cand = np.zeros(d)
        cand[S] = wS
        grad = b - A @ cand
        ok = np.all(np.sign(wS) == s) and np.all(np.abs(grad[~S]) <= alpha * (1 + 1e-9) + 1e-12)
        if ok:
            w = cand
    return w


def l1_quadratic(H, w_star, alpha):
    """The L1-regularized minimum of the quadratic approximation of J, for any Hessian (§7.1.2).

    Minimizes ``1/2 (w - w_star)^T H (w - w_star) + alpha ||w||_1`` by
    coordinate descent. For a diagonal ``H`` this is Eq. 7.23
    (:func:`l1_solution`); for a general ``H`` there is no closed form,
    which is why the book assumes a diagonal Hessian. Used to draw
    Figure 7.1 for L1.

    Parameters
    ----------
    H : array_like, (d, d)
        Symmetric positive semi-definite, with ``H_ii > 0``.
    w_star : array_like, (d,)
    alpha : float, >= 0

    Returns
    -------
    ndarray, (d,)
    """
    A, lam, _ = _check_H(H)
    w_star = _check_vector("w_star", w_star, lam.shape[0])
    alpha = _check_nonneg("alpha", alpha)
    return _l1_coordinate_descent(A, A @ w_star, alpha)


def lasso(X, y, alpha, tol=1e-13):
    """Lasso: the minimizer of ``(Xw - y)^T (Xw - y) + alpha ||w||_1`` (§7.1.2; Tibshirani 1996).

    In the seed's notation ``J(w) = (Xw - y)^T (Xw - y)``, ``H = 2 X^T X``;
    the objective is ``1/2 w^T H w - (2 X^T y)^T w + alpha ||w||_1 + y^T y``,
    minimized by cyclic coordinate descent followed by an exact solve on
    the support found (checked against the optimality conditions), to
    about 1e-12. When ``X^T X`` is diagonal, this equals
    ``l1_solution(2 diag(X^T X), w_star, alpha)`` (Eq. 7.23).

    Parameters
    ----------
    X : array_like, (n, d)
    y : array_like, (n,)
    alpha : float
        Penalty weight, >= 0.
    tol : float, default 1e-13
        Stop the sweeps when no coordinate moves more than ``tol * max(1, max|w|)``.

    Returns
    -------
    ndarray, (d,)
        No intercept: center ``X`` and ``y`` first if needed.
    """
    X, y = _check_regression(X, y)
    alpha = _check_nonneg("alpha", alpha)
    A = 2.0 * (X.T @ X)
    b = 2.0 * (X.T @ y)
    return _l1_coordinate_descent(A, b, alpha, tol=_check_pos("tol", tol))


# ---------------------------------------------------------------------------
# §7.2: norm penalties as constrained optimization

def constrained_alpha(H, w_star, k, tol=1e-15):
    """The KKT multiplier ``alpha*`` of ``min J^(w) s.t. ||w||_2 <= k`` (§7.2, Eq. 7.25-7.27).

    The generalized Lagrangian ``J^(w) + alpha (Omega(w) - 1/2 k^2)`` with
    ``Omega = 1/2 ||w||^2`` (Eq. 7.25) has, at the solution, the
    stationarity condition of the L2-penalized problem: the constrained
    minimum is ``w~(alpha*) = (H + alpha* I)^-1 H w_star`` (Eq. 7.13) with

    - ``alpha* = 0`` if ``||w_star|| <= k`` (the constraint is inactive;
      complementary slackness ``alpha* (Omega(w~) - 1/2 k^2) = 0``), else
    - the ``alpha* > 0`` at which ``||w~(alpha*)||_2 = k``, found by
      bisection on the strictly decreasing
      ``||w~(alpha)||^2 = sum_i (lambda_i c_i / (lambda_i + alpha))^2``,
      ``c = Q^T w_star``.

    Projected gradient descent with ``nr.NormBall(k)`` converges to the same
    point ``w~(alpha*)``.

    Parameters
    ----------
    H : array_like, (d, d)
        Hessian of J at ``w_star``, symmetric positive semi-definite.
    w_star : array_like, (d,)
        The unconstrained minimum.
    k : float
        Radius of the ball ``||w||_2 <= k`` (as ``nr.NormBall(k)``), > 0.
        In terms of ``Omega = 1/2 ||w||^2`` the constraint is ``Omega(w) <= k^2/2``.
    tol : float, default 1e-15
        Relative width of the final bisection bracket.

    Returns
    -------
    float
        ``alpha* >= 0``.

    Notes
    -----
    If ``H`` is singular and ``w_star`` has a component in its null space,
    that component is removed by any ``alpha > 0``; when the rest already
    lies inside the ball, ``alpha*`` is the limit 0.
    """
    _, lam, Q = _check_H(H)
    w_star = _check_vector("w_star", w_star, lam.shape[0])
    k = _check_pos("k", k)
    _check_pos("tol", tol)
    if np.linalg.norm(w_star) <= k:
        return 0.0
    c = Q.T @ w_star

    def norm2(a):
        f = lam / np.where(lam + a > 0, lam + a, 1.0)
        return float(np.sum((f * c) ** 2))

    k2 = k * k
    if float(np.sum(c[lam > 0] ** 2)) <= k2:             # ||w~(alpha)|| as alpha -> 0+
        return 0.0
    # ||w~(alpha)|| <= lam_max / (lam_max + alpha) ||w*||  =>  alpha = lam_max (||w*||/k - 1) is feasible
    lo, hi = 0.0, float(lam.max()) * (np.linalg.norm(w_star) / k - 1.0) * 1.0001 + 1e-300
    while norm2(hi) > k2:
        hi *= 2.0
    for _ in range(2000):
        mid = 0.5 * (lo + hi)
        if norm2(mid) > k2:
            lo = mid
        else:
            hi = mid
        if hi - lo <= tol * hi:
            break
    return 0.5 * (lo + hi)


# ---------------------------------------------------------------------------
# §7.5: noise on the weights

def _flat_layers(model):
    from .core.model import Sequential
    out = []
    for layer in (model.layers if isinstance(model, Sequential) else [model]):
        out += _flat_layers(layer) if isinstance(layer, Sequential) else [layer]
    return out


def weight_noise_penalty(model, X, eta, params=None, include_biases=False):
    """The regularizer that noise on the weights amounts to: ``eta E_x ||grad_W y^(x)||^2`` (§7.5).

    Adding ``epsilon_W ~ N(0, eta I)`` to the weights of a regression model
    trained on ``E[(y^(x) - y)^2]`` gives, for small ``eta``, the objective
    ``J + eta E_x[||grad_W y^(x)||^2]`` (the term ``eta E[(y^ - y) tr grad^2_W y^]``
    of the second-order expansion vanishes at a minimum, where the residuals
    are 0 or uncorrelated with the curvature). The penalty pushes the model
    to regions where small perturbations of the weights barely change the
    output: flat minima (Hochreiter & Schmidhuber 1995).

    For a vector output ``y^ in R^K``, ``||grad_W y^||^2`` is the squared
    Frobenius norm of the Jacobian, ``sum_k ||grad_W y^_k||^2``: the
    increase of ``E||y^ - y||^2`` summed over the outputs. ``nr.MSELoss``
    averages over the outputs too, so its increase is this divided by ``K``.

    Parameters
    ----------
    model : Sequential
        Made of ``Linear`` layers and parameter-free layers (activations,
        ``Flatten``, ...); evaluated in evaluation mode (no dropout), its
        mode restored after.
    X : ndarray, (n, ...)
        Inputs: ``E_x`` is the mean over them.
    eta : float
        Variance of the weight noise, >= 0.
    params : list of Parameter or None, default None
        The noisy weights; None: every ``Linear``'s ``W``.
    include_biases : bool, default False
        With ``params=None``, also put noise on the biases.

    Returns
    -------
    float
        ``eta * (1/n) sum_i sum_k ||grad_W y^_k(x_i)||^2``.

    Notes
    -----
    Vectorized over the examples: for a ``Linear`` layer with input ``a_i``
    and output gradient ``delta_i``, the per-example gradient is the outer
    product ``a_i delta_i^T``, of squared norm ``||a_i||^2 ||delta_i||^2``;
    one backward pass per output ``k`` (K passes, none per example), which
    leaves ``Parameter.grad`` untouched.
    """
    from .core.layers import Linear
    eta = _check_nonneg("eta", eta)
    layers = _flat_layers(model)
    chosen = None if params is None else {id(p) for p in params}
    was = model.training
    model.eval()
    try:
        out = model.forward(np.asarray(X))
        if out.ndim != 2:
            raise ValueError(f"weight_noise_penalty needs a model output of shape (n, K), got {out.shape}")
        n, K = out.shape
        # ||a_i||^2 for every Linear: the input is the same for every output k
        a2 = {id(l): np.einsum("ij,ij->i", l.x, l.x, dtype=np.float64)
              for l in layers if isinstance(l, Linear)}
        total = np.zeros(n)
        for k in range(K):
            dy = np.zeros_like(out)
            dy[:, k] = 1
            for layer in reversed(layers):
                if isinstance(layer, Linear):
                    d2 = np.einsum("ij,ij->i", dy, dy, dtype=np.float64)      # ||delta_i||^2
                    mask = getattr(layer, "mask", None)                       # SparseLinear
                    if chosen is None or id(layer.W) in chosen:
                        if mask is None:
                            total += a2[id(layer)] * d2
                        else:  # only the present connections: sum_jk a_ij^2 M_jk delta_ik^2
                            total += np.einsum("ij,jk,ik->i", layer.x.astype(np.float64) ** 2,
                                               mask.astype(np.float64), dy.astype(np.float64) ** 2)
                    if layer.b is not None and ((chosen is None and include_biases)
                                                or (chosen is not None and id(layer.b) in chosen)):
                        total += d2
                    dy = dy @ (layer.W.data if mask is None else layer.W.data * mask).T
                elif layer.parameters():
                    raise ValueError(f"weight_noise_penalty handles Linear layers and parameter-free layers, "
                                     f"got {type(layer).__name__} with parameters")
                else:
                    dy = layer.backward(dy)
    finally:
        model.train(was)
    return eta * float(total.mean())


# ---------------------------------------------------------------------------
# data for the figures and experiments

def make_correlated_regression(n=100, d=8, rho=0.8, noise=1.0, w_true=None, seed=0):
    """A linear regression problem with correlated features, as in Tibshirani (1996), §7.2.

    ``X ~ N(0, Sigma)`` with ``Sigma_ij = rho^|i - j|``, ``y = X w_true + noise * N(0, 1)``.

    Parameters
    ----------
    n : int, default 100
        Number of examples.
    d : int, default 8
        Number of features.
    rho : float, default 0.8
        Correlation of neighbouring features, in (-1, 1).
    noise : float, default 1.0
        Standard deviation of the noise on ``y``, >= 0.
    w_true : array_like, (d,), or None, default None
        None: Tibshirani's ``(3, 1.5, 0, 0, 2, 0, 0, 0)`` (padded with zeros or cut to ``d``).
    seed : int or None, default 0

    Returns
    -------
    X : ndarray, (n, d), float64
    y : ndarray, (n,), float64
    w_true : ndarray, (d,)
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got n={n!r}")
    if not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"d must be a positive integer, got d={d!r}")
    if not (isinstance(rho, numbers.Real) and -1 < rho < 1):
        raise ValueError(f"rho must be in (-1, 1), got rho={rho!r}")
    noise = _check_nonneg("noise", noise)
    if w_true is None:
        base = np.array([3.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0])
        w_true = np.zeros(d)
        w_true[:min(d, 8)] = base[:d]
    w_true = _check_vector("w_true", w_true, d, "d")
    rng = np.random.default_rng(seed)
    idx = np.arange(d)
    Sigma = float(rho) ** np.abs(idx[:, None] - idx[None, :])
    L = np.linalg.cholesky(Sigma)
    X = rng.standard_normal((n, d)) @ L.T
    y = X @ w_true + noise * rng.standard_normal(n)
    return X, y, w_true
