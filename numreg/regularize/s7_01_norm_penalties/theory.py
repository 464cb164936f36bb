"""The closed forms of §7.1: L2 (§7.1.1) and L1 (§7.1.2) regularization, in float64 with the book's symbols.

``H`` is the Hessian of the unregularized objective at its minimum ``w_star``, ``alpha`` the penalty
weight of ``J~(w) = J(w) + alpha * Omega(w)`` (Eq. 7.1); ``H = Q Lambda Q^T``.

- :func:`l2_shrinkage`: the L2-regularized minimum of a quadratic (Eq. 7.13);
  :func:`ridge` the exact minimizer for the seed's linear regression (Eq. 7.17).
- :func:`l1_solution`: the L1-regularized minimum for a diagonal Hessian (Eq. 7.23);
  :func:`l1_quadratic` for any Hessian; :func:`lasso` for the seed's linear regression.

A note on the factor 2 in the seed's linear regression. With
``J(w) = (Xw - y)^T (Xw - y)`` (no 1/2), the Hessian is ``H = 2 X^T X``
(the seed writes ``X^T X``), and the minimizer of ``J + alpha/2 ||w||^2``
is ``(X^T X + alpha/2 I)^-1 X^T y``. The book's ``(X^T X + alpha I)^-1 X^T y``
(Eq. 7.17) is the minimizer of ``1/2 J + alpha/2 ||w||^2``. The functions
here are exact for the objective as stated, with ``H = 2 X^T X``: so
``ridge(X, y, alpha) == l2_shrinkage(2 X^T X, w_star, alpha)``, and the
book's Eq. 7.17 is ``ridge(X, y, 2 * alpha)``.
"""
import numpy as np

from ...core import checks
from ...core.checks import nonnegative, positive, hessian, float_vector, regression_data


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
    _, lam, Q = hessian(H)
    w_star = float_vector("w_star", w_star, lam.shape[0])
    alpha = nonnegative("alpha", alpha)
    return_factors = checks.flag("return_factors", return_factors)
    den = lam + alpha
    factors = np.where(den > 0, lam / np.where(den > 0, den, 1.0), 1.0)
    w = Q @ (factors * (Q.T @ w_star))
    return (w, factors, Q) if return_factors else w



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
    X, y = regression_data(X, y)
    alpha = nonnegative("alpha", alpha)
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
    h = checks.float_array("H_diag", H_diag, ndim=(1, 2), dtype=np.float64)
    if h.ndim == 2:
        if h.shape[0] != h.shape[1]:
            raise ValueError(f"H_diag must be a vector or a square diagonal matrix, got H_diag.shape={h.shape}")
        off = h - np.diag(np.diag(h))
        if np.any(off != 0):
            raise ValueError("H_diag must be diagonal for Eq. 7.23 (uncorrelated features); "
                             f"got a matrix with max off-diagonal |H_ij| = {np.max(np.abs(off)):.3g}; "
                             "use l1_quadratic for a general H")
        h = np.diag(h)
    h = float_vector("H_diag", h)
    if np.any(h <= 0):
        raise ValueError(f"H_diag must hold positive curvatures H_ii > 0, got min(H_diag)={h.min():.6g}")
    w_star = float_vector("w_star", w_star, h.shape[0], "H_diag")
    alpha = nonnegative("alpha", alpha)
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
    A, lam, _ = hessian(H)
    w_star = float_vector("w_star", w_star, lam.shape[0])
    alpha = nonnegative("alpha", alpha)
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
    X, y = regression_data(X, y)
    alpha = nonnegative("alpha", alpha)
    A = 2.0 * (X.T @ X)
    b = 2.0 * (X.T @ y)
    return _l1_coordinate_descent(A, b, alpha, tol=positive("tol", tol))
